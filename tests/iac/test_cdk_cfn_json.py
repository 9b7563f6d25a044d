"""The CDK's CfnJson (``Custom::AWSCDKCfnJson``): its ``Value`` attribute is its ``Value``
property's JSON text parsed, so a trust condition the CDK writes through it (keys holding
an EKS cluster's issuer) is judged; text that is not JSON, or not known, stays unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.iac.scan import scan

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


def _template(value: object, operator: str = "StringEquals") -> str:
    statement = {
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {operator: {"Fn::GetAtt": ["Conditions", "Value"]}},
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"},
    }
    return json.dumps(
        {
            "Resources": {
                "Conditions": {"Type": "Custom::AWSCDKCfnJson", "Properties": {"Value": value}},
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [statement],
                        }
                    },
                },
            }
        }
    )


def _conditions(sub: str) -> str:
    return json.dumps({f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": sub})


def test_the_parsed_value_is_the_condition(tmp_path: Path) -> None:
    (tmp_path / "t.template.json").write_text(
        _template(_conditions("system:serviceaccount:ci:*"), "StringLike")
    )
    result = scan([tmp_path])
    assert result.unread == ()
    assert [f.check for f in result.findings] == ["trust-eks-unpinned"]


def test_a_value_joined_from_parts_is_parsed(tmp_path: Path) -> None:
    text = _conditions("system:serviceaccount:ci:app")
    head, tail = text[:10], text[10:]
    (tmp_path / "t.template.json").write_text(_template({"Fn::Join": ["", [head, tail]]}))
    result = scan([tmp_path])
    assert result.unread == ()
    assert result.findings == ()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("{not json", "its Value is not JSON"),
        ({"Ref": "Missing"}, "not declared in Parameters or Resources"),
    ],
)
def test_a_value_not_known_as_json_is_not_judged(tmp_path: Path, value: object, why: str) -> None:
    (tmp_path / "t.template.json").write_text(_template(value))
    (unread,) = scan([tmp_path]).unread
    assert "Conditions.Value" in unread.reason
    assert why in unread.reason
