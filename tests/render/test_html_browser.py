"""The HTML report in a real headless Chromium (Debian's package, driven through the
DevTools protocol): it loads without errors or network requests, shows the JSON's
numbers, its filters change what is visible, and hostile names stay text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyless.collect.demo.build import demo_inventory
from keyless.engine import ScanResult, run_checks
from keyless.findings import Severity
from keyless.render import Format, render
from keyless.store import open_store
from tests.render.browser import Browser, Page, open_rendered
from tests.render.conftest import NEEDS_CHROMIUM
from tests.render.hostile import HOSTILE_NAMES, hostile_scan
from tests.store.support import record

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def demo() -> ScanResult:
    return run_checks(demo_inventory())


@pytest.fixture
def demo_page(browser: Browser, tmp_path: Path, demo: ScanResult) -> Iterator[Page]:
    yield from open_rendered(browser, tmp_path, demo)


@pytest.fixture
def hostile_page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    yield from open_rendered(browser, tmp_path, hostile_scan())


def _visible(page: Page) -> list[dict[str, str]]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('tr.finding'))"
        ".filter(row => row.offsetParent !== null)"
        ".map(row => Object.assign({text: row.innerText}, row.dataset))"
    )


def test_the_report_loads_without_errors_or_requests(demo_page: Page) -> None:
    assert demo_page.console_errors == []
    assert demo_page.requests == [demo_page.evaluate("location.href")]


def test_the_summary_shows_the_json_numbers(demo_page: Page, demo: ScanResult) -> None:
    totals = json.loads(render(demo, Format.JSON))["summary"]["totals"]
    shown = demo_page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('[data-summary]'))"
        ".map(card => [card.dataset.summary, card.querySelector('.value').innerText]))"
    )
    for key in ("accounts", "users", "console_users", "active_keys", "oldest_active_key_days"):
        assert shown[key] == str(totals[key]), key
    for severity, count in totals["findings"].items():
        assert shown[f"findings.{severity}"] == str(count), severity


def test_every_finding_is_visible_at_first(demo_page: Page, demo: ScanResult) -> None:
    assert len(_visible(demo_page)) == len(demo.findings)
    assert demo_page.evaluate("document.getElementById('shown').innerText") == str(
        len(demo.findings)
    )


def test_the_severity_filter_hides_that_severity(demo_page: Page, demo: ScanResult) -> None:
    demo_page.evaluate("document.querySelector('input[name=severity][value=critical]').click()")
    visible = _visible(demo_page)
    assert {row["severity"] for row in visible} == {
        f.severity.value for f in demo.findings if f.severity is not Severity.CRITICAL
    }
    assert len(visible) == sum(1 for f in demo.findings if f.severity is not Severity.CRITICAL)


def test_the_account_filter_shows_one_account(demo_page: Page, demo: ScanResult) -> None:
    account = demo.findings[-1].account
    demo_page.evaluate(
        f"const s = document.getElementById('account'); s.value = {json.dumps(account)};"
        "s.dispatchEvent(new Event('change', {bubbles: true}))"
    )
    visible = _visible(demo_page)
    assert {row["account"] for row in visible} == {account}
    assert len(visible) == sum(1 for f in demo.findings if f.account == account)


def test_the_check_filter_shows_one_check_and_hides_other_groups(
    demo_page: Page, demo: ScanResult
) -> None:
    demo_page.evaluate(
        "const s = document.getElementById('check'); s.value = 'key-not-rotated';"
        "s.dispatchEvent(new Event('change', {bubbles: true}))"
    )
    assert {row["check"] for row in _visible(demo_page)} == {"key-not-rotated"}
    groups = demo_page.evaluate(
        "Array.from(document.querySelectorAll('section.check'))"
        ".filter(g => g.offsetParent !== null).map(g => g.dataset.check)"
    )
    assert groups == ["key-not-rotated"]


def test_search_matches_what_the_row_says(demo_page: Page, demo: ScanResult) -> None:
    demo_page.type_text("#search", "GitHub")
    visible = _visible(demo_page)
    assert visible
    assert all("github" in row["text"].lower() for row in visible)
    assert len(visible) < len(demo.findings)


def test_hostile_names_render_as_text_and_run_nothing(hostile_page: Page) -> None:
    assert hostile_page.console_errors == []
    assert hostile_page.dialogs == []
    assert hostile_page.evaluate("typeof window.pwned") == "undefined"
    assert hostile_page.evaluate("document.querySelectorAll('img, b, svg[onload]').length") == 0
    assert hostile_page.evaluate("document.scripts.length") == 2  # the data block and ours
    text = hostile_page.evaluate("document.body.innerText")
    for name in HOSTILE_NAMES:
        assert name in text
    assert hostile_page.evaluate("document.title").startswith("keyless scan")


def test_hostile_names_are_found_by_search(hostile_page: Page) -> None:
    hostile_page.type_text("#search", "<img src=x")
    visible = _visible(hostile_page)
    assert visible
    assert all(HOSTILE_NAMES[0] in row["text"] for row in visible)


def test_a_history_of_100_scans_draws_its_charts(browser: Browser, tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as store:
        for week in range(100):
            store.record(record(users=60 - week // 2, days_later=7 * week))
        history = store.history()
    for page in open_rendered(browser, tmp_path, history):
        assert page.console_errors == []
        assert page.requests == [page.evaluate("location.href")]
        overall = page.evaluate(
            "(() => { const svg = document.querySelector('#chart-overall svg');"
            " const box = svg.getBoundingClientRect();"
            " return {points: Array.from(svg.querySelectorAll('polyline'))"
            ".map(line => line.points.numberOfItems), width: box.width}; })()"
        )
        assert overall["points"] == [100] * 7  # severities, keys, users, suppressed
        assert overall["width"] > 300
        assert page.evaluate("document.querySelectorAll('figure.account-chart svg').length") == 2
        assert page.evaluate("document.querySelectorAll('#scans tbody tr').length") == 100
