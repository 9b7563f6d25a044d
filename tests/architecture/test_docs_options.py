"""Every option of every command is described somewhere in docs/: an option added to the
CLI without a word in the documentation is a test failure, not a surprise for users."""

from __future__ import annotations

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
