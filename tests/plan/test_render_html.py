"""``keyless plan --format html`` as a document: the numbers of the plan document, every
user and target, hostile values as text, and the scan report's self-contained page.
(tests/render/test_plan_html_browser.py opens it in a real browser.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from keyless.model import AccountStatus, Inventory
from keyless.plan.document import plan_document
from keyless.plan.model import Plan
from keyless.render import Format, RenderOptions, formats, render
from tests.builders import OTHER_ACCOUNT_ID, make_account, make_inventory, make_key, make_user
from tests.plan.support import export_plan, plan_of
from tests.render.hostile import HOSTILE_ALIAS, HOSTILE_CI_USER, HOSTILE_PATH, hostile_plan
from tests.render.test_html import Elements


@pytest.fixture(scope="module")
def demo_plan(demo: Inventory) -> Plan:
    return plan_of(demo)


def _html(plan: Plan) -> str:
    return render(plan, Format.HTML, RenderOptions())


def _parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def _cards(html: str) -> dict[str, str]:
    found = re.findall(
        r'data-summary="([^"]+)"><span class="value">([^<]*)</span>', html, flags=re.S
    )
    return dict(found)


def _lookup(document: dict[str, Any], key: str) -> object:
    if key == "accounts":
        return len(document["source"]["accounts"])
    value: Any = document["summary"]
    for part in key.split("."):
        value = value[part]
    return value


def test_plan_has_an_html_format() -> None:
    assert Format.HTML in formats("plan")


def test_every_summary_card_equals_the_plan_document(demo_plan: Plan) -> None:
    document = plan_document(demo_plan)
    cards = _cards(_html(demo_plan))
    assert {"accounts", "users", "open", "keys_to_retire", "proofs.proved"} <= set(cards)
    assert {f"destinations.{d}" for d in document["summary"]["destinations"]} <= set(cards)
    for key, shown in cards.items():
        assert shown == str(_lookup(document, key)), key


def test_the_embedded_summary_is_the_plan_documents(demo_plan: Plan) -> None:
    elements = _parse(_html(demo_plan))
    data = next(s for s in elements.raw["script"] if s.startswith("{"))
    assert json.loads(data) == plan_document(demo_plan)["summary"]


def test_the_chart_draws_each_destination_with_its_count(demo_plan: Plan) -> None:
    html = _html(demo_plan)
    figure = html[html.index('id="chart-destinations"') : html.index("</figure>")]
    bars = dict(re.findall(r"<rect [^>]*><title>([a-z-]+): (\d+)</title>", figure))
    expected = plan_document(demo_plan)["summary"]["destinations"]
    assert {name: int(count) for name, count in bars.items()} == expected


def test_every_user_has_one_row_with_its_decision(demo_plan: Plan) -> None:
    rows = [attrs for tag, attrs in _parse(_html(demo_plan)).tags if attrs.get("class") == "user"]
    expected = [
        (u["account"], u["destination"], u["confidence"]) for u in plan_document(demo_plan)["users"]
    ]
    shown = [(r["data-account"], r["data-destination"], r["data-confidence"]) for r in rows]
    assert sorted(shown) == sorted(expected)


def test_users_that_need_a_person_are_listed_first_and_marked(demo_plan: Plan) -> None:
    html = _html(demo_plan)
    open_section = html[html.index('id="open"') : html.index('id="users"')]
    assert demo_plan.open_users
    for user in demo_plan.open_users:
        assert f"<strong>{user.name}</strong>" in open_section
        for item in user.decision.would_decide:
            assert item.split(":")[0] in open_section
    marked = [a for _, a in _parse(html).tags if a.get("data-open") == "yes"]
    assert len(marked) == len(demo_plan.open_users)


def test_a_plan_nobody_needs_to_look_at_says_so() -> None:
    plan = plan_of(make_inventory(users=[make_user("carol", console=True)]))
    assert not plan.open_users
    html = _html(plan)
    assert 'data-exit-code="0"' in html
    assert "Needs a person (0)" in html


def test_every_target_is_listed(export: Inventory) -> None:
    plan = export_plan(export)
    html = _html(plan).replace("&#34;", '"').replace("&#39;", "'")
    targets = html[html.index('id="targets"') : html.index('id="retire"')]
    names = [
        *(u.user_name for u in plan.identity_center_users),
        *(s.name for s in plan.permission_sets),
        *(r.name for r in (*plan.oidc_roles, *plan.roles_anywhere, *plan.workload_roles)),
        *(s.value for r in plan.oidc_roles for s in r.subjects),
    ]
    assert plan.oidc_roles
    assert plan.oidc_roles[0].subjects
    for name in names:
        assert name in targets, name


def test_every_user_to_retire_is_listed_with_its_keys(export: Inventory) -> None:
    plan = export_plan(export)
    rows = [a for _, a in _parse(_html(plan)).tags if a.get("class") == "retirement"]
    assert len(rows) == len(plan.retirements)


def test_accounts_not_read_are_named_and_exit_3() -> None:
    read = make_account(users=[make_user("carol", console=True)])
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="denied")
    html = _html(plan_of(make_inventory(read, failed)))
    unread = html[html.index('id="unread"') :]
    assert OTHER_ACCOUNT_ID in unread
    assert 'data-exit-code="3"' in html


def test_hostile_names_are_text_not_markup() -> None:
    elements = _parse(_html(hostile_plan()))
    tags = {tag for tag, _ in elements.tags}
    assert not tags & {"img", "b"}
    assert not any(name.startswith("on") for _, attrs in elements.tags for name in attrs)
    assert len(elements.raw["script"]) == 2  # the summary data and the report's own script


def test_hostile_names_appear_escaped() -> None:
    html = _html(hostile_plan())
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "ci-&lt;script&gt;window.pwned=5&lt;/script&gt;" in html
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(6)&gt;" in html
    for raw in (HOSTILE_ALIAS, HOSTILE_CI_USER, HOSTILE_PATH):
        assert raw not in html


def test_a_key_to_retire_shows_its_id_status_and_last_use() -> None:
    user = make_user("stale-bot", keys=[make_key(age_days=400, last_used_days=300)])
    plan = plan_of(make_inventory(users=[user]))
    (key,) = plan.retirements[0].keys
    assert key.key_id is not None
    assert key.last_used is not None
    retire = _html(plan)[_html(plan).index('id="retire"') :]
    assert f"{key.key_id} (active, last used {key.last_used:%Y-%m-%d %H:%M} UTC" in retire
