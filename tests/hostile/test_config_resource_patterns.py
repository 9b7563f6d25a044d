"""A ``[[ignore]] resource`` pattern fnmatch compiles slowly. fnmatch reads a ``[`` that
opens no class as a literal, after searching the rest of the pattern for a ``]``: a
``keyless.toml`` of 10,000 ``[!`` took a minute to compile, and the megabyte the reader
allows, hours (every command that reads the file hung). A pattern may not open a class it
does not close, nor be longer than any resource a finding names; ``[[]`` and classes
still match as fnmatch matches them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.config import Ignore

ROOT = Path(__file__).resolve().parents[2]
LONGEST = 4_096  # characters: longer than any ARN IAM accepts (2,048)
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


def _scan(tmp_path: Path, resource: str) -> Result:
    config = tmp_path / "ignores.toml"
    config.write_text(
        f'[[ignore]]\ncheck = "*"\nresource = {json.dumps(resource)}\nreason = "accepted"\n'
    )
    return CliRunner().invoke(
        cli, ["scan", "--input", str(ACCOUNT), "--config", str(config), "--format", "json"]
    )


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("[!" * 2_000, "'resource' has a '[' that opens no character class"),
        ("arn:aws:iam::*:user/[ci", "opens no character class (no ']' after it), at character 21"),
        ("arn:aws:iam::*:user/[]", "opens no character class"),
        ("arn:aws:iam::*:user/[!]", "opens no character class"),
        ("[a]x[", "at character 5"),
        ("*" * (LONGEST + 1), "'resource' is 4,097 characters long, more than 4,096"),
    ],
    ids=["ten-thousand", "unclosed", "empty-class", "negated-empty-class", "after-a-class", "long"],
)
def test_a_pattern_fnmatch_compiles_slowly_is_refused(
    tmp_path: Path, resource: str, message: str
) -> None:
    result = _scan(tmp_path, resource)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "[[ignore]] #1" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("arn:aws:iam::*:user/[[]x]", "arn:aws:iam::1:user/[x]", True),
        ("arn:aws:iam::*:user/ci-[0-9]", "arn:aws:iam::1:user/ci-7", True),
        ("arn:aws:iam::*:user/ci-[!0-9]", "arn:aws:iam::1:user/ci-7", False),
        ("arn:aws:iam::*:user/[]]", "arn:aws:iam::1:user/]", True),
        ("*" * LONGEST, "arn:aws:iam::1:user/ci", True),
    ],
    ids=["literal-bracket", "class", "negated-class", "bracket-in-class", "longest"],
)
def test_a_closed_class_is_read_as_fnmatch_reads_it(
    tmp_path: Path, pattern: str, resource: str, matches: bool
) -> None:
    assert _scan(tmp_path, pattern).exit_code in (0, 1)
    assert Ignore("*", "accepted", resource=pattern).matches("c", "1", resource) is matches
