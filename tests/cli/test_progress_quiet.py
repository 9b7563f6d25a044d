"""Progress on a terminal, silence elsewhere and with --quiet."""

from __future__ import annotations

import io

import click
from click.testing import CliRunner

from keyless.cli.progress import progress_reporter, quiet_option, waiting_message


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _command(screen: io.StringIO) -> click.Command:
    @click.command()
    @quiet_option
    def work() -> None:
        with waiting_message("scanning", file=screen) as step:
            step("reading [bold]prod[/bold]")
        with progress_reporter(screen) as progress:
            progress(1, 0, 1)

    return work


def test_a_terminal_sees_progress() -> None:
    screen = FakeTerminal()
    assert CliRunner().invoke(_command(screen), []).exit_code == 0
    assert "reading [bold]prod[/bold]" in screen.getvalue()  # shown as text, not markup
    assert "1 done" in screen.getvalue()


def test_quiet_silences_progress_on_a_terminal() -> None:
    screen = FakeTerminal()
    assert CliRunner().invoke(_command(screen), ["--quiet"]).exit_code == 0
    assert screen.getvalue() == ""


def test_a_pipe_sees_nothing() -> None:
    pipe = io.StringIO()
    assert CliRunner().invoke(_command(pipe), []).exit_code == 0
    assert pipe.getvalue() == ""
