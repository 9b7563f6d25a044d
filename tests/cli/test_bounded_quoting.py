"""Option values are quoted in part in the CLI's messages (``keyless.errors.quoted``): a
100,000-character `--now`, `--account` or `--limit` is not echoed whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--demo", "--now", HUGE],
        ["plan", "--demo", "--now", "2025-01-01T" + "9" * 100_000],
        ["history", "--account", HUGE],
        ["history", "--limit", "\u0663" * 100_000],
    ],
)
def test_a_huge_option_is_quoted_in_part(args: list[str], tmp_path: Path) -> None:
    if args[0] == "history":
        args = [*args, "--store", str(tmp_path / "history.sqlite3")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output[:500]
    assert len(result.output) < 800, result.output[:1000]
    assert "…" in result.output


def test_a_huge_pointer_is_shown_in_part(tmp_path: Path) -> None:
    # The pointer to an unknown key holds the key: 30,000 characters (a trust policy is
    # refused past 40,960).
    policy = tmp_path / "trust.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "x" * 30_000: 1, "Statement": []}))
    result = CliRunner().invoke(cli, ["trust", str(policy)])
    assert result.exit_code == 2
    assert len(result.stderr) < 800, result.stderr[:1000]
    assert "unknown top-level element" in result.stderr


@pytest.mark.parametrize("command", [["scan", "--demo"], ["workflows", "scan", "."]])
def test_unknown_check_ids_are_listed_in_part(command: list[str]) -> None:
    many = ",".join(f"no-such-check-{n}" for n in range(1_000))
    result = CliRunner().invoke(cli, [*command, "--checks", "x" * 100_000 + "," + many])
    assert result.exit_code == 2
    assert len(result.stderr) < 1_500, result.stderr[:2000]
    assert "and 996 more" in result.stderr
