"""``keyless trust --snapshot FILE ROLE`` of a role whose stored trust policy IAM would
refuse (an edited snapshot). The error was "keyless: error: /Statement/0/Effect: …", a
pointer into a policy the user could not find: no snapshot, no role. It now names the
snapshot, the JSON pointer into it and the role, with what is wrong (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

Policy = dict[str, Any]
ROLE = "github-deploy-staging"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    assert run("collect", "--demo", "--out", path).exit_code == 0
    return path


def _effect(policy: Policy) -> None:
    policy["Statement"][0]["Effect"] = "Maybe"


def _element(policy: Policy) -> None:
    policy["Statement"][0]["Comment"] = "x"


def _no_principal(policy: Policy) -> None:
    del policy["Statement"][0]["Principal"]


@pytest.mark.parametrize(
    ("edit", "inside", "message"),
    [
        (_effect, "/Statement/0/Effect", 'Effect must be "Allow" or "Deny"'),
        (_element, "/Statement/0/Comment", "unknown statement element 'Comment'"),
        (_no_principal, "/Statement/0", "a trust policy statement needs a Principal"),
    ],
    ids=["effect", "element", "no-principal"],
)
def test_a_stored_policy_iam_refuses_is_named_in_the_snapshot(
    snapshot: Path, tmp_path: Path, edit: Callable[[Policy], None], inside: str, message: str
) -> None:
    document = json.loads(snapshot.read_text())
    a, r, role = next(
        (a, r, role)
        for a, account in enumerate(document["accounts"])
        for r, role in enumerate(account["roles"])
        if role["name"] == ROLE
    )
    assert (a, r) != (0, 0)  # the pointer must find the role, not the first one
    edit(role["trust_policy"])
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))

    result = run("trust", "--snapshot", edited, ROLE)

    assert result.exit_code == 2, result.output
    pointer = f"/accounts/{a}/roles/{r}/trust_policy{inside}"
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"keyless: error: {edited}#{pointer}: ")
    assert f"the trust policy of '{role['arn']}' cannot be analysed: {message}" in first
    assert "Traceback" not in result.output


def test_a_policy_file_keeps_its_own_pointer(tmp_path: Path) -> None:
    """Not a snapshot: the file is the policy, and its error names it and the pointer."""
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Maybe", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"}
                ],
            }
        )
    )  # fmt: skip

    result = run("trust", policy)

    assert result.exit_code == 2, result.output
    assert f"{policy}#/Statement/0/Effect: Effect must be" in result.stderr
