"""Values IAM refuses when it stores a policy are refused by pointer, never judged.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import PolicyError
from keyless.policy.document import parse_policy, parse_trust_policy

ROOT_OF = "arn:aws:iam::111122223333:root"


def trust_statement(**elements: object) -> dict[str, object]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT_OF},
        "Action": "sts:AssumeRole",
        **elements,
    }


def identity_statement(**elements: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **elements}


def document(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def refusal(parse: Callable[[dict[str, object]], object], value: dict[str, object]) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse(value)
    return caught.value


@pytest.mark.parametrize(
    ("action", "phrase"),
    [
        ("AssumeRole", "no service prefix"),
        (":AssumeRole", "no service prefix"),
        ("sts:Assume:Role", "more than one colon"),
        ("sts:", "no action name"),
    ],
)
def test_an_action_iam_refuses_is_refused_at_its_pointer(action: str, phrase: str) -> None:
    error = refusal(
        parse_trust_policy, document(trust_statement(Action=["sts:TagSession", action]))
    )
    assert error.pointer == "/Statement/0/Action/1"
    assert phrase in str(error)


def test_a_not_action_without_prefix_is_refused_in_an_identity_policy() -> None:
    statement = {"Effect": "Deny", "NotAction": "GetObject", "Resource": "*"}
    assert refusal(parse_policy, document(statement)).pointer == "/Statement/0/NotAction"


@pytest.mark.parametrize("action", ["*", "sts:*", "s3:Get*", "iam:?et*", "STS:assumerole"])
def test_actions_in_grammar_parse(action: str) -> None:
    assert parse_policy(document(identity_statement(Action=action))).statements[0].actions == (
        action,
    )


@pytest.mark.parametrize("resource", ["bucket", "arn:aws:s3", "arn:aws:s3:::", "s3://bucket/*"])
def test_a_resource_that_is_not_an_arn_is_refused(resource: str) -> None:
    error = refusal(parse_policy, document(identity_statement(Resource=["*", resource])))
    assert error.pointer == "/Statement/0/Resource/1"
    assert "neither an ARN nor *" in str(error)


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:s3:::bucket/*",
        "arn:aws:iam::111122223333:role/a:b",
        "arn:*:iam::*:role/*",
        "arn:aws:s3:::${aws:username}/*",
        "${aws_s3_bucket.logs.arn}",
    ],
)
def test_arns_wildcards_and_templates_are_resources(resource: str) -> None:
    statement = {"Effect": "Deny", "Action": "s3:*", "NotResource": resource}
    assert parse_policy(document(statement)).statements[0].resources == (resource,)


@pytest.mark.parametrize("sid", ["My-Sid", "a b", "x_y", "é", "x\nALLOW"])
def test_an_identity_policy_sid_outside_letters_and_digits_is_refused(sid: str) -> None:
    error = refusal(parse_policy, document(identity_statement(Sid=sid)))
    assert error.pointer == "/Statement/0/Sid"


def test_a_duplicate_sid_is_refused_at_the_second_statement() -> None:
    for parse, statement in (
        (parse_trust_policy, trust_statement),
        (parse_policy, identity_statement),
    ):
        error = refusal(parse, document(statement(Sid="Same"), statement(Sid="Same")))
        assert error.pointer == "/Statement/1/Sid"
        assert "names two statements" in str(error)


def test_empty_sids_name_nothing_and_may_repeat() -> None:
    # The IAM console long wrote "Sid": "" into every trust policy it generated.
    policy = parse_trust_policy(document(trust_statement(Sid=""), trust_statement(Sid="")))
    assert [statement.sid for statement in policy.statements] == ["", ""]


def test_a_trust_policy_sid_keeps_its_characters() -> None:
    # AWS's own linter (cfn-lint, policy_trust.json) applies the character rule to
    # identity policies only: a trust policy IAM may store is not reported unreadable.
    policy = parse_trust_policy(document(trust_statement(Sid="Allow-GitHub OIDC")))
    assert policy.statements[0].sid == "Allow-GitHub OIDC"


def test_keyless_trust_refuses_an_unprefixed_action_by_pointer(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(document(trust_statement(Action="AssumeRole"))))
    result = CliRunner().invoke(cli, ["trust", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}#/Statement/0/Action" in result.stderr
    assert "no service prefix" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("element", ["Resource", "NotResource"])
def test_a_trust_policy_naming_a_resource_is_refused(element: str) -> None:
    # CreateRole: "MalformedPolicyDocument: Has prohibited field Resource".
    statement = trust_statement(**{element: "*"})
    error = refusal(parse_trust_policy, document(trust_statement(), statement))
    assert error.pointer == f"/Statement/1/{element}"
    assert f"a role trust policy cannot have {element}" in str(error)
