"""Parsing and validating policy documents; errors carry a JSON pointer.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.errors import PolicyError
from keyless.policy.document import (
    AwsPrincipalForm,
    Effect,
    PrincipalType,
    parse_policy,
    parse_trust_policy,
)

GITHUB_HOST = "token.actions.githubusercontent.com"
GITHUB = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB_HOST}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {
                    "token.actions.githubusercontent.com:sub": ["repo:o/r:*", "repo:o/s:*"]
                },
            },
        }
    ],
}


def trust(statement, version="2012-10-17"):
    return {"Version": version, "Statement": [statement]}


def allow(**elements):
    return {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", **elements}


def pointer_of(document, parse=parse_trust_policy):
    with pytest.raises(PolicyError) as caught:
        parse(document)
    return caught.value.pointer


def test_parses_github_trust_policy():
    policy = parse_trust_policy(json.dumps(GITHUB))
    statement = policy.statements[0]
    assert statement.effect is Effect.ALLOW
    assert statement.actions == ("sts:AssumeRoleWithWebIdentity",)
    assert statement.principals[0].type is PrincipalType.FEDERATED
    sub = statement.conditions[1]
    assert sub.operator.base.name == "StringLike"
    assert sub.values == ("repo:o/r:*", "repo:o/s:*")
    assert (
        sub.pointer == "/Statement/0/Condition/StringLike/token.actions.githubusercontent.com:sub"
    )
    assert policy.supports_variables


def test_text_bytes_and_mapping_parse_equal_and_hashable():
    text = json.dumps(GITHUB)
    parsed = {
        parse_trust_policy(text),
        parse_trust_policy(text.encode()),
        parse_trust_policy(GITHUB),
    }
    assert len(parsed) == 1


def test_single_statement_object_and_single_values():
    policy = parse_trust_policy({"Statement": allow()})
    assert len(policy.statements) == 1
    assert policy.version is None
    assert not policy.supports_variables
    assert policy.statements[0].principals[0].is_wildcard


@pytest.mark.parametrize(
    ("value", "form", "account"),
    [
        ("*", AwsPrincipalForm.ANY, None),
        ("111122223333", AwsPrincipalForm.ACCOUNT, "111122223333"),
        ("arn:aws:iam::111122223333:root", AwsPrincipalForm.ACCOUNT, "111122223333"),
        ("arn:aws:iam::111122223333:user/path/alice", AwsPrincipalForm.USER, "111122223333"),
        ("arn:aws:iam::111122223333:role/Deploy", AwsPrincipalForm.ROLE, "111122223333"),
        (
            "arn:aws:sts::111122223333:assumed-role/Deploy/s1",
            AwsPrincipalForm.ASSUMED_ROLE,
            "111122223333",
        ),
        (
            "arn:aws:sts::111122223333:federated-user/bob",
            AwsPrincipalForm.FEDERATED_USER,
            "111122223333",
        ),
        ("AROAJQABLZS4A3QDU576Q", AwsPrincipalForm.UNIQUE_ID, None),
        ("arn:aws-us-gov:iam::111122223333:root", AwsPrincipalForm.ACCOUNT, "111122223333"),
    ],
)
def test_aws_principal_forms(value, form, account):
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    principal = (
        parse_trust_policy(trust(allow(Principal={"AWS": [value]}))).statements[0].principals[0]
    )
    assert principal.form is form
    assert principal.account == account


def test_service_federated_and_canonical_principals():
    statement = parse_trust_policy(
        trust(
            allow(
                Principal={
                    "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
                    "Federated": "accounts.google.com",
                    "CanonicalUser": "79a59df900b949e55d96a1e698fbaced",
                }
            )
        )
    ).statements[0]
    assert [p.type for p in statement.principals] == [
        PrincipalType.SERVICE,
        PrincipalType.SERVICE,
        PrincipalType.FEDERATED,
        PrincipalType.CANONICAL_USER,
    ]


def test_not_action_and_not_resource():
    statement = parse_policy(
        {"Statement": {"Effect": "Deny", "NotAction": "sts:TagSession", "NotResource": "*"}}
    ).statements[0]
    assert statement.actions_negated
    assert statement.resources_negated


def test_condition_scalars_are_converted_like_aws():
    statement = parse_trust_policy(
        trust(allow(Condition={"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"k": 3}}))
    ).statements[0]
    assert [c.values for c in statement.conditions] == [("true",), ("3",)]


def test_condition_key_keeps_spelling_and_lowers_for_lookup():
    condition = (
        parse_trust_policy(trust(allow(Condition={"StringEquals": {"SAML:Aud": "x"}})))
        .statements[0]
        .conditions[0]
    )
    assert condition.key == "SAML:Aud"
    assert condition.key_lower == "saml:aud"


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        # NotPrincipal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        (
            trust(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": "111122223333"},
                    "Action": "sts:AssumeRole",
                }
            ),
            "/Statement/0/NotPrincipal",
        ),
        (trust(allow(Actoin="x")), "/Statement/0/Actoin"),
        ({"Statement": [], "Versoin": "2012-10-17"}, "/Versoin"),
        (trust(allow(Action=5)), "/Statement/0/Action"),
        (trust(allow(Action=["sts:AssumeRole", 5])), "/Statement/0/Action/1"),
        (trust(allow(Action=[])), "/Statement/0/Action"),
        (trust({"Effect": "Allow", "Action": "sts:AssumeRole"}), "/Statement/0"),
        (trust({"Effect": "Permit", "Principal": "*", "Action": "s:a"}), "/Statement/0/Effect"),
        (
            trust(allow(Principal={"AWS": "arn:aws:iam::111122223333:role/*"})),
            "/Statement/0/Principal/AWS",
        ),
        (
            trust(allow(Principal={"AWS": ["111122223333", "not-a-principal"]})),
            "/Statement/0/Principal/AWS/1",
        ),
        (trust(allow(Principal={"Robot": "x"})), "/Statement/0/Principal/Robot"),
        (trust(allow(Principal="everyone")), "/Statement/0/Principal"),
        (
            trust(allow(Condition={"StringEqualz": {"k": "v"}})),
            "/Statement/0/Condition/StringEqualz",
        ),
        (
            trust(allow(Condition={"NullIfExists": {"k": "true"}})),
            "/Statement/0/Condition/NullIfExists",
        ),
        (trust(allow(Condition={"Null": {"k": "maybe"}})), "/Statement/0/Condition/Null/k"),
        (
            trust(allow(Condition={"StringEquals": {"k": {"nested": 1}}})),
            "/Statement/0/Condition/StringEquals/k",
        ),
        (
            trust(allow(Condition={"StringEquals": {"k": ["a", None]}})),
            "/Statement/0/Condition/StringEquals/k/1",
        ),
        (
            trust(allow(Condition={"StringEquals": {"a/b~c": None}})),
            "/Statement/0/Condition/StringEquals/a~1b~0c",
        ),
        ({"Version": "2012-10-18", "Statement": []}, "/Version"),
        ({"Statement": "x"}, "/Statement"),
        ([], ""),
        (trust(allow(Action="a", NotAction="b")), "/Statement/0"),
    ],
)
def test_invalid_documents_point_at_the_element(document, pointer):
    assert pointer_of(document) == pointer


def test_duplicate_keys_are_rejected_with_pointer():
    text = (
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s:a", "Effect": "Deny"}]}'
    )
    assert pointer_of(text) == "/Statement/0/Effect"


def test_duplicate_condition_keys_are_rejected():
    text = (
        '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s:a",'
        ' "Condition": {"StringEquals": {"k": "1", "k": "2"}}}}'
    )
    assert pointer_of(text) == "/Statement/Condition/StringEquals/k"


def test_invalid_json_and_bytes():
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_trust_policy("{")
    with pytest.raises(PolicyError, match="UTF-8"):
        parse_trust_policy(b"\xff\xfe{")


def test_error_names_source_file():
    with pytest.raises(PolicyError) as caught:
        parse_trust_policy(trust(allow(Action=5)), source="role.json")
    assert caught.value.describe().startswith("role.json#/Statement/0/Action")


def test_identity_policy_rules():
    identity = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
    }
    assert parse_policy(identity).statements[0].principals is None
    no_resource = {"Statement": {"Effect": "Allow", "Action": "s:a"}}
    assert pointer_of(no_resource, parse_policy) == "/Statement"
    with_principal = {
        "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s:a", "Resource": "*"}
    }
    assert pointer_of(with_principal, parse_policy) == "/Statement/Principal"


def _pointer_or_none(parse, document):
    """Parse; return None on success, the pointer on PolicyError; anything else propagates."""
    try:
        parse(document)
    except PolicyError as error:
        return error.pointer
    return None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
ELEMENT_NAMES = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "Condition",
        "Sid",
        "AWS",
        "Federated",
        "Service",
        "StringLike",
        "Null",
        "ForAnyValue:StringEquals",
        "BoolIfExists",
        "2012-10-17",
        "Allow",
        "Deny",
        "*",
        "k",
    ]
)
POLICYISH = st.recursive(
    st.none() | st.booleans() | st.integers() | ELEMENT_NAMES | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ELEMENT_NAMES, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, POLICYISH))
def test_parser_raises_only_policy_error_on_arbitrary_json(data):
    for parse in (parse_trust_policy, parse_policy):
        for document in (data, json.dumps(data)):
            pointer = _pointer_or_none(parse, document)
            assert pointer is None or pointer == "" or pointer.startswith("/")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40) | st.binary(max_size=40))
def test_parser_raises_only_policy_error_on_arbitrary_text(text):
    pointer = _pointer_or_none(parse_trust_policy, text)
    assert pointer is None or pointer == ""


@pytest.mark.parametrize("effect", ["allow", "DENY", "deny", "Allow "])
def test_effect_is_read_as_iam_spells_it(effect: str) -> None:
    # IAM refuses "allow" (MalformedPolicyDocument, hashicorp/terraform#10057): a document
    # spelling it so was never IAM's, and reading "deny" as Deny hid access.
    with pytest.raises(PolicyError, match='Effect must be "Allow" or "Deny"') as raised:
        parse_policy({"Statement": [{"Effect": effect, "Action": "*", "Resource": "*"}]})
    assert raised.value.pointer == "/Statement/0/Effect"
    policy = parse_policy({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert policy.statements[0].effect is Effect.ALLOW


def test_non_string_keys_are_a_policy_error_not_a_crash() -> None:
    document = {
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {3: {}}}]
    }
    with pytest.raises(PolicyError, match="not a string"):
        parse_policy(document)
