"""Whose history store it is. A store decides what `diff @previous @latest` calls fixed
and what a `history` gate sees: one another user owns or may edit is refused, and the
default store of the working directory (often a checkout a pull request can add files
to) is followed only when it looks like one keyless made there: owner-only, ignored by
the `.keyless/.gitignore` keyless writes, not a link."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.errors import InputError
from keyless.store import DEFAULT_STORE, open_store
from tests.store.support import record

#: An ID that is not the test's own (``nobody`` on most systems).
OTHER_USER = 65534


def _store(path: Path, scans: int = 2) -> Path:
    with open_store(path, create=True) as store:
        for day in range(scans):
            store.record(record(days_later=7 * day))
    return path


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a default store recorded by keyless."""
    monkeypatch.chdir(tmp_path)
    _store(DEFAULT_STORE)
    return tmp_path


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_refused(result: Result, message: str) -> str:
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_a_new_store_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = _store(tmp_path / "h.db", scans=1)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o664, 0o666, 0o620, 0o602])
@pytest.mark.parametrize("create", [False, True])
def test_a_named_store_others_may_write_is_refused(tmp_path: Path, mode: int, create: bool) -> None:
    path = _store(tmp_path / "h.db")
    path.chmod(mode)
    before = path.read_bytes()

    with pytest.raises(InputError, match=f"writable by other users \\(mode {mode:04o}\\)") as error:
        open_store(path, create=create)

    assert "chmod go-w" in error.value.describe()
    assert path.read_bytes() == before


def test_a_named_store_others_may_read_is_followed(tmp_path: Path) -> None:
    """A store downloaded as a CI artifact is 0644; it holds nothing secret."""
    path = _store(tmp_path / "h.db")
    path.chmod(0o644)
    with open_store(path) as store:
        assert len(store.scan_ids()) == 2


def test_a_named_store_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    path = _store(tmp_path / "h.db")
    os.chown(path, OTHER_USER, -1)
    with pytest.raises(InputError, match=f"belongs to another user \\(uid {OTHER_USER}\\)"):
        open_store(path)


def test_a_named_link_leads_to_the_file_that_is_checked(tmp_path: Path) -> None:
    target = _store(tmp_path / "h.db")
    (tmp_path / "link.db").symlink_to(target)
    with open_store(tmp_path / "link.db") as store:
        assert len(store.scan_ids()) == 2
    target.chmod(0o666)
    with pytest.raises(InputError, match="writable by other users"):
        open_store(tmp_path / "link.db")


def test_an_sqlite_journal_beside_the_store_from_someone_else_is_refused(tmp_path: Path) -> None:
    """SQLite plays a hot journal back into the database when it opens it."""
    path = _store(tmp_path / "h.db")
    beside = tmp_path / "h.db-journal"
    beside.write_bytes(b"not yours")
    beside.chmod(0o666)
    with pytest.raises(InputError, match="writable by other users") as error:
        open_store(path)
    assert error.value.where == str(beside)
    assert beside.read_bytes() == b"not yours"


@pytest.mark.parametrize(
    "command",
    [
        ["diff", "@previous", "@latest"],
        ["history"],
        ["history", "--format", "json"],
        ["scan", "--demo", "--record", "-q"],
    ],
)
def test_a_checked_out_default_store_drives_nothing(checkout: Path, command: list[str]) -> None:
    store = checkout / DEFAULT_STORE
    store.chmod(0o644)  # as `git checkout` writes a committed file
    before = store.read_bytes()

    stderr = assert_refused(_cli(*command), "open to other users (mode 0644)")

    assert "--store PATH" in stderr
    assert store.read_bytes() == before


def test_the_default_store_is_followed_as_keyless_made_it(checkout: Path) -> None:
    result = _cli("diff", "@previous", "@latest")
    assert result.exit_code in (0, 1), result.output
    assert _cli("history").exit_code == 0


@pytest.mark.parametrize(
    ("ignore", "problem"),
    [
        (None, "is missing"),
        ("# nothing\n", "ignores neither * nor history.sqlite3"),
        ("*.txt\n", "ignores neither * nor history.sqlite3"),
        ("*\n!history.sqlite3\n", "negated pattern"),
        ("x" * 70_000, "longer than"),
    ],
)
def test_a_default_store_git_does_not_ignore_is_refused(
    checkout: Path, ignore: str | None, problem: str
) -> None:
    gitignore = checkout / ".keyless" / ".gitignore"
    if ignore is None:
        gitignore.unlink()
    else:
        gitignore.write_text(ignore)

    stderr = assert_refused(_cli("history"), "the default store is not ignored by git")

    assert problem in stderr
    assert "--store PATH" in stderr


@pytest.mark.parametrize("ignore", ["*\n", "/history.sqlite3\n", "history.sqlite3  \n"])
def test_an_ignore_file_that_names_the_store_is_enough(checkout: Path, ignore: str) -> None:
    (checkout / ".keyless" / ".gitignore").write_text(ignore)
    assert _cli("history").exit_code == 0


def test_an_ignore_file_that_is_a_link_is_refused(checkout: Path) -> None:
    gitignore = checkout / ".keyless" / ".gitignore"
    (checkout / "ignore").write_text("*\n")
    gitignore.unlink()
    gitignore.symlink_to(checkout / "ignore")
    assert_refused(_cli("history"), "is not a regular file")


def test_a_default_store_that_is_a_link_is_refused(checkout: Path) -> None:
    store = checkout / DEFAULT_STORE
    store.rename(checkout / "mine.sqlite3")
    store.symlink_to(checkout / "mine.sqlite3")
    assert_refused(_cli("history"), "refusing a default store that is a symbolic link")


def test_the_default_store_is_not_read_through_a_linked_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere" / ".keyless").mkdir(parents=True)
    _store(tmp_path / "elsewhere" / DEFAULT_STORE)
    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / ".keyless").symlink_to(tmp_path / "elsewhere" / ".keyless")
    monkeypatch.chdir(tmp_path / "checkout")
    assert_refused(_cli("history"), "refusing to read the store through a symbolic link (.keyless)")


@pytest.fixture
def bare_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose `.keyless/` exists without an ignore file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".keyless").mkdir()
    return tmp_path


def test_a_new_default_store_gets_its_ignore_file(bare_directory: Path) -> None:
    _store(DEFAULT_STORE)
    assert (bare_directory / ".keyless" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert _cli("history").exit_code == 0


def test_recording_never_blesses_a_store_that_came_without_its_ignore_file(
    bare_directory: Path,
) -> None:
    with open_store(bare_directory / "made.sqlite3", create=True) as store:
        store.record(record())
    (bare_directory / "made.sqlite3").rename(bare_directory / DEFAULT_STORE)

    assert_refused(_cli("scan", "--demo", "--record", "-q"), "is missing")

    assert not (bare_directory / ".keyless" / ".gitignore").exists()
