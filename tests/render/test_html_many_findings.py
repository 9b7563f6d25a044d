"""The HTML report of a scan with more findings than a browser page holds.

An organization of 1,000 accounts has about 150,000 findings: one row each made 130 MB
of HTML that no browser opens (50 accounts: 6.6 MB, seconds to load). Past 10,000
findings each check keeps its worst rows and counts the others, the page says so where
the filters are, and the counts stay the scan's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keyless.engine import ScanResult, run_checks
from keyless.render import Format, render
from keyless.render.html_findings import rows_per_check
from tests.builders import NOW, make_account, make_inventory, make_key, make_user
from tests.render.browser import Browser
from tests.render.conftest import CHROMIUM

USERS = 2600  # four findings each: 10,400 findings of four checks


def _scan(users: int) -> ScanResult:
    people = [
        make_user(f"ci-{n}", keys=[make_key(age_days=400)], console=True) for n in range(users)
    ]
    return run_checks(make_inventory(make_account(users=people)), now=NOW)


@pytest.fixture(scope="module")
def many() -> str:
    result = _scan(USERS)
    assert len(result.findings) == 4 * USERS
    return render(result, Format.HTML)


def test_each_check_keeps_its_share_of_the_page(many: str) -> None:
    assert many.count('<tr class="finding"') == 10_000
    assert many.count("2600 findings (the 2500 worst shown)") == 4
    assert many.count("… and 100 more findings of this check, not in this page") == 4


def test_the_page_says_what_its_filters_see(many: str) -> None:
    note = re.search(r'<p class="muted" id="page-cut">(.*?)</p>', many)
    assert note is not None
    assert "This page holds 10000 of the scan's 10400 findings" in note.group(1)
    assert "the filters and search see those only" in note.group(1)
    # The choices count the scan's findings, not the page's.
    assert "user-console-without-mfa (2600)</option>" in many


def test_a_page_under_the_limit_holds_every_finding() -> None:
    html = render(_scan(50), Format.HTML)
    assert html.count('<tr class="finding"') == 200
    assert 'id="page-cut"' not in html
    assert "not in this page" not in html


def test_every_check_keeps_a_hundred_rows_however_many_checks() -> None:
    assert rows_per_check(10_000, 4) is None
    assert rows_per_check(10_400, 4) == 2500
    assert rows_per_check(150_000, 300) == 100


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: `apt-get install chromium`")
def test_the_cut_page_opens_and_filters(browser: Browser, many: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(many, encoding="utf-8")
    with browser.page() as page:
        page.open(report.as_uri())
        assert page.console_errors == []
        assert page.evaluate("document.getElementById('shown').textContent") == "10000"
        page.type_text("#search", "user/ci-0")
        visible = page.evaluate(
            "Array.from(document.querySelectorAll('tr.finding')).filter(r => !r.hidden).length"
        )
        assert page.evaluate("document.getElementById('shown').textContent") == str(visible)
        assert 0 < visible < 10_000
