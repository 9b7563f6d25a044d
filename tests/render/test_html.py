"""The HTML report as a document: escaped, self-contained, and carrying the same numbers
as the JSON document. (tests/render/test_html_browser.py opens it in a real browser.)"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

from keyless.engine import run_checks
from keyless.render import Format, RenderOptions, render
from keyless.render.jsonout import scan_document
from tests.render.hostile import HOSTILE_ALIAS, hostile_scan


class Elements(HTMLParser):
    """Every start tag, and the raw text of each <script> and <style> element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data


def _parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def _html() -> str:
    return render(hostile_scan(), Format.HTML, RenderOptions())


def test_hostile_names_are_text_not_markup() -> None:
    elements = _parse(_html())
    tags = {tag for tag, _ in elements.tags}
    assert "img" not in tags
    assert "b" not in tags
    assert not any(name.startswith("on") for _, attrs in elements.tags for name in attrs)
    assert len(elements.raw["script"]) == 2  # the summary data and the report's own script


def test_hostile_names_appear_escaped() -> None:
    html = _html()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/title&gt;&lt;svg onload=alert(4)&gt;" in html
    assert HOSTILE_ALIAS not in html


def test_a_closing_script_tag_in_a_name_cannot_end_the_data_block() -> None:
    elements = _parse(_html())
    data = next(s for s in elements.raw["script"] if s.startswith("{"))
    assert "</" not in data
    expected = scan_document(hostile_scan())["summary"]
    assert json.loads(data) == json.loads(json.dumps(expected))
    assert [a["label"] for a in json.loads(data)["accounts"]] == [f"{HOSTILE_ALIAS} (111122223333)"]


def test_the_policy_allows_exactly_the_inline_style_and_script() -> None:
    elements = _parse(_html())
    (policy,) = [
        attrs["content"]
        for tag, attrs in elements.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    (style,) = elements.raw["style"]
    script = next(s for s in elements.raw["script"] if not s.startswith("{"))
    assert directives["style-src"] == digest(style)
    assert directives["script-src"] == digest(script)


def test_nothing_refers_outside_the_file() -> None:
    html = _html()
    elements = _parse(html)
    for tag, attrs in elements.tags:
        assert "src" not in attrs, tag
        if tag == "link":
            raise AssertionError(f"a <link> would load something: {attrs}")
    assert not re.search(r"url\(", html)
    assert "@import" not in html


def test_every_finding_is_in_the_report() -> None:
    result = hostile_scan()
    elements = _parse(render(result, Format.HTML, RenderOptions()))
    rows = [attrs for tag, attrs in elements.tags if ("class", "finding") in attrs.items()]
    assert len(rows) == len(result.findings)
    assert {r["data-check"] for r in rows} == {f.check for f in result.findings}


def test_what_could_not_be_read_is_listed() -> None:
    from keyless.engine import run_checks
    from keyless.model import AccountStatus, Dataset
    from tests.builders import NOW, OTHER_ACCOUNT_ID, make_account, make_inventory

    users = hostile_scan().estate.accounts[0].users
    blind = make_account(users=users, missing={Dataset.CREDENTIAL_REPORT})
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="<b>denied</b>")
    result = run_checks(make_inventory(blind, failed), now=NOW)
    html = render(result, Format.HTML, RenderOptions())
    unread = html[html.index('id="unread"') :]
    assert "&lt;b&gt;denied&lt;/b&gt;" in unread
    assert "credential_report: not collected" in unread  # why the checks could not run
    assert "key-not-rotated" in unread  # a check that could not run there
    assert 'data-exit-code="3"' in html


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("admin\u202egnp.exe", "admin\\u202egnp.exe"),
        ("ops\u2066x\u2069", "ops\\u2066x\\u2069"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
    ],
)
def test_format_characters_in_a_name_are_shown_not_obeyed(name: str, shown: str) -> None:
    from tests.builders import NOW, make_key, make_user
    from tests.plan.support import plan_of
    from tests.render.hostile import hostile_estate

    estate = hostile_estate(make_user(name, keys=[make_key(age_days=500)], console=True))
    scan_page = render(run_checks(estate, now=NOW), Format.HTML, RenderOptions())
    plan_page = render(plan_of(estate), Format.HTML, RenderOptions())
    for page in (scan_page, plan_page):
        assert name not in page
        assert shown in page
