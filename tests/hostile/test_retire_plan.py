"""An edited plan given to ``keyless retire --plan``. A plan whose evidence is dated in
the future would pass every "no use since" gate (nothing is used after a date that has
not come), so a key in use today would look idle: it is refused before anything
connects (exit 2), as a plan too old is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "tests" / "collect" / "fixtures" / "account"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    shutil.copytree(ACCOUNT, tmp_path / "export")
    path = tmp_path / "plan.json"
    result = run("plan", "--input", tmp_path / "export", "--out", path, "--quiet")
    assert result.exit_code in (0, 1), result.output
    return path


def with_as_of(plan: Path, as_of: str) -> Path:
    document = json.loads(plan.read_text())
    document["source"]["as_of"] = as_of
    plan.write_text(json.dumps(document))
    return plan


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize("as_of", ["9999-12-31T23:59:59+00:00", "2999-01-01T00:00:00Z"])
def test_a_plan_dated_in_the_future_is_refused(plan_file: Path, as_of: str) -> None:
    result = run("retire", "--plan", with_as_of(plan_file, as_of))
    assert result.exit_code == 2, result.output
    assert "/source/as_of" in result.stderr
    assert "in the future" in result.stderr
    assert "Traceback" not in result.output
