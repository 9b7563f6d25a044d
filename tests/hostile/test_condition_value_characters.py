"""A condition key or value holding a character no IAM policy can hold (a NUL, another
control character, a right-to-left override U+202E, anything past U+00FF) was judged:
``repo:o/r\\u202e:ref:refs/heads/main`` was described as "any GitHub Actions workflow in
o/r\\u202e" with no finding, ``…:ref:refs/heads/ma\\x00in`` reported as a named branch
with a witness no token carries. IAM refuses such a policy ("Policy documents can contain
only … tab, linefeed, carriage return, and characters in the range U+0020 to U+00FF"), so
it is now refused as malformed, by the value's JSON pointer: ``keyless trust`` and
``keyless simulate`` exit 2, a scan reports the role's policy as unreadable (never clean),
an identity policy leaves the users it applies to not evaluated. Messages show the
character escaped, never raw. Latin-1 text (``é``) is still read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.errors import PolicyError
from keyless.policy.document import parse_policy, parse_trust_policy

from .snapshots import collected_account

GITHUB = "token.actions.githubusercontent.com"


def _trust(sub: object, key: str = f"{GITHUB}:sub") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}",
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                    "StringLike": {key: sub},
                },
            }
        ],
    }


POINTER = f"/Statement/0/Condition/StringLike/{GITHUB}:sub"
HOSTILE = [
    ("repo:o/r\u202e:ref:refs/heads/main", "U+202E"),
    ("repo:o/r:ref:refs/heads/\u202emain", "U+202E"),
    ("repo:o/r:ref:refs/heads/ma\x00in", "U+0000"),
    ("repo:o/r:ref:refs/heads/ma\x1b[2Jin", "U+001B"),
    ("repo:o/r:ref:refs/heads/\u2066main\u2069", "U+2066"),
    ("repo:o/r:ref:refs/heads/\u2028main", "U+2028"),
    ("repo:o/日本:*", "U+65E5"),
]


@pytest.mark.parametrize(("sub", "code"), HOSTILE)
@pytest.mark.parametrize(
    "command",
    [["trust"], ["simulate", "--web-identity", "-", "--trust-policy"]],
    ids=["trust", "simulate"],
)
def test_a_value_iam_refuses_is_a_policy_error(
    tmp_path: Path, sub: str, code: str, command: list[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(_trust(sub)))
    claims = json.dumps({"iss": f"https://{GITHUB}", "aud": "sts.amazonaws.com", "sub": "x"})
    result = CliRunner().invoke(cli, [*command, str(policy)], input=claims)
    assert result.exit_code == 2, result.output
    assert f"policy.json#{POINTER}: condition value " in result.output
    assert f"holds {code}, a character IAM refuses in a policy" in result.output
    assert "Traceback" not in result.output
    for raw in ("\u202e", "\x00", "\x1b", "\u2066", "\u2028"):
        assert raw not in result.output


def test_the_pointer_names_the_value_in_a_list() -> None:
    with pytest.raises(PolicyError) as refused:
        parse_trust_policy(_trust(["repo:o/r:*", "repo:o/\u202er:*"]))
    assert refused.value.pointer == f"{POINTER}/1"


def test_a_condition_key_iam_refuses_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"condition key .* holds U\+202E") as refused:
        parse_trust_policy(_trust("repo:o/r:*", key="aws:PrincipalTag/te\u202eam"))
    assert refused.value.pointer == "/Statement/0/Condition/StringLike/aws:PrincipalTag~1te\u202eam"


def test_an_identity_policy_is_held_to_the_same_characters() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops\u202e"}},
            }
        ],
    }
    with pytest.raises(PolicyError, match=r"holds U\+202E"):
        parse_policy(document)


@pytest.mark.parametrize(
    "sub", ["repo:o/r:ref:refs/heads/caf\u00e9", "repo:o/r:ref:refs/heads/a\tb", "repo:o/*"]
)
def test_latin_1_text_is_still_judged(sub: str) -> None:
    assert parse_trust_policy(_trust(sub)).statements


@given(st.text(max_size=20))
def test_any_value_is_either_judged_or_refused_by_its_characters(sub: str) -> None:
    allowed = all(char in "\t\n\r" or 0x20 <= ord(char) <= 0xFF for char in sub)
    if allowed:
        parse_trust_policy(_trust(sub))
    else:
        with pytest.raises(PolicyError, match="a character IAM refuses in a policy"):
            parse_trust_policy(_trust(sub))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return collected_account(tmp_path_factory.mktemp("snapshot"))


def test_a_scan_reports_such_a_role_as_unreadable(snapshot: dict[str, Any], tmp_path: Path) -> None:
    document = json.loads(json.dumps(snapshot))
    role = document["accounts"][0]["roles"][0]
    role["trust_policy"] = _trust("repo:o/r\u202e:ref:refs/heads/main")
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path), "--format", "json"])
    assert "Traceback" not in result.output
    findings = json.loads(result.stdout)["findings"]
    unreadable = [f for f in findings if f["resource"] == role["arn"]]
    assert [f["check"] for f in unreadable] == ["trust-dead-condition"]
    assert "a character IAM refuses in a policy" in json.dumps(unreadable[0]["evidence"])
