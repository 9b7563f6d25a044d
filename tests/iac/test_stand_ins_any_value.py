"""A trust policy judged with stand-ins reports, besides the loose subject patterns around
unset names, every finding whose witness the policy decides alike whatever the stand-ins
are: its request holds none of their condition keys (IAM reads a condition's values only
when the request holds its key), and it is no federated caller where a ``Federated``
principal was stood in for. Before, such a role was only *not judged*: an account trusted
without an external ID beside a statement pinned to an unset ``sts:ExternalId`` went
unreported."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from keyless.iac.scan import scan
from keyless.iac.trust import assess_file
from keyless.policy.document import parse_trust_policy
from keyless.trust.replay import evaluate_witness

ROLE = """\
variable "external_id" {{
  type = string
}}

resource "aws_iam_role" "vendor" {{
  name = "vendor"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{statements}]
  }})
}}
"""
PINNED = """{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::210987654321:root" }}
      Condition = {{ {operator} = {{ "sts:ExternalId" = var.external_id }} }}
    }}"""
OPEN = """{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::333333333333:root" }
    }"""
GITHUB = """{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = module.oidc.arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:octo/app:ref:refs/heads/main"
        }
      }
    }"""


def _write(tmp_path: Path, *statements: str) -> Path:
    path = tmp_path / "main.tf"
    path.write_text(ROLE.format(statements=", ".join(statements)))
    return path


def _policy(operator: str, external_id: str, *others: dict[str, object]) -> dict[str, object]:
    pinned = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Condition": {operator: {"sts:ExternalId": external_id}},
    }
    return {"Version": "2012-10-17", "Statement": [pinned, *others]}


OPEN_STATEMENT: dict[str, object] = {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
}
#: Values the unset external ID may take.
VALUES = ("external_id", "a-vendor-issued-id", "*", "${aws:username}")


def test_an_account_trusted_beside_an_unset_external_id_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, PINNED.format(operator="StringEquals"), OPEN)
    result = scan([tmp_path])
    assert sorted(f.check for f in result.findings) == [
        "trust-account-root-broad",
        "trust-cross-account-no-external-id",
    ]
    for finding in result.findings:
        assert "333333333333" in finding.message
        notes = finding.evidence["stand_ins"]
        assert isinstance(notes, list)
        assert any("var.external_id" in str(note) for note in notes)
        # whatever the external ID is, the witness gets in
        assert finding.witness is not None
        for value in VALUES:
            policy = parse_trust_policy(_policy("StringEquals", value, OPEN_STATEMENT))
            assert evaluate_witness(policy, finding.witness).allowed, value
    assert result.exit_code() == 1


def test_an_external_id_checked_only_if_it_exists_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, PINNED.format(operator="StringEqualsIfExists"))
    result = scan([tmp_path])
    checks = {f.check for f in result.findings}
    assert "trust-cross-account-no-external-id" in checks
    for finding in result.findings:
        assert finding.witness is not None
        for value in VALUES:
            policy = parse_trust_policy(_policy("StringEqualsIfExists", value))
            assert evaluate_witness(policy, finding.witness).allowed, value


def test_an_account_pinned_to_an_unset_external_id_alone_is_still_not_judged(
    tmp_path: Path,
) -> None:
    _write(tmp_path, PINNED.format(operator="StringEquals"))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "trust policy not judged: var.external_id" in unread.reason
    assert result.exit_code() == 3


@pytest.mark.parametrize("operator", ["StringLike", "ForAnyValue:StringEquals"])
def test_a_witness_presenting_the_unset_key_is_not_reported(tmp_path: Path, operator: str) -> None:
    # An external ID matched as a pattern may be loose or not, as the value decides.
    _write(tmp_path, PINNED.format(operator=operator))
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.exit_code() == 3


def test_an_aws_caller_is_decided_whatever_a_federated_stand_in_is(tmp_path: Path) -> None:
    # The GitHub statement is pinned to a branch (nothing to report on a stand-in
    # provider); the account beside it gets in whatever that provider is.
    _write(tmp_path, GITHUB, OPEN)
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {
        "trust-account-root-broad",
        "trust-cross-account-no-external-id",
    }
    for finding in result.findings:
        assert finding.witness is not None
        assert "principal" in finding.witness


def test_a_pinned_federated_stand_in_alone_is_still_not_judged(tmp_path: Path) -> None:
    _write(tmp_path, GITHUB)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "module.oidc" in unread.reason


def test_keyless_trust_on_the_file_agrees(tmp_path: Path) -> None:
    path = _write(tmp_path, PINNED.format(operator="StringEquals"), OPEN)
    judged = assess_file(path)
    (role,) = judged.roles
    assert sorted(f.check for f in role.assessment.findings) == [
        "trust-account-root-broad",
        "trust-cross-account-no-external-id",
    ]


CFN = """\
Parameters:
  AccountRoot:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: !Ref AccountRoot
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              AWS: arn:aws:iam::333333333333:root
"""


def test_an_account_trusted_beside_a_left_out_statement_is_reported(tmp_path: Path) -> None:
    # The statement trusting an unset principal is left out (it only adds who may
    # assume the role); the account the other one trusts gets in whatever it says.
    (tmp_path / "role.yaml").write_text(CFN)
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {
        "trust-account-root-broad",
        "trust-cross-account-no-external-id",
    }
    (unread,) = result.unread
    assert "Ref AccountRoot" in unread.reason
    assert orjson.dumps([f.message for f in result.findings]).count(b"333333333333") == 2
