"""A role the code gives no trust policy (Terraform and CloudFormation both refuse one) is
reported not judged (exit 3), never skipped as if it were clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

from .support import write_json


@pytest.mark.parametrize(
    ("name", "text", "where", "address", "argument"),
    [
        (
            "main.tf",
            'resource "aws_iam_role" "ci" {\n  name = "ci"\n}\n',
            "1:1",
            "aws_iam_role.ci",
            "assume_role_policy",
        ),
        (
            "template.yaml",
            "Resources:\n  Ci:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ci\n",
            "2:3",
            "Ci",
            "AssumeRolePolicyDocument",
        ),
        (
            "template.yaml",
            "Resources:\n  Ci:\n    Type: AWS::IAM::Role\n",
            "2:3",
            "Ci",
            "AssumeRolePolicyDocument",
        ),
    ],
)
def test_a_role_without_a_trust_policy_is_not_judged(
    tmp_path: Path, name: str, text: str, where: str, address: str, argument: str
) -> None:
    (tmp_path / name).write_text(text)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert unread.where == f"{tmp_path / name}:{where}"
    assert unread.reason == (
        f"{address}: trust policy not judged: the role has no {argument}, "
        "which is required (the role is refused as written)"
    )


def test_a_json_syntax_role_without_a_trust_policy_is_not_judged(tmp_path: Path) -> None:
    write_json(tmp_path / "main.tf.json", {"resource": {"aws_iam_role": {"ci": {"name": "ci"}}}})
    (unread,) = scan([tmp_path]).unread
    assert "aws_iam_role.ci: trust policy not judged: the role has no assume_role_policy" in (
        unread.reason
    )
