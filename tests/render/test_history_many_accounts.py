"""`keyless history` of an organization of many accounts: a row (text) and a chart (HTML)
for the worst accounts, the others counted. The text printed one row per account (1,000
rows for an organization of 1,000 accounts), the HTML one chart per account, and a scan's
"not read" cell every unread account by name."""

from __future__ import annotations

import json
import re

import pytest

from keyless.model import Account, AccountStatus
from keyless.render import Format, RenderOptions, render
from keyless.store import History, open_store, record_of_result
from tests.builders import NOW, make_account, make_inventory, make_key, make_user
from tests.store.support import scan

ACCOUNTS = 50
ACCOUNT_ROWS = 20  # the rows and charts shown
UNREAD = 7


def _account(n: int) -> Account:
    """Account ``n`` with ``n`` CI users holding an old key: the higher ``n``, the more
    findings. The last :data:`UNREAD` could not be read."""
    account_id = f"{100000000000 + n}"
    if n >= ACCOUNTS - UNREAD:
        return Account(id=account_id, alias=f"acct-{n}", status=AccountStatus.FAILED, error="x")
    users = [
        make_user(f"ci-{i}", account_id=account_id, keys=[make_key(age_days=400)]) for i in range(n)
    ]
    return make_account(account_id, users=users, alias=f"acct-{n}")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> History:
    inventory = make_inventory(*(_account(n) for n in range(ACCOUNTS)))
    with open_store(tmp_path_factory.mktemp("history") / "h.db", create=True) as store:
        store.record(record_of_result(scan(inventory, now=NOW)))
        store.record(record_of_result(scan(inventory, now=NOW)))
        return store.history()


def _rows(text: str) -> list[str]:
    return re.findall(r"^(acct-\d+) ", text, re.MULTILINE)


def test_the_text_shows_the_worst_accounts_and_counts_the_others(many: History) -> None:
    text = render(many, Format.TEXT, RenderOptions(width=200))
    rows = _rows(text)
    assert len(rows) == ACCOUNT_ROWS
    # Never read first (unknown is not clean), then the most findings.
    never_read = [f"acct-{n}" for n in range(ACCOUNTS - UNREAD, ACCOUNTS)]
    assert rows[:UNREAD] == never_read
    assert rows[UNREAD] == f"acct-{ACCOUNTS - UNREAD - 1}"
    assert f"… and {ACCOUNTS - ACCOUNT_ROWS} more accounts with fewer findings" in text
    assert "`keyless history --account ID` shows one" in text


def test_a_few_accounts_are_all_shown(tmp_path_factory: pytest.TempPathFactory) -> None:
    inventory = make_inventory(_account(3), _account(4))
    with open_store(tmp_path_factory.mktemp("two") / "h.db", create=True) as store:
        store.record(record_of_result(scan(inventory, now=NOW)))
        text = render(store.history(), Format.TEXT, RenderOptions(width=200))
    assert _rows(text) == ["acct-4", "acct-3"]
    assert "more account" not in text


def test_the_html_charts_the_worst_accounts_and_counts_the_others(many: History) -> None:
    html = render(many, Format.HTML)
    assert html.count('class="account-chart"') == ACCOUNT_ROWS
    assert f"… and {ACCOUNTS - ACCOUNT_ROWS} more accounts with fewer findings" in html


def test_a_scans_unread_accounts_are_counted_past_five(many: History) -> None:
    html = render(many, Format.HTML)
    row = html[html.index('<tr data-scan="2">') :]
    row = row[: row.index("</tr>")]
    assert f"and {UNREAD - 5} more</td>" in row
    assert row.count("acct-") == 5


def test_the_json_keeps_every_account(many: History) -> None:
    document = json.loads(render(many, Format.JSON))
    assert len(document["scans"][-1]["accounts"]) == ACCOUNTS - UNREAD
