"""Every condition operator, qualifier and absent-key case, each with the AWS rule it encodes."""

from __future__ import annotations

import base64

import pytest

from keyless.policy.conditions import (
    evaluate_condition,
    make_context,
    matches_wildcard,
    wildcard_to_regex,
)
from keyless.policy.document import parse_trust_policy

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
OPS = IAM + "reference_policies_elements_condition_operators.html"
STRING = OPS + "#Conditions_String"
NUMERIC = OPS + "#Conditions_Numeric"
DATE = OPS + "#Conditions_Date"
BOOL = OPS + "#Conditions_Boolean"
BINARY = OPS + "#Conditions_BinaryEquals"
IP = OPS + "#Conditions_IPAddress"
ARN = OPS + "#Conditions_ARN"
IFEXISTS = OPS + "#Conditions_IfExists"
NULL = OPS + "#Conditions_Null"
MULTI = IAM + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
SETS = IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
CONDITION = IAM + "reference_policies_elements_condition.html"
VARIABLES = IAM + "reference_policies_variables.html"

KEY = "aws:Test"
ABSENT = object()


def run(operator, policy_values, request, *, key=KEY, version="2012-10-17", context=None):
    document = {
        "Version": version,
        "Statement": {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {operator: {key: policy_values}},
        },
    }
    policy = parse_trust_policy(document)
    entries = dict(context or {})
    if request is not ABSENT:
        entries[KEY] = request
    return evaluate_condition(
        policy.statements[0].conditions[0],
        make_context(entries),
        variables=policy.supports_variables,
    )


B64 = base64.b64encode(b"keyless").decode()

CASES = [
    # id, operator, policy values, request value, expected, rule
    ("string-equals-match", "StringEquals", "main", "main", True, STRING),
    ("string-equals-case-sensitive", "StringEquals", "Main", "main", False, STRING),
    ("string-equals-star-is-literal", "StringEquals", "repo:o/*", "repo:o/x", False, STRING),
    ("string-equals-star-literal-match", "StringEquals", "repo:o/*", "repo:o/*", True, STRING),
    ("string-equals-values-or", "StringEquals", ["a", "b"], "b", True, MULTI),
    ("string-equals-absent", "StringEquals", "a", ABSENT, False, SETS),
    ("string-not-equals-other", "StringNotEquals", "a", "b", True, STRING),
    ("string-not-equals-same", "StringNotEquals", "a", "a", False, STRING),
    ("string-not-equals-values-nor", "StringNotEquals", ["a", "b"], "b", False, MULTI),
    ("string-not-equals-absent", "StringNotEquals", "a", ABSENT, True, SETS),
    ("string-equals-ignore-case", "StringEqualsIgnoreCase", "MAIN", "main", True, STRING),
    ("string-not-equals-ignore-case", "StringNotEqualsIgnoreCase", "MAIN", "main", False, STRING),
    (
        "string-like-crosses-slash-colon",
        "StringLike",
        "repo:octo-org/*",
        "repo:octo-org/other:ref:refs/heads/main",
        True,
        STRING,
    ),
    (
        "string-like-branch-prefix",
        "StringLike",
        "refs/heads/*",
        "refs/heads/feature/x",
        True,
        STRING,
    ),
    ("string-like-main-star", "StringLike", "main*", "main-hotfix", True, STRING),
    ("string-like-question-one-char", "StringLike", "v?", "v1", True, STRING),
    ("string-like-question-not-two", "StringLike", "v?", "v12", False, STRING),
    ("string-like-star-empty", "StringLike", "a*", "a", True, STRING),
    ("string-like-case-sensitive", "StringLike", "Repo:*", "repo:x", False, STRING),
    ("string-like-anchored", "StringLike", "repo:o/r", "xrepo:o/r", False, STRING),
    ("string-like-absent", "StringLike", "*", ABSENT, False, SETS),
    ("string-not-like-match", "StringNotLike", "repo:o/*", "repo:o/x", False, STRING),
    ("string-not-like-other", "StringNotLike", "repo:o/*", "repo:p/x", True, STRING),
    ("string-not-like-absent", "StringNotLike", "repo:o/*", ABSENT, True, SETS),
    ("numeric-equals", "NumericEquals", "10", "10.0", True, NUMERIC),
    ("numeric-not-equals", "NumericNotEquals", "10", "11", True, NUMERIC),
    ("numeric-less-than", "NumericLessThan", "10", "9", True, NUMERIC),
    ("numeric-less-than-equal-value", "NumericLessThan", "10", "10", False, NUMERIC),
    ("numeric-less-than-equals", "NumericLessThanEquals", "10", "10", True, NUMERIC),
    ("numeric-greater-than", "NumericGreaterThan", "10", "11", True, NUMERIC),
    ("numeric-greater-than-equals", "NumericGreaterThanEquals", "10", "9", False, NUMERIC),
    ("numeric-json-number", "NumericEquals", 42, "42", True, NUMERIC),
    ("numeric-unparseable-request", "NumericEquals", "10", "ten", False, NUMERIC),
    ("numeric-absent", "NumericGreaterThan", "0", ABSENT, False, SETS),
    ("date-less-than", "DateLessThan", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", True, DATE),
    (
        "date-greater-than-epoch",
        "DateGreaterThan",
        "1767225600",
        "2026-01-02T00:00:00Z",
        True,
        DATE,
    ),
    ("date-equals", "DateEquals", "2026-01-01T00:00:00Z", "1767225600", True, DATE),
    ("date-not-equals", "DateNotEquals", "2026-01-01T00:00:00Z", "1767225600", False, DATE),
    (
        "date-less-than-equals",
        "DateLessThanEquals",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        True,
        DATE,
    ),
    (
        "date-greater-than-equals",
        "DateGreaterThanEquals",
        "2026-01-01T00:00:00Z",
        "2025-01-01T00:00:00Z",
        False,
        DATE,
    ),
    ("bool-true", "Bool", "true", "true", True, BOOL),
    ("bool-json-true", "Bool", True, "true", True, BOOL),
    ("bool-false-value", "Bool", "true", "false", False, BOOL),
    ("bool-absent", "Bool", "true", ABSENT, False, SETS),
    ("binary-equals", "BinaryEquals", B64, B64, True, BINARY),
    ("binary-differs", "BinaryEquals", B64, base64.b64encode(b"other").decode(), False, BINARY),
    ("ip-in-cidr", "IpAddress", "203.0.113.0/24", "203.0.113.7", True, IP),
    ("ip-outside-cidr", "IpAddress", "203.0.113.0/24", "198.51.100.1", False, IP),
    ("ip-single-address", "IpAddress", "203.0.113.7", "203.0.113.7", True, IP),
    ("ip-v6", "IpAddress", "2001:db8::/32", "2001:db8::1", True, IP),
    ("not-ip-outside", "NotIpAddress", "203.0.113.0/24", "198.51.100.1", True, IP),
    ("not-ip-inside", "NotIpAddress", "203.0.113.0/24", "203.0.113.9", False, IP),
    ("not-ip-absent", "NotIpAddress", "203.0.113.0/24", ABSENT, True, SETS),
    (
        "arn-like-segment",
        "ArnLike",
        "arn:aws:iam::*:role/Admin*",
        "arn:aws:iam::111122223333:role/AdminX",
        True,
        ARN,
    ),
    (
        "arn-like-star-does-not-span-colon",
        "ArnLike",
        "arn:aws:*",
        "arn:aws:iam::111122223333:role/x",
        False,
        ARN,
    ),
    (
        "arn-equals-like-arnlike",
        "ArnEquals",
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:iam::111122223333:role/x",
        True,
        ARN,
    ),
    (
        "arn-like-resource-keeps-colons",
        "ArnLike",
        "arn:aws:logs:us-east-1:111122223333:log-group:*",
        "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
        True,
        ARN,
    ),
    (
        "arn-like-case-sensitive",
        "ArnLike",
        "arn:aws:iam::111122223333:role/admin",
        "arn:aws:iam::111122223333:role/Admin",
        False,
        ARN,
    ),
    ("arn-like-not-an-arn", "ArnLike", "arn:aws:iam::*:role/*", "role/x", False, ARN),
    (
        "arn-not-like",
        "ArnNotLike",
        "arn:aws:iam::*:role/Admin",
        "arn:aws:iam::111122223333:role/Dev",
        True,
        ARN,
    ),
    (
        "arn-not-equals-match",
        "ArnNotEquals",
        "arn:aws:iam::111122223333:role/Dev",
        "arn:aws:iam::111122223333:role/Dev",
        False,
        ARN,
    ),
    ("arn-like-absent", "ArnLike", "arn:aws:iam::*:role/*", ABSENT, False, SETS),
    ("null-true-absent", "Null", "true", ABSENT, True, NULL),
    ("null-true-present", "Null", "true", "x", False, NULL),
    ("null-false-present", "Null", "false", "x", True, NULL),
    ("null-false-absent", "Null", "false", ABSENT, False, NULL),
    ("if-exists-absent", "StringEqualsIfExists", "a", ABSENT, True, IFEXISTS),
    ("if-exists-present-mismatch", "StringEqualsIfExists", "a", "b", False, IFEXISTS),
    ("if-exists-present-match", "StringEqualsIfExists", "a", "a", True, IFEXISTS),
    ("bool-if-exists-absent", "BoolIfExists", "true", ABSENT, True, IFEXISTS),
    ("numeric-if-exists-absent", "NumericLessThanIfExists", "3600", ABSENT, True, IFEXISTS),
    (
        "for-any-value-one-matches",
        "ForAnyValue:StringEquals",
        "authenticated",
        ["authenticated", "graph.facebook.com"],
        True,
        SETS,
    ),
    (
        "for-any-value-none-match",
        "ForAnyValue:StringEquals",
        "authenticated",
        ["unauthenticated"],
        False,
        SETS,
    ),
    ("for-any-value-absent", "ForAnyValue:StringEquals", "a", ABSENT, False, SETS),
    ("for-any-value-empty", "ForAnyValue:StringEquals", "a", [], False, SETS),
    ("for-any-value-like", "ForAnyValue:StringLike", "auth*", ["x", "authenticated"], True, SETS),
    ("for-all-values-subset", "ForAllValues:StringEquals", ["a", "b"], ["a"], True, SETS),
    ("for-all-values-not-subset", "ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False, SETS),
    ("for-all-values-absent-passes", "ForAllValues:StringEquals", "prod", ABSENT, True, SETS),
    ("for-all-values-empty-passes", "ForAllValues:StringEquals", "prod", [], True, SETS),
    (
        "for-all-values-cognito-broken",
        "ForAllValues:StringLike",
        "authenticated",
        ["authenticated", "cognito-idp.us-east-1.amazonaws.com/pool"],
        False,
        SETS,
    ),
    ("for-any-value-negated", "ForAnyValue:StringNotEquals", "a", ["a", "b"], True, SETS),
    ("for-any-value-negated-all-same", "ForAnyValue:StringNotEquals", "a", ["a"], False, SETS),
    ("for-all-values-negated", "ForAllValues:StringNotEquals", "a", ["b", "c"], True, SETS),
    (
        "for-all-values-negated-one-hit",
        "ForAllValues:StringNotEquals",
        "a",
        ["a", "b"],
        False,
        SETS,
    ),
    ("multivalued-without-set-operator", "StringEquals", "a", ["a", "b"], True, SETS),
]


@pytest.mark.parametrize(
    ("operator", "policy_values", "request_value", "expected", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_operator(operator, policy_values, request_value, expected, rule):
    assert rule.startswith("https://docs.aws.amazon.com/")
    assert run(operator, policy_values, request_value).passed is expected


def test_key_names_are_case_insensitive():
    # CONDITION: "Condition key names are not case-sensitive."
    result = run("StringEquals", "x", "x", key="AWS:TEST")
    assert result.passed


def test_values_are_case_sensitive_for_string_equals():
    # STRING: StringEquals is case-sensitive.
    assert not run("StringEquals", "X", "x").passed


def test_absent_key_reason_is_explained():
    result = run("StringEquals", "a", ABSENT)
    assert result.request_values is None
    assert "absent" in result.reason


def test_multivalued_key_without_set_operator_is_flagged_uncertain():
    assert run("StringEquals", "a", ["a", "b"]).uncertain


VARIABLE_CASES = [
    (
        "variable-resolves",
        "StringEquals",
        "${aws:username}",
        "alice",
        {"aws:username": "alice"},
        True,
    ),
    (
        "variable-key-case-insensitive",
        "StringEquals",
        "${AWS:UserName}",
        "alice",
        {"aws:username": "alice"},
        True,
    ),
    (
        "variable-in-like",
        "StringLike",
        "home/${aws:username}/*",
        "home/alice/x",
        {"aws:username": "alice"},
        True,
    ),
    ("variable-default", "StringEquals", "${aws:username, 'bob'}", "bob", {}, True),
    (
        "variable-default-with-quote",
        "StringEquals",
        "${aws:username, 'o''neil'}",
        "o'neil",
        {},
        True,
    ),
    ("escape-star-literal", "StringLike", "a${*}", "ab", {}, False),
    ("escape-star-matches-star", "StringLike", "a${*}", "a*", {}, True),
    ("escape-question-literal", "StringLike", "a${?}", "ab", {}, False),
    ("escape-dollar", "StringEquals", "${$}x", "$x", {}, True),
    (
        "substituted-value-is-literal",
        "StringLike",
        "${aws:username}",
        "anything",
        {"aws:username": "*"},
        False,
    ),
    (
        "arn-variable",
        "ArnLike",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "arn:aws:iam::111122223333:role/x",
        {"aws:PrincipalAccount": "111122223333"},
        True,
    ),
]


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "context", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in VARIABLE_CASES],
)
def test_policy_variables(operator, policy_value, request_value, context, expected):
    # VARIABLES: ${key}, ${key, 'default'} and the ${*} ${?} ${$} escapes.
    assert run(operator, policy_value, request_value, context=context).passed is expected


def test_unresolvable_variable_makes_condition_invalid():
    # VARIABLES: "If AWS cannot resolve a variable this might cause the entire statement
    # to be invalid."
    result = run("StringNotEquals", "${aws:username}", "alice")
    assert not result.passed
    assert result.invalid


def test_multivalued_key_cannot_be_a_variable():
    # VARIABLES / SETS: multivalued context keys cannot be used as policy variables.
    result = run("StringEquals", "${aws:TagKeys}", "a", context={"aws:TagKeys": ["a"]})
    assert result.invalid


def test_variables_are_literal_without_version_2012():
    # VARIABLES: policy variables need "Version": "2012-10-17".
    result = run(
        "StringEquals",
        "${aws:username}",
        "${aws:username}",
        version="2008-10-17",
        context={"aws:username": "alice"},
    )
    assert result.passed


def test_variables_not_substituted_in_numeric_operators():
    # VARIABLES: variables are allowed only in String and ARN condition values.
    assert not run("NumericEquals", "${aws:n}", "5", context={"aws:n": "5"}).passed


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("repo:octo-org/*", "repo:octo-org/x:ref:refs/heads/main", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a.c", "abc", False),  # regex metacharacters are literal
        ("*", "", True),
        ("a*b*c", "axxbyyc", True),
        ("line*", "line1\nline2", True),
    ],
)
def test_wildcard_matcher(pattern, value, expected):
    # STRING: * is any run of characters (empty included), ? exactly one.
    assert matches_wildcard(pattern, value) is expected
    assert (wildcard_to_regex(pattern).fullmatch(value) is not None) is expected


def test_wildcard_matcher_ignore_case():
    assert matches_wildcard("STS:Assume*", "sts:assumerole", ignore_case=True)
    assert not matches_wildcard("STS:Assume*", "sts:assumerole")
