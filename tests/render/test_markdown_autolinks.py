"""Names that GitHub-flavoured Markdown turns into links with no syntax at all (extended
autolinks: ``www.evil.example``, ``https://…``, ``alice@evil.example``, ``mailto:…``;
https://github.github.com/gfm/#autolinks-extension-) or into mentions. IAM user names
may hold ``.`` and ``@``; account errors and paths hold anything. The report is rendered
by cmark-gfm (GitHub's own parser, with its autolink extension): no link at all, and no
linkable word left outside a code span, where neither the parser nor GitHub's later pass
over the text (which links e-mail addresses whatever their backslashes) looks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
import pytest

from keyless.engine import ScanResult, run_checks
from keyless.model import AccountStatus
from keyless.render import Format, RenderOptions, render
from keyless.text_markdown import escape
from tests.builders import NOW, OTHER_ACCOUNT_ID, make_account, make_inventory, make_key, make_user

LINKING_NAMES = (
    "www.evil.example",
    "evil.example",
    "alice@evil.example",
    "x_www.evil.example",
    "(www.evil.example)",
    "ci*www.evil.example",
    "mailto:alice@evil.example",
    "xmpp:alice@evil.example",
    "@security-team",
    "http://localhost",
)
LINKING_ERROR = "denied, see https://evil.example/login|www.evil.example or <http://evil.example>"

#: What GFM links or GitHub mentions in text: a scheme, www., an address or a domain.
LINKABLE_TEXT = re.compile(r"https?:|mailto:|xmpp:|www\.|@|\w\.\w", re.IGNORECASE)


class TextOutsideCode(HTMLParser):
    """The text of an HTML fragment outside ``<code>``, and the links in it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "code"
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "code"

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.text.append(data)


def on_github(markdown: str) -> TextOutsideCode:
    page = TextOutsideCode()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(markdown))
    return page


def linking_scan() -> ScanResult:
    users = [make_user(name, keys=[make_key(age_days=400)]) for name in LINKING_NAMES]
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error=LINKING_ERROR)
    home = make_account(users=users, alias="www.evil.example")
    return run_checks(make_inventory(home, failed), now=NOW)


def test_the_report_links_nothing_and_leaves_no_linkable_text() -> None:
    text = render(linking_scan(), Format.MARKDOWN, RenderOptions())
    page = on_github(text)
    assert page.links == []
    outside = "".join(page.text)
    assert LINKABLE_TEXT.findall(outside) == []
    for name in LINKING_NAMES:
        assert name in text  # shown, whole, in a code span


@pytest.mark.parametrize("name", [*LINKING_NAMES, LINKING_ERROR])
def test_a_linking_value_is_text_in_a_paragraph_and_in_a_cell(name: str) -> None:
    for markdown in (
        f"user {escape(name)} has a key",
        f"| a | b |\n|---|---|\n| {escape(name)} | x |",
    ):
        page = on_github(markdown)
        assert page.links == []
        assert LINKABLE_TEXT.findall("".join(page.text)) == []


def test_a_table_cell_keeps_its_pipe_outside_the_code_span() -> None:
    # A code span in a cell cannot hold a bare |: the word stops there.
    table = f"| a | b |\n|---|---|\n| {escape('x|www.evil.example')} | y |"
    html = cmarkgfm.github_flavored_markdown_to_html(table)
    assert "<td>x|<code>www.evil.example</code></td>\n<td>y</td>" in html


def test_sentences_times_and_dotless_arns_stay_plain_text() -> None:
    for text in (
        "rotate it: the key is 400 days old.",
        "read at 2026-12-07 02:17, denied",
        "arn:aws:iam::111122223333:user/ci",
    ):
        assert escape(text) == text


@pytest.mark.parametrize("name", [*LINKING_NAMES, LINKING_ERROR])
def test_the_plan_markdown_links_nothing_either(name: str) -> None:
    from keyless.render.plan import md

    page = on_github(f"| user | why |\n|---|---|\n| {md(name)} | {md('see ' + name)} |")
    assert page.links == []
    assert LINKABLE_TEXT.findall("".join(page.text)) == []


@pytest.mark.parametrize("name", LINKING_NAMES)
def test_the_generated_readme_links_nothing_either(name: str) -> None:
    """`keyless generate` writes a README from plan values (user names, emails): the same
    escaping (keyless.text_markdown), so a crafted name links nothing there either."""
    from keyless.generate.readme import md

    for markdown in (f"Generated for {md(name)}.", f"| a | b |\n|---|---|\n| {md(name)} | y |"):
        page = on_github(markdown)
        assert page.links == []
        assert LINKABLE_TEXT.findall("".join(page.text)) == []
