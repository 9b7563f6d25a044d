"""``trust-oidc-untrusted-trigger``: which runs of a CI/CD system a role's OIDC trust
admits, trigger by trigger (a pull request, an unprotected branch, a tag), each with a
witness token, as the provider's subject grammar (:mod:`keyless.idp.subject_grammar`)
describes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._audiences import preferring_accepted
from keyless.checks.trust._common import (
    _REQUIRES,
    TRUST_ANALYSIS,
    RoleTrust,
    _paths,
    _problem,
    through,
)
from keyless.checks.trust._workflows import pinned_workflows, workflow_words
from keyless.findings import Problem, Severity
from keyless.idp.providers import GITHUB_FAMILY
from keyless.idp.subject_grammar import Trigger
from keyless.model import Role
from keyless.patterns.language import Language
from keyless.trust.formula import Term, absent, all_of, any_of, present, with_question
from keyless.trust.paths import AccessPath, PrincipalClass
from keyless.trust.questions import (
    named_subjects,
    silent_run,
    triggered_by,
)
from keyless.trust.witness import find

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
    trigger (``refs/heads/main`` admits no open pull request's run, ``refs/pull/N/merge``); a
    branch it names exactly (``refs/heads/develop``) is a named branch (low), a tag a
    release already cut (not reported). A merged pull request's run (``closed``) carries
    its base branch's ref instead, so a pattern of branches there (``refs/heads/*``) beside a
    pull request's subject admits a pull request's run (high).
    https://docs.github.com/en/actions/reference/security/oidc#example-granting-access-to-a-specific-repository

    A custom ``sub`` may show the trigger without the context or the ref: the event
    (``…:event_name:push``, ``workflow_dispatch``) or the ref type (``…:ref_type:branch``)
    with no branch named is any branch's run (high, as ``…:ref:refs/heads/*``; a pull
    request's run has ref type ``branch`` too); a pull request's branches
    (``…:head_ref:NAME``, ``…:base_ref:NAME``) or ref (``…:ref:refs/pull/N/merge``) are a
    pull request's; ``…:ref_type:tag`` and ``…:event_name:release`` any tag's; GitHub's
    own ``dynamic`` event (CodeQL default setup, the Copilot coding agent), on a branch a
    writer chooses, any branch's. An event that
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
                only = f", only through {workflow_words(workflows)}" if workflows else ""
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
