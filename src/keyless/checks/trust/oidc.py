"""Trust checks on OIDC federation from CI/CD and other shared issuers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._audiences import (
    preferring_accepted,
    provider_audiences,
    vendor_audience,
)
from keyless.checks.trust._common import (
    _REQUIRES,
    TRUST_ANALYSIS,
    RoleTrust,
    _paths,
    _problem,
    through,
)
from keyless.findings import Problem, Severity
from keyless.idp.providers import GITHUB_FAMILY
from keyless.idp.subject_grammar import Trigger
from keyless.model import Role
from keyless.patterns.language import Language
from keyless.trust.formula import Term, absent, all_of, any_of, present, with_question
from keyless.trust.paths import AccessPath, PrincipalClass
from keyless.trust.questions import (
    issuer_tenant,
    named_subjects,
    other_repository,
    other_tenant,
    silent_run,
    triggered_by,
)
from keyless.trust.witness import find

# ----- OIDC ---------------------------------------------------------------------------------------


@check(
    "trust-oidc-any-tenant",
    title="OIDC trust open to every tenant of a shared issuer",
    severity=Severity.CRITICAL,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin the tenant: an exact `sub` (e.g. `repo:<owner>/<repo>:ref:refs/heads/main`) or the "
        "provider's ID claim (`repository_owner_id`, `project_id`, `organization_id`), with "
        "StringEquals, in every statement and every value."
    ),
)
def trust_oidc_any_tenant(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """A token from another tenant of a shared issuer (GitHub, GitLab, Terraform Cloud, ...)
    can assume the role.

    One issuer serves every customer of the SaaS, so only the claims pin the tenant; values
    are ORed, so one loose value anywhere in a list (``["repo:o/r:…", "*"]``) opens the role
    to everybody. https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/

    A GitHub pin of the reusable workflow alone (``job_workflow_ref``, as the claim or in a
    custom ``sub``) pins no tenant: the token's repository is the caller's, and a workflow
    in a public repository may be called from any repository (an internal one's from any
    of the enterprise's). High, not critical, when the workflow is pinned exactly at a ref
    (only its code runs, with the caller's inputs and checkout); the witness names the
    caller's repository. https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    https://docs.github.com/en/actions/how-tos/reuse-automations/reuse-workflows#access-to-reusable-workflows
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        asked = other_tenant(path)
        if asked is None:
            continue
        question, prefer = asked
        witness = find(path, question, preferring_accepted(path, ctx, prefer))
        if witness is None:
            continue
        name = path.provider.name if path.provider else path.issuer
        workflows = pinned_workflows(path)
        if not workflows:
            yield _problem(role, path, f"any {name} tenant can assume it", witness)
            continue
        # The caller's repository, which the token's `repository` claim names (and a
        # subject that shows one, the same).
        repository, sub = path.key("repository"), path.key("sub")
        callers = {
            **prefer,
            repository: (Language.literal(_CALLER),),
            sub: (Language.wildcard(f"repo:{_CALLER}:*"), *prefer.get(sub, ())),
        }
        caller = find(
            path,
            with_question(question, present(repository)),
            preferring_accepted(path, ctx, callers),
        )
        yield _problem(
            role,
            path,
            f"any {name} tenant can assume it through {_workflow_words(workflows)}, if its "
            "repository is public (any repository may call a public reusable workflow, any "
            "of the enterprise's an internal one; the token names the caller's repository)",
            caller or witness,
            Severity.HIGH,
            workflows=list(workflows),
        )


@check(
    "trust-oidc-broad-subject",
    title="OIDC trust open to other repositories of the same owner",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Enumerate the exact subjects (`repo:<owner>/<repo>:ref:refs/heads/main`, "
        "`project_path:<group>/<project>:ref_type:branch:ref:main`) instead of a wildcard "
        "over the owner's (organization's, group's, workspace's) repositories."
    ),
)
def trust_oidc_broad_subject(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Another repository of the trusted owner can assume the role, including repositories
    created later: in each provider's own words, another repository of the GitHub owner,
    project of the GitLab group, project of the CircleCI or HCP Terraform organization,
    pipeline of the Buildkite organization, repository of the Bitbucket workspace.

    Low when a GitHub policy also pins ``job_workflow_ref`` to exact reusable workflows at
    a ref (the claim, or a custom ``sub`` that includes it, ``job_workflow_ref:OWNER/REPO/
    PATH@REF``): only that reviewed workflow runs with the role, whichever repository
    calls it.

    CircleCI and Bitbucket Pipelines give each organisation (workspace) an issuer of its own,
    so no stranger's token is accepted; but ``sub`` ``*`` or ``org/ORG/project/*`` lets every
    project (repository) of that organisation assume the role: reported at this severity,
    the message naming the organisation the issuer serves. A project (repository,
    deployment environment) is one the policy names when its UUID appears in a ``sub``
    value. https://circleci.com/docs/openid-connect-tokens/
    https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/

    Not reported when the same path is already open to every tenant (``trust-oidc-any-tenant``).
    https://docs.github.com/en/actions/reference/security/oidc
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        grammar = path.grammar
        if grammar is None or grammar.provider == "Amazon EKS (IRSA)":
            continue
        tenant = other_tenant(path)
        if tenant is not None and path.admits(tenant[0]):
            continue
        asked = other_repository(path)
        if asked is None:
            continue
        question, prefer = asked
        witness = find(path, question, preferring_accepted(path, ctx, prefer))
        if witness is not None:
            message = f"another {grammar.repo_word} of the {grammar.tenant_word} can assume it"
            own = issuer_tenant(path)
            if own is not None:
                # An issuer of one tenant: the same organisation's projects, never a
                # stranger's (that would be trust-oidc-any-tenant, critical).
                message = (
                    f"another {grammar.repo_word} of the {grammar.tenant_word} can assume it "
                    f"(a {grammar.repo_word} of {grammar.provider} {grammar.tenant_word} {own} "
                    f"only: the issuer serves no other {grammar.tenant_word})"
                )
            workflows = pinned_workflows(path)
            if workflows:
                yield _problem(
                    role,
                    path,
                    f"{message}, only through {_workflow_words(workflows)}",
                    witness,
                    Severity.LOW,
                    workflows=list(workflows),
                )
                continue
            yield _problem(role, path, message, witness)


#: The repository of a stranger calling a reusable workflow, in witnesses.
_CALLER = "attacker/anything"


def pinned_workflows(path: AccessPath) -> tuple[str, ...]:
    """The reusable workflows a GitHub policy pins exactly (at a branch, tag or commit),
    when every token it admits carries one of them; else ``()``: pinned by the
    ``job_workflow_ref`` claim, or by a custom subject that includes it
    (``job_workflow_ref:OWNER/REPO/PATH@REF``, alone or among other fields).

    Any repository of the owner (or any run) may then call the workflow, but only
    the workflow's own reviewed code at that ref runs with the role: GitHub's pattern for a
    shared deployment workflow, which its OIDC reference gives in both forms ("Requiring a
    reusable workflow": the claim in the `sub`). https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    https://docs.github.com/en/actions/reference/security/oidc#example-requiring-a-reusable-workflow
    """
    provider = path.provider
    if provider is None or provider.name not in GITHUB_FAMILY:
        return ()
    key = path.key("job_workflow_ref")
    values = tuple(dict.fromkeys(path.policy_values(key)))
    if values:
        if any(c in v for v in values for c in "*?") or not all("@" in v for v in values):
            return ()
        if path.admits(all_of(key, ~Language.finite(values))):
            return ()
        return values
    return _subject_workflows(path)


# A custom subject's job_workflow_ref field naming one workflow at one ref: a field of its
# own (a value's `:` is written %3A, so the field ends at the next `:`), no wildcard or
# policy variable in it.
_SUBJECT_WORKFLOW = re.compile(r"(?:^|:)job_workflow_ref:(?P<ref>[^:*?$]+@[^:*?$]+)(?=:|$)")
_WORKFLOW_FIELD = (
    "job_workflow_ref:{}",
    "job_workflow_ref:{}:*",
    "*:job_workflow_ref:{}",
    "*:job_workflow_ref:{}:*",
)


def _subject_workflows(path: AccessPath) -> tuple[str, ...]:
    """The workflows the ``sub`` values name in a ``job_workflow_ref`` field, when every
    ``sub`` the path admits carries one of those fields; else ``()``."""
    sub = path.key("sub")
    workflows = tuple(
        dict.fromkeys(
            match.group("ref")
            for value in path.policy_values(sub)
            for match in _SUBJECT_WORKFLOW.finditer(value)
        )
    )
    if not workflows:
        return ()
    fields = Language.union_all(
        Language.wildcard(template.format(workflow))
        for workflow in workflows
        for template in _WORKFLOW_FIELD
    )
    if path.admits(all_of(sub, ~fields)):
        return ()
    return workflows


# The fields of a GitHub subject that show how a run was triggered: its context (`ref:…`,
# `pull_request`, `environment:…`), a custom template's event, ref type or PR branches, or
# the top-level workflow's ref (`workflow_ref:O/R/PATH@refs/heads/main`, the run's ref).
_TRIGGER_FIELDS = Language.union_all(
    Language.wildcard(form.format(field))
    for field in ("ref:*", "pull_request", "environment:*", "event_name:*", "ref_type:*")
    for form in ("{}", "{}:*", "*:{}", "*:{}:*")
) | Language.union_all(
    Language.wildcard(form.format(field))
    for field in ("head_ref", "base_ref", "workflow_ref")
    for form in ("{}:*", "*:{}:*")
)


_SILENT = ~_TRIGGER_FIELDS


def _any_run(
    path: AccessPath,
    trigger: Trigger,
    prefer: Mapping[str, Iterable[Language]] | None,
    beyond: Iterable[Term] = (),
) -> dict[str, Any] | None:
    """A GitHub token whose ``sub`` shows no trigger (a custom template of claims that
    say nothing of it: ``repo:O/R`` alone, ``repository_owner_id:1``,
    ``job_workflow_ref:O/R/PATH@REF``), which a run of ``trigger`` mints as well as any
    other run; its other claims those of such a run (``ref`` ``refs/pull/…`` for a pull
    request). GitHub's "Granting access to a specific repository" template, `repo` alone,
    grants "all the workflows in a specific repository, across all branches/tags and
    environments"; and in a called workflow's token "the workflow, ref, and other
    attributes describe the caller workflow, while job_workflow_ref refers to the called
    workflow".
    https://docs.github.com/en/actions/reference/security/oidc#example-granting-access-to-a-specific-repository
    https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows"""
    provider = path.provider
    if provider is None or provider.name not in GITHUB_FAMILY:
        return None
    # Whether the path admits a silent subject at all: a cheap decision, before the scope.
    sub = path.key("sub")
    if not path.admits(with_question(any_of(sub, _SILENT), all_of(sub, _SILENT))):
        return None
    asked = silent_run(path, trigger, _SILENT)
    if asked is None:
        return None
    question, _ = asked
    preferred = dict(prefer or {})
    for claim, _held in trigger.carried():
        preferred[path.key(claim)] = tuple(Language.literal(ref) for ref in _TRIGGER_REFS)
    return find(path, with_question(question, *beyond), preferred)


# Readable `ref` claims of each GitHub trigger's run, for witnesses.
_TRIGGER_REFS = ("refs/pull/1/merge", "refs/heads/feature", "refs/tags/v9.9.9")


def _workflow_words(workflows: tuple[str, ...]) -> str:
    noun = "the reusable workflow" if len(workflows) == 1 else "the reusable workflows"
    return f"{noun} {', '.join(workflows)}"


@check(
    "trust-oidc-untrusted-trigger",
    title="OIDC trust admits pull requests or unprotected branches",
    severity=Severity.HIGH,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Pin a protected branch or environment (`…:ref:refs/heads/main`, "
        "`…:environment:production` with required reviewers); never `…:*` or `:pull_request`."
    ),
)
def trust_oidc_untrusted_trigger(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """Unreviewed code can mint a token the role accepts: a pull request, a push to a
    branch other than the default branch (``refs/heads/*``, ``main*``), or a tag a pattern
    admits (``refs/tags/v*``: anyone who can push may push one unless a ruleset protects it).

    Anyone with write access can push a branch or open a pull request that edits the
    workflow. A pattern that admits any branch is high; a pin to named branches (``…:ref:
    refs/heads/develop``) is low, because whether such a branch is protected cannot be
    known offline. A GitLab policy that requires ``ref_protected`` ``"true"`` admits no
    unprotected branch. Low when a GitHub policy pins ``job_workflow_ref`` to exact
    reusable workflows at a ref (the run's inputs, not its code, come from the trigger);
    a custom ``sub`` of such a workflow that shows no trigger (``job_workflow_ref:…``
    alone) is minted by every trigger of the caller's, so it is low too. https://docs.github.com/en/actions/reference/security/oidc

    A GitHub ``sub`` that shows no trigger without such a workflow (``repo:O/R`` alone,
    ``repository_owner:O``, ``repository_owner_id:1``) is medium: only a custom template
    of those claims mints it (the default subject always shows the trigger; under it the
    value admits nobody), and under that template every run does, a pull request's and a
    feature branch's too ("all the workflows in a specific repository, across all
    branches/tags and environments"). The witness's ``ref`` claim names the run's ref.
    Where the policy pins GitHub's ``ref`` claim, a run whose ``ref`` it refuses is no
    trigger (``refs/heads/main`` admits no pull request's run, ``refs/pull/N/merge``); a
    branch it names exactly (``refs/heads/develop``) is a named branch (low), a tag a
    release already cut (not reported).
    https://docs.github.com/en/actions/reference/security/oidc#example-granting-access-to-a-specific-repository

    A custom ``sub`` may show the trigger without the context or the ref: the event
    (``…:event_name:push``, ``workflow_dispatch``) or the ref type (``…:ref_type:branch``)
    with no branch named is any branch's run (high, as ``…:ref:refs/heads/*``; a pull
    request's run has ref type ``branch`` too); a pull request's branches
    (``…:head_ref:NAME``, ``…:base_ref:NAME``) or ref (``…:ref:refs/pull/N/merge``) are a
    pull request's; ``…:ref_type:tag`` and ``…:event_name:release`` any tag's. An event that
    runs only the default branch's workflow (``schedule``, ``workflow_run``, and on GitHub.com
    ``pull_request_target``) is none of them, whatever ref or context a pattern's wildcard
    puts beside it (``…:event_name:pull_request_target:*`` admits no pull request's run).
    https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
    """
    paths = [path for path in _paths(role, analysis, PrincipalClass.OIDC) if path.grammar]
    for path in paths:
        grammar = path.grammar
        if grammar is None or _gated_by_environment(path):
            continue
        reported = False
        for trigger in grammar.triggers:
            if trigger.named_exempt and reported:
                continue
            asked = triggered_by(path, trigger)
            if asked is None:
                continue
            question, prefer = asked
            prefer = preferring_accepted(path, ctx, prefer)
            exempt = trigger.named_pins or trigger.named_exempt
            named = (
                (
                    named_subjects(path, ignore_case=trigger.names_ignore_case)
                    | trigger.named_in(path.policy_values(path.key("sub")))
                )
                - trigger.unnamed_language()
                if exempt
                else Language.empty()
            )
            sub = path.key("sub")
            claimed = _claim_named(path, trigger) if exempt or trigger.claim_named_elsewhere else ()
            # Any such run, beyond the subjects (and refs) the policy names one by one.
            beyond = [all_of(sub, ~named), *(all_of(k, ~v) for k, v in claimed)]
            witness, _ = _find_run(path, trigger, with_question(question, *beyond), prefer)
            if witness is None:
                # A custom template's fields that show such a run, naming no branch or tag.
                witness = _shown_run(path, ctx, trigger, beyond[1:])
            silent = False
            if witness is None and not trigger.named_exempt:
                # A subject that shows no trigger is every trigger's.
                witness = _any_run(path, trigger, prefer, beyond[1:])
                silent = witness is not None
            if witness is not None:
                workflows = pinned_workflows(path)
                only = f", only through {_workflow_words(workflows)}" if workflows else ""
                severity = Severity(trigger.severity)
                if workflows:
                    severity = Severity.LOW
                elif silent:
                    # Only under a custom template: the default subject always shows it.
                    severity = Severity.MEDIUM
                    only = (
                        f", if a custom subject template leaves the trigger out: every run "
                        f"then mints the sub {witness['claims']['sub']!r}"
                    )
                yield _problem(
                    role,
                    path,
                    f"{trigger.label} can assume it{only}{through(path, paths)}",
                    witness,
                    severity,
                    trigger=trigger.label,
                    **({"workflows": list(workflows)} if workflows else {}),
                )
                reported = True
                continue
            if not trigger.named_pins:
                continue
            pinned, question = _find_run(path, trigger, question, prefer)
            if pinned is None and claimed:
                pinned = _shown_run(path, ctx, trigger)  # `…:event_name:push` on a named ref
            if pinned is None and claimed:
                pinned = _any_run(path, trigger, prefer)  # a silent sub on a named ref
            if pinned is not None:
                subjects = sorted(
                    {value for value in path.policy_values(sub) if value in named}
                    & _admitted(path, question)
                    | _admitted_refs(path, trigger, claimed)
                )
                yield _problem(
                    role,
                    path,
                    f"a named branch can assume it ({', '.join(subjects)}): whether it is "
                    "protected cannot be known offline; if anyone who can push may push to "
                    "it, prefer a protected environment",
                    pinned,
                    Severity.LOW,
                    trigger="a named branch",
                    subjects=subjects,
                )


def _find_run(
    path: AccessPath,
    trigger: Trigger,
    question: Term,
    prefer: Mapping[str, Iterable[Language]] | None,
) -> tuple[dict[str, Any] | None, Term]:
    """A witness of ``question`` (a run of ``trigger``) whose ``sub`` shows no field of
    another run (:attr:`Trigger.checked_fields`: GitHub's ``…:event_name:schedule:…``),
    and the question it answers. The first witness is checked, and the question asked
    again without such subjects only where it shows one (or none could be built): few
    policies name such a field, and most witnesses show none."""
    witness = find(path, question, prefer)
    if witness is None or not trigger.checks:
        return witness, question
    subject = witness.get("claims", {}).get("sub")
    if isinstance(subject, str) and not trigger.refutes(subject):
        return witness, question
    question = with_question(question, all_of(path.key("sub"), ~trigger.other_runs()))
    return find(path, question, prefer), question


def _shown_run(
    path: AccessPath, ctx: CheckContext, trigger: Trigger, beyond: Iterable[Term] = ()
) -> dict[str, Any] | None:
    """A token of a run of ``trigger`` whose custom subject shows it by other fields than
    the ref or context (:attr:`Trigger.shown`: GitHub's ``…:event_name:push``), beyond
    the terms ``beyond``; None where the trigger has no such fields."""
    shown = trigger.shown
    if shown is None:
        return None
    sub = path.key("sub")
    values = path.policy_values(sub)
    if sub in path.mentioned_keys() and values and not shown.may_admit(values):
        return None  # `repo:o/r:ref:refs/heads/main` exactly: no such field (most policies)
    asked = triggered_by(path, shown)
    if asked is None:
        return None
    question, prefer = asked
    return find(path, with_question(question, *beyond), preferring_accepted(path, ctx, prefer))


def _claim_named(path: AccessPath, trigger: Trigger) -> tuple[tuple[str, Language], ...]:
    """The values the policy names exactly in the trigger's ``named_claim`` (or
    ``claim_named_elsewhere``: GitHub's ``ref`` ``refs/heads/develop``), as (key, values),
    where it reads that claim."""
    claim = trigger.named_claim or trigger.claim_named_elsewhere
    if claim is None:
        return ()
    key = path.key(claim)
    values = [v for v in path.policy_values(key) if not any(c in v for c in "*?$")]
    if key not in path.mentioned_keys() or not values:
        return ()
    return ((key, Language.finite(values)),)


def _admitted_refs(
    path: AccessPath, trigger: Trigger, claimed: tuple[tuple[str, Language], ...]
) -> set[str]:
    """The values of ``claimed`` (:func:`_claim_named`) a run of ``trigger`` may carry
    under the policy."""
    found = set()
    for key, _ in claimed:
        held = dict(trigger.carried()).get(key.rsplit(":", 1)[-1], Language.any_string())
        for value in path.policy_values(key):
            literal = Language.literal(value)
            if held.contains(value) and path.admits(any_of(key, literal)):
                found.add(value)
    return found


def _gated_by_environment(path: AccessPath) -> bool:
    """GitHub: every token the path admits names one of the environments the policy lists
    exactly (the ``environment`` claim, required and pinned). The environment's protection
    rules (deployment branches, reviewers) then decide which runs may use it, as with a
    ``repo:O/R:environment:NAME`` subject; a job referencing an environment has that
    subject, never a pull-request or branch one.
    https://docs.github.com/en/actions/reference/security/oidc"""
    provider = path.provider
    if provider is None or provider.name not in GITHUB_FAMILY:
        return False
    key = path.key("environment")
    names = path.policy_values(key)
    if key not in path.mentioned_keys() or not names:
        return False
    if any(c in name for name in names for c in "*?$"):
        return False
    listed = Language.finite(names)
    other = with_question(present(key), all_of(key, ~listed))
    # A decision, not a witness: nothing here is reported.
    return not path.admits(absent(key)) and not path.admits(other)


def _admitted(path: AccessPath, question: Term) -> set[str]:
    """The ``sub`` values of the policy that a run of the trigger can present (a pattern,
    `…:ref:refs/heads/develop:*`, by any subject it matches)."""
    sub = path.key("sub")
    return {
        value
        for value in path.policy_values(sub)
        if path.solve(with_question(question, all_of(sub, _value_language(value)))) is not None
    }


def _value_language(value: str) -> Language:
    return Language.wildcard(value) if "*" in value or "?" in value else Language.literal(value)


@check(
    "trust-oidc-missing-audience",
    title="OIDC trust without an audience condition",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        'Add `"StringEquals": {"<issuer>:aud": "<the audience this role\'s callers use>"}` '
        "(`sts.amazonaws.com` for GitHub Actions), or keep the provider's audience list to that "
        "one audience."
    ),
)
def trust_oidc_missing_audience(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """The role accepts tokens minted for any audience its OIDC provider lists.

    STS accepts a token only when its ``aud`` is one of the client IDs (audiences) of the
    IAM OIDC provider the role trusts; a trust policy without ``aud`` accepts every one of
    them. Where keyless read the provider (``oidc-providers.json``, live
    ``GetOpenIDConnectProvider``), a provider of one audience is no finding (the role accepts
    exactly what an ``aud`` pin to it would: ``sts.amazonaws.com`` for GitHub Actions); a
    provider of several is reported, its audiences named, and the witness carries one of
    them, not the vendor's default where another is listed: a token minted for that other
    relying party opens the role. Where the list is unknown (providers not read, a policy
    judged alone), the finding says so; its witness's audience is then only an example.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html

    Not reported for an issuer of one tenant whose vendor documents a fixed audience and
    a trust policy without ``aud`` (``Provider.audience_fixed_by``: CircleCI's
    ``oidc.circleci.com/org/ID``). EKS (IRSA) and Bitbucket issuers are one tenant's too,
    but AWS's and Atlassian's guides pin ``aud``, so they still are (unless their provider
    lists one audience).
    """
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        provider = path.provider
        if (
            provider is None
            or not provider.generic_keys
            or provider.name.startswith("Amazon Cognito")
            or provider.audience_fixed_by
        ):
            continue
        aud = path.key("aud")
        if aud in path.mentioned_keys():
            continue
        known = provider_audiences(path.principal, ctx)
        if known.audiences is None:
            witness = find(path, present(aud), {aud: (Language.literal(_EXAMPLE_AUDIENCE),)})
            if witness is not None:
                yield _problem(
                    role,
                    path,
                    "accepts tokens for any audience its OIDC provider lists (that list is "
                    f"unknown: {known.unknown})",
                    witness,
                    audiences=None,
                    audiences_unknown=known.unknown,
                )
            continue
        if len(known.audiences) < 2:
            continue
        default = vendor_audience(path)
        # Another relying party's audience first: the token the condition would refuse.
        ordered = sorted(known.audiences, key=lambda a: (a == default, a))
        witness = find(
            path,
            all_of(aud, Language.finite(known.audiences)),
            {aud: tuple(Language.literal(a) for a in ordered)},
        )
        if witness is not None:
            yield _problem(
                role,
                path,
                f"accepts tokens for any of the {len(known.audiences)} audiences its OIDC "
                f"provider lists ({_listed(known.audiences)})",
                witness,
                audiences=list(known.audiences),
            )


def _listed(audiences: tuple[str, ...], shown: int = 5) -> str:
    """The first ``shown`` audiences, and how many more (IAM allows 100 on a provider)."""
    more = len(audiences) - shown
    return ", ".join(audiences[:shown]) + (f" and {more} more" if more > 0 else "")


#: A witness's audience where the provider's list is unknown (never claimed to be listed).
_EXAMPLE_AUDIENCE = "https://attacker.example"
