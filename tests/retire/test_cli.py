"""The retire commands as a person or a script runs them: exit codes, what is printed,
the JSON documents against their published schemas, and bad input refused before any
change (exit 2, one paragraph, no traceback)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from tests.retire.conftest import World
from tests.retire.estate import Key, Person, describe_user

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def _run(world: World, *args: str) -> Result:
    return CliRunner().invoke(cli, ["retire", *args, "--journal", str(world.journal)])


def _schema(name: str) -> dict:
    document = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return document


@pytest.fixture
def alice(world: World) -> World:
    world.estate.add(Person("alice", keys=(Key(age=400, used=100),)))
    return world


def test_a_dry_run_prints_the_action_and_its_reason(alice: World) -> None:
    result = _run(alice, "--user", "alice")

    assert result.exit_code == 0, result.stderr
    assert "dry run, nothing changed" in result.stdout
    assert f"planned  deactivate-key {alice.key('alice.key1')}: last used 100 days ago" in (
        result.stdout
    )
    assert not alice.journal.exists()


def test_apply_then_status(alice: World) -> None:
    applied = _run(alice, "--user", "alice", "--apply")
    watched = CliRunner().invoke(
        cli, ["retire", "status", "--no-cloudtrail", "--journal", str(alice.journal)]
    )

    assert applied.exit_code == 0, applied.stderr
    assert describe_user(alice.estate.iam, "alice")["keys"][0][1] == "Inactive"
    assert watched.exit_code == 0, watched.stderr
    assert f"{alice.key('alice.key1')} of alice in 123456789012: inactive" in watched.stdout


def test_no_secret_is_printed(alice: World) -> None:
    outputs = [
        _run(alice, "--user", "alice", "--apply").stdout,
        _run(alice, "--user", "alice", "--format", "json").stdout,
        CliRunner().invoke(cli, ["retire", "rollback", "--journal", str(alice.journal)]).stdout,
    ]

    assert not any(secret in text for secret in alice.estate.secrets for text in outputs)


def test_the_retire_document_follows_its_schema(alice: World) -> None:
    result = _run(alice, "--user", "alice", "--user", "nobody", "--apply", "--format", "json")

    document = json.loads(result.stdout)
    jsonschema.validate(document, _schema("retire-v1"))
    assert document["exit_code"] == result.exit_code == 1


def test_the_rollback_document_follows_its_schema(alice: World) -> None:
    _run(alice, "--user", "alice", "--apply")
    result = CliRunner().invoke(
        cli, ["retire", "rollback", "--format", "json", "--journal", str(alice.journal)]
    )

    jsonschema.validate(json.loads(result.stdout), _schema("retire-v1"))
    assert result.exit_code == 0


def test_the_status_document_follows_its_schema(alice: World) -> None:
    _run(alice, "--user", "alice", "--apply")
    alice.estate.use_key("alice.key1")
    result = CliRunner().invoke(
        cli,
        [
            "retire",
            "status",
            "--no-cloudtrail",
            "--format",
            "json",
            "--journal",
            str(alice.journal),
        ],
    )

    document = json.loads(result.stdout)
    jsonschema.validate(document, _schema("retire-status-v1"))
    assert document["keys"][0]["flag"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--user", "alice\nkeyless all clean"], "not a valid IAM user name"),
        (["--user", "arn:aws:iam::123456789012:root"], "never touches the root user"),
        (["--user", "arn:aws:iam::123456789012:role/admin"], "not on a role"),
        (["--access-key-id", "ASIAIOSFODNN7EXAMPLE"], "not a long-term access key ID"),
        (["--user", "alice", "--force", "AKIA1"], "not a long-term access key ID"),
        (["--user", "alice", "--max-actions", "0"], "--max-actions"),
        (["--user", "alice", "--external-id", "abc"], "only applies with --org"),
        (["--user", "alice", "--region", "us-east-1\n"], "--region"),
        (["--user", "alice", "--org", "--member-role", "a b"], "--member-role"),
        (["--user", "alice", "--member-role", "Auditor"], "--member-role only applies with --org"),
        (
            ["--user", "alice", "--member-role", "Auditor", "--external-id", "abcdef"],
            "--member-role and --external-id only apply with --org",
        ),
        ([], "name what to retire"),
        (["--demo", "--user", "alice"], "--demo runs on its own"),
    ],
)
def test_bad_input_is_refused_before_anything_changes(
    alice: World, args: list[str], phrase: str
) -> None:
    result = _run(alice, *args, "--apply")

    assert result.exit_code == 2
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    assert describe_user(alice.estate.iam, "alice")["keys"][0][1] == "Active"


def test_a_file_that_is_not_a_journal_is_refused(alice: World) -> None:
    alice.journal.write_text("my notes\n")
    alice.journal.chmod(0o600)  # the owner's own file: refused for what it holds

    result = _run(alice, "--user", "alice", "--apply")

    assert result.exit_code == 2
    assert "not a keyless retire journal" in result.stderr
    assert alice.journal.read_text() == "my notes\n"
    assert describe_user(alice.estate.iam, "alice")["keys"][0][1] == "Active"


def test_rollback_without_a_journal_says_so(world: World) -> None:
    result = CliRunner().invoke(cli, ["retire", "rollback", "--journal", str(world.journal)])

    assert result.exit_code == 2
    assert "no journal here" in result.stderr


def test_options_before_a_subcommand_are_refused(world: World) -> None:
    result = CliRunner().invoke(cli, ["retire", "--user", "alice", "status"])

    assert result.exit_code == 2
    assert "--user goes after `status`" in result.stderr


def test_the_demo_walks_every_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["retire", "--demo"])

    assert result.exit_code == 0, result.stderr
    for stage in ("1. Dry run", "2. Deactivate", "3. Three days later", "4. Roll back"):
        assert stage in result.stdout
    assert "refused  deactivate-key" in result.stdout
    assert "FLAG " in result.stdout
    assert "done     reactivate-key" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_demo_says_what_its_commands_are_and_when_a_quarantine_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A newcomer read "$ keyless retire … --apply" without being told it is the command
    # for a real organization, and "(quarantine starts)" beside a key being deactivated.
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["retire", "--demo"])

    assert result.exit_code == 0, result.stderr
    assert "Each stage shows the command as you would run it on your own organization" in (
        result.stdout
    )
    assert "(its quarantine starts as it is deactivated)" in result.stdout
    assert "(quarantine starts)" not in result.stdout
    assert "last used never" not in result.stdout
    # Each key a user waits for says why: being deactivated, refused, in quarantine.
    assert re.search(r"served its quarantine: .*AKIA\w+ \(in quarantine\)", result.stdout)
    assert "(still active: its deactivation was refused)" in result.stdout
    assert "         never used\n" in result.stdout


@pytest.mark.parametrize("command", ["status", "rollback"])
def test_member_role_without_org_is_refused_by_every_subcommand(world: World, command: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["retire", command, "--member-role", "Auditor", "--journal", str(world.journal)],
    )

    assert result.exit_code == 2
    assert "--member-role only applies with --org" in result.stderr
