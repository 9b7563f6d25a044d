"""Every trust policy ``keyless generate`` would write, judged before it is written:
by the same trust checks ``keyless scan`` and ``keyless trust`` run (nothing above
``info`` may remain), and by concrete evaluation, as ``keyless simulate`` does, of the
plan's own callers (each must be allowed) and their near misses (each must be denied).
A role that fails is not written; the summary and README say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from keyless.engine.trust import assess_trust
from keyless.findings import Severity
from keyless.generate.model import Placeholder, PlaceholderKind, RoleSpec
from keyless.model import AVAILABLE, Account, Dataset, Inventory, Organization, Role, TrustAnchor
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate


def concrete(value: Any) -> Any:
    """``value`` with every placeholder replaced by its concrete ARN."""
    if isinstance(value, Placeholder):
        return value.concrete
    if isinstance(value, Mapping):
        return {k: concrete(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [concrete(v) for v in value]
    return value


def placeholders(value: Any) -> list[Placeholder]:
    """Every placeholder in ``value``, in document order."""
    if isinstance(value, Placeholder):
        return [value]
    if isinstance(value, Mapping):
        return [p for v in value.values() for p in placeholders(v)]
    if isinstance(value, list | tuple):
        return [p for v in value for p in placeholders(v)]
    return []


@dataclass(frozen=True, slots=True)
class RoleProof:
    """What the proof found wrong with one role's trust (empty: proved)."""

    role: RoleSpec
    problems: tuple[str, ...]

    @property
    def proved(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def estate(
    accounts: Sequence[str],
    organization: str | None,
    management: str,
    roles: Sequence[RoleSpec],
    partition: str = "aws",
) -> Inventory:
    """The estate the roles will live in, for the trust checks' context: the plan's
    accounts (the organization's, when there is one) and the trust anchors to be made."""
    anchors: dict[str, set[str]] = {}
    for role in roles:
        for found in placeholders(role.trust):
            if found.kind is PlaceholderKind.TRUST_ANCHOR:
                anchors.setdefault(found.account, set()).add(found.concrete)
    everything = dict.fromkeys(Dataset, AVAILABLE)
    return Inventory(
        accounts=tuple(
            Account(
                id=account,
                partition=partition,
                datasets=everything,
                trust_anchors=tuple(
                    TrustAnchor(arn, f"keyless-{account}")
                    for arn in sorted(anchors.get(account, ()))
                ),
            )
            for account in accounts
        ),
        organization=Organization(organization, management) if organization else None,
        origin="generate",
    )


def prove_role(
    role: RoleSpec, inventory: Inventory, now: datetime, partition: str = "aws"
) -> RoleProof:
    """The trust findings above ``info`` and the probes decided the wrong way."""
    document = concrete(role.trust)
    arn = f"arn:{partition}:iam::{role.account}:role/{role.name}"
    model = Role(account_id=role.account, name=role.name, arn=arn, trust_policy=document)
    assessment = assess_trust(model, inventory, now=now)
    problems = [
        f"trust check {finding.check} ({finding.severity}): {finding.message}"
        for finding in assessment.findings
        if finding.severity is not Severity.INFO
    ]
    problems += [
        f"trust check {check} not evaluated: {why}" for check, why in assessment.not_evaluated
    ]
    policy = parse_trust_policy(document)
    for probe in role.probes:
        decision = evaluate(policy, probe.request)
        if decision.allowed != probe.allowed:
            expected = "allowed" if probe.allowed else "denied"
            problems.append(f"{probe.label}: should be {expected}, is not")
    return RoleProof(role, tuple(problems))
