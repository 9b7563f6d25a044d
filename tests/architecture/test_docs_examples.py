"""The runnable examples of README.md and docs/ (see :mod:`tests.architecture.runnable_docs`
for how a page marks them) run as the pages say, and the blocks that show a file show it
as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.runnable_docs import (
    PAGES,
    ROOT,
    Command,
    Example,
    asserted,
    differs,
    examples,
    missing_output,
    pages_with_examples,
    parse_page,
    run_example,
    scratch_copy,
    shown_files,
    unmarked_console_blocks,
)


def test_the_parser_reads_commands_outputs_and_exit_codes() -> None:
    page = "\n".join(
        [
            "<!-- run: cwd=docs/examples writes=out.json -->",
            "```console",
            "$ keyless simulate --trust-policy a.json \\",
            "    --principal 111122223333",
            "DENY  sts:AssumeRole",
            "…",
            "$ echo $?",
            "1",
            "```",
            "<!-- run: exit=2,0 commands=2 -->",
            "```sh",
            "keyless scan --format pdf   # refused",
            "# a comment",
            "keyless trust x.json",
            "keyless scan --org",
            "```",
        ]
    )
    first, second = parse_page("page.md", page)
    assert first == Example(
        "page.md",
        1,
        "docs/examples",
        (
            Command(
                "keyless simulate --trust-policy a.json --principal 111122223333",
                1,
                ("DENY  sts:AssumeRole", "…"),
            ),
        ),
        ("out.json",),
    )
    assert [(c.text, c.exit_code) for c in second.commands] == [
        ("keyless scan --format pdf   # refused", 2),
        ("keyless trust x.json", 0),
    ]


def test_a_python_example_asserts_the_values_its_comments_give() -> None:
    program = ["x = 1", "x == 1          # True", "    x == 2  # False", "x  # the value"]
    assert asserted(program).splitlines() == [
        "x = 1",
        'assert (x == 1) is True, "x == 1"',
        "    x == 2  # False",
        "x  # the value",
    ]


def test_a_marker_must_say_every_exit_code() -> None:
    with pytest.raises(AssertionError, match="say the exit"):
        parse_page("page.md", "<!-- run -->\n```sh\nkeyless history\n```\n")


def test_the_matcher_ignores_wrapping_and_sees_a_changed_line() -> None:
    printed = "Findings 7 critical  21\n   high\nwrote plan.json at 2026-12-07\n"
    assert missing_output(("Findings 7 critical 21 high", "wrote … at …"), printed) is None
    assert missing_output(("Findings 7 critical 22 high",), printed) == (
        "Findings 7 critical 22 high"
    )
    # In order: a line the output shows only before the previous one is missing.
    assert missing_output(("wrote", "Findings"), printed) == "Findings"


def test_a_broken_example_is_reported(tmp_path: Path) -> None:
    page = "\n".join(
        [
            "<!-- run: writes=never.txt -->",
            "```console",
            "$ keyless scan --format pdf",
            "keyless: error: Invalid value for '--format'",
            "$ echo $?",
            "0",
            "$ keyless --version",
            "keyless, version 99",
            "$ echo $?",
            "0",
            "```",
        ]
    )
    (example,) = parse_page("page.md", page)
    problems = run_example(example, scratch_copy(tmp_path))
    assert [p.splitlines()[-1] for p in problems[:1]] == ["exit 2, documented 0"]
    assert "does not print 'keyless, version 99'" in problems[1]
    assert problems[2] == "page.md:1: wrote no never.txt"
    assert len(problems) == 3


def test_the_pages_mark_their_runnable_examples() -> None:
    pages = pages_with_examples()
    assert "README.md" in pages
    assert len(examples()) >= 25, pages  # 28 when written: a lost marker shows


def test_a_block_that_shows_a_file_shows_it_as_it_is() -> None:
    shown = [s for p in PAGES for s in shown_files(p.name, p.read_text(encoding="utf-8"))]
    assert len(shown) >= 3
    assert [where for where, path, info, body in shown if differs(ROOT / path, info, body)] == []


def test_a_block_that_no_longer_shows_its_file_is_seen(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}')
    assert not differs(policy, "json", '{"Statement": [], "Version": "2012-10-17"}')
    assert differs(policy, "json", '{"Version": "2008-10-17", "Statement": []}')
    assert differs(policy, "", '{"Version": "2012-10-17", "Statement": []}\n')


def test_every_console_block_runs_or_says_why_not() -> None:
    found = [w for p in PAGES for w in unmarked_console_blocks(p.name, p.read_text("utf-8"))]
    assert found == []


def test_an_unmarked_console_block_is_seen() -> None:
    page = "<!-- run -->\n```console\n$ keyless\n```\n```console\n$ keyless\n```\n"
    page += "<!-- not run: needs AWS -->\n```console\n$ keyless scan\n```\n"
    assert unmarked_console_blocks("page.md", page) == ["page.md:5"]


@pytest.mark.slow  # a page's commands build the demo estate again and again: seconds each
@pytest.mark.parametrize("page", pages_with_examples())
def test_the_examples_of_a_page_run_as_documented(page: str, tmp_path: Path) -> None:
    scratch = scratch_copy(tmp_path)
    problems = []
    for example in (e for e in examples() if e.page == page):
        problems += run_example(example, scratch)
    assert problems == [], "\n\n".join(problems)
