"""A ``--profile`` botocore cannot load credentials for: its ``credential_process`` fails
or prints something other than JSON, or it names an ``sso_session`` or a
``source_profile`` the file does not have. botocore raises while the first client is
made, before any call: ``scan``, ``collect`` and ``plan`` of one account stopped with a
traceback and exit 1, which a CI job reads as "findings". They say what is wrong with the
profile (exit 2). So do an ``AWS_*`` setting botocore cannot use (``AWS_ENDPOINT_URL``
that is no URL), for ``--org`` and ``retire`` too. Nothing is sent anywhere: each fails
before a request."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

NOT_JSON = f"{shlex.quote(sys.executable)} -c \"print('not json')\""
FAILS = f'{shlex.quote(sys.executable)} -c "raise SystemExit(1)"'

PROFILES = f"""\
[profile not-json]
credential_process = {NOT_JSON}

[profile fails]
credential_process = {FAILS}

[profile no-sso-session]
sso_session = absent
sso_account_id = 123456789012
sso_role_name = Admin

[profile no-source]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = absent
"""


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    config.write_text(PROFILES)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Were a request made, it would go to a loopback port where nothing listens.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("not-json", "the profile's credential_process printed no JSON"),
        ("fails", "the AWS credentials could not be loaded: Error when retrieving credentials"),
        ("no-sso-session", 'The specified sso-session does not exist: "absent"'),
        ("no-source", 'The source_profile "absent" referenced in the profile "no-source"'),
    ],
)
@pytest.mark.parametrize(
    "command", [["scan"], ["collect", "--out", "snapshot.json"], ["plan"]], ids=str
)
def test_a_profile_botocore_cannot_load_is_exit_2(
    profiles: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], profile: str, message: str
) -> None:
    monkeypatch.chdir(profiles)

    result = CliRunner().invoke(cli, [*command, "--profile", profile, "-q"])

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("keyless: error: ")
    assert message in result.stderr
    assert not (profiles / "snapshot.json").exists()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AWS_ENDPOINT_URL", "notaurl", "client: Invalid endpoint: notaurl"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "soon", "client: invalid literal for int()"),
    ],
)
@pytest.mark.parametrize(
    "command", [["scan"], ["scan", "--org"], ["retire", "--user", "alice"]], ids=str
)
def test_an_aws_setting_botocore_cannot_use_is_exit_2(
    profiles: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    """``AWS_ENDPOINT_URL=notaurl`` was a ValueError traceback (exit 1)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv(variable, value)

    result = CliRunner().invoke(cli, [*command, "-q"])

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("keyless: error: cannot set up an AWS ")
    assert message in result.stderr
