"""Template placeholders are told apart from IAM's own ${…} syntax (issue #18, item 4)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from keyless.policy.document import AwsPrincipalForm, parse_trust_policy
from keyless.policy.templates import as_wildcard, placeholders_in, policy_placeholders
from keyless.policy.variables import Text, Variable, split_variables


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("${trusted_entity}", ("${trusted_entity}",)),
        ("arn:aws:iam::${account_id}:oidc-provider/x", ("${account_id}",)),
        ("arn:aws:iam::${AWS::AccountId}:root", ("${AWS::AccountId}",)),  # CloudFormation
        ("repo:${var.org}/app:*", ("${var.org}",)),  # Terraform
        ("repo:<OWNER>/<REPO>:*", ("<OWNER>", "<REPO>")),
        ("repo:{{ org }}/{{repo}}:*", ("{{ org }}", "{{repo}}")),
        ("repo:%{ org }/app:*", ("%{ org }",)),
        ("repo:<%= org %>/app:*", ("<%= org %>",)),
        ("repo:${{ github.repository }}:*", ("${{ github.repository }}",)),
        ("arn:aws:iam::$(account):root", ("$(account)",)),
        ("arn:aws:iam::__AWS_ACCOUNT_ID__:root", ("__AWS_ACCOUNT_ID__",)),  # sed, Replace Tokens
        ("repo:__GITHUB_USER__/__REPO_NAME__:*", ("__GITHUB_USER__", "__REPO_NAME__")),
    ],
)
def test_placeholders_of_each_template_language(text: str, found: tuple[str, ...]) -> None:
    assert placeholders_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "${aws:username}",
        "${aws:PrincipalTag/team}",
        "${saml:sub, 'nobody'}",
        "${token.actions.githubusercontent.com:sub}",
        "${*}",
        "${?}",
        "${$}",
        "{12345678-aaaa-bbbb-cccc-1234567890ab}:*",  # a Bitbucket sub: literal braces
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/__init__:*",  # lower case: a name, not a token
        "repo:octo-org/app__X__y:*",  # inside a word
        "arn:aws:iam::123456789012:role/___",
    ],
)
def test_iam_syntax_and_real_values_are_not_placeholders(text: str) -> None:
    assert placeholders_in(text) == ()


def test_a_placeholder_stands_for_anything_when_read_as_a_wildcard() -> None:
    assert as_wildcard("arn:aws:iam::${account}:role/${name}") == "arn:aws:iam::*:role/*"
    assert as_wildcard("${aws:username}-x") == "${aws:username}-x"


def test_only_condition_keys_are_policy_variables() -> None:
    assert split_variables("${aws:username}") == (Variable("aws:username"),)
    assert split_variables("${trusted_entity}") == (Text("${trusted_entity}"),)


def test_an_unrendered_aws_principal_parses_as_a_template() -> None:
    policy = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringLike": {"aws:PrincipalArn": "<ROLE_ARN>"}},
                }
            ],
        }
    )
    (principal,) = policy.statements[0].principals or ()
    assert principal.form is AwsPrincipalForm.TEMPLATE
    assert [(p.text, p.pointer) for p in policy_placeholders(policy)] == [
        ("${AWS::AccountId}", "/Statement/0/Principal/AWS"),
        ("<ROLE_ARN>", "/Statement/0/Condition/StringLike/aws:PrincipalArn"),
    ]


_PIECES = (
    "::",
    ":",
    "x",
    "X",
    "xxxx",
    "XXXX5055",
    "ACCOUNT",
    "AWS_ACCOUNT_ID",
    "$",
    "{",
    "}",
    "${",
    "{{",
    "}}",
    "(",
    ")",
    "%",
    "s",
    "%[1]",
    "__",
    "A",
    "a",
    "1",
    "<",
    ">",
    "<%",
    "%>",
    "#",
    "d",
    "3",
    " ",
    "/",
    "role",
)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
@example("arn:aws:iam::xxxxxxxx5055:root")
@example("arn:aws:iam::ACCOUNTID:root")
def test_the_quick_pre_filter_never_hides_a_placeholder(text: str) -> None:
    """``placeholders_in`` skips the long pattern when no placeholder's mark is in the text:
    whatever the text, it finds what the long pattern alone finds."""
    from keyless.policy import templates

    expected = tuple(
        m.group(0)
        for m in templates._PLACEHOLDER.finditer(text)
        if not templates._IAM_VARIABLE.fullmatch(m.group(0))
    )
    assert placeholders_in(text) == expected
