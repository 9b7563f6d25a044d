"""One role's trust, judged by the same checks a scan runs: for ``keyless trust`` and for
anything that must check a trust policy it is about to emit (generators, the IaC guard)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from keyless.checks.registry import CheckContext, all_checks
from keyless.checks.trust import analyse_role
from keyless.config import Thresholds
from keyless.engine.run import run_checks
from keyless.errors import PolicyError
from keyless.findings import Finding
from keyless.model import AVAILABLE, Account, Dataset, Inventory, Role
from keyless.trust.paths import TrustAnalysis


@dataclass(frozen=True)
class TrustAssessment:
    """Who can assume ``role`` (its access paths) and the trust findings, worst first."""

    role: Role
    analysis: TrustAnalysis
    findings: tuple[Finding, ...]
    not_evaluated: tuple[tuple[str, str], ...] = ()
    """``(check ID, reason)`` of the checks that could not decide the role (a policy past
    keyless's bound of work): the assessment is incomplete, never clean."""


def assess_trust(
    role: Role, inventory: Inventory | None = None, *, now: datetime | None = None
) -> TrustAssessment:
    """Run every trust check on ``role``.

    ``inventory`` gives the context (the organization's accounts, trust anchors); without
    one the role is judged alone, in an account whose data is all available. Raises
    :class:`~keyless.errors.PolicyError` when the trust policy cannot be read.
    """
    if inventory is None:
        everything = dict.fromkeys(Dataset, AVAILABLE)
        alone = Account(id=role.account_id, roles=(role,), datasets=everything)
        inventory = Inventory(accounts=(alone,), origin="policy")
    else:
        # The same estate, with the role as the only subject: accounts stay (they decide
        # what "another account" is), their roles and users do not.
        inventory = replace(
            inventory,
            accounts=tuple(
                replace(a, roles=(role,) if a.id == role.account_id else (), users=())
                for a in inventory.accounts
            ),
        )
    account = next((a for a in inventory.accounts if a.id == role.account_id), None)
    analysis = analyse_role(
        role, CheckContext(inventory, Thresholds(), now or datetime.now(UTC), account)
    )
    if isinstance(analysis, PolicyError):
        raise analysis
    checks = [c for c in all_checks() if c.theme == "trust"]
    result = run_checks(inventory, now=now, checks=checks)
    gaps = tuple(
        (run.check.id, gap.reason) for run in result.check_runs for gap in run.not_evaluated
    )
    return TrustAssessment(role, analysis, tuple(result.findings), gaps)
