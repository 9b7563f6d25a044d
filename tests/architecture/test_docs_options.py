"""Every option of every command is described somewhere in docs/: an option added to the
CLI without a word in the documentation is a test failure, not a surprise for users."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from keyless.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


def commands(group: click.Group, context: click.Context) -> Iterator[tuple[str, click.Command]]:
    """Every leaf command under ``group``, with its full name (``workflows fix``)."""
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            for inner, leaf in commands(command, context):
                yield f"{name} {inner}", leaf
        else:
            yield name, command


def undocumented(command: click.Command, text: str) -> list[str]:
    """The long options of ``command`` that ``text`` never names (a boolean flag pair is
    documented when either spelling is)."""
    missing = []
    for parameter in command.params:
        if not isinstance(parameter, click.Option) or parameter.hidden:
            continue
        spellings = [o for o in (*parameter.opts, *parameter.secondary_opts) if o.startswith("--")]
        if spellings and not any(s in text for s in spellings):
            missing.append(spellings[0])
    return missing


def test_the_detector_finds_an_option_no_page_names() -> None:
    @click.command()
    @click.option("--format")
    @click.option("--color/--no-color")
    def tool(format: str, color: bool) -> None: ...

    assert undocumented(tool, "`--no-color` turns colour off") == ["--format"]


def test_every_option_is_documented() -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOCS.glob("*.md"))
    context = click.Context(cli)
    found = {name: undocumented(command, text) for name, command in commands(cli, context)}
    assert len(found) >= 10, sorted(found)  # the walk reached the commands
    assert {name: missing for name, missing in found.items() if missing} == {}


PAGES = (DOCS.parent / "README.md", *sorted(DOCS.glob("*.md")), DOCS / "examples" / "README.md")


def command_lines(text: str) -> list[str]:
    """Every keyless command a page shows: in a code span, on a line of its own (``$ ``
    optional), with the indented lines that continue a synopsis; a trailing ``# …``
    comment is not part of it."""
    found = re.findall(r"`(keyless [^`]+)`", text)
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\s*(\$ )?keyless \w", line):
            command = line.strip().removeprefix("$ ")
            for following in lines[number + 1 :]:
                if not re.match(r"^\s+[\[(-]", following):
                    break
                command += " " + following.strip()
            found.append(command)
    return [command.split(" # ")[0] for command in found]


def unknown_options(command_line: str, context: click.Context) -> list[str]:
    """The long options ``command_line`` gives that its (sub)command does not have."""
    command: click.Command = cli
    for word in command_line.split()[1:]:
        inner = command.get_command(context, word) if isinstance(command, click.Group) else None
        if inner is None:
            break
        command = inner
    if command is cli:
        return []
    known = {"--help"}
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            known.update((*parameter.opts, *parameter.secondary_opts))
    named = re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", command_line)
    return [option for option in named if option not in known]


def test_the_detector_finds_an_option_a_command_lacks() -> None:
    context = click.Context(cli)
    page = "Run `keyless scan --demo --colour`, or\n\n    keyless plan --demo \\\n      [--nope]\n"
    assert [unknown_options(c, context) for c in command_lines(page)] == [
        ["--colour"],
        ["--nope"],
    ]


def test_every_option_a_page_names_exists() -> None:
    context = click.Context(cli)
    lines = [line for page in PAGES for line in command_lines(page.read_text(encoding="utf-8"))]
    assert len(lines) >= 200  # the walk reached the pages' commands
    found = {
        f"{page.name}: {line}": missing
        for page in PAGES
        for line in command_lines(page.read_text(encoding="utf-8"))
        if (missing := unknown_options(line, context))
    }
    assert found == {}
