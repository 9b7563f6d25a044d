"""GitHub Actions' ``sub`` grammar (GitHub.com and GitHub Enterprise Server): the default,
immutable and custom subjects, their tenant and repository, and the values of GitHub's other
claims; its triggers are in :mod:`keyless.idp.github_triggers`.
https://docs.github.com/en/actions/reference/security/oidc
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from keyless.idp.github_triggers import (
    BRANCH_EVENTS,
    GITHUB_EVENTS,
    SERVER_BRANCH_EVENTS,
    github_triggers,
)
from keyless.idp.sub_shapes import EMPTY_FIELD, NAME
from keyless.idp.subject_grammar import SubGrammar

# The fields of a GitHub subject: the default subject is `repo:OWNER/REPO` and its context
# (`ref:refs/…`, `environment:NAME` or `pull_request`); a custom template
# (`include_claim_keys`) joins `KEY:VALUE` pairs of the claims it names, `repo` for the
# repository and `context` for the default tail, in its own order; a `:` inside a value is
# written `%3A`. Each claim key is one the OIDC reference documents (`sha` and
# `environment_node_id` are in the issuer's `claims_supported`), with its value's grammar:
# IDs are decimal, SHAs hexadecimal, visibility, runner environment and ref type one of
# their values. A workflow's ref (`workflow_ref`, the caller's; `job_workflow_ref`, the job's
# own or the reusable workflow it calls) is OWNER/REPO/.github/workflows/FILE@REF, the only
# folder GitHub reads workflows from, REF the full ref it ran at (`@refs/heads/main`, never
# `@main`) or, for a reusable workflow called by commit, that SHA; a workflow GitHub writes
# itself (event `dynamic`) has the path the runs list shows, OWNER/REPO/dynamic/….
# https://docs.github.com/en/actions/reference/security/oidc#understanding-the-oidc-token
# https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
# https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
_GITHUB_FIELDS = (
    "repo:+/+",
    "repo:+@#/+@#",  # immutable subjects (repositories created or renamed after 2026-07-15)
    "ref:refs/%",
    "environment:=",
    "pull_request",
    *(
        f"{claim}:#"
        for claim in (
            "actor_id",
            "check_run_id",
            "enterprise_id",
            "repository_id",
            "repository_owner_id",
            "run_attempt",
            "run_id",
            "run_number",
        )
    ),
    *(f"repository_visibility:{v}" for v in ("internal", "private", "public")),
    *(f"runner_environment:{v}" for v in ("github-hosted", "self-hosted")),
    *(f"ref_type:{v}" for v in ("branch", "tag")),
    "actor:+",
    "repository_owner:+",
    "enterprise:+",
    *(f"event_name:{event}" for event in GITHUB_EVENTS),
    *(
        f"{claim}:+/+/{path}@refs/%"
        for claim in ("job_workflow_ref", "workflow_ref")
        for path in (".github/workflows/=", "dynamic/=")
    ),
    "job_workflow_ref:+/+/.github/workflows/=@^",  # a reusable workflow called by its SHA
    *(f"{claim}:^" for claim in ("job_workflow_sha", "sha", "workflow_sha")),
    *(f"{claim}:=" for claim in ("base_ref", "head_ref", "workflow", "environment_node_id")),
    # A pull request's branches are set only for pull_request and pull_request_target runs;
    # any other run's template writes the claim empty (`…:event_name:push:base_ref::ref:
    # refs/heads/main`, a public policy's value). Every other claim a template may include
    # holds a value.
    "base_ref:",
    "head_ref:",
    "repo_property_=:=",  # an organization's custom property, repo_property_NAME
)

# A repository or owner a custom template names after another field
# (`environment:prod:repo:o/r`, `repository_visibility:private:repository_owner:o`), whole:
# a field begins after a `:` (a value holds none) and ends at the next. Not a reusable
# workflow (`job_workflow_ref:o/…`): it names the called workflow, not the caller (see
# GITHUB's tenant templates).
# A repository field is one whatever precedes it: after a key (`…:environment:repo:o/r`),
# `repo` would be a value and `o/r` the next field, which no key is (none holds `/`).
# An owner field is not: `…:environment:repository_owner:ref:refs/heads/main` is as well the
# environment `repository_owner` and the ref, any owner's subject. A name that is a claim key
# (`ref`, `actor`, `pull_request`) is therefore never read as the owner there: such a value
# pins no tenant (it was read as the owner `ref`'s, an any-tenant subject judged a broad one).
_GITHUB_CLAIM_KEYS = "|".join(
    sorted({field.split(":")[0].replace("=", "[^:]*") for field in _GITHUB_FIELDS})
)
_GITHUB_LATER_REPO = rf"(?<=:)repo:{NAME}(?:@[0-9]+)?/{NAME}(?:@[0-9]+)?(?=:|$)"
_GITHUB_LATER_OWNER = (
    rf"(?<=:)repository_owner:(?!(?:{_GITHUB_CLAIM_KEYS})(?::|$))[^/:@*?$]+(?=:|$)"
)
# The same repository field up to a wildcard (`environment:prod:repo:o/app*`): the name
# before it is the repository the value names (as repo_pattern reads `repo:o/app*`).
_GITHUB_LATER_REPO_HEAD = rf"(?<=:)repo:{NAME}(?:@[0-9]+)?/{NAME}(?:@[0-9]+)?(?=[:*?]|$)"


GITHUB = SubGrammar(
    provider="GitHub Actions",
    # Default and custom subjects alike: fields joined by `:` (an attacker sets their own
    # organisation's template).
    well_formed=(),
    fields=_GITHUB_FIELDS,
    # `pull_request` is the context alone, which a template includes once.
    fields_once=("pull_request",),
    # A claim is included in a custom template once: no token carries two refs.
    ill_formed=(*EMPTY_FIELD, "*:ref:*:ref:*", "ref:*:ref:*"),
    # An empty base_ref or head_ref (a run of neither pull request event): the fields'
    # grammar admits no other empty value.
    empty_after="f",
    # GitHub's names: a repository's ASCII letters, digits, `.`, `-` and `_` (GitHub
    # replaces any other character by `-` when it creates one); an owner's letters, digits
    # and `-` (and `_`: managed users' and a server's externally authenticated users').
    # https://github.com/github/docs/issues/44518
    # https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/iam-configuration-reference/username-considerations-for-external-authentication
    invalid_names=(
        r"(?:^|(?<=:))(?:repo|repository_owner):[a-z0-9_-]*[^a-z0-9_\-/:@*?]"
        r"|(?:^|(?<=:))repo:[a-z0-9_-]+(?:@[0-9]+)?/[a-z0-9._-]*[^a-z0-9._\-:@*?]"
    ),
    names_rule=(
        "a repository's name is ASCII letters, digits, '.', '-' and '_', an owner's "
        "letters, digits, '-' and '_'"
    ),
    # The same after a wildcard (`repo:o/r*é`: the repository `r…é` is none), for the fields
    # that hold names (a login's too: an actor's name is an account's): the characters they
    # may hold, and the repo field's own `/` and `@`.
    name_fields=("repo", "repository_owner", "actor"),
    name_chars="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/@",
    ref_marker=":ref:",
    ref_prefix="refs/",
    # The caller's owner. A reusable workflow's owner (`job_workflow_ref:{tenant}/*`, the
    # claim `job_workflow_ref` `{tenant}/*`) is none: "the workflow, ref, and other
    # attributes describe the caller workflow, while job_workflow_ref refers to the called
    # workflow", and a workflow in a public repository may be called from any repository
    # (an internal one's from the enterprise's).
    # https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    # https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows#access-to-reusable-workflows
    tenant_templates=(
        "repo:{tenant}/*",
        "repo:{tenant}@*",
        "repository_owner:{tenant}:*",
        "repository_owner:{tenant}",
    ),
    # A custom template's ID of the owner, or of a repository (which one owner holds), or
    # of the enterprise (as the enterprise_id claim pins it, tenant_keys): only that
    # tenant's tokens carry it, wherever the template puts it. A value's `:` is written
    # %3A, so `…:repository_owner_id:123` is that claim's field, never part of a value.
    # So are the owner's and repository's names written whole after another field (a
    # template lists its claims in its own order: `ref:refs/heads/main:repo:o/r`); first,
    # tenant_pattern reads them.
    tenant_id_search=(
        r"(?:repository_owner_id|repository_id|enterprise_id):[0-9]+(?![0-9])"
        rf"|{_GITHUB_LATER_REPO}|{_GITHUB_LATER_OWNER}"
    ),
    repo_id_search=rf"repository_id:[0-9]+(?![0-9])|{_GITHUB_LATER_REPO_HEAD}",
    id_templates=("{tenant}", "{tenant}:*", "*:{tenant}", "*:{tenant}:*"),
    # The owner of a repository field after another field, a wildcard inside the field
    # (`environment:prod:repo:o/*`, `ref:refs/heads/main:repo:o/app*`): no claim key holds
    # `/` or `@`, so the `repo` before `o/` is the key, never a value, and a token has one
    # repo claim. Only such values build these languages (a `*:` before every tenant
    # template made the messy benchmark's witness searches 5 times as long).
    tenant_head_search=rf"(?<=:)repo:{NAME}[/@]",
    head_templates=("*:{tenant}*",),
    # A custom template of the repo claim alone mints the bare `repo:OWNER/REPO`. The IDs
    # of an immutable subject are decimal: a wildcard there (`repo:o@*/r@*`) would span
    # `:` and take in another repository's `repo:o@1/x@2:ref:refs/heads/y/r@3`.
    repo_templates=(
        "repo:{tenant}/{repo}",
        "repo:{tenant}/{repo}:*",
        "repo:{tenant}@#/{repo}@#",
        "repo:{tenant}@#/{repo}@#:*",
    ),
    tenant_pattern=rf"(?:repo:|repository_owner:)(?P<tenant>{NAME})(?:[/@:]|$)",
    # The repository of an immutable subject whose owner ID is a wildcard (`repo:o@*/r@*`,
    # whatever the IDs) is read as well.
    repo_pattern=rf"repo:(?P<tenant>{NAME})(?:@(?:[0-9]+|\*))?/(?P<repo>{NAME})",
    example="repo:{tenant}/{repo}:ref:refs/heads/main",
    tenant_word="owner",
    triggers=github_triggers(BRANCH_EVENTS),
    tenant_keys=MappingProxyType(
        {
            "repository_owner_id": "id",
            "repository_id": "id",
            "enterprise_id": "id",
            "repository": "{tenant}/*",
        }
    ),
    classic_repo_pattern=rf"^repo:(?P<tenant>{NAME})/(?P<repo>{NAME}):",
    immutable_repo_pattern=rf"^repo:(?P<tenant>{NAME})@[0-9*?]+/(?P<repo>{NAME})@",
    # Owner and repository names are case-insensitive: github.com/Octo-Org/Repo is
    # github.com/octo-org/repo, and no other account may take a case variant of a login.
    # https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories
    names_ignore_case=True,
)
# A GitHub Enterprise Server mints GitHub's subjects; before 3.20 its pull_request_target
# runs the pull request's base branch's workflow, under that branch's ref.
# https://docs.github.com/en/enterprise-server@3.19/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target
GITHUB_SERVER = replace(
    GITHUB,
    provider="GitHub Enterprise Server",
    triggers=github_triggers(SERVER_BRANCH_EVENTS),
)

# The values of claims GitHub's tokens carry besides `sub` (:data:`keyless.idp.grammars.
# CLAIM_VALUES`): https://docs.github.com/en/actions/reference/security/oidc (IDs are
# decimal; `repository` is OWNER/REPO; `ref` a full git ref; `job_workflow_ref` the reusable
# workflow's OWNER/REPO/PATH@REF, REF a ref or a commit SHA).
GITHUB_CLAIM_VALUES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "actor_id": ("#",),
        "enterprise_id": ("#",),
        "repository_id": ("#",),
        "repository_owner_id": ("#",),
        "repository": ("+/+",),
        "ref": ("refs/?*",),
        "job_workflow_ref": (
            "+/+/.github/workflows/?*@refs/+/%",
            "+/+/.github/workflows/?*@^",
            "+/+/dynamic/?*@refs/+/%",
        ),
    }
)
