"""IAM takes a statement's ``Effect`` as ``"Allow"`` or ``"Deny"`` exactly
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html);
``"allow"`` is MalformedPolicyDocument ("The policy failed legacy parsing",
https://github.com/hashicorp/terraform/issues/10057). keyless read any letter case: an
export whose deny-unless-MFA policy says ``"deny"`` (a document IAM never held) silenced
``account-mfa-not-enforced``, and ``keyless trust`` judged an ``"allow"`` policy IAM would
refuse. The policy is now malformed: ``keyless trust`` exits 2 with its pointer, a scan
reports the policy unread (the checks that need it not evaluated, exit 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


@pytest.mark.parametrize("effect", ["allow", "ALLOW", "deny"])
def test_trust_refuses_an_effect_iam_refuses(tmp_path: Path, effect: str) -> None:
    policy = tmp_path / "role.json"
    statement = {"Effect": effect, "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    result = CliRunner().invoke(cli, ["trust", str(policy)])
    assert result.exit_code == 2, result.output
    assert "role.json#/Statement/0/Effect: Effect must be" in result.output


def test_a_lowercase_deny_does_not_enforce_mfa(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    path = export / "authorization-details.json"
    details = json.loads(path.read_text())
    [policy] = [p for p in details["Policies"] if p["PolicyName"] == "require-mfa"]
    for version in policy["PolicyVersionList"]:
        for statement in version["Document"]["Statement"]:
            statement["Effect"] = statement["Effect"].lower()
    path.write_text(json.dumps(details))

    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])

    assert result.exit_code == 3, result.output
    runs = {run["check"]: run for run in json.loads(result.stdout)["check_runs"]}
    assert runs["account-mfa-not-enforced"]["not_evaluated"]
