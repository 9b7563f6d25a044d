"""The plan's HTML report in a real headless Chromium: it loads without errors or network
requests, shows the plan document's numbers, its filters and search change which users
are visible, and hostile names stay text with no script run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keyless.collect.demo.build import demo_inventory
from keyless.plan.model import Plan
from keyless.render import Format, render
from tests.builders import NOW
from tests.plan.support import plan_of
from tests.render.browser import Browser, Page, open_rendered
from tests.render.conftest import NEEDS_CHROMIUM
from tests.render.hostile import HOSTILE_CI_USER, HOSTILE_NAMES, HOSTILE_PATH, hostile_plan

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_of(demo_inventory(now=NOW))


@pytest.fixture(scope="module")
def document(plan: Plan) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render(plan, Format.JSON))
    return loaded


@pytest.fixture
def page(browser: Browser, tmp_path: Path, plan: Plan) -> Iterator[Page]:
    yield from open_rendered(browser, tmp_path, plan)


def _visible(page: Page) -> list[dict[str, str]]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('tr.user'))"
        ".filter(row => row.offsetParent !== null)"
        ".map(row => Object.assign({text: row.innerText}, row.dataset))"
    )


def _choose(page: Page, select: str, value: str) -> None:
    page.evaluate(
        f"const s = document.getElementById({json.dumps(select)}); s.value = {json.dumps(value)};"
        "s.dispatchEvent(new Event('change', {bubbles: true}))"
    )


def test_the_report_loads_without_errors_or_requests(page: Page) -> None:
    assert page.console_errors == []
    assert page.requests == [page.evaluate("location.href")]


def test_the_summary_shows_the_plan_documents_numbers(page: Page, document: dict[str, Any]) -> None:
    shown = page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('[data-summary]'))"
        ".map(card => [card.dataset.summary, card.querySelector('.value').innerText]))"
    )
    summary = document["summary"]
    assert shown["accounts"] == str(len(document["source"]["accounts"]))
    for key in ("users", "open", "keys_to_retire"):
        assert shown[key] == str(summary[key]), key
    for destination, count in summary["destinations"].items():
        assert shown[f"destinations.{destination}"] == str(count), destination
    assert shown["proofs.proved"] == str(summary["proofs"]["proved"])


def test_every_user_is_visible_at_first(page: Page, document: dict[str, Any]) -> None:
    assert len(_visible(page)) == len(document["users"])
    assert page.evaluate("document.getElementById('shown').innerText") == str(
        len(document["users"])
    )


def test_the_destination_filter_hides_that_destination(
    page: Page, document: dict[str, Any]
) -> None:
    page.evaluate("document.querySelector('input[name=destination][value=retire]').click()")
    visible = _visible(page)
    kept = [u for u in document["users"] if u["destination"] != "retire"]
    assert {row["destination"] for row in visible} == {u["destination"] for u in kept}
    assert len(visible) == len(kept)


def test_the_account_filter_shows_one_account_and_hides_the_others(
    page: Page, document: dict[str, Any]
) -> None:
    account = document["users"][-1]["account"]
    _choose(page, "account", account)
    visible = _visible(page)
    assert {row["account"] for row in visible} == {account}
    assert len(visible) == sum(1 for u in document["users"] if u["account"] == account)
    sections = page.evaluate(
        "Array.from(document.querySelectorAll('section.account-users'))"
        ".filter(s => s.offsetParent !== null).map(s => s.dataset.account)"
    )
    assert sections == [account]


def test_the_confidence_filter_shows_that_confidence(page: Page, document: dict[str, Any]) -> None:
    _choose(page, "confidence", "medium")
    visible = _visible(page)
    assert visible
    assert {row["confidence"] for row in visible} == {"medium"}
    assert len(visible) == sum(1 for u in document["users"] if u["confidence"] == "medium")


def test_the_needs_a_person_filter_shows_the_open_users(page: Page, plan: Plan) -> None:
    _choose(page, "open-only", "yes")
    names = sorted(row["text"].split("\n")[0] for row in _visible(page))
    assert names == sorted(user.name for user in plan.open_users)


def test_search_matches_what_the_row_says(page: Page, document: dict[str, Any]) -> None:
    page.type_text("#search", "console password used")
    visible = _visible(page)
    assert visible
    assert all("console password used" in row["text"] for row in visible)
    assert len(visible) < len(document["users"])


def test_hostile_names_render_as_text_and_run_nothing(browser: Browser, tmp_path: Path) -> None:
    for page in open_rendered(browser, tmp_path, hostile_plan()):
        assert page.console_errors == []
        assert page.dialogs == []
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('img, b, svg[onload]').length") == 0
        assert page.evaluate("document.scripts.length") == 2  # the data block and ours
        text = page.evaluate("document.body.innerText")
        for name in (*HOSTILE_NAMES, HOSTILE_CI_USER, HOSTILE_PATH):
            assert name in text, name
        assert page.evaluate("document.title").startswith("keyless plan")
