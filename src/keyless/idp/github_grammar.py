"""GitHub Actions' ``sub`` grammar (GitHub.com and GitHub Enterprise Server): the default,
immutable and custom subjects, the events that start a run and the triggers an attacker with
write access (or a fork) may use. https://docs.github.com/en/actions/reference/security/oidc
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from keyless.idp.sub_shapes import EMPTY_FIELD, NAME
from keyless.idp.subject_grammar import SubGrammar
from keyless.idp.triggers import DEFAULT_BRANCHES, Trigger

# The events that start a workflow run, by the ref its token's `ref` claim (and a sub's ref
# or context) holds, GITHUB_REF, as GitHub's reference lists them (`workflow_call` is none:
# a called workflow's event is its caller's):
# https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
# https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#github-context
# A pull request's code runs on these, its ref refs/pull/N/merge; its ref_type is `branch`
# (a pull_request run's github context shows ref_type branch beside refs/pull/N/merge).
_PULL_REQUEST_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment")
# The workflow of a branch (or tag) whoever can push chooses runs on these: the one pushed,
# dispatched or created, a deployment's or a published package's ref (any one a deployment
# is created for), a merge queue's branch (refs/heads/gh-readonly-queue/…, the queued pull
# requests' code). A release runs its tag's. `dynamic` is the event of the workflows GitHub
# writes itself, run with no file in the repository (`dynamic/github-code-scanning/codeql`,
# CodeQL's default setup; Copilot's coding agent): undocumented among the events, but the
# runs list shows it. They run on any branch: the agent's own (`copilot/…`, code it writes
# from an issue anyone with write access assigns it), and default setup's on pull requests
# and protected branches. So a `…:event_name:dynamic` subject is a branch's run a writer
# chooses, never a dead value.
# https://docs.github.com/en/copilot/concepts/agents/coding-agent/about-coding-agent
# https://docs.github.com/en/code-security/code-scanning/enabling-code-scanning/configuring-default-setup-for-code-scanning
_BRANCH_EVENTS = (
    "create",
    "deployment",
    "deployment_status",
    "dynamic",
    "merge_group",
    "push",
    "registry_package",
    "workflow_dispatch",
)
_TAG_EVENTS = (
    "create",
    "deployment",
    "deployment_status",
    "push",
    "registry_package",
    "release",
    "workflow_dispatch",
)
# These run the default branch's workflow under its ref ("Default branch"; a schedule "will
# only run on the default branch"), whatever that branch is named: reviewed code, no
# trigger of an untrusted run. pull_request_target among them on GitHub.com and GitHub
# Enterprise Server 3.20 and later; before 3.20 a server runs the pull request's base
# branch's workflow (:data:`_SERVER_BRANCH_EVENTS`), and a pull request may target any.
_DEFAULT_BRANCH_EVENTS = (
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "delete",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request_target",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_run",
)
_SERVER_BRANCH_EVENTS = (*_BRANCH_EVENTS, "pull_request_target")
# Every event a run's `event_name` claim may hold.
_GITHUB_EVENTS = tuple(
    sorted({*_PULL_REQUEST_EVENTS, *_BRANCH_EVENTS, *_TAG_EVENTS, *_DEFAULT_BRANCH_EVENTS})
)


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
    *(f"event_name:{event}" for event in _GITHUB_EVENTS),
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


# Where a GitHub subject's context (or a custom template's ref) starts: after
# repo:OWNER/REPO (classic or immutable) or any other field of a custom template
# (`repository_owner_id:1:repository_id:2:ref:refs/heads/x`), or at its start. A value
# holds no `:` (GitHub writes %3A), so `…:ref:refs/heads/x` is the ref claim's field.
_GITHUB_HEADS = ("*:", "")
# A custom template that includes the environment claim (`repo:O/R:ref:refs/heads/x:
# environment:prod`): the job references that environment, whose protection rules (its
# deployment branches, reviewers) decide which runs may use it, as for the default
# `repo:O/R:environment:prod`. A job with an environment never has the `pull_request` or
# `ref:` context, so only a custom template's key:value field shows both.
# https://docs.github.com/en/actions/reference/security/oidc#customizing-the-token-claims
_WITH_ENVIRONMENT = ("*:environment:*", "environment:*")
# A ref a policy value names literally as a field (a custom template's claims may follow
# it: `repo:o/r:ref:refs/heads/develop:*` names the branch develop), and the subjects
# holding that field.
_GITHUB_NAMED_REF = r"(?:^|:)ref:(?P<name>refs/{kind}/[^:*?$]+)(?=:|$)"
_GITHUB_REF_FIELD = ("ref:{name}", "ref:{name}:*", "*:ref:{name}", "*:ref:{name}:*")
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
# An environment of one repository a policy value names literally, other fields after it
# (`repo:o/r:environment:prod:*`, GitHub's "repo, context, job_workflow_ref" template),
# and the subjects holding that repository and environment. Protection rules are each
# repository's own: `*:environment:prod` names no environment whose rules are known.
_GITHUB_NAMED_ENVIRONMENT = r"^(?P<name>repo:[^:*?$]+:environment:[^:*?$]+)(?=:|$)"
_GITHUB_ENVIRONMENT_FIELD = ("{name}", "{name}:*")
# Branches counted as protected by default (the usual default branches).


def _fields(*fields: str) -> tuple[str, ...]:
    """The subjects holding one of ``fields`` (templates of :func:`shape`): first, last or
    among a custom template's other claims."""
    return tuple(
        f"{head}{field}{tail}" for field in fields for head in _GITHUB_HEADS for tail in ("", ":*")
    )


# Subjects with a ref field: it names the branch or tag (the triggers' templates judge it).
_WITH_REF = tuple(f"{head}ref:*" for head in _GITHUB_HEADS)


def _with_ref(*kinds: str) -> tuple[str, ...]:
    """Subjects whose ref field is of one of ``kinds`` (`heads`, `tags`)."""
    return tuple(f"{head}ref:refs/{kind}/*" for kind in kinds for head in _GITHUB_HEADS)


# The default branches' refs, and as the `ref` claim.
_DEFAULT_REF_CLAIMS = tuple(("ref", f"refs/heads/{branch}") for branch in DEFAULT_BRANCHES)
# A pull request's run's `ref` claim: its merge branch, or once merged the branch it was
# merged into.
_PULL_REQUEST_REFS = (("ref", "refs/pull/*"), ("ref", "refs/heads/*"))
# Subjects whose base_ref or head_ref is empty: a run of neither pull request event.
_NO_PULL_REQUEST_BRANCHES = _fields("base_ref:", "head_ref:")


# What a custom template shows of the trigger without the context or the ref: the event
# (`event_name`), the ref's type (`ref_type`) and a pull request's branches (`head_ref`,
# `base_ref`: "only set when the event that triggers a workflow run is either pull_request
# or pull_request_target"); each trigger's `shown` runs.


def _github_triggers(branch_events: tuple[str, ...]) -> tuple[Trigger, ...]:
    """GitHub's triggers, ``branch_events`` the events that run a branch's workflow
    whoever can push chooses (:data:`_BRANCH_EVENTS`, or a GitHub Enterprise Server's)."""
    return (
        # pull_request as the subject's own field (not an environment named pull_request).
        # A pull_request run's ref is refs/pull/N/merge: a custom template that adds the
        # ref before or after the context never shows a branch or tag there
        # (pull_request_target runs the base branch's workflow, reviewed code, under that
        # branch's ref).
        # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request
        Trigger(
            "a pull request",
            tuple(f"{head}pull_request{tail}" for head in _GITHUB_HEADS for tail in ("", ":*")),
            (
                # A branch's or tag's ref beside the context: a pull request merged into
                # that branch (the branch trigger's run), never a tag's.
                *(
                    form.format(head=head, kind=kind)
                    for head in _GITHUB_HEADS
                    for kind in ("heads", "tags")
                    for form in (
                        "{head}pull_request*:ref:refs/{kind}/*",
                        "{head}ref:refs/{kind}/*:pull_request",
                        "{head}ref:refs/{kind}/*:pull_request:*",
                    )
                ),
                *_WITH_ENVIRONMENT,
            ),
            # Its token's `ref` claim (an AWS condition key) is the PR merge branch,
            # refs/pull/PULL_REQUEST_NUMBER/merge, but once the pull request is merged (its
            # `closed` activity) the branch it was merged into, whose code now holds it:
            # a policy pinning `ref` to a default branch admits no pull request's
            # unreviewed code, one admitting other branches (`refs/heads/*`) a pull request
            # merged into one of them without review. Never a tag. A branch the policy
            # names exactly is a named branch's run, whose protection is unknown offline
            # (the branch trigger's verdict).
            # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request
            carries=_PULL_REQUEST_REFS,
            carries_excluded=_DEFAULT_REF_CLAIMS,
            claim_named_elsewhere="ref",
            # A custom template's event or ref type of another run: `…:event_name:
            # pull_request_target:pull_request` is none (that run's context is a ref).
            checked_fields=(("event_name", _PULL_REQUEST_EVENTS), ("ref_type", ("branch",))),
            # Nor an empty base_ref or head_ref (`…:base_ref::pull_request`): GitHub writes
            # them empty for a run of neither pull request event, and a pull request's
            # run has both branches.
            checked_templates=_NO_PULL_REQUEST_BRANCHES,
            # The context alone, not another claim's value (`…:actor:pull_request`, an
            # actor, branch or workflow named so, is any run's).
            checked_alone="pull_request",
            example="*:pull_request",
            # Its branches, its event or ref, or its ref type (branch, as a branch's): a
            # branch's or tag's ref, another event or a tag is another run's
            # (pull_request_target runs the base branch's workflow, under its ref).
            shown=Trigger(
                "a pull request",
                _fields(
                    "head_ref:=",
                    "base_ref:=",
                    "ref:refs/pull/%",
                    "ref_type:branch",
                    *(f"event_name:{event}" for event in _PULL_REQUEST_EVENTS),
                ),
                (
                    # A branch's ref beside them: a pull request merged into it, the
                    # branch trigger's run (as beside the context).
                    *_with_ref("heads", "tags"),
                    *_fields("ref_type:tag"),
                    *_WITH_ENVIRONMENT,
                    *_NO_PULL_REQUEST_BRANCHES,
                ),
                carries=_PULL_REQUEST_REFS,
                carries_excluded=_DEFAULT_REF_CLAIMS,
                field_values=(("event_name", _PULL_REQUEST_EVENTS),),
                example="*",
            ),
        ),
        Trigger(
            "an unprotected branch",
            tuple(f"{head}ref:refs/heads/%{tail}" for head in _GITHUB_HEADS for tail in ("", ":*")),
            (
                *(
                    f"{head}ref:refs/heads/{branch}{tail}"
                    for head in _GITHUB_HEADS
                    for branch in DEFAULT_BRANCHES
                    for tail in ("", ":*")
                ),
                *_WITH_ENVIRONMENT,
            ),
            named_pins=True,
            named_search=_GITHUB_NAMED_REF.format(kind="heads"),
            named_templates=_GITHUB_REF_FIELD,
            # The run's `ref` claim is its branch: never a tag, a PR merge branch or a
            # default branch (`ref` refs/heads/main pinned admits no other branch's run).
            carries=(("ref", "refs/heads/*"),),
            carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in DEFAULT_BRANCHES),
            named_claim="ref",
            # `…:ref:refs/heads/x:event_name:schedule` is the default branch's run (named x).
            checked_fields=(("event_name", branch_events), ("ref_type", ("branch",))),
            # The pull_request context beside a branch's ref is a pull request merged into
            # that branch (its `ref` is then the branch's): the branch's code, a run of it.
            example="*:ref:refs/heads/feature",
            # `…:event_name:push` or `…:ref_type:branch` without the ref: any branch's.
            shown=Trigger(
                "an unprotected branch",
                _fields(*(f"event_name:{event}" for event in branch_events), "ref_type:branch"),
                (*_WITH_REF, *_fields("ref_type:tag", "pull_request"), *_WITH_ENVIRONMENT),
                carries=(("ref", "refs/heads/*"),),
                carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in DEFAULT_BRANCHES),
                field_values=(("event_name", branch_events),),
                example="*",
            ),
        ),
        # Anyone who can push may push a tag unless a ruleset protects it, which cannot be
        # seen offline: a pattern over tags (`refs/tags/v*`, a release workflow's) admits
        # one; a tag named exactly is a release already cut, not reported.
        # https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets
        Trigger(
            "an unprotected tag",
            tuple(f"{head}ref:refs/tags/%{tail}" for head in _GITHUB_HEADS for tail in ("", ":*")),
            _WITH_ENVIRONMENT,
            named_exempt=True,
            named_search=_GITHUB_NAMED_REF.format(kind="tags"),
            named_templates=_GITHUB_REF_FIELD,
            carries=(("ref", "refs/tags/*"),),
            named_claim="ref",
            checked_fields=(("event_name", _TAG_EVENTS), ("ref_type", ("tag",))),
            checked_templates=_fields("pull_request"),
            example="*:ref:refs/tags/v9.9.9",
            # `…:ref_type:tag` or `…:event_name:release` without the ref: any tag's.
            shown=Trigger(
                "an unprotected tag",
                _fields(*(f"event_name:{event}" for event in _TAG_EVENTS), "ref_type:tag"),
                (
                    *_WITH_REF,
                    *_fields("ref_type:branch", "pull_request", "head_ref:=", "base_ref:="),
                    *_WITH_ENVIRONMENT,
                ),
                carries=(("ref", "refs/tags/*"),),
                field_values=(("event_name", _TAG_EVENTS),),
                example="*",
            ),
        ),
        # A job that names an environment which does not exist creates it, unprotected:
        # a pattern over environment names admits one anyone who can push may create.
        # https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments
        # Environment names are not case sensitive (`Prod` is the environment `prod`, with
        # its protection rules): https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments
        # A subject that also shows a ref runs that ref's code (the branch and tag triggers
        # judge it: a job on a protected branch naming a new environment is reviewed code);
        # a field of the environment claim and one of the context name the same
        # environment, so two environment fields are not a new environment's run.
        # A custom template may put other fields after the environment (`repo:O/R:
        # environment:E:job_workflow_ref:…`, the OIDC reference's example).
        Trigger(
            "an environment a workflow creates unprotected",
            tuple(f"{head}environment:={tail}" for head in _GITHUB_HEADS for tail in ("", ":*")),
            (
                *(f"{head}ref:refs/*" for head in _GITHUB_HEADS),
                *(f"{head}environment:*:environment:*" for head in _GITHUB_HEADS),
            ),
            # A job on a default branch (the `ref` claim) is that branch's reviewed code; on
            # a branch or tag the claim names exactly, the branch and tag triggers judge it.
            carries=(("ref", "*"),),
            carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in DEFAULT_BRANCHES),
            named_claim="ref",
            # An event that runs the default branch's workflow (`…:event_name:schedule:
            # environment:x`) names the environments that reviewed workflow names.
            checked_fields=(
                (
                    "event_name",
                    tuple(sorted({*_PULL_REQUEST_EVENTS, *branch_events, *_TAG_EVENTS})),
                ),
            ),
            named_exempt=True,
            names_ignore_case=True,
            named_search=_GITHUB_NAMED_ENVIRONMENT,
            named_templates=_GITHUB_ENVIRONMENT_FIELD,
            example="*:environment:preview*",
        ),
    )


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
    triggers=_github_triggers(_BRANCH_EVENTS),
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
    triggers=_github_triggers(_SERVER_BRANCH_EVENTS),
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
