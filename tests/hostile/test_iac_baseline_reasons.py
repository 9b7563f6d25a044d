"""``keyless iac --write-baseline`` writes the findings a baseline accepted and leaves out
those the configuration ignores. It told them apart by the reason's words: a
``keyless.toml`` ignore whose reason began "accepted in" ("accepted in the Q3 review") put
its findings in the baseline too, so removing the ignore later brought nothing back. A
baseline's acceptance is now told by what it is (no ``[[ignore]]`` number)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

TERRAFORM = """\
resource "aws_iam_user" "deploy" {
  name = "deploy"
}
"""


def _write_baseline(
    tmp_path: Path, reason: str, *extra: str, check: str = "iac-iam-user"
) -> list[str]:
    (tmp_path / "main.tf").write_text(TERRAFORM)
    config = tmp_path / "keyless.toml"
    config.write_text(f'[[ignore]]\ncheck = "{check}"\nreason = "{reason}"\n')
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(
        cli,
        ["iac", str(tmp_path / "main.tf"), "--config", str(config), "-q",
         "--write-baseline", str(baseline), *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return [entry["check"] for entry in json.loads(baseline.read_text())["findings"]]


@pytest.mark.parametrize(
    "reason", ["accepted in the Q3 review", "accepted in the baseline of team B", "ok for now"]
)
def test_a_configuration_ignore_is_not_written_to_the_baseline(tmp_path: Path, reason: str) -> None:
    assert "iac-iam-user" not in _write_baseline(tmp_path, reason)


def test_a_baseline_s_acceptance_is_written_again(tmp_path: Path) -> None:
    """A finding the old baseline accepted stays in the new one."""
    (tmp_path / "main.tf").write_text(TERRAFORM)
    old = tmp_path / "old.json"
    result = CliRunner().invoke(
        cli, ["iac", str(tmp_path / "main.tf"), "-q", "--write-baseline", str(old)]
    )
    assert result.exit_code == 0, result.output

    written = _write_baseline(
        tmp_path, "accepted in Q3", "--baseline", str(old), check="iac-access-key"
    )

    assert written == ["iac-iam-user"]
    assert written == [e["check"] for e in json.loads(old.read_text())["findings"]]
