"""The Markdown report, read back by a CommonMark parser with GitHub's table extension
(markdown-it-py): hostile names stay text in their cells, and the report fits in a
GitHub comment, saying how much it left out."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from keyless.engine import ScanResult, run_checks
from keyless.render import Format, RenderOptions, render
from keyless.render.markdown import GITHUB_COMMENT_LIMIT, scan_markdown_within
from keyless.text_markdown import escape
from tests.builders import NOW, make_inventory, make_key, make_user
from tests.render.hostile import HOSTILE_NAMES, hostile_scan


def _tokens(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def _inline(tokens: list[Token]) -> list[Token]:
    return [child for t in tokens if t.type == "inline" for child in t.children or []]


def _cell_texts(tokens: list[Token]) -> list[list[str]]:
    """The text of every cell, row by row (the text a reader sees)."""
    rows: list[list[str]] = []
    for n, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and tokens[n - 1].type in ("td_open", "th_open"):
            rows[-1].append("".join(c.content for c in token.children or []))
    return rows


def test_hostile_names_open_no_link_image_html_or_emphasis() -> None:
    inline = _inline(_tokens(render(hostile_scan(), Format.MARKDOWN, RenderOptions())))
    assert {t.type for t in inline} & {"link_open", "image", "em_open", "s_open"} == set()
    assert [t.content for t in inline if t.type == "html_inline"] == ["<sub>", "</sub>"]  # ours


def test_hostile_names_keep_their_cells_and_their_text() -> None:
    result = hostile_scan()
    rows = _cell_texts(_tokens(render(result, Format.MARKDOWN, RenderOptions())))
    findings = [row for row in rows if len(row) == 4 and row[0] != "severity"]
    assert len(findings) == len(result.findings)
    assert [row[2] for row in findings] == [f.resource for f in result.findings]
    assert [row[3] for row in findings] == [f.message for f in result.findings]
    for name in HOSTILE_NAMES:
        assert any(name in row[2] for row in findings)


def test_a_mention_mentions_nobody() -> None:
    # In a code span: GitHub mentions nobody there (see test_markdown_autolinks).
    assert escape("cc @security-team") == "cc `@security-team`"
    assert escape("alice@example.com") == "`alice@example.com`"


def test_a_line_break_cannot_start_a_block() -> None:
    assert "\n" not in escape("ci\n# heading\n- item")


def test_bidirectional_overrides_are_removed() -> None:
    assert "\u202e" not in escape("admin\u202egnp.exe")


def _big_result(users: int) -> ScanResult:
    many = [make_user(f"ci-user-{n:05d}", keys=[make_key(age_days=400)]) for n in range(users)]
    return run_checks(make_inventory(users=many), now=NOW)


def test_a_large_report_fits_a_github_comment_and_counts_what_it_left_out() -> None:
    result = _big_result(2000)
    text = render(result, Format.MARKDOWN, RenderOptions())
    assert len(text) <= GITHUB_COMMENT_LIMIT
    shown = sum(1 for row in _cell_texts(_tokens(text)) if len(row) == 4 and row[0] != "severity")
    note = re.search(r"… and (\d+) more findings not shown", text)
    assert note is not None
    left = int(note.group(1))
    assert shown + left == len(result.findings)
    assert 0 < shown < len(result.findings)


def test_a_small_limit_is_kept_too() -> None:
    result = _big_result(50)
    text = scan_markdown_within(result, RenderOptions(), 6000)
    assert len(text) <= 6000
    assert "more findings not shown" in text


def test_a_report_that_fits_leaves_nothing_out() -> None:
    text = render(hostile_scan(), Format.MARKDOWN, RenderOptions())
    assert "not shown" not in text


def test_an_account_not_read_is_said_and_escaped() -> None:
    from dataclasses import replace

    from keyless.model import AccountStatus
    from tests.builders import OTHER_ACCOUNT_ID, make_account

    estate = hostile_scan().estate
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="[x](javascript:1)")
    result = run_checks(replace(estate, accounts=(*estate.accounts, failed)), now=NOW)
    text = render(result, Format.MARKDOWN, RenderOptions())
    assert "### Not read or not evaluated" in text
    assert "exit code 3" in text
    inline = _inline(_tokens(text))
    assert "link_open" not in {t.type for t in inline}
    assert any("[x](javascript:1)" in t.content for t in inline if t.type == "text")


def test_suppressed_findings_are_counted_with_the_file_that_hid_them() -> None:
    from dataclasses import replace

    from keyless.config import Ignore
    from keyless.engine import apply_ignores

    result = _big_result(3)
    rule = Ignore(check="*", reason="accepted", source="keyless.toml", index=1)
    shown, hidden = apply_ignores(result.findings, [rule])
    text = render(
        replace(result, findings=shown, suppressed=hidden), Format.MARKDOWN, RenderOptions()
    )
    assert f"**Suppressed:** {len(hidden)} findings hidden by `keyless.toml`" in text
    assert not shown
    assert hidden


def test_thousands_of_unread_accounts_still_fit_and_are_counted() -> None:
    from dataclasses import replace

    from keyless.model import AccountStatus
    from tests.builders import make_account

    estate = hostile_scan().estate
    failed = tuple(
        make_account(f"{n:012d}", status=AccountStatus.FAILED, error="AccessDenied " * 20)
        for n in range(1500)
    )
    result = run_checks(replace(estate, accounts=(*estate.accounts, *failed)), now=NOW)
    text = render(result, Format.MARKDOWN, RenderOptions())
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert "more not read" in text


def test_a_large_plan_fits_a_github_comment() -> None:
    from keyless.render.markdown import cut

    lines = [f"| user-{n} | retire |" for n in range(10_000)]
    text = cut(lines, GITHUB_COMMENT_LIMIT, "lines")
    assert len(text) <= GITHUB_COMMENT_LIMIT
    note = re.search(r"… and (\d+) more lines not shown", text)
    assert note is not None
    assert int(note.group(1)) + text.count("| retire |") == 10_000


def test_long_estate_strings_keep_the_report_within_a_github_comment() -> None:
    """A snapshot's source and aliases may be 65,536 characters each (the snapshot
    reader's bound): written whole in the title, the account table and the list of what
    was not read, the report was five times GitHub's limit, which refuses the comment."""
    from dataclasses import replace

    from keyless.model import AccountStatus
    from tests.builders import make_account

    long = "a|" * 30_000
    accounts = [
        replace(
            make_account(f"{n:012d}", users=[make_user("ci", keys=[make_key(age_days=400)])]),
            alias=long,
        )
        for n in range(1, 5)
    ]
    accounts.append(
        replace(make_account("999999999999", alias=long), status=AccountStatus.FAILED, error=long)
    )
    result = run_checks(make_inventory(*accounts, source=long), now=NOW)

    text = render(result, Format.MARKDOWN, RenderOptions())

    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert "…" in text.splitlines()[0]
