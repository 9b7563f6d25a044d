"""Concrete evaluation of trust policies: combination rules, principals, explanations."""

from __future__ import annotations

import dataclasses

import pytest

from keyless.idp.aws import aws_principal_request
from keyless.policy.conditions import make_context
from keyless.policy.document import AwsPrincipalForm, parse_policy, parse_trust_policy
from keyless.policy.evaluate import (
    Caller,
    CallerType,
    Request,
    aws_caller,
    evaluate,
)

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
EVALUATION = IAM + "reference_policies_evaluation-logic.html"
PRINCIPAL = IAM + "reference_policies_elements_principal.html"
MULTI = IAM + "reference_policies_condition-logic-multiple-context-keys-or-values.html"

ACCOUNT = "111122223333"
OTHER = "444455556666"
GITHUB_HOST = "token.actions.githubusercontent.com"
GITHUB = Caller(CallerType.WEB_IDENTITY, provider="token.actions.githubusercontent.com")


def policy(*statements):
    return parse_trust_policy({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(effect="Allow", principal="*", action="sts:AssumeRole", **extra):
    return {"Effect": effect, "Principal": principal, "Action": action, **extra}


def aws(arn, action="sts:AssumeRole", **context):
    return Request(aws_caller(arn), (action,), make_context(context))


def web(sub, action="sts:AssumeRoleWithWebIdentity"):
    return Request(
        GITHUB, (action,), make_context({"token.actions.githubusercontent.com:sub": sub})
    )


USER = f"arn:aws:iam::{ACCOUNT}:user/alice"


def test_allow_when_a_statement_matches():
    decision = evaluate(policy(stmt()), aws(USER))
    assert decision.allowed
    assert decision.actions[0].decided_by.statement.index == 0


def test_implicit_deny_without_matching_statement():
    # EVALUATION: no Allow means an implicit deny.
    decision = evaluate(policy(stmt(action="sts:TagSession")), aws(USER))
    assert not decision.allowed
    assert decision.actions[0].decided_by is None
    assert "implicitly" in decision.explanation


def test_explicit_deny_wins_over_allow():
    # EVALUATION: an explicit deny in any policy overrides any allow.
    decision = evaluate(policy(stmt(), stmt(effect="Deny")), aws(USER))
    assert not decision.allowed
    assert decision.actions[0].explicitly_denied
    assert decision.actions[0].decided_by.statement.index == 1


def test_deny_that_does_not_match_does_not_deny():
    deny = stmt(effect="Deny", Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}})
    assert evaluate(policy(stmt(), deny), aws(USER)).allowed


def test_statements_combine_with_or():
    first = stmt(Condition={"StringEquals": {"aws:k": "a"}})
    second = stmt(Condition={"StringEquals": {"aws:k": "b"}})
    request = Request(aws_caller(USER), ("sts:AssumeRole",), make_context({"aws:k": "b"}))
    decision = evaluate(policy(first, second), request)
    assert decision.allowed
    assert decision.actions[0].decided_by.statement.index == 1


def test_operators_combine_with_and():
    # MULTI: several condition operators are ANDed.
    condition = {"StringEquals": {"aws:a": "1"}, "StringLike": {"aws:b": "x*"}}
    request = Request(
        aws_caller(USER), ("sts:AssumeRole",), make_context({"aws:a": "1", "aws:b": "y"})
    )
    decision = evaluate(policy(stmt(Condition=condition)), request)
    assert not decision.allowed
    trace = decision.statements[0]
    assert [r.condition.key for r in trace.failed_conditions] == ["aws:b"]
    assert "aws:b" in trace.reason


def test_keys_within_operator_combine_with_and():
    # MULTI: several keys under one operator are ANDed.
    condition = {"StringEquals": {"aws:a": "1", "aws:b": "2"}}
    request = Request(aws_caller(USER), ("sts:AssumeRole",), make_context({"aws:a": "1"}))
    assert not evaluate(policy(stmt(Condition=condition)), request).allowed


@pytest.mark.parametrize(
    ("principal", "caller", "expected"),
    [
        # PRINCIPAL: an account ID or :root delegates to the whole account.
        ({"AWS": ACCOUNT}, USER, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s", True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:iam::{OTHER}:user/alice", False),
        # PRINCIPAL: a specific ARN matches only that principal.
        ({"AWS": USER}, USER, True),
        ({"AWS": USER}, f"arn:aws:iam::{ACCOUNT}:user/bob", False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/ops/alice"}, USER, True),
        (
            {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Deploy"},
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci",
            True,
        ),
        (
            {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Deploy"},
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Other/ci",
            False,
        ),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/Deploy"}, USER, False),
        # PRINCIPAL: assumed-role session ARNs name one session.
        (
            {"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci"},
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci",
            True,
        ),
        (
            {"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci"},
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/other",
            False,
        ),
        ("*", USER, True),
        ({"AWS": "*"}, USER, True),
        # A bare unique ID is a deleted principal: a recreated one has another ID.
        ({"AWS": "AIDAJQABLZS4A3QDU576Q"}, USER, False),
        ({"Service": "ec2.amazonaws.com"}, USER, False),
    ],
)
def test_aws_principal_matching(principal, caller, expected):
    # PRINCIPAL
    assert evaluate(policy(stmt(principal=principal)), aws(caller)).allowed is expected


@pytest.mark.parametrize(
    ("text", "form"),
    [
        (ACCOUNT, AwsPrincipalForm.ACCOUNT),
        (f"arn:aws:iam::{ACCOUNT}:root", AwsPrincipalForm.ACCOUNT),
        (USER, AwsPrincipalForm.USER),
        (f"arn:aws:iam::{ACCOUNT}:role/Deploy", AwsPrincipalForm.ROLE),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci", AwsPrincipalForm.ASSUMED_ROLE),
        (f"arn:aws:sts::{ACCOUNT}:federated-user/bob", AwsPrincipalForm.FEDERATED_USER),
    ],
)
def test_aws_caller_forms_match_the_policy_parser(text, form):
    assert aws_caller(text).form is form
    parsed = parse_trust_policy({"Statement": stmt(principal={"AWS": text})})
    assert parsed.statements[0].principals[0].form is form


@pytest.mark.parametrize(
    "text",
    [f"arn:aws:iam::{ACCOUNT}:group/ops", f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy", "alice"],
)
def test_aws_caller_refuses_non_principals(text):
    with pytest.raises(ValueError, match="not an IAM or STS principal"):
        aws_caller(text)


def test_unique_id_matches_the_original_principal():
    request = Request(aws_caller(USER, unique_id="AIDAJQABLZS4A3QDU576Q"), ("sts:AssumeRole",))
    assert evaluate(policy(stmt(principal={"AWS": "AIDAJQABLZS4A3QDU576Q"})), request).allowed


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (
            {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"},
            True,
        ),
        ({"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"}, False),
        ({"AWS": ACCOUNT}, False),
        ("*", True),
    ],
)
def test_federated_principal_matching(principal, expected):
    decision = evaluate(
        policy(stmt(principal=principal, action="sts:AssumeRoleWithWebIdentity")), web("repo:o/r")
    )
    assert decision.allowed is expected


def test_oidc_provider_of_another_account_does_not_match_when_role_account_known():
    caller = dataclasses.replace(GITHUB, account=OTHER)
    principal = {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }
    request = Request(caller, ("sts:AssumeRoleWithWebIdentity",))
    assert not evaluate(
        policy(stmt(principal=principal, action="sts:AssumeRoleWithWebIdentity")), request
    ).allowed


def test_service_principal_matching():
    caller = Caller(CallerType.SERVICE, provider="ec2.amazonaws.com")
    assert evaluate(
        policy(stmt(principal={"Service": "ec2.amazonaws.com"})),
        Request(caller, ("sts:AssumeRole",)),
    ).allowed
    assert not evaluate(
        policy(stmt(principal={"Service": "lambda.amazonaws.com"})),
        Request(caller, ("sts:AssumeRole",)),
    ).allowed


@pytest.mark.parametrize(
    ("action_element", "action", "expected"),
    [
        ("sts:AssumeRole", "sts:AssumeRole", True),
        ("STS:assumerole", "sts:AssumeRole", True),  # action names are case-insensitive
        ("sts:Assume*", "sts:AssumeRoleWithSAML", True),
        ("sts:*", "sts:TagSession", True),
        ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", False),
    ],
)
def test_action_matching(action_element, action, expected):
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    assert (
        evaluate(policy(stmt(action=action_element)), aws(USER, action=action)).allowed is expected
    )


def test_not_action_allows_everything_else():
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    document = policy({"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"})
    assert evaluate(document, aws(USER)).allowed
    assert not evaluate(document, aws(USER, action="sts:TagSession")).allowed


def test_all_required_actions_must_be_allowed():
    caller = Caller(CallerType.SERVICE, provider="rolesanywhere.amazonaws.com")
    request = Request(caller, ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"))
    partial = policy(
        stmt(
            principal={"Service": "rolesanywhere.amazonaws.com"},
            action=["sts:AssumeRole", "sts:TagSession"],
        )
    )
    decision = evaluate(partial, request)
    assert not decision.allowed
    assert decision.deciding.action == "sts:SetSourceIdentity"
    assert "sts:SetSourceIdentity: denied" in decision.explanation


def test_bool_if_exists_mfa_passes_for_long_term_keys():
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    document = policy(stmt(Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))
    assert evaluate(document, aws_principal_request(USER)).allowed


def test_bool_mfa_fails_without_mfa_and_passes_with_it():
    document = policy(stmt(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert not evaluate(document, aws_principal_request(USER)).allowed
    assert evaluate(document, aws_principal_request(USER, mfa=True)).allowed


def test_resource_element_checked_when_role_known():
    # An identity policy's Resource (a trust policy has none: IAM refuses it).
    document = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": f"arn:aws:iam::{ACCOUNT}:role/Deploy",
                }
            ],
        }
    )
    known = Request(
        aws_caller(USER), ("sts:AssumeRole",), resource=f"arn:aws:iam::{ACCOUNT}:role/Other"
    )
    assert not evaluate(document, known).allowed
    unknown = Request(aws_caller(USER), ("sts:AssumeRole",))
    assert evaluate(document, unknown).allowed  # fail-safe: an Allow is assumed to cover it


def test_unresolvable_variable_keeps_deny_from_applying():
    deny = stmt(effect="Deny", Condition={"StringNotEquals": {"aws:k": "${aws:username}"}})
    request = Request(
        aws_caller(f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s"),
        ("sts:AssumeRole",),
        make_context({"aws:k": "x"}),
    )
    decision = evaluate(policy(stmt(), deny), request)
    assert decision.allowed
    assert decision.statements[1].failed_conditions[0].invalid


def test_whole_account_trust_notes_identity_policy_requirement():
    decision = evaluate(policy(stmt(principal={"AWS": ACCOUNT})), aws(USER))
    assert any("identity policy" in note for note in decision.notes)
    exact = evaluate(policy(stmt(principal={"AWS": USER})), aws(USER))
    assert not any("identity policy" in note for note in exact.notes)


def test_named_caller_from_another_account_notes_identity_policy_requirement():
    role = f"arn:aws:iam::{ACCOUNT}:role/Target"
    vendor = f"arn:aws:iam::{OTHER}:role/Vendor"
    request = Request(aws_caller(vendor), ("sts:AssumeRole",), resource=role)
    decision = evaluate(policy(stmt(principal={"AWS": vendor})), request)
    assert any("in another account" in note for note in decision.notes)


def test_decision_is_frozen_and_explains_itself():
    decision = evaluate(
        policy(stmt(Sid="OnlyMain", Condition={"StringEquals": {"aws:k": "a"}})), aws(USER)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.allowed = True  # type: ignore[misc]
    assert "statement 0 (OnlyMain)" in decision.explanation
    assert "aws:k" in decision.explanation


def test_documented_behaviour_string_like_org_wildcard():
    # trust-policies.md §1 / S7: StringLike "repo:octo-org/*" admits another repository's main.
    document = policy(
        stmt(
            principal={"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"},
            action="sts:AssumeRoleWithWebIdentity",
            Condition={
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}
            },
        )
    )
    assert evaluate(document, web("repo:octo-org/other:ref:refs/heads/main")).allowed
    assert not evaluate(document, web("repo:evil-org/x:ref:refs/heads/main")).allowed


def test_documented_behaviour_string_equals_star_is_literal():
    document = policy(
        stmt(
            principal={"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"},
            action="sts:AssumeRoleWithWebIdentity",
            Condition={
                "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}
            },
        )
    )
    assert not evaluate(document, web("repo:octo-org/other:ref:refs/heads/main")).allowed


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
@pytest.mark.parametrize(
    ("resource", "context", "allowed"),
    [
        ("arn:aws:s3:::home/alice/notes", {"aws:username": "alice"}, True),
        ("arn:aws:s3:::home/bob/notes", {"aws:username": "alice"}, False),
        ("arn:aws:s3:::home/alice/notes", {}, False),  # unresolvable: the statement matches nothing
    ],
)
def test_variables_in_resource_are_substituted(resource, context, allowed):
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::home/${aws:username}/*",
                }
            ],
        }
    )
    request = Request(aws_caller(USER), ("s3:GetObject",), make_context(context), resource)
    assert evaluate(policy, request).allowed is allowed


@pytest.mark.parametrize(
    ("principal", "caller", "allowed"),
    [
        (f"arn:aws-us-gov:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:user/x", False),
        (f"arn:aws-us-gov:iam::{ACCOUNT}:root", f"arn:aws-us-gov:iam::{ACCOUNT}:user/x", True),
        (f"arn:aws-cn:iam::{ACCOUNT}:role/r", f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s", False),
        (f"arn:aws-cn:iam::{ACCOUNT}:role/r", f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/r/s", True),
        (f"arn:aws:iam::{ACCOUNT}:user/x", f"arn:aws-us-gov:iam::{ACCOUNT}:user/x", False),
        # A bare account ID names the account in the policy's partition, both ways.
        (ACCOUNT, f"arn:aws-us-gov:iam::{ACCOUNT}:user/x", True),
        (f"arn:aws-us-gov:iam::{ACCOUNT}:root", ACCOUNT, True),
    ],
)
def test_a_principal_of_another_partition_is_another_principal(
    principal: str, caller: str, allowed: bool
) -> None:
    """An ARN names its partition; the same account ID in aws and aws-us-gov are two accounts.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"""
    decision = evaluate(policy(stmt(principal={"AWS": principal})), aws(caller))
    assert decision.allowed is allowed


GOV_USER = f"arn:aws-us-gov:iam::{ACCOUNT}:user/x"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws-us-gov:iam::{ACCOUNT}:root"}],
)
def test_no_principal_admits_a_caller_of_another_partition_than_the_roles(principal) -> None:
    """Partitions have independent IAM instances and a credential of one is not valid in
    another, so AssumeRole never crosses them, "*" included:
    https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html
    """
    request = dataclasses.replace(aws(GOV_USER), resource=ROLE)
    decision = evaluate(policy(stmt(principal=principal)), request)
    assert not decision.allowed
    assert (
        "principal does not match: the caller is in the partition 'aws-us-gov' and the role in "
        "'aws': no principal of one partition can assume a role of another"
    ) in decision.explanation


@pytest.mark.parametrize(
    ("caller", "role"),
    [
        (GOV_USER, ROLE.replace("arn:aws:", "arn:aws-us-gov:")),  # the same partition
        (GOV_USER, None),  # the role's partition unknown
        (ACCOUNT, ROLE.replace("arn:aws:", "arn:aws-cn:")),  # the caller's unknown
    ],
)
def test_a_wildcard_still_admits_a_caller_when_the_partitions_agree_or_are_unknown(
    caller: str, role: str | None
) -> None:
    request = dataclasses.replace(aws(caller), resource=role)
    assert evaluate(policy(stmt(principal="*")), request).allowed


def test_a_deny_still_applies_to_a_caller_of_another_partition() -> None:
    request = dataclasses.replace(aws(GOV_USER), resource=ROLE)
    decision = evaluate(policy(stmt(), stmt("Deny")), request)
    assert decision.actions[0].explicitly_denied
