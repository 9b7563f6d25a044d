"""One tool, one verdict: the subjects ``fix`` recommends are the ones ``keyless trust``
accepts.

Every ``sub`` a rewritten job's token can carry is judged by the same trust checks
``keyless trust`` runs (:func:`keyless.engine.assess_trust`), on the statement ``fix``
would have the user add. A subject that draws a finding above ``medium`` (any branch, a
pull request…) is withheld with the reason; when that leaves a job that runs on branches
without a subject, the default branch is proposed instead, with the trade-off said.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from keyless.engine import assess_trust
from keyless.errors import PolicyError
from keyless.findings import Severity
from keyless.model import Role
from keyless.workflows.model import Platform, Subject, SubjectOperator, Withheld

#: The issuers the rewritten jobs' tokens come from, as IAM names them.
ISSUERS = {
    Platform.GITHUB: "token.actions.githubusercontent.com",  # GitHub's OIDC docs
    Platform.GITLAB: "gitlab.com",  # GitLab.com; a self-managed instance has its own host
}
AUDIENCE = "sts.amazonaws.com"  # what configure-aws-credentials and the rewritten id_tokens ask for
_STAND_IN_ACCOUNT = "123456789012"
_WORST_ACCEPTED = Severity.MEDIUM


@dataclass(frozen=True, slots=True)
class Judgement:
    """The subjects to trust, those withheld (and why), and what to tell the user."""

    recommended: tuple[Subject, ...]
    withheld: tuple[Withheld, ...]
    notes: tuple[str, ...]


def statement(
    platform: Platform, account: str | None, subjects: Iterable[Subject]
) -> dict[str, Any]:
    """The trust-policy statement that admits ``subjects`` from the platform's issuer.

    All values go under one operator: two operators on the same key would both have to
    match (IAM ANDs them), so a list with a wildcard is ``StringLike`` throughout (an
    exact value matches itself under StringLike; refs cannot hold ``*`` or ``?``).
    """
    issuer = ISSUERS[platform]
    values = [s.value for s in subjects]
    operator = (
        SubjectOperator.STRING_LIKE
        if any(s.operator is SubjectOperator.STRING_LIKE for s in subjects)
        else SubjectOperator.STRING_EQUALS
    )
    condition: dict[str, Any] = {"StringEquals": {f"{issuer}:aud": AUDIENCE}}
    sub = values[0] if len(values) == 1 else values
    condition.setdefault(operator.value, {})[f"{issuer}:sub"] = sub
    return {
        "Effect": "Allow",
        "Principal": {
            "Federated": f"arn:aws:iam::{account or 'ACCOUNT_ID'}:oidc-provider/{issuer}"
        },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


def problems(platform: Platform, subjects: Iterable[Subject]) -> tuple[str, ...]:
    """What ``keyless trust`` finds above ``medium`` in a role trusting ``subjects``
    (their values and operators: the statement holds nothing else)."""
    return _problems(platform, tuple((s.operator, s.value) for s in subjects))


@functools.lru_cache(maxsize=4_096)
def _problems(
    platform: Platform, written: tuple[tuple[SubjectOperator, str], ...]
) -> tuple[str, ...]:
    """:func:`problems`, worked out once per set of subjects: the jobs of one file mostly
    share theirs, and each assessment takes milliseconds (a file of 8,000 jobs given the
    same keys took minutes)."""
    subjects = [Subject(value, operator, "") for operator, value in written]
    document = {
        "Version": "2012-10-17",
        "Statement": [statement(platform, _STAND_IN_ACCOUNT, subjects)],
    }
    role = Role(
        account_id=_STAND_IN_ACCOUNT,
        name="ci",
        arn=f"arn:aws:iam::{_STAND_IN_ACCOUNT}:role/ci",
        trust_policy=document,
    )
    try:
        assessment = assess_trust(role)
    except PolicyError as error:  # a subject the policy language cannot hold
        return (f"not a valid trust policy: {error.message}",)
    return tuple(
        dict.fromkeys(
            [
                *(
                    f"{f.message.split(': ', 1)[-1]} ({f.check}, {f.severity.value})"
                    for f in assessment.findings
                    if f.severity > _WORST_ACCEPTED
                ),
                *(f"{check} not evaluated: {why}" for check, why in assessment.not_evaluated),
            ]
        )
    )


def judge(
    platform: Platform,
    subjects: tuple[Subject, ...],
    *,
    default_branch_subject: Subject | None,
    runs_on_branches: bool,
    computed_environment: bool = False,
) -> Judgement:
    """Split a job's subjects into those to trust and those withheld.

    ``default_branch_subject`` is proposed when something was withheld and the job runs
    on branch pushes, dispatches or schedules (a pull-request-only job gains nothing
    from it). ``computed_environment``: the job names an environment keyless cannot
    work out (``${{ inputs.environment }}``), so its subject is a wildcard.
    """
    recommended: list[Subject] = []
    withheld: list[Withheld] = []
    for subject in subjects:
        found = problems(platform, (subject,))
        if found:
            withheld.append(Withheld(subject, "keyless trust would report: " + "; ".join(found)))
        else:
            recommended.append(subject)
    notes: list[str] = []
    proposal = default_branch_subject
    wanted = bool(withheld) and runs_on_branches and proposal not in recommended
    if wanted and proposal is not None and not problems(platform, (proposal,)):
        recommended.append(proposal)
        notes.append(
            f"trust only {proposal.value} rather than every ref the job can run on: a run "
            "from another branch is then refused by AWS. To allow more safely, give the "
            "job an environment with deployment-branch rules and trust that environment "
            "instead"
        )
    if any(w.subject.value.endswith(":pull_request") for w in withheld):
        notes.append(
            "pull request runs are not trusted: they run unreviewed code. Give them a role "
            "without deploy rights, or move the AWS steps to a job that only pushes to a "
            "protected branch or an environment can start"
        )
    if recommended and problems(platform, recommended):  # the whole list, as it will be used
        notes.append("the subjects together draw a finding from keyless trust; none recommended")
        withheld.extend(Withheld(s, "together with the others") for s in recommended)
        recommended = []
    if not recommended and computed_environment:
        notes.append(
            "the job's environment is computed when it runs, so keyless cannot name it: "
            "trust repo:ORG/REPO:environment:NAME for each environment it can take, once "
            "each has protection rules"
        )
    elif not recommended:
        notes.append(
            "no subject of this job can be trusted without a high finding: give it an "
            "environment (`environment: NAME`) with protection rules and trust "
            "repo:ORG/REPO:environment:NAME"
            if platform is Platform.GITHUB
            else "no subject of this job can be trusted without a high finding: limit it to "
            'protected branches or tags (rules: if: $CI_COMMIT_REF_PROTECTED == "true") '
            "and trust those refs"
        )
    return Judgement(_distinct(recommended), tuple(withheld), tuple(notes))


def _distinct(subjects: list[Subject]) -> tuple[Subject, ...]:
    """Each ``sub`` once, in first-seen order: two triggers give one subject different
    reasons (``push: branches: [main]`` and the default branch proposed for
    ``workflow_dispatch``), and a trust policy lists it once."""
    seen: dict[tuple[str, str], Subject] = {}
    for subject in subjects:
        seen.setdefault((subject.operator.value, subject.value), subject)
    return tuple(seen.values())
