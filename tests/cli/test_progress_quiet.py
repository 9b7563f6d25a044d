"""Progress on a terminal, silence elsewhere and with --quiet."""

from __future__ import annotations

import io

import click
from click.testing import CliRunner

from keyless.cli.progress import counting, progress_reporter, quiet_option, waiting_message


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


def _counting_command(screen: io.StringIO, counts: list[tuple[int, int]]) -> click.Command:
    @click.command()
    def work() -> None:
        with counting("users", file=screen) as tally:
            for done, total in counts:
                tally(done, total)

    return work


def test_a_count_is_shown_once_its_total_is_known() -> None:
    screen = FakeTerminal()
    assert CliRunner().invoke(_counting_command(screen, [(0, 3), (2, 3)]), []).exit_code == 0
    assert "2/3" in screen.getvalue()
    assert "/?" not in screen.getvalue()


def test_no_count_no_bar() -> None:
    # While AWS is contacted nothing has been counted: no "0/?" bar meanwhile.
    screen = FakeTerminal()
    assert CliRunner().invoke(_counting_command(screen, []), []).exit_code == 0
    assert screen.getvalue() == ""
