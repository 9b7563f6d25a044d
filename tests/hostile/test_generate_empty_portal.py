"""``keyless generate --format aws-config`` of the demo's plan with ``--sso-start-url ''``
or ``--sso-region ''``: the empty value was taken for "not given", so the demo's fictional
portal was written, without the line saying so. An empty value is refused (exit 2, nothing
written), as it is for any other plan; not giving the option still writes the demo's."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["--sso-start-url", "", "--sso-region", "us-east-1"], "--sso-start-url: '' is not an"),
        (["--sso-region", ""], "--sso-region: '' is not an AWS region"),
    ],
    ids=["start-url", "region"],
)
def test_an_empty_portal_value_is_refused(
    demo_plan: Path, tmp_path: Path, given: list[str], message: str
) -> None:
    out = tmp_path / "config"

    result = CliRunner().invoke(
        cli, ["generate", str(demo_plan), "--format", "aws-config", "--out", str(out), *given]
    )

    assert result.exit_code == 2, result.output
    assert f"keyless: error: {message}" in result.stderr
    assert not out.exists()


def test_no_portal_given_writes_the_demo_s_and_says_so(demo_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "config"

    result = CliRunner().invoke(
        cli, ["generate", str(demo_plan), "--format", "aws-config", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "the demo's Identity Center portal: https://d-0123456789" in result.stderr
    assert "sso_start_url = https://d-0123456789.awsapps.com/start" in (out / "config").read_text()
