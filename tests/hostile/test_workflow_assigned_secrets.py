"""A secret access key assigned in a CI script (``export AWS_SECRET_ACCESS_KEY=…``,
``--secret-key=…``): the pattern refused a candidate after ``=`` (base64's padding, which
only ends a string), so the secret was not reported as a hard-coded key, and
``workflows fix`` printed it whole in its diff's context lines. It is now reported
(critical) and shown as ``[REDACTED]`` in every output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

SECRET = "Zq7mK2pLx9Vb4Nc8Rt1Wy6Hd3Jf5Gs0Ae2Ui9Oo4"
ROLE = "arn:aws:iam::123456789012:role/ci"


def _checkout(tmp_path: Path, script: str) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(
        "on: push\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - run: {script}\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n"
        "          aws-access-key-id: ${{ secrets.ID }}\n"
        "          aws-secret-access-key: ${{ secrets.KEY }}\n"
        "          aws-region: us-east-1\n"
    )
    return tmp_path


SCRIPTS = [
    f"export AWS_SECRET_ACCESS_KEY={SECRET} && aws s3 ls",
    f"AWS_SECRET_ACCESS_KEY={SECRET} aws s3 ls",
    f"deploy --aws-secret-key={SECRET}",
]


@pytest.mark.parametrize("script", SCRIPTS, ids=["export", "prefix", "option"])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_an_assigned_secret_is_reported_redacted(tmp_path: Path, script: str, fmt: str) -> None:
    checkout = _checkout(tmp_path, script)

    result = CliRunner().invoke(cli, ["workflows", "scan", str(checkout), "--format", fmt])

    assert result.exit_code == 1, result.output
    assert "workflow-hardcoded-aws-key" in _reported(result.output, fmt)
    assert SECRET not in result.output
    assert SECRET[:20] not in result.output


def _reported(output: str, fmt: str) -> list[str]:
    """The checks of the findings reported (JSON and SARIF also list checks that found
    nothing)."""
    if fmt == "json":
        return [f["check"] for f in json.loads(output)["findings"]]
    if fmt == "sarif":
        return [r["ruleId"] for r in json.loads(output)["runs"][0]["results"]]
    return [line.split(": ")[1].split()[-1] for line in output.splitlines() if ": " in line]


@pytest.mark.parametrize("script", SCRIPTS, ids=["export", "prefix", "option"])
def test_an_assigned_secret_is_redacted_in_the_fix_diff(tmp_path: Path, script: str) -> None:
    checkout = _checkout(tmp_path, script)

    result = CliRunner().invoke(cli, ["workflows", "fix", str(checkout), "--role-arn", ROLE])

    assert result.exit_code == 0, result.output
    assert "role-to-assume" in result.output  # the diff is shown, its context lines too
    assert "=[REDACTED]" in result.output
    assert SECRET not in result.output


def test_the_end_of_a_longer_padded_string_is_no_secret(tmp_path: Path) -> None:
    """``=`` after the candidate still means it is the end of a longer base64 string."""
    checkout = _checkout(tmp_path, f"echo secret: {SECRET}Ab== | base64 -d")

    result = CliRunner().invoke(cli, ["workflows", "scan", str(checkout)])

    assert "workflow-hardcoded-aws-key" not in result.output
