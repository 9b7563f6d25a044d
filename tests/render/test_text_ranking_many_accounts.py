"""The text report of an organization of many accounts ranks the 20 worst and counts the
others, those not read said apart: an organization of 1,000 accounts printed 1,000
ranking rows before its first finding."""

from __future__ import annotations

import io
import re

from rich.console import Console

from keyless.engine import run_checks
from keyless.findings import Severity
from keyless.model import Account, AccountStatus
from keyless.render.text import render_text
from tests.builders import NOW, make_account, make_inventory, make_key, make_user


def _account(n: int, status: AccountStatus = AccountStatus.SCANNED) -> Account:
    account_id = f"{100000000000 + n}"
    if status is not AccountStatus.SCANNED:
        return Account(id=account_id, alias=f"acct-{n}", status=status, error="denied")
    users = [
        make_user(f"ci-{i}", account_id=account_id, keys=[make_key(age_days=400)])
        for i in range(n + 1)
    ]
    return make_account(account_id, users=users, alias=f"acct-{n}")


def _report(*accounts: Account) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=True, highlight=False)
    render_text(run_checks(make_inventory(*accounts), now=NOW), console, fail_on=Severity.HIGH)
    return buffer.getvalue()


def _ranked(text: str) -> list[str]:
    opening = text[: text.index("CRITICAL")] if "CRITICAL" in text else text
    return re.findall(r"│ (acct-\d+) \(", opening)


def test_the_ranking_shows_the_worst_accounts_and_counts_the_others() -> None:
    accounts = [_account(n) for n in range(40)]
    accounts += [_account(40, AccountStatus.FAILED), _account(41, AccountStatus.SKIPPED)]
    text = _report(*accounts)
    ranked = _ranked(text)
    assert len(ranked) == 20
    assert ranked[0] == "acct-39"  # the most users with old keys
    assert "… and 22 more accounts (1 failed, see NOT EVALUATED; 1 skipped)" in text
    # The failed account is still named, with its reason, where unread accounts are.
    assert "account acct-40 (100000000040) failed: denied" in text


def test_a_small_organization_is_ranked_whole() -> None:
    text = _report(*(_account(n) for n in range(3)))
    assert _ranked(text) == ["acct-2", "acct-1", "acct-0"]
    assert "more account" not in text
