"""``[[ignore]] account`` in keyless.toml is an account ID (12 ASCII digits) or an fnmatch
pattern of ASCII digits, ``*`` and ``?``: fullwidth or Arabic-Indic digits, letters or a
short ID would ignore nothing, silently; they are refused (exit 2) naming the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


def scan_with(tmp_path: Path, account: str) -> tuple[int, str]:
    config = tmp_path / "keyless.toml"
    config.write_text(
        f'[[ignore]]\ncheck = "key-unused"\naccount = "{account}"\nreason = "accepted"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["scan", "--input", str(ACCOUNT), "--config", str(config)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    "account",
    [
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
        "12345678901",
        "1234567890123",
        "acme-prod",
        "12345678901\u00b2",
        "[0-9]*",
    ],
)
def test_an_ignore_account_that_is_no_account_id_is_refused(tmp_path: Path, account: str) -> None:
    code, stderr = scan_with(tmp_path, account)
    assert code == 2, stderr
    assert "[[ignore]] #1" in stderr
    assert "12-digit account ID" in stderr


@pytest.mark.parametrize("account", ["123456789012", "*", "1234*", "12345678901?"])
def test_an_account_id_or_a_digit_pattern_is_accepted(tmp_path: Path, account: str) -> None:
    code, stderr = scan_with(tmp_path, account)
    assert code in (0, 1), stderr
