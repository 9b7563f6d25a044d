"""Exit codes by class, for every command they apply to (issue #10 items 5, 8, 14): a
table of command line → exit code → a fragment of the message.

- A path that does not exist is bad input (2), naming the path.
- AWS out of reach (``AWS_ENDPOINT_URL`` at a loopback port that refuses connections):
  the estate could not be read (3), said once: "could not connect to …".
- No credentials are bad input (2).
- An ``--external-id`` that cannot be one is bad input (2) before any call: with AWS out
  of reach, the option is still what is named (a call would have exited 3).
- An output that cannot be written is refused before anything is collected (2): with
  AWS out of reach, the output is still what is named.

No case prints a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
IAC_TREE = ROOT / "tests" / "iac" / "corpus" / "tf-users"


@dataclass(frozen=True)
class Case:
    """``keyless ARGS`` (``{tmp}``: a scratch directory) → ``code``, ``phrase`` in stderr
    (exactly once)."""

    args: tuple[str, ...]
    code: int
    phrase: str

    def __str__(self) -> str:
        return " ".join(self.args)


def check_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Run ``case``; check its exit code, its phrase (once) and that no traceback shows."""
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == case.code, result.output
    assert result.stderr.count(case.phrase.replace("{tmp}", str(tmp_path))) == 1, result.stderr
    assert "Traceback" not in result.output
    return result


MISSING_PATHS = [
    Case(("iac", "{tmp}/absent"), 2, "{tmp}/absent: no such file or directory"),
    Case(("iac", str(IAC_TREE), "{tmp}/absent.tf"), 2, "{tmp}/absent.tf: no such file"),
    Case(("scan", "--input", "{tmp}/absent"), 2, "--input"),
    Case(("scan", "--snapshot", "{tmp}/absent.json"), 2, "--snapshot"),
    Case(("plan", "--input", "{tmp}/absent"), 2, "--input"),
    Case(("workflows", "scan", "{tmp}/absent"), 2, "no such file or directory"),
]


@pytest.mark.parametrize("case", MISSING_PATHS, ids=str)
def test_a_path_that_does_not_exist_is_bad_input(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_case(case, tmp_path, monkeypatch)


def test_iac_given_a_link_to_nothing_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "main.tf").symlink_to(tmp_path / "gone.tf")
    check_case(
        Case(("iac", "{tmp}/main.tf"), 2, "{tmp}/main.tf: a symbolic link"), tmp_path, monkeypatch
    )


UNREACHABLE = [
    Case(("scan",), 3, "could not connect to"),
    Case(("scan", "--org"), 3, "could not connect to"),
    Case(("scan", "--format", "json"), 3, "could not connect to"),
    Case(("collect", "--out", "{tmp}/estate.json"), 3, "could not connect to"),
    Case(("collect", "--org", "--out", "{tmp}/estate.json"), 3, "could not connect to"),
    Case(("plan",), 3, "could not connect to"),
    Case(("plan", "--org"), 3, "could not connect to"),
    Case(("retire", "--user", "alice"), 3, "could not connect to"),
    Case(("retire", "--user", "alice", "--apply"), 3, "could not connect to"),
]


@pytest.mark.parametrize("case", UNREACHABLE, ids=str)
def test_aws_out_of_reach_is_an_estate_not_read(
    case: Case, refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    result = check_case(case, tmp_path, monkeypatch)
    assert result.stderr.count(refused) == 1
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_aws_out_of_reach_is_waited_for_visibly_on_a_terminal(
    refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = check_case(Case(("scan",), 3, "could not connect to"), tmp_path, monkeypatch)
    assert "contacting AWS" in result.stderr


NO_CREDENTIALS = [
    Case(("scan",), 2, "no AWS credentials found"),
    Case(("scan", "--org"), 2, "no AWS credentials found"),
    Case(("collect", "--out", "{tmp}/estate.json"), 2, "no AWS credentials found"),
    Case(("plan",), 2, "no AWS credentials found"),
    Case(("retire", "--user", "alice"), 2, "no AWS credentials found"),
]


@pytest.mark.parametrize("case", NO_CREDENTIALS, ids=str)
def test_no_credentials_are_bad_input(
    case: Case, refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    check_case(case, tmp_path, monkeypatch)


BAD_EXTERNAL_IDS = ["x", "a b", "ab\ncd", "x" * 1225, "\uff11\uff12", "id;rm", ""]
EXTERNAL_ID_COMMANDS = [
    ("scan", "--org"),
    ("collect", "--org", "--out", "{tmp}/estate.json"),
    ("plan", "--org"),
    ("retire", "--org", "--user", "123456789012:alice"),
    ("retire", "status", "--org"),
    ("retire", "rollback", "--org"),
]
EXTERNAL_ID_CASES = [
    Case((*command, "--external-id", value), 2, "--external-id")
    for command in EXTERNAL_ID_COMMANDS
    for value in BAD_EXTERNAL_IDS[:2]
] + [
    Case(("scan", "--org", "--external-id", value), 2, "--external-id")
    for value in BAD_EXTERNAL_IDS[2:]
]


@pytest.mark.parametrize("case", EXTERNAL_ID_CASES, ids=lambda c: repr(str(c))[:60])
def test_an_external_id_that_cannot_be_one_is_refused_before_any_call(
    case: Case, refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    result = check_case(case, tmp_path, monkeypatch)
    assert "could not connect" not in result.stderr


UNWRITABLE_OUTPUTS = [
    Case(("scan", "--output", "{tmp}/missing/r.txt"), 2, "the report (--output)"),
    Case(("scan", "--org", "--output", "{tmp}/missing/r.txt"), 2, "the report (--output)"),
    Case(("collect", "--out", "{tmp}/missing/s.json"), 2, "the snapshot (--out)"),
    Case(("collect", "--org", "--out", "{tmp}"), 2, "--out names a directory"),
    Case(("plan", "--out", "{tmp}/missing/p.json"), 2, "the plan (--out)"),
    Case(("plan", "--output", "{tmp}/missing/p.html"), 2, "the rendered plan (--output)"),
    Case(("iac", str(IAC_TREE), "--output", "{tmp}/missing/r.txt"), 2, "the report (--output)"),
]


@pytest.mark.parametrize("case", UNWRITABLE_OUTPUTS, ids=str)
def test_an_output_that_cannot_be_written_is_refused_before_collecting(
    case: Case, refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    result = check_case(case, tmp_path, monkeypatch)
    assert "could not connect" not in result.stderr
