"""grant_on_everything: what identity policies allow on every resource, from the statements."""

from __future__ import annotations

from typing import Any

from keyless.policy.document import parse_policy
from keyless.policy.grants import grant_on_everything


def grant(*statements: dict[str, Any]) -> Any:
    return grant_on_everything(
        [parse_policy({"Version": "2012-10-17", "Statement": list(statements)})]
    )


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Resource": "*", **fields}


def test_star_is_everything() -> None:
    assert grant(allow(Action="*")).everything


def test_not_action_is_everything_except() -> None:
    result = grant(allow(NotAction=["iam:*", "organizations:*"]))
    assert (result.everything, result.excepted) == (False, ("iam:*", "organizations:*"))
    assert result.describe() == "every action except IAM and Organizations (iam:*, organizations:*)"


def test_given_back_actions_are_named() -> None:
    result = grant(allow(NotAction="iam:*"), allow(Action=["iam:ListRoles", "s3:GetObject"]))
    assert result.given_back == ("iam:listroles",)


def test_an_exception_granted_back_whole_is_no_exception() -> None:
    assert grant(allow(NotAction="iam:*"), allow(Action="IAM:*")).everything


def test_a_list_of_services_is_not_broad() -> None:
    assert not grant(allow(Action=["s3:*", "ec2:*"])).broad


def test_a_scoped_resource_grants_nothing_on_everything() -> None:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}
    assert not grant(statement).broad


def test_not_resource_counts_as_every_resource() -> None:
    assert grant({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::x"}).everything
