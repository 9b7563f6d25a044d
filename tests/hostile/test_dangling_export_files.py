"""A file of an offline export that is a symbolic link to nothing (or to itself): it was
taken for an absent file ("credential-report.csv not in the export", an optional file
silently skipped), which sends the user looking for a file that is there. Refused (exit 2)
naming the link and its target, as a path option that is such a link is; a loop says it
is one, where it said its target "does not exist"."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


@pytest.mark.parametrize(
    "name",
    [
        "authorization-details.json",
        "credential-report.csv",
        "oidc-providers.json",
        "virtual-mfa-devices.json",
        "account.json",
    ],
)
def test_a_link_to_nothing_is_refused_naming_its_target(tmp_path: Path, name: str) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    link = export / name
    link.unlink()
    link.symlink_to(tmp_path / "elsewhere" / "gone.json")

    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])

    assert result.exit_code == 2, result.output
    assert f"keyless: error: {link}: is a symbolic link to '" in result.stderr
    assert "which does not exist" in result.stderr
    assert "not in the export" not in result.output


def _loop(link: Path) -> None:
    link.symlink_to(link)


def _loop_of_two(link: Path) -> None:
    other = link.with_name("other")
    link.symlink_to(other)
    other.symlink_to(link)


def _long_chain(link: Path) -> None:
    """Longer than the 40 links the system follows: ELOOP, as a loop is."""
    target = link.parent.parent / "report.csv"
    shutil.copy(link.parent / "authorization-details.json", target)
    for n in range(50):
        step = link.parent.parent / f"step-{n}"
        step.symlink_to(target)
        target = step
    link.symlink_to(target)


@pytest.mark.parametrize("name", ["credential-report.csv", "oidc-providers.json", "account.json"])
@pytest.mark.parametrize("make", [_loop, _loop_of_two, _long_chain])
def test_a_link_that_never_reaches_a_file_says_so(
    tmp_path: Path, name: str, make: Callable[[Path], None]
) -> None:
    """A loop was "a symbolic link to itself, which does not exist": the link is there,
    and so is its target; what is wrong is that following it never ends."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    link = export / name
    link.unlink()
    make(link)

    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])

    assert result.exit_code == 2, result.output
    assert f"keyless: error: {link}: is a symbolic link to '" in result.stderr
    assert "never reaches a file (a loop of symbolic links" in result.stderr
    assert "does not exist" not in result.output


def test_a_link_whose_target_cannot_be_looked_up_says_why(tmp_path: Path) -> None:
    """A target name longer than the system looks up was an OSError traceback."""
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    link = export / "credential-report.csv"
    link.unlink()
    link.symlink_to("x" * 300)

    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])

    assert result.exit_code == 2, result.output
    assert f"keyless: error: {link}: cannot be read (File name too long)" in result.stderr
