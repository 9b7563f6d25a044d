"""Checks on role trust policies: who can assume each role, decided exactly.

Every check reads the role's access paths (:mod:`keyless.trust.paths`), memoised per
canonical trust policy in ``ctx.memo``, and asks one exact question; a finding that grants
access to someone who should not have it carries a witness that
:func:`keyless.trust.replay.evaluate_witness` allows.

The checks live in this package's modules (principals, federation, oidc, conditions);
``_common`` runs all of them on a role from one analysis.

A malformed trust policy never crashes a scan: ``trust-dead-condition`` reports it (with the
JSON pointer of the error as evidence) and every other trust check skips the role.
"""

from __future__ import annotations

from datetime import UTC, datetime

from keyless.checks.registry import CheckContext, all_checks
from keyless.checks.trust._common import NO_SOURCE_CONDITION_SERVICES, trust_analysis
from keyless.config import Thresholds
from keyless.errors import PolicyError
from keyless.findings import Problem
from keyless.model import Account, Dataset, Inventory, Role
from keyless.model.inventory import AVAILABLE
from keyless.trust.paths import TrustAnalysis

__all__ = ["MODULES", "NO_SOURCE_CONDITION_SERVICES", "assess_role", "trust_analysis"]

#: The order the registry lists this theme's checks in.
MODULES = ("principals", "oidc", "federation", "conditions")


def assess_role(
    role: Role, inventory: Inventory | None = None, *, now: datetime | None = None
) -> tuple[TrustAnalysis | PolicyError, tuple[Problem, ...], tuple[str, ...]]:
    """The role's analysis, its trust findings and their check IDs (parallel tuples).

    ``inventory`` gives the context (organisation accounts, trust anchors); without one the
    role is assessed alone.
    """
    if inventory is None:
        alone = Account(
            id=role.account_id, roles=(role,), datasets=dict.fromkeys(Dataset, AVAILABLE)
        )
        inventory = Inventory(accounts=(alone,), origin="policy")
    account: Account | None = next((a for a in inventory.accounts if a.id == role.account_id), None)
    ctx = CheckContext(inventory, Thresholds(), now or datetime.now(UTC), account)
    problems: list[Problem] = []
    ids: list[str] = []
    for chk in all_checks():
        if chk.theme != "trust":
            continue
        for problem in chk.run(role, ctx):
            problems.append(problem)
            ids.append(chk.id)
    return trust_analysis(role, ctx), tuple(problems), tuple(ids)
