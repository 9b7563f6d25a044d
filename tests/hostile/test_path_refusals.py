"""Every path option and argument refuses a bad path as every other bad input: one
``keyless: error: PATH: OPTION …`` line, exit 2, before any work — never click's usage
block (``Usage: … Try 'keyless scan -h' … Error: Invalid value for '--input': Directory
'x' does not exist.``), never a traceback, never a hang on a FIFO. So do click's own usage
errors (a ``--format`` choice, an unknown subcommand)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from keyless.cli import COMMANDS, LazyGroup, cli
from keyless.cli.paths import AnyPath, DirectoryPath, FilePath

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


def _missing(path: Path) -> str:
    return "does not exist"


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "is not a regular file (a FIFO, a socket or a device)"


def _dangling(path: Path) -> str:
    path.symlink_to(path.parent / "nothing")
    return f"is a symbolic link to {str(path.parent / 'nothing')!r}, which does not exist"


def _directory(path: Path) -> str:
    path.mkdir()
    return "names a directory: give a file"


def _file(path: Path) -> str:
    path.write_text("{}")
    return "is not a directory: give a directory"


def _unreadable(path: Path) -> str:
    path.write_text("{}")
    path.chmod(0)
    return "cannot be read (permission denied)"


#: Options that read an existing file: (arguments before the path, the option's name).
FILE_INPUTS = [
    (["scan", "--snapshot"], "--snapshot"),
    (["scan", "--demo", "--config"], "--config"),
    (["plan", "--demo", "--config"], "--config"),
    (["merge", "--out", "out.json"], "SNAPSHOTS"),
    (["plan", "--demo", "--check"], "--check"),
    (["generate", "--format", "scp", "--out", "out"], "PLAN"),
    (["retire", "--plan"], "--plan"),
    (["trust", "role", "--snapshot"], "--snapshot"),
    (["iac", ".", "--var-file"], "--var-file"),
    (["workflows", "scan", ".", "--config"], "--config"),
    (["diff", "@1", "@2", "--config"], "--config"),
]
#: Options that read an existing directory.
DIRECTORY_INPUTS = [
    (["scan", "--input"], "--input"),
    (["collect", "--out", "out.json", "--input"], "--input"),
    (["plan", "--input"], "--input"),
]


def _cases() -> list[object]:
    cases: list[object] = []
    for arguments, option in FILE_INPUTS:
        for make in (_missing, _fifo, _dangling, _directory):
            name = f"{arguments[0]}-{option}-{make.__name__[1:]}"
            cases.append(pytest.param(arguments, option, make, id=name))
    for arguments, option in DIRECTORY_INPUTS:
        for make in (_missing, _dangling, _file):
            name = f"{arguments[0]}-{option}-{make.__name__[1:]}"
            cases.append(pytest.param(arguments, option, make, id=name))
    return cases


@pytest.mark.parametrize(("arguments", "option", "make"), _cases())
def test_a_bad_input_path_is_one_error_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    option: str,
    make: Callable[[Path], str],
) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad"
    problem = make(bad)
    result = CliRunner().invoke(cli, prog_name="keyless", args=[*arguments, str(bad)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"keyless: error: {bad}: {option} {problem}\n"
    assert not (tmp_path / "out.json").exists()  # refused before any work
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads a file whatever its mode: the refusal cannot be seen as root",
)
@pytest.mark.parametrize(
    ("arguments", "option"), [*FILE_INPUTS[:2], *DIRECTORY_INPUTS[:1]], ids=str
)
def test_an_unreadable_path_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad"
    if option == "--input":
        bad.mkdir()
        bad.chmod(0)
        problem = "cannot be read (permission denied)"
    else:
        problem = _unreadable(bad)
    try:
        result = CliRunner().invoke(cli, prog_name="keyless", args=[*arguments, str(bad)])
    finally:
        bad.chmod(0o700)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"keyless: error: {bad}: {option} {problem}\n"


@pytest.mark.parametrize(
    ("arguments", "option", "wanted"),
    [(*case, "a file") for case in FILE_INPUTS]
    + [(*case, "a directory") for case in DIRECTORY_INPUTS],
    ids=str,
)
def test_dash_where_standard_input_is_not_read_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], option: str, wanted: str
) -> None:
    # It said "-: --snapshot does not exist", sending the user looking for a file.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, prog_name="keyless", args=[*arguments, "-"], input="{}")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"keyless: error: -: {option} does not read standard input (-): give {wanted}\n"
    )


def test_an_empty_path_is_not_the_current_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=["scan", "--input", ""])
    assert result.exit_code == 2, result.output
    assert result.stderr == "keyless: error: --input names no path (an empty value)\n"


@pytest.mark.parametrize(
    ("arguments", "first"),
    [
        pytest.param(
            ["scan", "--demo", "--format", "pdf"],
            "keyless: error: Invalid value for '--format': 'pdf' is not one of",
            id="choice",
        ),
        pytest.param(["scan", "--bogus"], "keyless: error: No such option", id="unknown-option"),
        pytest.param(
            ["iac"], "keyless: error: Missing argument 'PATHS...'.", id="missing-argument"
        ),
        pytest.param(["scna"], "keyless: error: No such command 'scna'.", id="unknown-command"),
    ],
)
def test_a_usage_error_is_one_error_line_and_where_to_look(
    arguments: list[str], first: str
) -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=arguments)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(first), result.stderr
    assert len(lines) == 2, result.stderr
    assert lines[1].startswith("See 'keyless")
    assert lines[1].endswith(" --help'.")
    assert "Usage:" not in result.output


def test_keyless_own_options_are_refused_the_same_way() -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=["--bogus"])
    assert result.exit_code == 2, result.output
    assert result.stderr == "keyless: error: No such option '--bogus'.\nSee 'keyless --help'.\n"


@pytest.mark.parametrize("arguments", [[], ["workflows"]], ids=["keyless", "workflows"])
def test_a_group_without_a_subcommand_still_shows_its_help(arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=arguments)
    assert result.output.startswith(f"Usage: keyless {' '.join(arguments)}".rstrip() + " [OPTIONS]")
    assert "keyless: error" not in result.output


def test_a_path_where_a_subcommand_belongs_suggests_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=["workflows", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"keyless: error: No such command {str(tmp_path)!r}.\n"
        f"did you mean 'keyless workflows scan {tmp_path}'?\n"
    )


def _parameters() -> list[tuple[str, click.Parameter]]:
    found = []

    def walk(name: str, command: click.Command) -> None:
        for parameter in command.params:
            found.append((name, parameter))
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                walk(f"{name} {sub.name}", sub)

    group = cli
    assert isinstance(group, LazyGroup)
    for name in COMMANDS:
        command = group.get_command(click.Context(cli), name)
        assert command is not None
        walk(name, command)
    return found


def test_every_path_parameter_is_a_keyless_path_type() -> None:
    paths = [(n, p) for n, p in _parameters() if isinstance(p.type, click.Path)]
    assert len(paths) > 20
    for name, parameter in paths:
        assert isinstance(parameter.type, FilePath | DirectoryPath | AnyPath), (
            f"keyless {name} {parameter.name}: {type(parameter.type).__name__}"
        )


@pytest.mark.parametrize("command", [*COMMANDS, "workflows scan", "workflows fix"])
def test_help_still_renders(command: str) -> None:
    result = CliRunner().invoke(cli, prog_name="keyless", args=[*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: keyless")
