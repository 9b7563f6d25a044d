"""Running one check through the engine, the way a scan would."""

from __future__ import annotations

from keyless.checks import checks_by_id
from keyless.config import Config, Thresholds
from keyless.engine import ScanResult, run_checks
from keyless.findings import Finding
from keyless.model import Account, Inventory, User
from tests.builders import NOW, make_account, make_inventory


def scan(
    check_id: str, subject: Inventory | Account | User, config: Config | None = None
) -> ScanResult:
    """Run the check ``check_id`` alone over ``subject`` (wrapped into an inventory)."""
    if isinstance(subject, User):
        subject = make_account(users=[subject])
    if isinstance(subject, Account):
        subject = make_inventory(subject)
    return run_checks(subject, config, now=NOW, checks=[checks_by_id()[check_id]])


def findings(
    check_id: str, subject: Inventory | Account | User, thresholds: Thresholds | None = None
) -> tuple[Finding, ...]:
    """The findings of ``check_id`` on ``subject``, with ``thresholds`` if given."""
    config = Config(thresholds=thresholds) if thresholds else None
    return tuple(scan(check_id, subject, config).findings)
