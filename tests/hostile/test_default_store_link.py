"""The default history store, ``.keyless/history.sqlite3`` under the working directory,
when ``.keyless`` is a symbolic link. The working directory is often a checkout, and a
repository can ship such a link: `scan --record` followed it and created the store
wherever it led, outside the directory the user works in, without the user naming any
path. A store written through a link is refused; an explicit ``--store`` is the user's
path, whose directories are followed as every output's are (docs/files.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    snapshot = tmp_path / "demo.json"
    assert CliRunner().invoke(cli, ["collect", "--demo", "--out", str(snapshot)]).exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / ".keyless").symlink_to(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path / "checkout")
    return tmp_path


def record(snapshot: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["scan", "--snapshot", str(snapshot), "--record", "-q", *args])


def test_the_default_store_is_not_written_through_a_linked_directory(checkout: Path) -> None:
    result = record(checkout / "demo.json")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (
        "keyless: error: .keyless/history.sqlite3: refusing to write the store through a"
        " symbolic link (.keyless)"
    )
    assert list((checkout / "elsewhere").iterdir()) == []


def test_a_store_the_user_names_is_written(checkout: Path) -> None:
    store = checkout / "elsewhere" / "history.sqlite3"
    result = record(checkout / "demo.json", "--store", str(store))
    assert result.exit_code == 1, result.output
    assert store.is_file()


def test_the_default_store_is_created_in_a_real_directory(checkout: Path) -> None:
    (checkout / "checkout" / ".keyless").unlink()
    result = record(checkout / "demo.json")
    assert result.exit_code == 1, result.output
    assert (checkout / "checkout" / ".keyless" / "history.sqlite3").is_file()
