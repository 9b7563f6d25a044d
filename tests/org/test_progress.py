"""The progress reporter: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from keyless.cli.progress import ProgressReporter, progress_reporter, waiting_message


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal() -> None:
    output = io.StringIO()
    with progress_reporter(output) as progress:
        progress(0, 0, 3)
        progress(2, 1, 0)
    assert output.getvalue() == ""


def test_draws_on_a_terminal() -> None:
    output = FakeTerminal()
    reporter = ProgressReporter(Console(file=output, force_terminal=True, width=100))
    assert reporter.enabled
    reporter.start()
    reporter(2, 1, 3)
    reporter.stop()
    text = output.getvalue()
    assert "2 done" in text
    assert "1 failed" in text
    assert "3 remaining" in text


def test_calls_after_stop_are_ignored() -> None:
    output = FakeTerminal()
    reporter = ProgressReporter(Console(file=output, force_terminal=True))
    reporter.start()
    reporter.stop()
    drawn = output.getvalue()
    reporter(1, 0, 0)
    assert output.getvalue() == drawn


def test_waiting_message_is_silent_when_not_a_terminal() -> None:
    output = io.StringIO()
    with waiting_message("contacting AWS", output) as step:
        step("reading the account")
    assert output.getvalue() == ""


def test_waiting_message_on_a_terminal_shows_the_current_step() -> None:
    output = FakeTerminal()
    with waiting_message("contacting AWS", output) as step:
        step("waiting for the credential report")
    assert "waiting for the credential report" in output.getvalue()


def test_waiting_message_shows_markup_as_text() -> None:
    output = FakeTerminal()
    with waiting_message("reading [bold]x[/bold]", output):
        pass
    assert "[bold]x[/bold]" in output.getvalue()
