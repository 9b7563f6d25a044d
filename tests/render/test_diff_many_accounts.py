"""`keyless diff` of an organization whose accounts did not change: counted, not named one
by one (an organization of 1,000 accounts printed every label in one paragraph)."""

from __future__ import annotations

from keyless.engine import run_checks
from keyless.render import Format, render
from keyless.store import record_of_result
from keyless.store.diff import compare
from tests.builders import NOW, make_account, make_inventory


def _unchanged(accounts: int) -> str:
    inventory = make_inventory(
        *(make_account(f"{100000000000 + n}", alias=f"acct-{n}") for n in range(accounts))
    )
    record = record_of_result(run_checks(inventory, now=NOW))
    return render(compare(record, record, old_name="a", new_name="b"), Format.TEXT)


def test_many_unchanged_accounts_are_counted() -> None:
    text = _unchanged(50)
    assert "No change in 50 accounts: `--format json` lists each." in text
    assert "acct-" not in text


def test_a_few_unchanged_accounts_are_named() -> None:
    text = _unchanged(3)
    assert "No change in 3 account(s): acct-0 (100000000000), acct-1" in text
