"""An edited plan given to ``keyless retire --plan``. A plan whose evidence is dated in
the future would pass every "no use since" gate (nothing is used after a date that has
not come), so a key in use today would look idle: it is refused before anything
connects (exit 2), as a plan too old is."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def edited(plan: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    document = json.loads(plan.read_text())
    change(document)
    plan.write_text(json.dumps(document))
    return plan


def _kept_first(document: dict[str, Any]) -> None:
    """The retired user listed again in /users, first, as kept: two destinations."""
    arn = document["retire"][0]["arn"]
    entry = next(u for u in document["users"] if u["arn"] == arn)
    document["users"].insert(0, {**entry, "destination": "keep", "target": None})


def _other_case_and_path(document: dict[str, Any]) -> None:
    """The retired user listed again under another case and path (IAM: the same user)."""
    arn = document["retire"][0]["arn"]
    entry = next(u for u in document["users"] if u["arn"] == arn)
    name = entry["name"].upper()
    document["users"].append(
        {**entry, "name": name, "path": "/x/", "arn": f"{arn.split(':user/')[0]}:user/x/{name}"}
    )


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize("change", [_kept_first, _other_case_and_path])
def test_a_user_listed_twice_is_refused(
    plan_file: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    """A plan listing one user twice in /users (a hand edit, or two plans pasted together)
    was followed by the entry retire looked up last: the user kept by one entry was
    retired by the other. Every listing after the first is refused by pointer (exit 2),
    as `keyless plan --check` refuses it, before anything connects."""
    result = run("retire", "--plan", edited(plan_file, change))
    assert result.exit_code == 2, result.output
    assert "is listed twice (also /users/" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("no_aws")
def test_a_user_retired_twice_is_refused(plan_file: Path) -> None:
    def twice(document: dict[str, Any]) -> None:
        document["retire"].append(document["retire"][0])

    result = run("retire", "--plan", edited(plan_file, twice))
    assert result.exit_code == 2, result.output
    assert "is retired twice (also /retire/0)" in result.stderr


def _time(pointer: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        if pointer == "key":
            entry = next(e for e in document["retire"] if e["keys"])
            entry["keys"][0]["created"] = "2026-02-30T00:00:00Z"
        else:
            document["source"][pointer] = "2026-02-30T00:00:00Z"

    return change


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    ("field", "pointer"),
    [("collected_at", "/source/collected_at"), ("as_of", "/source/as_of"), ("key", "/created")],
)
def test_a_time_no_calendar_has_is_refused_by_pointer(
    plan_file: Path, field: str, pointer: str
) -> None:
    """``2026-02-30T00:00:00Z`` matched the schema's pattern for a time, and retire died
    with a traceback where it read it (ValueError: day is out of range for month)."""
    result = run("retire", "--plan", edited(plan_file, _time(field)))
    assert result.exit_code == 2, result.output
    assert pointer in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
