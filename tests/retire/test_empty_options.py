"""An empty `--region`, `--profile` or `--external-id` given to retire, status or rollback
(a variable unset in a script) is refused as `scan` refuses it (exit 2), before anything
connects; it was read as "not given" and the command went on with the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli


@pytest.fixture(autouse=True)
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials that reach nothing, so that a command that went on fails fast."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--region", ""], "--region: '' is not an AWS region"),
        (["--profile", ""], "--profile: '' is not a profile name"),
        (["--org", "--external-id", ""], "--external-id: '' is not an external ID"),
    ],
)
@pytest.mark.parametrize(
    "command", [["--user", "alice"], ["status", "--no-cloudtrail"], ["rollback"]]
)
def test_an_empty_value_is_refused(command: list[str], option: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["retire", *command, *option])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
