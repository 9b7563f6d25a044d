"""CI platforms whose OIDC issuer serves one tenant: CircleCI (one issuer per
organization) and Bitbucket Pipelines (one per workspace).

Their tokens name projects and repositories by UUID, which no pipeline file states, so
keyless cannot compute their ``sub`` from ``--workflows``: a person links the user to
the project (``circleci:ORG_ID/PROJECT_ID``) or repository
(``bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID[/ENVIRONMENT_UUID]``), and the
link alone gives the issuer, the audience and the narrowest ``sub`` the vendor mints.

* CircleCI: issuer ``https://oidc.circleci.com/org/ORG_ID``, ``aud`` the organization
  ID, ``sub`` ``org/ORG_ID/project/PROJECT_ID/user/USER_ID`` (the v2 token appends
  ``/vcs-origin/…/vcs-ref/…``), so a project is ``org/ORG_ID/project/PROJECT_ID/user/*``
  under ``StringLike``. https://circleci.com/docs/openid-connect-tokens/
* Bitbucket: issuer
  ``https://api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc``
  (the workspace's slug), ``aud`` ``ari:cloud:bitbucket::workspace/WORKSPACE_UUID`` (its
  UUID, which the issuer does not show: both are on the repository's "OpenID Connect"
  settings page), ``sub`` ``{REPOSITORY_UUID}:{STEP_UUID}``, or
  ``{REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}`` for a deployment step (braces
  literal); step UUIDs are new every run, so a repository is ``{REPOSITORY_UUID}:*``
  and a deployment environment ``{REPOSITORY_UUID}:{ENVIRONMENT_UUID}:*``.
  https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
  https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/

UUIDs are accepted in either case, with or without braces, and kept lowercase (as both
vendors write them); a project's canonical text is what the plan records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.errors import quoted

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A UUID in braces (as Bitbucket writes it) or bare; never half-braced.
_BRACED = rf"(\{{{_UUID}\}}|{_UUID})"
# ASCII case-folding only: a Kelvin sign is not a "k".
_CIRCLECI = re.compile(rf"({_UUID})/({_UUID})", re.ASCII | re.IGNORECASE)
# Workspace IDs (the slug in bitbucket.org/WORKSPACE/REPO): new ones are lowercase
# letters only, older ones (former account names) also have digits, '-' and '_'.
# https://support.atlassian.com/bitbucket-cloud/docs/change-a-workspace-id/
_WORKSPACE = r"[a-z0-9][a-z0-9_-]{0,61}"
_BITBUCKET = re.compile(
    rf"({_WORKSPACE})/{_BRACED}/{_BRACED}(?:/{_BRACED})?", re.ASCII | re.IGNORECASE
)
#: The link syntax, for messages and docs.
CIRCLECI_SYNTAX = "circleci:ORG_ID/PROJECT_ID"
BITBUCKET_SYNTAX = "bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID[/ENVIRONMENT_UUID]"
#: Platforms whose roles are planned from the link alone.
PLATFORMS = ("circleci", "bitbucket")
#: Each link syntax, and what a person fills its placeholders with and where the vendor
#: shows them: https://circleci.com/docs/guides/toolkit/how-to-find-ids/,
#: https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
LINK_SYNTAX = {"circleci": CIRCLECI_SYNTAX, "bitbucket": BITBUCKET_SYNTAX}
FILL_IN = {
    "circleci": (
        "ORG_ID and PROJECT_ID are UUIDs: Organization Settings > Overview and Project "
        "Settings > Overview in CircleCI, or a job's CIRCLE_ORGANIZATION_ID and "
        "CIRCLE_PROJECT_ID"
    ),
    "bitbucket": (
        "WORKSPACE is the workspace ID (bitbucket.org/WORKSPACE/REPO); WORKSPACE_UUID, "
        "REPOSITORY_UUID and, for a deployment step, ENVIRONMENT_UUID are on the "
        "repository's Repository settings > OpenID Connect page"
    ),
}
#: Where each vendor documents its tokens and their use from a pipeline.
DOCS = {
    "circleci": (
        "https://circleci.com/docs/openid-connect-tokens/",
        "https://circleci.com/developer/orbs/orb/circleci/aws-cli",
    ),
    "bitbucket": (
        "https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/",
        "https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/",
    ),
}


@dataclass(frozen=True, slots=True)
class TenantProject:
    """A CircleCI project or Bitbucket repository (or deployment environment), and what
    its tokens carry. ``text`` is the canonical link value the plan records."""

    platform: str
    text: str
    tenant: str
    issuer: str
    audience: str
    subject: str
    project: str
    environment: str | None = None

    @property
    def subject_prefix(self) -> str:
        """What every ``sub`` of this project starts with."""
        return self.subject.removesuffix("*")


def parse_project(platform: str, text: str) -> TenantProject | None:
    """The project ``text`` names on ``platform``, or ``None`` when it breaks the grammar."""
    if platform == "circleci":
        match = _CIRCLECI.fullmatch(text)
        if match is None:
            return None
        org, project = (group.lower() for group in match.groups())
        return TenantProject(
            platform,
            f"{org}/{project}",
            org,
            f"oidc.circleci.com/org/{org}",
            org,
            f"org/{org}/project/{project}/user/*",
            project,
        )
    if platform == "bitbucket":
        match = _BITBUCKET.fullmatch(text)
        if match is None:
            return None
        workspace, workspace_uuid, repository, environment = (
            (match.group(n) or "").lower().strip("{}") for n in (1, 2, 3, 4)
        )
        text = f"{workspace}/{{{workspace_uuid}}}/{{{repository}}}"
        subject = f"{{{repository}}}:*"
        if environment:
            text += f"/{{{environment}}}"
            subject = f"{{{repository}}}:{{{environment}}}:*"
        return TenantProject(
            platform,
            text,
            workspace,
            f"api.bitbucket.org/2.0/workspaces/{workspace}/pipelines-config/identity/oidc",
            f"ari:cloud:bitbucket::workspace/{workspace_uuid}",
            subject,
            f"{{{repository}}}",
            f"{{{environment}}}" if environment else None,
        )
    return None


def tenant_problems(role: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """What is wrong with an ``oidc_roles`` entry of a tenant platform (a JSON pointer
    below the entry and a message): a repository not in the platform's grammar or not in
    canonical form, repositories of different tenants, a provider other than theirs, a
    subject outside the repositories (one that does not start with a repository's own
    prefix, so a wildcard can only widen it within the repository)."""
    platform = role["platform"]
    projects: list[TenantProject] = []
    for index, text in enumerate(role["repositories"]):
        project = parse_project(platform, text)
        if project is None or project.text != text:
            syntax = CIRCLECI_SYNTAX if platform == "circleci" else BITBUCKET_SYNTAX
            yield f"/repositories/{index}", f"{quoted(text)} is not {syntax.partition(':')[2]}"
        else:
            projects.append(project)
    tenants = {(p.issuer, p.audience) for p in projects}
    if len(tenants) > 1:
        yield "/repositories", "the repositories belong to more than one tenant (issuer)"
        return
    if tenants:
        issuer, audience = next(iter(tenants))
        provider = role["provider"]
        if provider["issuer"] != issuer or provider["audience"] != audience:
            yield (
                "/provider",
                f"{platform} tokens of these projects come from {issuer} ({audience})",
            )
    # No valid project: no subject is one of the role's.
    prefixes = sorted({p.subject_prefix for p in projects})
    shown = " or ".join(f"{prefix}…" for prefix in prefixes) or "the role names no project"
    for index, subject in enumerate(role["subjects"]):
        if not prefixes or not subject["value"].startswith(tuple(prefixes)):
            yield (
                f"/subjects/{index}",
                f"{quoted(str(subject['value']))} is not a subject of the role's projects "
                f"({shown})",
            )
