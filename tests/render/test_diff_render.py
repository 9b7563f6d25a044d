"""`keyless diff` text and Markdown with hostile names: shown as they are, never
interpreted (rich markup, Markdown links, HTML)."""

from __future__ import annotations

from dataclasses import replace

from markdown_it import MarkdownIt

from keyless.engine import run_checks
from keyless.render import Format, RenderOptions, render
from keyless.store import record_of_result
from keyless.store.diff import Diff, compare
from tests.builders import NOW, make_account, make_inventory
from tests.render.hostile import HOSTILE_NAMES, hostile_estate

MARKUP = "[bold red]forged[/bold red]"


def _diff() -> Diff:
    before = hostile_estate()
    account = before.accounts[0]
    after = replace(before, accounts=(make_account(account.id, users=[], alias=MARKUP),))
    old, new = (record_of_result(run_checks(i, now=NOW)) for i in (before, after))
    return compare(old, new, old_name="old.json", new_name="new.json")


def test_text_shows_every_removed_user_as_it_is() -> None:
    text = render(_diff(), Format.TEXT, RenderOptions())
    for name in HOSTILE_NAMES:
        assert name in text
    assert MARKUP in text


def test_markdown_opens_no_link_image_or_html() -> None:
    text = render(_diff(), Format.MARKDOWN, RenderOptions())
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    inline = [child for t in tokens if t.type == "inline" for child in t.children or []]
    assert {t.type for t in inline} & {"link_open", "image", "em_open", "s_open"} == set()
    assert [t.content for t in inline if t.type == "html_inline"] == ["<sub>", "</sub>"]
    assert not any(t.type == "html_block" for t in tokens)


def test_an_unchanged_estate_lists_its_accounts_as_unchanged() -> None:
    record = record_of_result(run_checks(make_inventory(make_account()), now=NOW))
    text = render(compare(record, record, old_name="a", new_name="b"), Format.TEXT)
    assert "No change in 1 account(s)" in text


def test_long_sources_keep_the_markdown_within_a_github_comment() -> None:
    """A snapshot's source may be 65,536 characters: both sides' in the heading put the
    comment past GitHub's limit (which refuses it) before a single change."""
    from keyless.render.markdown import GITHUB_COMMENT_LIMIT

    record = record_of_result(
        run_checks(make_inventory(make_account(), source="S|" * 30_000), now=NOW)
    )
    diff = compare(record, record, old_name="old.json", new_name="new.json")

    text = render(diff, Format.MARKDOWN, RenderOptions())

    assert len(text) <= GITHUB_COMMENT_LIMIT
