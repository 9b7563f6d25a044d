"""GitHub Actions' triggers: the events that start a run, by the ref they run, and the runs
an attacker with write access (or a fork) may start (a pull request, an unprotected branch
or tag, an environment a workflow creates), as :class:`~keyless.idp.triggers.Trigger` values
of GitHub's ``sub`` grammar (:mod:`keyless.idp.github_grammar`).
https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
"""

from __future__ import annotations

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
BRANCH_EVENTS = (
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
# branch's workflow (:data:`SERVER_BRANCH_EVENTS`), and a pull request may target any.
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
SERVER_BRANCH_EVENTS = (*BRANCH_EVENTS, "pull_request_target")
# Every event a run's `event_name` claim may hold.
GITHUB_EVENTS = tuple(
    sorted({*_PULL_REQUEST_EVENTS, *BRANCH_EVENTS, *_TAG_EVENTS, *_DEFAULT_BRANCH_EVENTS})
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
# An environment of one repository a policy value names literally, other fields after it
# (`repo:o/r:environment:prod:*`, GitHub's "repo, context, job_workflow_ref" template),
# and the subjects holding that repository and environment. Protection rules are each
# repository's own: `*:environment:prod` names no environment whose rules are known.
_GITHUB_NAMED_ENVIRONMENT = r"^(?P<name>repo:[^:*?$]+:environment:[^:*?$]+)(?=:|$)"
_GITHUB_ENVIRONMENT_FIELD = ("{name}", "{name}:*")


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


def github_triggers(branch_events: tuple[str, ...]) -> tuple[Trigger, ...]:
    """GitHub's triggers, ``branch_events`` the events that run a branch's workflow
    whoever can push chooses (:data:`BRANCH_EVENTS`, or a GitHub Enterprise Server's)."""
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
