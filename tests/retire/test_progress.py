"""Progress of ``retire``, ``retire status`` and ``retire rollback``: the library counts
what it has dealt with of a known total, and the commands draw it on stderr only when
stderr is a terminal and ``--quiet`` was not given (rich's ``TTY_COMPATIBLE`` forces the
terminal either way)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.retire import (
    RetireRequest,
    RollbackRequest,
    Scope,
    Selection,
    retire,
    rollback,
    status,
)
from tests.retire.conftest import World
from tests.retire.estate import Key, Person


@pytest.fixture
def pair(world: World) -> World:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    world.estate.add(Person("bob", keys=(Key(age=400, used=100), Key(age=300, used=200))))
    return world


class Tallies(list[tuple[int, int]]):
    def __call__(self, done: int, total: int) -> None:
        self.append((done, total))


def counts_up_to(tallies: list[tuple[int, int]], total: int) -> bool:
    """From 0 to ``total`` of ``total``, never going back."""
    done = [d for d, _ in tallies]
    return (
        tallies[0] == (0, total)
        and tallies[-1] == (total, total)
        and all(t == total for _, t in tallies)
        and done == sorted(done)
    )


def test_retire_counts_the_selected_users(pair: World) -> None:
    tallies = Tallies()
    request = RetireRequest(Selection.from_options(["alice", "bob"], []), journal=pair.journal)
    retire(request, pair.reach(), clock=pair.clock(0), progress=tallies)
    assert counts_up_to(tallies, 2)


def test_status_counts_the_keys_out_of_service(pair: World) -> None:
    pair.retire("alice", "bob")
    tallies = Tallies()
    status(pair.reach(), journal_path=pair.journal, cloudtrail=False, progress=tallies)
    assert counts_up_to(tallies, 3)


def test_rollback_counts_keys_and_users(pair: World) -> None:
    pair.retire("alice", "bob")
    tallies = Tallies()
    rollback(RollbackRequest(Scope(), journal=pair.journal), pair.reach(), progress=tallies)
    assert counts_up_to(tallies, 3)


def run(monkeypatch: pytest.MonkeyPatch, world: World, terminal: bool, *args: str) -> Result:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")
    return CliRunner().invoke(cli, ["retire", *args, "--journal", str(world.journal)])


def test_retire_on_a_terminal_shows_users_done_of_total(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(monkeypatch, pair, True, "--user", "alice", "--user", "bob")
    assert result.exit_code == 0, result.stderr
    assert "users" in result.stderr
    assert "2/2" in result.stderr


def test_retire_quiet_on_a_terminal_shows_nothing(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(monkeypatch, pair, True, "--user", "alice", "--user", "bob", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_retire_off_a_terminal_shows_nothing(pair: World, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, pair, False, "--user", "alice", "--user", "bob")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_retire_output_is_the_same_with_or_without_progress(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = run(monkeypatch, pair, True, "--user", "alice", "--format", "json")
    quiet = run(monkeypatch, pair, True, "--user", "alice", "--format", "json", "-q")
    assert shown.stdout == quiet.stdout


def test_status_on_a_terminal_shows_keys_done_of_total(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.retire("alice", "bob")
    result = run(monkeypatch, pair, True, "status", "--no-cloudtrail")
    assert result.exit_code == 0, result.stderr
    assert "keys" in result.stderr
    assert "3/3" in result.stderr


def test_status_quiet_on_a_terminal_shows_nothing(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.retire("alice", "bob")
    result = run(monkeypatch, pair, True, "status", "--no-cloudtrail", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_rollback_on_a_terminal_shows_keys_and_users_done_of_total(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.retire("alice", "bob")
    result = run(monkeypatch, pair, True, "rollback")
    assert result.exit_code == 0, result.stderr
    assert "keys and users" in result.stderr
    assert "3/3" in result.stderr


def test_rollback_quiet_on_a_terminal_shows_nothing(
    pair: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.retire("alice", "bob")
    result = run(monkeypatch, pair, True, "rollback", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
