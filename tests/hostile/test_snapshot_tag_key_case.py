"""A snapshot whose user or role has two tag keys that differ only in case (``email`` and
``Email``): IAM keeps one tag per key, ignoring case, so the object was edited, and the
plan's Identity Center email and the never-broaden proof's ``aws:PrincipalTag`` would each
pick their own copy. The export reader refuses such tags; the snapshot reader (whole, in
``merge`` and ``scan --snapshot``) refuses them too, by JSON pointer, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

from .snapshots import collected_snapshot


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot as keyless writes it (the streamed layout: one account a line)."""
    return collected_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="module")
def snapshot(written: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(written.read_text())
    return document


def write_with_tags(
    snapshot: dict[str, Any], tmp_path: Path, entry: str, tags: dict[str, str]
) -> Path:
    document = json.loads(json.dumps(snapshot))
    document["accounts"][0][entry][0]["tags"] = tags
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("entry", ["users", "roles"])
def test_tag_keys_differing_only_in_case_are_refused(
    snapshot: dict[str, Any], tmp_path: Path, entry: str
) -> None:
    tags = {"email": "maria.garcia@example.com", "Email": "evil@attacker.example"}
    path = write_with_tags(snapshot, tmp_path, entry, tags)
    merged = tmp_path / "merged.json"
    for command in (["scan", "--snapshot", str(path)], ["merge", str(path), "--out", str(merged)]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert f"#/accounts/0/{entry}/0/tags/Email: malformed snapshot: " in result.stderr
        assert "the tag key 'Email' differs only in case from 'email'" in result.stderr
        assert "Traceback" not in result.output
    assert not merged.exists()


def test_distinct_tag_keys_are_read(snapshot: dict[str, Any], tmp_path: Path) -> None:
    tags = {"email": "maria.garcia@example.com", "team": "a", "Team-Lead": "b"}
    path = write_with_tags(snapshot, tmp_path, "users", tags)
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code in (0, 1), result.output


def test_case_twins_are_refused_in_the_streamed_layout(written: Path, tmp_path: Path) -> None:
    # Edited in place, so the file keeps keyless's layout and is read account by account.
    original = '"tags":{"email":"alice@example.com"}'
    text = written.read_text()
    assert text.count(original) == 1
    path = tmp_path / "edited.json"
    path.write_text(text.replace(original, original[:-1] + ',"EMAIL":"evil@attacker.example"}'))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert "/users/0/tags/EMAIL" in result.stderr
    assert "the tag key 'EMAIL' differs only in case from 'email'" in result.stderr
