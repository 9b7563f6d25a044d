"""A subject holding a line break or a C1 control (both allowed in a policy) is escaped
once in each output: as JSON's own escape in ``keyless trust --format json`` (the
description was written with ``repr`` first, so JSON carried ``\\\\n``), as ``\\n`` on
the text line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from keyless.cli import cli

GITHUB = "token.actions.githubusercontent.com"
# In the branch: a repository's name is ASCII letters, digits, `.`, `-` and `_`, so
# `repo:o/r\x9b31m` is a subject GitHub never mints (the path admits nobody).
SUBJECT = "repo:o/r:ref:refs/heads/\x9b31mma\nin"


def _policy(tmp_path: Path, subject: str) -> Path:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": subject}
        },
    }
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return path


def test_json_description_carries_the_characters_themselves(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trust", str(_policy(tmp_path, SUBJECT)), "--format", "json"])
    [path] = json.loads(result.stdout)["paths"]
    assert path["description"] == f"any GitHub Actions workflow sub '{SUBJECT}'"
    assert "\\\\" not in result.stdout


def test_text_description_escapes_them_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trust", str(_policy(tmp_path, SUBJECT))])
    assert "  - any GitHub Actions workflow sub 'repo:o/r:ref:refs/heads/\\x9b31mma\\nin'\n" in (
        result.stdout
    )
