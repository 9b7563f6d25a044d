"""Session tags a token (its ``https://aws.amazon.com/tags`` claim) or a SAML assertion
(``…/PrincipalTag:NAME`` attributes) passes. A value that was not a string was written as
Python writes it (``None``, ``['ops']``, ``{'a': 1}``) and compared as the tag's value, so
a ``null`` tag matched a policy's ``"None"`` and simulate said ALLOW; a tags claim that was
not an object was ignored without a word. STS takes one string per tag (in a token, a list
of one string), and tag keys ignoring case: anything else is refused (exit 2), naming the
file and the tag. So is one SAML key written twice (``aud`` and ``saml:aud``, a name and
its OID: the second replaced the first) and a list of SAML values holding a null, an object
or a list (dropped without a word)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

TAGS = "https://aws.amazon.com/tags"
PRINCIPAL_TAG = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
SAML = "arn:aws:iam::111122223333:saml-provider/corp"
CLAIMS = {
    "iss": "https://token.actions.githubusercontent.com",
    "aud": "sts.amazonaws.com",
    "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
}


def _policy(tmp_path: Path, principal: str, action: str) -> Path:
    """Allows whoever passes the tag team=None (Python's text for a JSON null)."""
    path = tmp_path / "policy.json"
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": principal},
        "Action": [action, "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/team": "None"}},
    }
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return path


def _web_identity(tmp_path: Path, tags: object) -> Result:
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps({**CLAIMS, TAGS: tags}))
    policy = _policy(tmp_path, GITHUB, "sts:AssumeRoleWithWebIdentity")
    return CliRunner().invoke(
        cli, ["simulate", "--trust-policy", str(policy), "--web-identity", str(claims)]
    )


def _saml(tmp_path: Path, attributes: dict[str, object]) -> Result:
    assertion = tmp_path / "assertion.json"
    assertion.write_text(json.dumps({"saml:doc": "111122223333/corp", **attributes}))
    policy = _policy(tmp_path, SAML, "sts:AssumeRoleWithSAML")
    return CliRunner().invoke(
        cli, ["simulate", "--trust-policy", str(policy), "--saml", str(assertion)]
    )


@pytest.mark.parametrize(
    "value",
    [None, {"a": 1}, [["x"]], [], 5, True, ["None", "x"], [None]],
    ids=["null", "object", "nested-list", "empty-list", "number", "boolean", "two", "list-of-null"],
)
def test_a_token_tag_that_is_not_one_string_is_refused(tmp_path: Path, value: object) -> None:
    result = _web_identity(tmp_path, {"principal_tags": {"team": value}})

    assert result.exit_code == 2, result.output
    assert "claims.json" in result.stderr
    assert "session tag 'team'" in result.stderr


@pytest.mark.parametrize(
    "tags",
    [
        ["principal_tags"],
        "team=None",
        {"principal_tags": [["team", "None"]]},
        {"principal_tags": {"team": ["None"], "Team": ["None"]}},
    ],
    ids=["claim-a-list", "claim-a-string", "tags-a-list", "keys-differing-in-case"],
)
def test_a_malformed_tags_claim_is_refused(tmp_path: Path, tags: object) -> None:
    result = _web_identity(tmp_path, tags)

    assert result.exit_code == 2, result.output
    assert "claims.json" in result.stderr
    assert TAGS in result.stderr


@pytest.mark.parametrize("value", ["None", ["None"]], ids=["string", "list-of-one"])
def test_a_token_tag_of_one_string_is_passed(tmp_path: Path, value: object) -> None:
    result = _web_identity(tmp_path, {"principal_tags": {"team": value}})

    assert result.exit_code == 0, result.output
    assert "aws:RequestTag/team: 'None' matches 'None'" in result.stdout


@pytest.mark.parametrize(
    "value",
    [None, {"a": 1}, ["None", "x"], [], 5],
    ids=["null", "object", "two", "empty-list", "number"],
)
def test_a_saml_tag_that_is_not_one_string_is_refused(tmp_path: Path, value: object) -> None:
    result = _saml(tmp_path, {f"{PRINCIPAL_TAG}team": value})

    assert result.exit_code == 2, result.output
    assert "assertion.json" in result.stderr
    assert "session tag 'team'" in result.stderr


def test_saml_tags_differing_in_case_are_refused(tmp_path: Path) -> None:
    result = _saml(tmp_path, {f"{PRINCIPAL_TAG}team": "None", f"{PRINCIPAL_TAG}TEAM": "x"})

    assert result.exit_code == 2, result.output
    assert "differ only in case" in result.stderr


@pytest.mark.parametrize("value", ["None", ["None"]], ids=["string", "list-of-one"])
def test_a_saml_tag_of_one_string_is_passed(tmp_path: Path, value: object) -> None:
    result = _saml(tmp_path, {f"{PRINCIPAL_TAG}team": value})

    assert result.exit_code == 0, result.output
    assert "aws:RequestTag/team: 'None' matches 'None'" in result.stdout


@pytest.mark.parametrize(
    "attributes",
    [
        {"saml:aud": "https://signin.aws.amazon.com/saml", "aud": "x"},
        {"saml:aud": "https://signin.aws.amazon.com/saml", "saml:AUD": "x"},
        {"urn:oid:0.9.2342.19200300.100.1.3": "a@example.com", "mail": "b@example.com"},
    ],
    ids=["with-and-without-prefix", "another-case", "name-and-oid"],
)
def test_one_saml_key_written_twice_is_refused(
    tmp_path: Path, attributes: dict[str, object]
) -> None:
    """The second spelling replaced the first: `aud` written after `saml:aud` decided."""
    result = _saml(tmp_path, attributes)

    assert result.exit_code == 2, result.output
    assert "are one key" in result.stderr


@pytest.mark.parametrize("item", [None, {"a": 1}, ["x"]], ids=["null", "object", "list"])
def test_a_saml_list_with_a_value_that_is_no_string_is_refused(
    tmp_path: Path, item: object
) -> None:
    """Such an item was dropped: the attribute read as the values left."""
    result = _saml(tmp_path, {"eduPersonAffiliation": ["staff", item]})

    assert result.exit_code == 2, result.output
    assert "'eduPersonAffiliation' must be a string or a list of strings" in result.stderr


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"team": ["x" * 257]}, "its value is 257 characters long (0 to 256)"),
        ({"t" * 129: ["None"]}, "its key is 129 characters long (1 to 128)"),
        ({"": ["None"]}, "its key is 0 characters long (1 to 128)"),
        ({"team": ["ops;rm"]}, "its value holds ';'"),
        ({"te\nam": ["None"]}, "its key holds '\\n'"),
        ({"team": ["a\u202eb"]}, "its value holds '\\u202e'"),
    ],
    ids=["long-value", "long-key", "empty-key", "semicolon", "line-break", "bidi-override"],
)
def test_a_token_tag_sts_would_refuse_is_refused(
    tmp_path: Path, tags: dict[str, object], message: str
) -> None:
    """STS takes a tag key of 1 to 128 and a value of at most 256 letters, digits, spaces
    or _.:/=+-@ (https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html) and
    refuses the call otherwise: simulate said ALLOW for a request STS never accepts."""
    result = _web_identity(tmp_path, {"principal_tags": tags})

    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    "value",
    ["", "Équipe ops", "a_b.c:d/e=f+g-h@i", "x" * 256],
    ids=["empty", "letters", "marks", "256"],
)
def test_a_token_tag_sts_takes_is_passed(tmp_path: Path, value: str) -> None:
    result = _web_identity(tmp_path, {"principal_tags": {"team": [value]}})

    assert result.exit_code == 1, result.output  # the policy wants "None"
    assert "aws:RequestTag/team" in result.stdout


SOURCE_IDENTITY = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({SOURCE_IDENTITY: None}, "must be one string"),
        ({SOURCE_IDENTITY: ["a", "b"]}, "must be one string"),
        ({SOURCE_IDENTITY: "alice", SOURCE_IDENTITY.lower(): "bob"}, "are one key"),
    ],
    ids=["null", "two-values", "two-spellings"],
)
def test_a_saml_source_identity_that_is_not_one_string_is_refused(
    tmp_path: Path, attributes: dict[str, object], message: str
) -> None:
    """A value that was not a string was dropped (no sts:SourceIdentity), and of two
    spellings the first was taken, without a word."""
    result = _saml(tmp_path, {f"{PRINCIPAL_TAG}team": "None", **attributes})

    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_saml_source_identity_of_one_string_is_passed(tmp_path: Path) -> None:
    result = _saml(tmp_path, {f"{PRINCIPAL_TAG}team": "None", SOURCE_IDENTITY: ["alice"]})

    assert result.exit_code == 1, result.output  # the policy does not allow SetSourceIdentity
    assert "sts:SetSourceIdentity" in result.stdout
