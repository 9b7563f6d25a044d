"""OIDC roles for pipelines: the provider once per account and issuer, and per pipeline a
role that admits exactly the plan's subjects.

The trust policy pins the audience and the subject with ``StringEquals`` (a list of exact
``sub`` values: values are ORed, so every one is one of the plan's jobs); a subject the
plan records as a pattern goes into a statement of its own under ``StringLike``, since
two operators on one key in one statement must both hold.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
https://docs.github.com/en/actions/reference/security/oidc
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from keyless.generate.model import (
    OidcProviderSpec,
    Placeholder,
    PlaceholderKind,
    Probe,
    RoleKind,
    RoleSpec,
    Skipped,
)
from keyless.idp.oidc import web_identity_request
from keyless.plan.document import permissions_from
from keyless.plan.model import provider_note
from keyless.plan.quotas import oidc_trust as plan_trust
from keyless.plan.tenants import FILL_IN as TENANT_FILL_IN
from keyless.plan.tenants import LINK_SYNTAX as TENANT_LINK_SYNTAX
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS
from keyless.plan.tenants import parse_project
from keyless.policy.conditions import matches_wildcard
from keyless.policy.identifiers import USER_NAME

NEAR_MISS = "keyless-near-miss"
# Stand-in UUIDs for a CircleCI user or Bitbucket step (any is allowed) and for another
# project, repository or environment (each is denied).
_STAND_IN = "00000000-0000-4000-8000-000000000000"
_OTHER = "ffffffff-ffff-4fff-8fff-ffffffffffff"


def oidc_resources(
    document: Mapping[str, Any], partition: str = "aws"
) -> tuple[tuple[OidcProviderSpec, ...], tuple[RoleSpec, ...], tuple[Skipped, ...]]:
    """The providers, roles, and the roles left out (no subjects yet)."""
    providers: dict[tuple[str, str], OidcProviderSpec] = {}
    roles: list[RoleSpec] = []
    skipped: list[Skipped] = []
    for index, entry in enumerate(document["oidc_roles"]):
        pointer = f"/oidc_roles/{index}"
        if not entry["subjects"]:
            skipped.append(
                Skipped(
                    pointer,
                    f"role {entry['name']} ({entry['account']})",
                    f"the plan names no subjects yet: plan again with {_relink(entry)}",
                )
            )
            continue
        provider = entry["provider"]
        key = (entry["account"], provider["issuer"])
        known = providers.get(key)
        audiences = tuple(sorted({*(known.audiences if known else ()), provider["audience"]}))
        client_ids = provider.get("client_ids")
        note = provider_note(provider["arn"], provider["audience"], client_ids)
        notes = tuple(dict.fromkeys([*(known.notes if known else ()), *([note] if note else [])]))
        # Absent from plans written before the field: their providers were taken as read.
        read = provider.get("providers_read", True) is not False
        providers[key] = OidcProviderSpec(
            entry["account"],
            provider["issuer"],
            audiences,
            provider["arn"],
            notes,
            providers_read=read and (known.providers_read if known else True),
        )
        roles.append(_role(entry, pointer, partition))
    return tuple(providers[k] for k in sorted(providers)), tuple(roles), tuple(skipped)


def _relink(entry: Mapping[str, Any]) -> str:
    """The ``--link`` of the role's own platform that gives it subjects: a GitLab role is
    not linked as ORG/REPO, and a CircleCI or Bitbucket role is linked by the project's
    IDs, whose link alone gives the subject (no pipeline file states it), with where the
    vendor shows them."""
    link = f"--link {_link_user(entry['user'])}="
    platform = entry["platform"]
    if platform in TENANT_PLATFORMS:
        return f"{link}{TENANT_LINK_SYNTAX[platform]} ({TENANT_FILL_IN[platform]})"
    syntax = "gitlab:GROUP/PROJECT" if platform == "gitlab" else "ORG/REPO"
    return f"{link}{syntax} and --workflows PATH"


def _link_user(arn: str) -> str:
    """The user a ``--link`` names, as the plan's Open list does: the name the role's user
    ARN ends with; ``USER`` when that is no IAM user name (a hand-edited plan)."""
    name = arn.rsplit("/", 1)[-1]
    return name if USER_NAME.fullmatch(name) else "USER"


def _role(entry: Mapping[str, Any], pointer: str, partition: str) -> RoleSpec:
    exact = sorted(s["value"] for s in entry["subjects"] if s["operator"] == "StringEquals")
    patterns = sorted(s["value"] for s in entry["subjects"] if s["operator"] == "StringLike")
    return RoleSpec(
        kind=RoleKind.OIDC,
        account=entry["account"],
        name=entry["name"],
        description=_description(entry["platform"], entry["repositories"]),
        trust=oidc_trust(entry, partition),
        permissions=permissions_from(entry["permissions"]),
        probes=_probes(entry, [*exact, *patterns]),
        pointer=pointer,
        platform=entry["platform"],
    )


#: IAM's longest role description (CreateRole's ``Description``).
DESCRIPTION_LENGTH = 1000


def _description(platform: str, repositories: list[str]) -> str:
    """``keyless: github pipelines of a/b, c/d``, within IAM's 1,000 characters: the
    repositories that fit whole, then how many more (cut at 1,000 characters, the last
    name was cut too, and a reviewer read a repository that is not the role's)."""
    head = f"keyless: {platform} pipelines of "
    whole = head + ", ".join(repositories)
    if len(whole) <= DESCRIPTION_LENGTH:
        return whole
    # The longest prefix of names that leaves room for " and N more" (N at most as long as
    # the count of all): one pass, a plan may list thousands.
    room = DESCRIPTION_LENGTH - len(f" and {len(repositories)} more")
    shown: list[str] = []
    length = len(head)
    for name in repositories:
        length += len(name) + (2 if shown else 0)
        if length > room:
            break
        shown.append(name)
    if not shown:
        return f"keyless: {platform} pipelines of {len(repositories)} repositories"
    return head + ", ".join(shown) + f" and {len(repositories) - len(shown)} more"


def oidc_trust(entry: Mapping[str, Any], partition: str) -> dict[str, Any]:
    """The trust policy of the plan's OIDC role ``entry`` (:func:`keyless.plan.quotas.oidc_trust`,
    the policy ``plan --check`` measures), its provider a placeholder for the one generated."""
    account, issuer = entry["account"], entry["provider"]["issuer"]

    def placeholder(arn: str) -> Placeholder:
        return Placeholder(PlaceholderKind.OIDC_PROVIDER, account, issuer, arn)

    return plan_trust(entry, partition, placeholder)


def _probes(entry: Mapping[str, Any], subjects: list[str]) -> tuple[Probe, ...]:
    """Each exact subject allowed; for each subject, another repository, a pull request,
    another branch and another audience denied (unless the plan itself admits them)."""
    issuer, audience = entry["provider"]["issuer"], entry["provider"]["audience"]
    account = entry["account"]

    def request(sub: str, aud: str = audience) -> Any:
        claims = {"iss": f"https://{issuer}", "sub": sub, "aud": aud}
        return web_identity_request(claims, account=account)

    if entry["platform"] in TENANT_PLATFORMS:
        return _tenant_probes(entry, subjects, request)
    probes = [
        Probe(f"subject {s['value']}", request(s["value"]), True)
        for s in entry["subjects"]
        if s["operator"] == "StringEquals"
    ]
    prefix = "repo:" if entry["platform"] == "github" else "project_path:"
    misses: dict[str, str] = {}
    for repository in entry["repositories"]:
        base = f"{prefix}{repository}"
        if entry["platform"] == "github":
            misses[f"{base}:pull_request"] = "a pull request"
            misses[f"{base}:ref:refs/heads/{NEAR_MISS}"] = "another branch"
            misses[f"repo:{repository}-{NEAR_MISS}:ref:refs/heads/main"] = "another repository"
        else:
            misses[f"{base}:ref_type:branch:ref:{NEAR_MISS}"] = "another branch"
            misses[f"project_path:{repository}-{NEAR_MISS}:ref_type:branch:ref:main"] = (
                "another project"
            )
        if entry["platform"] == "github":
            misses[f"{base}:environment:{NEAR_MISS}"] = "another environment"
    for sub, what in sorted(misses.items()):
        if not any(matches_wildcard(pattern, sub) for pattern in subjects):
            probes.append(Probe(f"{what}: {sub}", request(sub), False))
    probes.append(Probe(f"another audience: {subjects[0]}", request(subjects[0], NEAR_MISS), False))
    return tuple(probes)


def _tenant_probes(
    entry: Mapping[str, Any], subjects: list[str], request: Callable[..., Any]
) -> tuple[Probe, ...]:
    """CircleCI and Bitbucket: a job of each project (any user or step) allowed; a job of
    another project (repository, deployment environment) and another audience denied,
    unless the plan itself admits them."""
    allowed = {s["value"]: "subject" for s in entry["subjects"] if s["operator"] == "StringEquals"}
    patterns = {s["value"] for s in entry["subjects"] if s["operator"] == "StringLike"}
    misses: dict[str, str] = {}
    for text in entry["repositories"]:
        project = parse_project(entry["platform"], text)
        if project is None:
            continue
        # The plan's own pattern admits every job of the project: prove it with one (a
        # subject a person narrowed by hand is proved by its exact values alone).
        linked = project.subject in patterns
        if project.platform == "circleci":
            job = f"{project.subject_prefix}{_STAND_IN}"
            if linked:
                allowed[job] = "a job"
                allowed[f"{job}/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main"] = (
                    "a job with a v2 token"
                )
            misses[f"org/{project.tenant}/project/{_OTHER}/user/{_STAND_IN}"] = "another project"
        else:
            step = f"{{{_STAND_IN}}}"
            if linked:
                allowed[f"{project.subject_prefix}{step}"] = "a step"
            misses[f"{{{_OTHER}}}:{step}"] = "another repository"
            misses[f"{{{_OTHER}}}:{project.project}:{step}"] = "another repository naming this one"
            if project.environment:
                misses[f"{project.project}:{step}"] = "a step outside the environment"
                misses[f"{project.project}:{{{_OTHER}}}:{step}"] = "another environment"
    probes = [Probe(f"{what}: {sub}", request(sub), True) for sub, what in sorted(allowed.items())]
    for sub, what in sorted(misses.items()):
        if not any(matches_wildcard(pattern, sub) for pattern in subjects):
            probes.append(Probe(f"{what}: {sub}", request(sub), False))
    first = min(allowed, default=subjects[0])
    probes.append(Probe(f"another audience: {first}", request(first, NEAR_MISS), False))
    return tuple(probes)
