"""``keyless plan … --out plan.json`` then ``keyless retire --plan plan.json``, as a person
runs them against the account (the emulator, read live): a dry run, then ``--apply``;
plans that cannot be followed exit 2 with every problem and change nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user
from tests.retire.planning import plan_of, write
from tests.retire.test_cli import _schema


def _retire(world: World, *args: str) -> Result:
    return CliRunner().invoke(cli, ["retire", *args, "--journal", str(world.journal)])


@pytest.fixture
def planned(world: World, tmp_path: Path) -> Path:
    """Two idle bots, planned by `keyless plan` into plan.json."""
    world.estate.add(
        Person("old-bot", keys=(Key(age=400, used=200),)),
        Person("other-bot", keys=(Key(age=400, used=300),)),
    )
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", "--out", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    return out


def _statuses(world: World) -> list[str]:
    return [
        status
        for name in ("old-bot", "other-bot")
        for _, status in describe_user(world.estate.iam, name)["keys"]
    ]


def test_a_dry_run_follows_the_plan_and_changes_nothing(world: World, planned: Path) -> None:
    result = _retire(world, "--plan", str(planned))

    assert result.exit_code == 0, result.stderr
    assert f"following plan {planned}" in result.stdout
    assert result.stdout.count("planned  deactivate-key") == 2
    assert _statuses(world) == ["Active", "Active"]


def test_apply_deactivates_the_plan_s_keys(world: World, planned: Path) -> None:
    result = _retire(world, "--plan", str(planned), "--apply")

    assert result.exit_code == 0, result.stderr
    assert _statuses(world) == ["Inactive", "Inactive"]


def test_user_narrows_the_plan(world: World, planned: Path) -> None:
    result = _retire(world, "--plan", str(planned), "--user", "old-bot", "--apply")

    assert result.exit_code == 0, result.stderr
    assert _statuses(world) == ["Inactive", "Active"]


def test_a_user_outside_the_plan_exits_2(world: World, planned: Path) -> None:
    result = _retire(world, "--plan", str(planned), "--user", "someone-else", "--apply")

    assert result.exit_code == 2
    assert "not in the plan's retire list" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stale_plan_exits_2_and_changes_nothing(world: World, tmp_path: Path) -> None:
    world.estate.add(Person("old-bot", keys=(Key(age=400, used=200),)))
    stale = write(plan_of(world.estate, as_of=world.now - timedelta(days=31)), tmp_path / "p.json")

    result = _retire(world, "--plan", str(stale), "--apply")

    assert result.exit_code == 2
    assert "more than --max-plan-age-days 30" in result.stderr
    assert describe_user(world.estate.iam, "old-bot")["keys"][0][1] == "Active"
    assert not world.journal.exists()


def test_an_older_plan_is_followed_within_max_plan_age_days(world: World, tmp_path: Path) -> None:
    world.estate.add(Person("old-bot", keys=(Key(age=400, used=200),)))
    older = write(plan_of(world.estate, as_of=world.now - timedelta(days=31)), tmp_path / "p.json")

    result = _retire(world, "--plan", str(older), "--max-plan-age-days", "40")

    assert result.exit_code == 0, result.stderr


def test_a_tampered_plan_exits_2_with_every_problem(world: World, planned: Path) -> None:
    document = json.loads(planned.read_text())
    document["retire"][0]["preconditions"] = []
    document["retire"][1]["arn"] = "arn:aws:iam::123456789012:user/nobody"
    planned.write_text(json.dumps(document))

    result = _retire(world, "--plan", str(planned), "--apply")

    assert result.exit_code == 2
    assert "2 problems in the plan" in result.stderr
    assert "#/retire/0/preconditions" in result.stderr
    assert "#/retire/1: arn:aws:iam::123456789012:user/nobody is not a user" in result.stderr
    assert _statuses(world) == ["Active", "Active"]


def test_confirmed_needs_a_plan(world: World) -> None:
    result = _retire(world, "--user", "old-bot", "--confirmed", "old-bot")

    assert result.exit_code == 2
    assert "--confirmed goes with --plan" in result.stderr


def test_the_json_report_names_the_plan_within_its_schema(world: World, planned: Path) -> None:
    result = _retire(world, "--plan", str(planned), "--format", "json")

    document = json.loads(result.stdout)
    jsonschema.validate(document, _schema("retire-v1"))
    assert document["plan"]["path"] == str(planned)


def test_status_and_rollback_cover_the_plan_s_users(world: World, planned: Path) -> None:
    _retire(world, "--plan", str(planned), "--apply")

    rolled = _retire(world, "rollback", "--plan", str(planned), "--user", "old-bot", "--apply")

    assert rolled.exit_code == 0, rolled.stderr
    assert _statuses(world) == ["Active", "Inactive"]


def test_a_dry_run_after_an_apply_reads_the_journal_and_writes_nothing(
    world: World, planned: Path
) -> None:
    _retire(world, "--plan", str(planned), "--apply")
    before = world.journal.read_bytes()

    result = _retire(world, "--plan", str(planned))

    assert result.exit_code == 0, result.stderr
    assert "waiting  delete-key" in result.stdout
    assert world.journal.read_bytes() == before


def test_the_demo_follows_the_plan_keyless_plan_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    written = CliRunner().invoke(cli, ["plan", "--demo", "--out", "plan.json"])
    assert written.exit_code in (0, 1), written.stderr

    result = CliRunner().invoke(cli, ["retire", "--demo", "--plan", "plan.json"])

    assert result.exit_code == 0, result.stderr
    stage = result.stdout.split("== 5. Follow the plan")[1]
    assert "following plan plan.json" in stage
    assert "workflows-use-oidc not met: there is no role ci-staging-github" in stage
    assert "key-replaced-by-sso not confirmed" in stage
