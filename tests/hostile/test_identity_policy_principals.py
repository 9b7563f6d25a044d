"""An identity policy (attached to a user, a group or a role) holding ``Principal`` or
``NotPrincipal``: IAM refuses one ("MalformedPolicyDocument: Policy document should not
specify a principal"), so an export holding one was edited. It is not judged silently:
the policy parser refuses it by JSON pointer, and ``keyless scan`` reports every user it
applies to as not evaluated by the checks that read it (exit 3), naming the policy and the
pointer, the rest of the scan unchanged. Checked here for both elements, in a customer
managed policy (inline policies go through the same parser)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import PolicyError
from keyless.policy.document import parse_policy

from .snapshots import ACCOUNT

REQUIRE_MFA = "arn:aws:iam::123456789012:policy/require-mfa"


def _managed(document: dict[str, Any], element: str) -> None:
    for policy in document["Policies"]:
        if policy["Arn"] == REQUIRE_MFA:
            for version in policy["PolicyVersionList"]:
                version["Document"]["Statement"][0][element] = {"AWS": "*"}


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_the_parser_refuses_a_principal_in_an_identity_policy(element: str) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", element: "*", "Action": "*", "Resource": "*"}],
    }
    with pytest.raises(PolicyError, match="an identity-based policy cannot have") as refused:
        parse_policy(document)
    assert refused.value.pointer == f"/Statement/0/{element}"


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_a_scan_does_not_judge_a_user_by_such_a_policy(tmp_path: Path, element: str) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    details = export / "authorization-details.json"
    document = json.loads(details.read_text())
    _managed(document, element)
    details.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    assert result.exit_code == 3, result.output
    runs = {run["check"]: run for run in json.loads(result.stdout)["check_runs"]}
    (gap,) = runs["account-mfa-not-enforced"]["not_evaluated"]
    assert gap["reason"].startswith(f"user alice: policy could not be read: '{REQUIRE_MFA}': ")
    assert (
        f"/Statement/0/{element}: an identity-based policy cannot have {element}" in (gap["reason"])
    )
