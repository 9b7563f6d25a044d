"""The role AWS SAM creates for an AWS::Serverless::Function is judged with the trust
policy the template gives it (AssumeRolePolicyDocument, merged with Globals as SAM does)."""

from __future__ import annotations

from pathlib import Path

from keyless.findings import FileLocation
from keyless.iac.scan import scan

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n'
ANYONE = """\
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: "*"
"""
LAMBDA_EDGE = """\
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              Service: [lambda.amazonaws.com, edgelambda.amazonaws.com]
"""


def _function(name: str, extra: str = "", policy: str | None = None, role: str = "") -> str:
    written = f"      AssumeRolePolicyDocument:\n{policy}" if policy is not None else ""
    given = f"      Role: {role}\n" if role else ""
    return (
        f"  {name}:\n    Type: AWS::Serverless::Function\n{extra}    Properties:\n"
        f"      Runtime: python3.12\n      Handler: app.handler\n{given}{written}"
    )


def _globals(policy: str) -> str:
    """``Globals.Function.AssumeRolePolicyDocument`` holding ``policy``."""
    return "Globals:\n  Function:\n    AssumeRolePolicyDocument:\n" + "".join(
        line[2:] + "\n" for line in policy.splitlines()
    )


def _findings(tmp_path: Path, template: str) -> list[tuple[str, str, int]]:
    path = tmp_path / "template.yaml"
    path.write_text(template)
    result = scan([path])
    assert not result.unread
    return sorted(
        (f.check, str(f.evidence["address"]), f.location.line)
        for f in result.findings
        if isinstance(f.location, FileLocation)
    )


def test_a_functions_own_trust_policy_is_judged_as_the_role_sam_creates(tmp_path: Path) -> None:
    template = HEAD + "Resources:\n" + _function("Edge", policy=ANYONE)
    assert _findings(tmp_path, template) == [
        ("trust-anyone", "EdgeRole (created by SAM for Edge)", 15)
    ]


def test_a_lambda_edge_trust_policy_is_clean(tmp_path: Path) -> None:
    template = HEAD + "Resources:\n" + _function("Edge", policy=LAMBDA_EDGE)
    assert _findings(tmp_path, template) == []


def test_a_function_given_a_role_gets_none_from_sam(tmp_path: Path) -> None:
    # SAM ignores AssumeRolePolicyDocument when Role names the function's role.
    role = "arn:aws:iam::123456789012:role/existing"
    template = HEAD + "Resources:\n" + _function("Edge", policy=ANYONE, role=role)
    assert _findings(tmp_path, template) == []


def test_a_role_that_may_be_no_value_leaves_sam_creating_one(tmp_path: Path) -> None:
    role = "!If [HasRole, arn:aws:iam::123456789012:role/existing, !Ref AWS::NoValue]"
    conditions = "Parameters:\n  Given:\n    Type: String\n"
    conditions += "Conditions:\n  HasRole: !Not [!Equals [!Ref Given, '']]\n"
    template = HEAD + conditions + "Resources:\n" + _function("Edge", policy=ANYONE, role=role)
    assert [c for c, _, _ in _findings(tmp_path, template)] == ["trust-anyone"]


def test_the_globals_trust_policy_reaches_every_function(tmp_path: Path) -> None:
    template = (
        HEAD
        + _globals(ANYONE)
        + "Resources:\n"
        + _function("One")
        + _function("Two", extra="    IgnoreGlobals: [AssumeRolePolicyDocument]\n")
        + _function("Three", extra="    IgnoreGlobals: '*'\n")
    )
    found = _findings(tmp_path, template)
    assert [(check, address) for check, address, _ in found] == [
        ("trust-anyone", "OneRole (created by SAM for One)")
    ]


def test_a_functions_statements_are_added_to_the_globals(tmp_path: Path) -> None:
    # SAM concatenates lists: the Globals' statement (Lambda@Edge) and the function's own.
    template = HEAD + _globals(LAMBDA_EDGE) + "Resources:\n" + _function("Edge", policy=ANYONE)
    found = _findings(tmp_path, template)
    assert [(check, address) for check, address, _ in found] == [
        ("trust-anyone", "EdgeRole (created by SAM for Edge)")
    ]
