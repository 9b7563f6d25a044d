"""Grammars of each identity provider's ``sub`` claim, as regular languages.

A grammar says which part of a ``sub`` is the *tenant* (GitHub owner, GitLab top-level group,
Terraform organisation, ...), the *repository* (repository, project, workspace, pipeline,
namespace) and the *trigger* (branch, tag, environment, pull request, plan run), as
:class:`keyless.patterns.language.Language` values, so the trust reasoner can ask exact
questions: "a ``sub`` of another tenant", "another repository of this tenant", "a pull
request". Grammars are hooked onto the issuer table of :mod:`keyless.idp.providers` by the
provider's name (:func:`grammar_for`).

Formats (each cited where defined):

* GitHub: classic ``repo:OWNER/REPO:ref:refs/heads/B`` | ``…:ref:refs/tags/T`` |
  ``…:environment:E`` | ``…:pull_request``; immutable ``repo:OWNER@OWNER_ID/REPO@REPO_ID:…``;
  custom templates of ``key:value`` pairs (``repository_owner:X:…``, ``job_workflow_ref:…``,
  ``repository_id:…``). https://docs.github.com/en/actions/reference/security/oidc
* GitLab: ``project_path:GROUP[/SUB]/PROJECT:ref_type:branch|tag:ref:R``.
  https://docs.gitlab.com/ci/secrets/id_token_authentication/
* HCP Terraform: ``organization:O:project:P:workspace:W:run_phase:plan|apply``; a Stack's
  ``organization:O:project:P:stack:S:deployment:D:operation:OP``.
  https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
* CircleCI: ``org/ORG/project/PROJ/user/USER[/vcs-origin/…/vcs-ref/…]``.
  https://circleci.com/docs/openid-connect-tokens/
* Bitbucket: ``{repoUuid}[:{envUuid}]:{stepUuid}`` (braces literal).
  https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
* Buildkite: ``organization:ORG:pipeline:P:ref:R:commit:SHA:step:K``.
  https://buildkite.com/docs/pipelines/security/oidc/aws
* Spacelift: ``space:SPACE:stack|module:ID:run_type:T:scope:read|write``.
  https://docs.spacelift.io/integrations/cloud-providers/oidc
* Semaphore: ``org:O:project:ID:repo:R:ref_type:branch|tag|pr:ref:REF``.
  https://docs.semaphoreci.com/using-semaphore/openid
* Azure DevOps: ``sc://ORG/PROJECT/SERVICE_CONNECTION``.
  https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
* Vercel: ``owner:TEAM:project:P:environment:E``. https://vercel.com/docs/oidc/reference
* Pulumi Cloud: ``pulumi:deploy:org:O:project:P:stack:S:operation:OP:scope:write``,
  ``pulumi:environments:org:O:env:E``. https://www.pulumi.com/docs/esc/guides/configuring-oidc/
* EKS IRSA: ``system:serviceaccount:NS:SA``.
  https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
* Cognito: the identity ID ``REGION:UUID``; Google: a numeric user or service-account ID.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from keyless.idp.subject_grammar import EMPTY_FIELD, SubGrammar, Trigger, shape
from keyless.patterns.language import Language

# A name in a provider's subject: no separator, no wildcard.
_NAME = r"[^/:@*?]+"


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
# requests' code). A release runs its tag's.
_BRANCH_EVENTS = (
    "create",
    "deployment",
    "deployment_status",
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
# their values, a workflow's path OWNER/REPO/PATH@REF (the ref it ran at, never absent).
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
    "job_workflow_ref:+/+/=@=",
    "workflow_ref:+/+/=@=",
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


# A subject with an empty field (``a::b``, ``a:``) is none any provider mints, but for the
# claims a grammar allows empty (GitHub's base_ref and head_ref).
_EMPTY_FIELD = EMPTY_FIELD


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
# GitLab's ref types.
_GITLAB_REF_TYPES = ("branch", "tag")
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
_GITHUB_LATER_REPO = rf"(?<=:)repo:{_NAME}(?:@[0-9]+)?/{_NAME}(?:@[0-9]+)?(?=:|$)"
_GITHUB_LATER_OWNER = r"(?<=:)repository_owner:[^/:@*?$]+(?=:|$)"
# The same repository field up to a wildcard (`environment:prod:repo:o/app*`): the name
# before it is the repository the value names (as repo_pattern reads `repo:o/app*`).
_GITHUB_LATER_REPO_HEAD = rf"(?<=:)repo:{_NAME}(?:@[0-9]+)?/{_NAME}(?:@[0-9]+)?(?=[:*?]|$)"
# An environment of one repository a policy value names literally, other fields after it
# (`repo:o/r:environment:prod:*`, GitHub's "repo, context, job_workflow_ref" template),
# and the subjects holding that repository and environment. Protection rules are each
# repository's own: `*:environment:prod` names no environment whose rules are known.
_GITHUB_NAMED_ENVIRONMENT = r"^(?P<name>repo:[^:*?$]+:environment:[^:*?$]+)(?=:|$)"
_GITHUB_ENVIRONMENT_FIELD = ("{name}", "{name}:*")
# Branches counted as protected by default (the usual default branches).
_DEFAULT_BRANCHES = ("main", "master")


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
            # refs/pull/PULL_REQUEST_NUMBER/merge: a policy pinning `ref` to a branch admits
            # no pull request's run.
            carries=(("ref", "refs/pull/*"),),
            # A custom template's event or ref type of another run: `…:event_name:
            # pull_request_target:pull_request` is none (that run's context is a ref).
            checked_fields=(("event_name", _PULL_REQUEST_EVENTS), ("ref_type", ("branch",))),
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
                (*_with_ref("heads", "tags"), *_fields("ref_type:tag"), *_WITH_ENVIRONMENT),
                carries=(("ref", "refs/pull/*"),),
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
                    for branch in _DEFAULT_BRANCHES
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
            carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in _DEFAULT_BRANCHES),
            named_claim="ref",
            # `…:ref:refs/heads/x:event_name:schedule` is the default branch's run (named x).
            checked_fields=(("event_name", branch_events), ("ref_type", ("branch",))),
            # The pull_request context beside a branch's ref: a pull request's run (its ref
            # is refs/pull/N/merge), none of a branch.
            checked_templates=_fields("pull_request"),
            example="*:ref:refs/heads/feature",
            # `…:event_name:push` or `…:ref_type:branch` without the ref: any branch's.
            shown=Trigger(
                "an unprotected branch",
                _fields(*(f"event_name:{event}" for event in branch_events), "ref_type:branch"),
                (*_WITH_REF, *_fields("ref_type:tag", "pull_request"), *_WITH_ENVIRONMENT),
                carries=(("ref", "refs/heads/*"),),
                carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in _DEFAULT_BRANCHES),
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
            carries_excluded=tuple(("ref", f"refs/heads/{b}") for b in _DEFAULT_BRANCHES),
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
    ill_formed=(*_EMPTY_FIELD, "*:ref:*:ref:*", "ref:*:ref:*"),
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
    tenant_head_search=rf"(?<=:)repo:{_NAME}[/@]",
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
    tenant_pattern=rf"(?:repo:|repository_owner:)(?P<tenant>{_NAME})(?:[/@:]|$)",
    # The repository of an immutable subject whose owner ID is a wildcard (`repo:o@*/r@*`,
    # whatever the IDs) is read as well.
    repo_pattern=rf"repo:(?P<tenant>{_NAME})(?:@(?:[0-9]+|\*))?/(?P<repo>{_NAME})",
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
    classic_repo_pattern=rf"^repo:(?P<tenant>{_NAME})/(?P<repo>{_NAME}):",
    immutable_repo_pattern=rf"^repo:(?P<tenant>{_NAME})@[0-9*?]+/(?P<repo>{_NAME})@",
    # Owner and repository names are case-insensitive: github.com/Octo-Org/Repo is
    # github.com/octo-org/repo, and no other account may take a case variant of a login.
    # https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories
    names_ignore_case=True,
)
GITLAB = SubGrammar(
    provider="GitLab",
    # project_path is GROUP[/SUBGROUP…]/PROJECT; ref is the branch or tag name itself. A
    # project may choose its sub's components (`ci_id_token_sub_claim_components`):
    # project_path first, then ref_type and ref, ref and ref_type, ref alone or ref_type
    # alone (https://gitlab.com/gitlab-org/gitlab/-/issues/477260).
    well_formed=(
        *(f"project_path:+/=:ref_type:{kind}:ref:%" for kind in _GITLAB_REF_TYPES),
        *(f"project_path:+/=:ref:%:ref_type:{kind}" for kind in _GITLAB_REF_TYPES),
        "project_path:+/=:ref:%",
        *(f"project_path:+/=:ref_type:{kind}" for kind in _GITLAB_REF_TYPES),
    ),
    ill_formed=("project_path:*//*:ref*", "project_path:*/:ref*"),
    ref_marker=":ref:",
    tenant_templates=("project_path:{tenant}/*",),
    repo_templates=("project_path:{tenant}/{repo}:*",),
    tenant_pattern=rf"project_path:(?P<tenant>{_NAME})(?:/|$)",
    repo_pattern=r"project_path:(?P<tenant>[^/:*?]+)/(?P<repo>[^:*?]+)(?=:)",
    example="project_path:{tenant}/{repo}:ref_type:branch:ref:main",
    tenant_word="group",
    repo_word="project",
    other_repo="other-project",
    triggers=(
        # A sub of the ref alone may be a branch's; one of the ref type alone
        # (`…:ref_type:branch`) is every branch's, even written exactly (`unnamed`).
        Trigger(
            "an unprotected branch",
            (
                "project_path:*:ref_type:branch:ref:*",
                "project_path:*:ref:*:ref_type:branch",
                "project_path:+/=:ref:%",
                "project_path:*:ref_type:branch",
            ),
            tuple(
                form.format(b)
                for b in _DEFAULT_BRANCHES
                for form in (
                    "project_path:*:ref_type:branch:ref:{}",
                    "project_path:*:ref:{}:ref_type:branch",
                    "project_path:+/=:ref:{}",
                )
            ),
            named_pins=True,
            unnamed=("project_path:*:ref_type:branch",),
            # A branch without protection mints ref_protected "false".
            carries=(("ref_protected", "false"),),
            example="*:ref_type:branch:ref:feature",
        ),
        # Developers may create tags that no protected-tag rule covers; such a tag's token
        # has ref_protected "false". A tag named exactly is a release already cut.
        # https://docs.gitlab.com/user/project/protected_tags/
        Trigger(
            "an unprotected tag",
            (
                "project_path:*:ref_type:tag:ref:*",
                "project_path:*:ref:*:ref_type:tag",
                "project_path:*:ref_type:tag",
            ),
            named_exempt=True,
            unnamed=("project_path:*:ref_type:tag",),
            carries=(("ref_protected", "false"),),
            example="*:ref_type:tag:ref:v9.9.9",
        ),
    ),
    tenant_keys=MappingProxyType({"namespace_id": "id", "project_id": "id"}),
    # A group's or project's full path is unique whatever its case: GitLab validates every
    # route (`group/sub/project`) with `uniqueness: { case_sensitive: false }`
    # (https://gitlab.com/gitlab-org/gitlab/-/blob/master/app/models/route.rb), and looks
    # projects up so ("GitLab projects are unique with case insensitive":
    # https://gitlab.com/gitlab-org/gitlab-pages/-/merge_requests/948). A case variant an
    # `…IgnoreCase` operator admits is the same group or project, never another tenant.
    names_ignore_case=True,
)
TERRAFORM = SubGrammar(
    provider="HCP Terraform",
    well_formed=(
        # Project names may hold spaces ("Default Project"); older tokens have no project.
        "organization:+:project:=:workspace:+:run_phase:plan",
        "organization:+:project:=:workspace:+:run_phase:apply",
        "organization:+:workspace:+:run_phase:plan",
        "organization:+:workspace:+:run_phase:apply",
        # A Stack deployment's identity token: organization, project, stack, deployment and
        # the operation (as public Stacks trust policies and federated credentials write it,
        # `organization:O:project:P:stack:*:deployment:*:operation:*`; some stop at the
        # deployment). https://developer.hashicorp.com/terraform/language/stacks/deploy/authenticate
        "organization:+:project:=:stack:+:deployment:+",
        "organization:+:project:=:stack:+:deployment:+:operation:=",
    ),
    tenant_templates=("organization:{tenant}:*",),
    repo_templates=(
        "organization:{tenant}:project:{repo}:*",
        "organization:{tenant}:project:*:workspace:{repo}:*",
    ),
    tenant_pattern=rf"organization:(?P<tenant>{_NAME}):",
    repo_pattern=r"organization:(?P<tenant>[^:*?]+):project:(?P<repo>[^:*?]+):",
    example="organization:{tenant}:project:{repo}:workspace:prod:run_phase:apply",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
    # A workspace's name is unique in its organization (the API addresses one by
    # organization and name: GET /organizations/:organization_name/workspaces/:name,
    # https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces), so
    # `project:*:workspace:W` is the one workspace W, wherever it is moved: no other
    # project's runs.
    unit_pattern=(
        r"organization:(?P<tenant>[^:*?]+):(?:project:[^:]*:)?workspace:(?P<repo>[^:*?]+):"
    ),
    unit_templates=(
        "organization:{tenant}:project:*:workspace:{repo}:*",
        "organization:{tenant}:workspace:{repo}:*",
    ),
    triggers=(
        Trigger(
            "a plan run",
            ("*:run_phase:plan", "*:operation:plan"),
            severity="medium",
            example="*:run_phase:plan",
        ),
    ),
)
BUILDKITE = SubGrammar(
    provider="Buildkite",
    well_formed=("organization:+:pipeline:+:ref:%:commit:+:step:*",),
    ref_marker=":ref:",
    tenant_templates=("organization:{tenant}:*",),
    repo_templates=("organization:{tenant}:pipeline:{repo}:*",),
    tenant_pattern=rf"organization:(?P<tenant>{_NAME}):",
    repo_pattern=r"organization:(?P<tenant>[^:*?]+):pipeline:(?P<repo>[^:*?]+):",
    example="organization:{tenant}:pipeline:{repo}:ref:refs/heads/main:commit:0:step:deploy",
    tenant_word="organization",
    repo_word="pipeline",
    other_repo="other-pipeline",
    triggers=(
        Trigger(
            "an unprotected branch",
            ("organization:*:ref:*:commit:*",),
            (
                "organization:*:ref:refs/heads/main:commit:*",
                "organization:*:ref:main:commit:*",
                "organization:*:ref:refs/heads/master:commit:*",
                "organization:*:ref:master:commit:*",
            ),
            # Every token names the build's branch in `build_branch` too (an AWS key since
            # 2026): a policy pinning it to a default branch admits no other branch's build.
            # https://buildkite.com/docs/pipelines/security/oidc
            carries=(("build_branch", "*"),),
            carries_excluded=(("build_branch", "main"), ("build_branch", "master")),
            example="*:ref:refs/heads/feature:commit:0:step:deploy",
        ),
    ),
    tenant_keys=MappingProxyType({"organization_id": "id", "organization_slug": "{tenant}"}),
)
# CircleCI: one issuer per organization, so every token's sub is org/ORG/… of that
# organization; $CIRCLE_OIDC_TOKEN_V2 adds /vcs-origin/ORIGIN/vcs-ref/REF. Project IDs are
# UUIDs: a project segment named anywhere in a value is one of the policy's projects.
# https://circleci.com/docs/openid-connect-tokens/
CIRCLECI = SubGrammar(
    provider="CircleCI",
    well_formed=("org/+/project/+/user/+", "org/+/project/+/user/+/vcs-origin/*"),
    tenant_templates=("org/{tenant}/*",),
    repo_templates=("org/*/project/{repo}/*",),
    tenant_pattern=rf"org/(?P<tenant>{_NAME})(?:/|$)",
    repo_search=r"/project/(?P<repo>[^/*?]+)(?=/|$)",
    example="org/{tenant}/project/{repo}/user/00000000-0000-4000-8000-000000000000",
    tenant_word="organization",
    repo_word="project",
    # Project IDs are UUIDs (the project settings' "Project ID").
    other_repo="00000000-0000-4000-8000-000000000001",
)
# Bitbucket: one issuer per workspace; sub is {REPOSITORY_UUID}:{STEP_UUID}, or
# {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID} for a deployment step (braces literal).
# Every field is a UUID of the repository's own (its deployment environments, its steps):
# a token of another repository carries none that a policy names, wherever it names it.
# https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
BITBUCKET = SubGrammar(
    provider="Bitbucket Pipelines",
    well_formed=("{=}:{=}", "{=}:{=}:{=}"),
    repo_templates=("*{{repo}}*",),
    repo_search=r"\{(?P<repo>[^{}*?]+)\}",
    example="{{repo}}:{00000000-0000-4000-8000-000000000000}",
    tenant_word="workspace",
    repo_word="repository",
    # Repository UUIDs, in braces in the sub.
    other_repo="00000000-0000-4000-8000-000000000001",
)
# Spacelift: one issuer per account; sub is
# space:SPACE:stack|module:ID:run_type:PROPOSED|TRACKED|TASK|TESTING|DESTROY:scope:read|write,
# or an account-wide custom template of placeholders (alphanumerics, - _ : / | { }), so any
# text may be a subject. Stack and module IDs (slugs) are unique in the account: a value that
# names one is of that stack, whichever space. Proposed runs are the runs of pull requests
# and feature-branch pushes (the code under review, with a read-scoped token).
# https://docs.spacelift.io/integrations/cloud-providers/oidc
# https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template
# https://docs.spacelift.io/concepts/run/proposed
SPACELIFT = SubGrammar(
    provider="Spacelift",
    well_formed=("?*",),
    # Every placeholder is filled (no empty field), and a proposed run's token is always
    # read-scoped, so no subject shows both PROPOSED and write.
    ill_formed=(
        *_EMPTY_FIELD,
        ":*",
        "*run_type:PROPOSED*scope:write*",
        "*scope:write*run_type:PROPOSED*",
    ),
    repo_templates=("space:{repo}:*",),
    repo_pattern=r"space:(?P<tenant>)(?P<repo>[^:*?]+):",
    example="space:{repo}:stack:infra:run_type:TRACKED:scope:write",
    tenant_word="account",
    repo_word="space",
    other_repo="other-space",
    unit_pattern=r"(?P<tenant>)(?:.*:)?(?:stack|module):(?P<repo>[^:*?]+):",
    unit_templates=("*:stack:{repo}:*", "*:module:{repo}:*", "stack:{repo}:*", "module:{repo}:*"),
    triggers=(
        Trigger(
            "a proposed run (a pull request)",
            ("*:run_type:PROPOSED:*", "*:run_type:PROPOSED"),
            severity="medium",
            example="space:*:stack:*:run_type:PROPOSED:scope:read",
        ),
    ),
)
# Semaphore: org:ORG:project:PROJECT_ID:repo:REPO:ref_type:branch|tag|pr:ref:REF, one issuer
# per organization; project IDs are UUIDs (a project named anywhere in a value is one of the
# policy's). A pull request's run has ref_type pr.
# https://docs.semaphoreci.com/using-semaphore/openid
SEMAPHORE = SubGrammar(
    provider="Semaphore",
    well_formed=tuple(
        f"org:+:project:+:repo:=:ref_type:{kind}:ref:%" for kind in ("branch", "tag", "pr")
    ),
    ref_marker=":ref:",
    tenant_templates=("org:{tenant}:*",),
    repo_templates=("org:*:project:{repo}:*",),
    tenant_pattern=r"org:(?P<tenant>[^:*?]+):",
    repo_search=r":project:(?P<repo>[^:*?]+)(?=:|$)",
    example="org:{tenant}:project:{repo}:repo:web:ref_type:branch:ref:refs/heads/main",
    tenant_word="organization",
    repo_word="project",
    other_repo="00000000-0000-4000-8000-000000000001",
    triggers=(
        Trigger(
            "a pull request", ("*:ref_type:pr:*",), example="*:ref_type:pr:ref:refs/pull/1/merge"
        ),
        Trigger(
            "an unprotected branch",
            ("*:ref_type:branch:ref:*",),
            tuple(f"*:ref_type:branch:ref:refs/heads/{b}" for b in _DEFAULT_BRANCHES),
            named_pins=True,
            example="*:ref_type:branch:ref:refs/heads/feature",
        ),
    ),
)
# Azure DevOps: sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION, one issuer per organization
# (by ID). A pipeline gets a token only for a service connection it is authorised to use,
# and a connection's name is unique in its project: a sub names one connection of one
# project. The sub says nothing of the branch or pull request that runs the pipeline (the
# connection's approvals and checks gate that), so there is no trigger to ask about.
# https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
AZURE_DEVOPS = SubGrammar(
    provider="Azure DevOps",
    # Organization names are letters, digits and hyphens; project names hold no `/`.
    well_formed=("sc://+/+/?*",),
    repo_templates=("sc://*/{repo}/*",),
    # The issuer serves one organization, so `sc://*/web/…` names the project web too.
    repo_search=r"^sc://[^/]*/(?P<repo>[^/*?]+)/",
    example="sc://organization/{repo}/aws",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
)
# Vercel: owner:TEAM_SLUG:project:PROJECT:environment:production|preview|development (or a
# custom environment's name). Preview deployments are built from any branch pushed (and
# pull requests); development tokens go to any team member's machine (`vercel env pull`).
# https://vercel.com/docs/oidc/reference ; https://vercel.com/docs/deployments/environments
VERCEL = SubGrammar(
    provider="Vercel",
    well_formed=("owner:+:project:=:environment:=",),
    tenant_templates=("owner:{tenant}:*",),
    # A project named anywhere (`owner:*:project:web:…` on a team's own issuer is that
    # team's project web).
    repo_templates=("owner:*:project:{repo}:*",),
    tenant_pattern=r"owner:(?P<tenant>[^:*?]+):",
    repo_search=r":project:(?P<repo>[^:*?]+)(?=:|$)",
    example="owner:{tenant}:project:{repo}:environment:production",
    tenant_word="team",
    repo_word="project",
    other_repo="other-project",
    triggers=(
        Trigger(
            "a preview deployment (any branch)",
            ("*:environment:preview",),
            example="owner:*:project:*:environment:preview",
        ),
        Trigger(
            "a development token (any team member's machine)",
            ("*:environment:development",),
            severity="medium",
            example="owner:*:project:*:environment:development",
        ),
    ),
)
# Pulumi Cloud: Deployments'
# pulumi:deploy:org:ORG:project:PROJECT:stack:STACK:operation:OPERATION:scope:write, ESC's
# pulumi:environments:org:ORG:env:[PROJECT/]ENV (or, with subject attributes,
# pulumi:environments:pulumi.organization.login:ORG:…). Every token's aud is its
# organization's (ORG, aws:ORG): a pinned aud keeps other organizations out. Pull-request
# previews run the pull request's code as a `preview` operation.
# https://www.pulumi.com/docs/deployments/deployments/oidc/aws/
# https://www.pulumi.com/docs/esc/guides/configuring-oidc/
PULUMI = SubGrammar(
    provider="Pulumi Cloud",
    well_formed=("pulumi:*",),
    ill_formed=_EMPTY_FIELD,
    tenant_templates=(
        "pulumi:deploy:org:{tenant}:*",
        "pulumi:environments:org:{tenant}:*",
        "pulumi:environments:pulumi.organization.login:{tenant}:*",
    ),
    # A Deployments project; an ESC environment's project (env:PROJECT/ENV), or the
    # environment itself where it has none (env:ENV).
    repo_templates=(
        "pulumi:deploy:org:{tenant}:project:{repo}:*",
        "pulumi:environments:org:{tenant}:env:{repo}",
        "pulumi:environments:org:{tenant}:env:{repo}/*",
        "pulumi:environments:org:{tenant}:env:{repo}:*",
    ),
    tenant_pattern=(
        r"pulumi:(?:deploy|environments):(?:org|pulumi\.organization\.login):"
        r"(?P<tenant>[^:*?]+)(?::|$)"
    ),
    repo_pattern=(
        r"pulumi:(?:deploy|environments):org:(?P<tenant>[^:*?]+):(?:project|env):"
        r"(?P<repo>[^:*?/]+)"
    ),
    # An ESC subject built from subject attributes names no project keyless can read: an
    # exact one is its own unit (never "another project"), a pattern over it is judged.
    unit_pattern=(
        r"pulumi:environments:pulumi\.organization\.login:(?P<tenant>[^:*?]+):(?P<repo>[^*?]+)$"
    ),
    unit_templates=("pulumi:environments:pulumi.organization.login:{tenant}:{repo}",),
    example="pulumi:deploy:org:{tenant}:project:{repo}:stack:prod:operation:update:scope:write",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
    tenant_keys=MappingProxyType({"aud": "id"}),
    triggers=(
        Trigger(
            "a preview (a pull request)",
            ("pulumi:deploy:*:operation:preview:*", "pulumi:deploy:*:operation:preview"),
            severity="medium",
            example="pulumi:deploy:org:*:project:*:stack:*:operation:preview:scope:write",
        ),
    ),
)
EKS = SubGrammar(
    provider="Amazon EKS (IRSA)",
    well_formed=("system:serviceaccount:+:+",),
    repo_templates=("system:serviceaccount:{repo}:*",),
    repo_pattern=r"system:serviceaccount:(?P<tenant>)(?P<repo>[^:*?]+):",
    example="system:serviceaccount:{repo}:attacker",
    repo_word="namespace",
    other_repo="other-namespace",
)
# A GitHub Enterprise Server mints GitHub's subjects; before 3.20 its pull_request_target
# runs the pull request's base branch's workflow, under that branch's ref.
# https://docs.github.com/en/enterprise-server@3.19/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target
GITHUB_SERVER = replace(
    GITHUB,
    provider="GitHub Enterprise Server",
    triggers=_github_triggers(_SERVER_BRANCH_EVENTS),
)
COGNITO = SubGrammar(
    provider="Amazon Cognito identity pools",
    well_formed=("+:+",),
    example="us-east-1:00000000-0000-0000-0000-000000000000",
)
GOOGLE = SubGrammar(
    provider="Google",
    well_formed=("?*",),
    example="100000000000000000001",
)

GRAMMARS: Mapping[str, SubGrammar] = MappingProxyType(
    {
        g.provider: g
        for g in (
            GITHUB,
            GITHUB_SERVER,
            GITLAB,
            TERRAFORM,
            BUILDKITE,
            CIRCLECI,
            BITBUCKET,
            SPACELIFT,
            PULUMI,
            VERCEL,
            SEMAPHORE,
            AZURE_DEVOPS,
            EKS,
            COGNITO,
            GOOGLE,
        )
    }
)


def grammar_for(provider_name: str) -> SubGrammar | None:
    """The ``sub`` grammar of the provider named ``provider_name`` (see ``providers.py``);
    GitHub Enterprise Server mints GitHub's subjects (:data:`GITHUB_SERVER`)."""
    if provider_name == "GitLab self-managed":
        return GITLAB
    return GRAMMARS.get(provider_name)


# The values of claims tokens carry besides `sub`, as templates of :func:`shape` (a claim
# not listed may hold any text): a policy value outside them is one no token presents
# (`job_workflow_ref` `DeployToProduction`, a workflow's name where GitHub writes
# OWNER/REPO/PATH@REF). GitHub: https://docs.github.com/en/actions/reference/security/oidc
# (IDs are decimal; `repository` is OWNER/REPO; `ref` a full git ref; `job_workflow_ref`
# the reusable workflow's OWNER/REPO/PATH@REF, REF a ref or a commit SHA).
# GitLab: https://docs.gitlab.com/ci/secrets/id_token_authentication/ (IDs are decimal,
# `ref_protected` "true" or "false").
_GITHUB_CLAIM_VALUES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "actor_id": ("#",),
        "enterprise_id": ("#",),
        "repository_id": ("#",),
        "repository_owner_id": ("#",),
        "repository": ("+/+",),
        "ref": ("refs/?*",),
        "job_workflow_ref": ("+/+/?*@refs/+/%", "+/+/?*@^"),
    }
)
CLAIM_VALUES: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "GitHub Actions": _GITHUB_CLAIM_VALUES,
        "GitHub Enterprise Server": _GITHUB_CLAIM_VALUES,
        "GitLab": MappingProxyType(
            {
                "namespace_id": ("#",),
                "project_id": ("#",),
                "user_id": ("#",),
                "ref_protected": ("true", "false"),
            }
        ),
    }
)


def claim_values(provider_name: str, claim: str) -> Language | None:
    """The values the provider's tokens carry in ``claim`` (None: any text)."""
    templates = CLAIM_VALUES.get(provider_name, {}).get(claim)
    if templates is None:
        return None
    return Language.union_all(shape(template) for template in templates)
