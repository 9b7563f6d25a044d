"""The check registry and engine hold together."""

from keyless.checks import all_checks
from keyless.engine import run_checks
from keyless.model import Inventory


def test_check_ids_are_unique_kebab_case() -> None:
    ids = [c.id for c in all_checks()]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


def test_empty_inventory_is_clean() -> None:
    result = run_checks(Inventory(accounts=()))
    assert result.findings == ()
    assert result.exit_code() == 0
