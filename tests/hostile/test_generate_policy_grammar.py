"""An inline policy in a hand-edited plan is parsed as a policy, but the parser reads what
AWS stored and so takes strings IAM refuses when the policy is created: a ``Sid`` with
punctuation or used twice, an action with no service prefix, a resource that is no ARN.
They reached the generated code and failed at deploy (``MalformedPolicyDocument``), after
part of it was applied. Each is now refused by pointer (exit 2, nothing written): by the
policy parser itself where IAM's grammar is the same for every policy it reads
(``keyless.policy.grammar``), else by ``keyless.plan.policy_grammar``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

POINTER = "/identity_center/permission_sets/1/inline_policy/Statement"
PARSED = "not a valid policy: "
REFUSED = "IAM would refuse the policy: "


def _statement(document: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = document["identity_center"]["permission_sets"][1]["inline_policy"][
        "Statement"
    ][0]
    return statement


@pytest.mark.parametrize(
    ("element", "value", "where", "said"),
    [
        ("Sid", "Own Home", "/0/Sid", f"{PARSED}Sid 'Own Home' holds characters IAM refuses"),
        (
            "Action",
            ["s3:GetObject", "getobject"],
            "/0/Action/1",
            f"{PARSED}action 'getobject' has no service prefix",
        ),
        ("Action", "s3:Get Object", "/0/Action", f"{REFUSED}'s3:Get Object' is not service:action"),
        (
            "Resource",
            "acme-home/*",
            "/0/Resource",
            f"{PARSED}resource 'acme-home/*' is neither an ARN nor *",
        ),
        ("Resource", "arn:aws:s3:::a\u202eb", "/0/Resource", f"{REFUSED}"),
        # Placeholders pass the parser (a draft's, judged once rendered): not generated code.
        ("Action", "s3:%s", "/0/Action", f"{REFUSED}'s3:%s' is not service:action or *"),
        ("Resource", "<BUCKET_ARN>", "/0/Resource", f"{REFUSED}'<BUCKET_ARN>' is not an ARN or *"),
    ],
    ids=["sid", "no-prefix", "space", "not-arn", "bidi-arn", "action-template", "arn-template"],
)
def test_a_string_iam_refuses_is_refused(
    export_plan: Path,
    tmp_path: Path,
    ca_cert: Path,
    element: str,
    value: Any,
    where: str,
    said: str,
) -> None:
    def change(document: dict[str, Any]) -> None:
        _statement(document)[element] = value

    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"plan.json#{POINTER}{where}: {said}" in result.stderr
    assert not out.exists()


def test_a_sid_used_twice_is_refused(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        statement = _statement(document)
        policy = document["identity_center"]["permission_sets"][1]["inline_policy"]
        policy["Statement"] = [statement, {**statement, "Action": "s3:ListBucket"}]

    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "tf"),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"{POINTER}/1/Sid: {PARSED}Sid 'OwnHomePrefix' names two statements" in result.stderr


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("Action", ["s3:Get*", "S3:ListBucket", "execute-api:Invoke", "*"]),
        ("Resource", ["*", "arn:aws:s3:::acme-home/${aws:username}/*"]),
    ],
)
def test_what_iam_takes_is_generated(
    export_plan: Path, tmp_path: Path, ca_cert: Path, element: str, value: Any
) -> None:
    def change(document: dict[str, Any]) -> None:
        _statement(document)[element] = value

    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "tf"),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 0, result.output
