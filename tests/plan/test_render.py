"""The people-facing renderings: hostile values stay text in Markdown (checked by a
CommonMark parser) and in the terminal (never read as markup)."""

from __future__ import annotations

import io

from markdown_it import MarkdownIt
from rich.console import Console

from keyless.plan.model import Plan
from keyless.render.plan import md, plan_markdown, render_explain, render_plan_text
from tests.builders import make_inventory, make_key, make_user
from tests.plan.support import plan_of

HOSTILE = "[x](https://evil.example)<img src=x>|`*_@evil.example"


def _plan() -> Plan:
    user = make_user("mallory", console=True, tags={"email": HOSTILE})
    return plan_of(make_inventory(users=[user]))


def _tokens(markdown: str) -> list[str]:
    parser = MarkdownIt("commonmark").enable("table")
    found = []
    for token in parser.parse(markdown):
        found.append(token.type)
        found.extend(child.type for child in token.children or [])
    return found


def test_escaped_text_reads_back_as_itself() -> None:
    rendered = MarkdownIt("commonmark").renderInline(md(HOSTILE))
    assert "<a " not in rendered
    assert "<img" not in rendered
    assert "[x](https://evil.example)" in rendered


def test_a_hostile_email_opens_no_link_html_or_cell() -> None:
    markdown = plan_markdown(_plan())
    types = _tokens(markdown)
    assert "link_open" not in types
    assert "html_inline" not in types
    assert "html_block" not in types
    row = next(line for line in markdown.splitlines() if line.startswith("| mallory"))
    assert row.count(" | ") == 4  # five cells: the value's | is escaped


def test_terminal_text_is_not_read_as_markup() -> None:
    # An IAM path may hold brackets ([\x21-\x7E]); the CI path signal quotes it.
    user = make_user("mallory", keys=[make_key(last_used_days=1)], path="/ci/[bold red]x[/]/")
    buffer = io.StringIO()
    plan = plan_of(make_inventory(users=[user]))
    render_plan_text(plan, Console(file=buffer, width=200, no_color=True))
    render_explain(plan, plan.users, Console(file=buffer, width=200, no_color=True))
    assert "/ci/[bold red]x[/]/" in buffer.getvalue()


def _text(plan: Plan) -> str:
    buffer = io.StringIO()
    render_plan_text(plan, Console(file=buffer, width=200, no_color=True))
    return buffer.getvalue()


def test_the_retire_total_says_which_users_go_outright() -> None:
    # The header counted `retire 1` and the footer "To retire: 2 IAM users": every user
    # the plan decides goes in the end, and the text did not say that the other waits.
    person = make_user("alice", console=True, tags={"email": "alice@example.com"})
    idle = make_user("stale-bot", keys=[make_key(last_used_days=400)])
    text = _text(plan_of(make_inventory(users=[person, idle])))

    assert "retire 1 " in text
    assert "To retire: 2 IAM users with 1 access key (1 outright, 1 once their replacement" in text


def test_the_retire_total_of_users_who_all_go_outright_is_not_split() -> None:
    idle = make_user("stale-bot", keys=[make_key(last_used_days=400)])
    assert "To retire: 1 IAM user with 1 access key\n" in _text(
        plan_of(make_inventory(users=[idle]))
    )


def test_the_footer_and_policies_are_counted_in_words_a_newcomer_reads() -> None:
    # `make demo` printed "inline (1 statements)" and "Never broader: 6 proved", which
    # does not say what is never broader than what.
    inline = {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    person = make_user("alice", console=True, tags={"email": "a@example.com"}, inline=[inline])
    text = _text(plan_of(make_inventory(users=[person])))

    assert "inline (1 statement)" in text
    assert "Targets never broader than their users: 1 proved, 0 failed, 0 unproved" in text


def test_a_key_never_used_is_said_so_in_the_explanation() -> None:
    idle = make_user("stale-bot", keys=[make_key(age_days=400, last_used_days=None)])
    plan = plan_of(make_inventory(users=[idle]))
    buffer = io.StringIO()
    render_explain(plan, plan.users, Console(file=buffer, width=200, no_color=True))

    assert "(active, never used)" in buffer.getvalue()
    assert "last used never" not in buffer.getvalue()
