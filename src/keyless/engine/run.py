"""Running estate checks over an Inventory: subjects visited scope by scope, shared work
prepared once per group of subjects, ignores applied centrally."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime

from keyless.checks._policies import ParsedPolicies
from keyless.checks.registry import Check, Scope, all_checks
from keyless.config import Config, Ignore
from keyless.engine.groups import Tally, judge, replay, schedule
from keyless.engine.packed import FindingSorter
from keyless.engine.result import CheckRun, ScanResult, Suppressed
from keyless.errors import KeylessError, quoted_list
from keyless.findings import Finding
from keyless.model import Inventory


def apply_ignores(
    findings: Iterable[Finding], ignores: Iterable[Ignore]
) -> tuple[tuple[Finding, ...], tuple[Suppressed, ...]]:
    """Split ``findings`` into those reported and those an ignore accepted (each with the
    ignore that accepted it, so reports can say what was suppressed, by which rule)."""
    rules = tuple(ignores)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        ignore = accepting_ignore(finding, rules)
        if ignore is None:
            kept.append(finding)
        else:
            suppressed.append(Suppressed(finding, ignore))
    return tuple(kept), tuple(suppressed)


def accepting_ignore(finding: Finding, rules: Sequence[Ignore]) -> Ignore | None:
    """The first of ``rules`` that accepts ``finding``, if any."""
    return next(
        (i for i in rules if i.matches(finding.check, finding.account, finding.resource)), None
    )


def select_checks(ids: Collection[str] | None) -> tuple[Check, ...]:
    """The registered checks, or only those named in ``ids``."""
    checks = all_checks()
    if not ids:
        return checks
    known = {c.id for c in checks}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise KeylessError(
            f"unknown check ID(s): {quoted_list(unknown)}",
            hint="`keyless checks` lists every check ID.",
        )
    return tuple(c for c in checks if c.id in ids)


def run_checks(
    inventory: Inventory,
    config: Config | None = None,
    *,
    now: datetime | None = None,
    now_basis: str = "clock",
    checks: Iterable[Check] | None = None,
    workers: int = 1,
) -> ScanResult:
    """Run ``checks`` (default: every estate check) over ``inventory``, measuring ages
    against ``now`` (default: the current time; ``now_basis`` says where a given ``now``
    came from, see :class:`ScanResult`), in up to ``workers`` processes.

    Subjects are visited scope by scope; each subject is handed to every selected check of
    its scope whose data its account has. Work a check family shares per subject (its
    :class:`~keyless.checks.registry.Preparation`) is done once per group of subjects with
    the same key, only when one of the selected checks needs it, and dropped when the group
    is done.
    """
    config = config or Config()
    if now is None:
        now, now_basis = datetime.now(UTC), "clock"
    selected = [c for c in (all_checks() if checks is None else checks) if c.function is not None]
    tally = {c.id: Tally() for c in selected}
    policies = ParsedPolicies()
    for scope in Scope:
        of_scope = [c for c in selected if c.scope is scope]
        if of_scope:
            _run_scope(scope, of_scope, inventory, config, now, policies, tally, workers)
    return _result(selected, tally, inventory, config, now, now_basis)


def _result(
    selected: list[Check],
    tally: dict[str, Tally],
    inventory: Inventory,
    config: Config,
    now: datetime,
    now_basis: str,
) -> ScanResult:
    """The scan's result from what each check did: ignores applied, findings sorted
    (held packed: see :mod:`keyless.engine.packed`)."""
    rules = tuple(config.ignores)
    sorter = FindingSorter()
    suppressed: list[Suppressed] = []
    runs: list[CheckRun] = []
    for chk in selected:
        counts = tally[chk.id]
        kept = 0
        for position, finding in enumerate(counts.found):
            ignore = accepting_ignore(finding, rules) if rules else None
            if ignore is None:
                sorter.add(finding, counts.found, position)
                kept += 1
            else:
                suppressed.append(Suppressed(finding, ignore))
        applicable = chk.scope is not Scope.ORGANIZATION or inventory.organization is not None
        runs.append(CheckRun(chk, counts.evaluated, kept, tuple(counts.skipped), applicable))
    return ScanResult(
        findings=sorter.sorted(),
        now=now,
        check_runs=tuple(runs),
        suppressed=tuple(suppressed),
        inventory=inventory,
        now_basis=now_basis,
        config_path=config.path,
        notes=account_notes(inventory),
        ignores=rules,
    )


def account_notes(inventory: Inventory) -> tuple[str, ...]:
    """What the collectors left out on purpose (:attr:`Account.notes`), as the scan's
    notes: each prefixed with its account's label when the estate has more than one."""
    many = len(inventory.accounts) > 1 or inventory.organization is not None
    return tuple(
        f"{account.label}: {note}" if many else note
        for account in inventory.accounts
        for note in account.notes
    )


def _run_scope(
    scope: Scope,
    checks: list[Check],
    inventory: Inventory,
    config: Config,
    now: datetime,
    policies: ParsedPolicies,
    tally: dict[str, Tally],
    workers: int = 1,
) -> None:
    """Run the checks of one scope over the inventory's subjects, preparing shared work
    once per group (with ``workers`` above 1, many prepared groups are judged in that many
    processes: the result is the same)."""
    plan = schedule(scope, checks, inventory, config, now, policies)
    replay(plan, inventory, tally, judge(plan.groups, inventory, workers))
