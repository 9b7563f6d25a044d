"""``keyless simulate``: exit 0 allow, 1 deny, 2 bad input; text and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.cli import main
from tests.idp.certs import make_certificate

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
GITHUB = EXAMPLES / "github"
ANCHOR = (
    "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)


def run(capsys, *args):
    with pytest.raises(SystemExit) as exited:
        main(["simulate", *map(str, args)])
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("claims", "code"),
    [("claims-main.json", 0), ("claims-pull-request.json", 1), ("claims-other-org.json", 1)],
)
def test_github_examples(capsys, claims, code):
    status, out, _ = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity", GITHUB / claims
    )
    assert status == code
    assert ("ALLOW" if code == 0 else "DENY") in out


def test_org_wide_string_like_admits_other_repository(capsys, tmp_path):
    # StringLike "repo:octo-org/*" admits repo:octo-org/other:ref:refs/heads/main.
    claims = json.loads((GITHUB / "claims-main.json").read_text())
    claims["sub"] = "repo:octo-org/other:ref:refs/heads/main"
    status, _, _ = run(
        capsys,
        "--trust-policy",
        GITHUB / "trust-policy-org-wide.json",
        "--web-identity",
        write(tmp_path, "c.json", claims),
    )
    assert status == 0


def test_json_output_schema(capsys):
    status, out, _ = run(
        capsys,
        "--trust-policy",
        GITHUB / "trust-policy.json",
        "--web-identity",
        GITHUB / "claims-pull-request.json",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert status == 1
    assert document["schema"] == "keyless/simulate/v1"
    assert document["decision"] == "deny"
    assert document["action"] == "sts:AssumeRoleWithWebIdentity"
    failed = [c for c in document["statements"][0]["conditions"] if not c["passed"]]
    assert failed[0]["key"] == "token.actions.githubusercontent.com:sub"
    assert "pull_request" in document["explanation"]


def test_cross_account_external_id(capsys):
    policy = EXAMPLES / "cross-account" / "trust-policy.json"
    caller = "arn:aws:iam::444455556666:role/VendorScanner"
    with_id, out, _ = run(
        capsys,
        "--trust-policy",
        policy,
        "--principal",
        caller,
        "--external-id",
        "c0ffee-7d3e-4b8a-9b1a-customer-1234",
    )
    assert with_id == 0
    assert "identity policy" in out
    without_id, _, _ = run(capsys, "--trust-policy", policy, "--principal", caller)
    assert without_id == 1


def test_bool_if_exists_mfa_passes_for_long_term_key_caller(capsys, tmp_path):
    policy = write(
        tmp_path,
        "p.json",
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "sts:AssumeRole",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
            },
        },
    )
    status, _, _ = run(
        capsys, "--trust-policy", policy, "--principal", "arn:aws:iam::111122223333:user/alice"
    )
    assert status == 0


def test_context_and_action_override(capsys, tmp_path):
    policy = write(
        tmp_path,
        "p.json",
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {
                    "ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-1/r-1/ou-2/"}
                },
            },
        },
    )
    user = "arn:aws:iam::111122223333:user/alice"
    status, _, _ = run(
        capsys,
        "--trust-policy",
        policy,
        "--principal",
        user,
        "--context",
        "aws:PrincipalOrgPaths=o-1/r-1/ou-1/",
        "--context",
        "aws:PrincipalOrgPaths=o-1/r-1/ou-2/",
    )
    assert status == 0
    status, _, _ = run(
        capsys,
        "--trust-policy",
        policy,
        "--principal",
        user,
        "--context",
        "aws:PrincipalOrgPaths=o-1/r-1/ou-2/",
        "--action",
        "sts:TagSession",
    )
    assert status == 1


def test_roles_anywhere_certificate(capsys, tmp_path):
    policy = EXAMPLES / "roles-anywhere" / "trust-policy.json"
    status, _, _ = run(
        capsys,
        "--trust-policy",
        policy,
        "--certificate",
        EXAMPLES / "roles-anywhere" / "cert.pem",
        "--trust-anchor",
        ANCHOR,
    )
    assert status == 0
    other = write(tmp_path, "other.pem", make_certificate())  # OU payments, other issuer CN
    status, out, _ = run(
        capsys, "--trust-policy", policy, "--certificate", other, "--trust-anchor", ANCHOR
    )
    assert status == 1
    assert "x509Issuer/CN" in out


def test_saml(capsys, tmp_path):
    policy = write(
        tmp_path,
        "p.json",
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/IdP"},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            },
        },
    )
    attributes = write(
        tmp_path, "a.json", {"aud": "https://signin.aws.amazon.com/saml", "doc": "111122223333/IdP"}
    )
    status, _, _ = run(capsys, "--trust-policy", policy, "--saml", attributes)
    assert status == 0


def test_raw_token(capsys, tmp_path):
    import jwt

    claims = json.loads((GITHUB / "claims-main.json").read_text())
    token = write(tmp_path, "token.jwt", jwt.encode(claims, "k" * 32, algorithm="HS256"))
    status, _, _ = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity-token", token
    )
    assert status == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trust-policy", "missing.json", "--principal", "111122223333"], "missing.json"),
        (["--trust-policy", GITHUB / "trust-policy.json"], "give exactly one caller"),
        (
            [
                "--trust-policy",
                GITHUB / "trust-policy.json",
                "--principal",
                "111122223333",
                "--web-identity",
                GITHUB / "claims-main.json",
            ],
            "give exactly one caller",
        ),
        (
            ["--trust-policy", GITHUB / "trust-policy.json", "--principal", "alice"],
            "--principal: 'alice' is not an AWS principal ARN",
        ),
        (
            [
                "--trust-policy",
                GITHUB / "trust-policy.json",
                "--certificate",
                EXAMPLES / "roles-anywhere" / "cert.pem",
            ],
            "--trust-anchor",
        ),
        (
            [
                "--trust-policy",
                GITHUB / "trust-policy.json",
                "--principal",
                "111122223333",
                "--context",
                "novalue",
            ],
            "KEY=VALUE",
        ),
    ],
)
def test_bad_input_exits_2(capsys, args, message):
    status, _, err = run(capsys, *args)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_invalid_policy_exits_2_with_pointer(capsys, tmp_path):
    policy = write(
        tmp_path,
        "bad.json",
        {
            "Statement": {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
            }
        },
    )
    status, _, err = run(capsys, "--trust-policy", policy, "--principal", "111122223333")
    assert status == 2
    assert "bad.json#/Statement/NotPrincipal" in err


def test_claims_without_iss_exit_2(capsys, tmp_path):
    claims = write(tmp_path, "claims.json", {"sub": "x"})
    status, _, err = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity", claims
    )
    assert status == 2
    assert "claims.json" in err
    assert "iss" in err


def test_claims_not_json_exit_2(capsys, tmp_path):
    claims = write(tmp_path, "claims.json", "{nope")
    status, _, err = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity", claims
    )
    assert status == 2
    assert "not valid JSON" in err


def test_token_without_iss_names_the_token_file(capsys, tmp_path):
    import jwt

    token = write(tmp_path, "token.jwt", jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256"))
    status, _, err = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity-token", token
    )
    assert status == 2
    assert "token.jwt: the token claims have no 'iss'" in err


def test_bad_saml_attribute_names_the_file(capsys, tmp_path):
    attributes = write(tmp_path, "a.json", {"aud": {"not": "a string"}})
    status, _, err = run(
        capsys, "--trust-policy", GITHUB / "trust-policy.json", "--saml", attributes
    )
    assert status == 2
    assert "a.json: SAML attribute 'aud' must be a string" in err


def test_bad_certificate_names_the_file_and_bad_anchor_the_option(capsys, tmp_path):
    policy = EXAMPLES / "roles-anywhere" / "trust-policy.json"
    not_pem = write(tmp_path, "cert.pem", "not a certificate")
    status, _, err = run(
        capsys, "--trust-policy", policy, "--certificate", not_pem, "--trust-anchor", ANCHOR
    )
    assert status == 2
    assert "cert.pem: not a PEM X.509 certificate" in err
    status, _, err = run(
        capsys,
        "--trust-policy",
        policy,
        "--certificate",
        EXAMPLES / "roles-anywhere" / "cert.pem",
        "--trust-anchor",
        "arn:aws:iam::111122223333:role/x",
    )
    assert status == 2
    assert "--trust-anchor: 'arn:aws:iam::111122223333:role/x' is not a Roles Anywhere" in err


def test_caller_without_name_is_shown_once(capsys, tmp_path):
    attributes = write(tmp_path, "a.json", {"aud": "https://signin.aws.amazon.com/saml"})
    _, out, _ = run(capsys, "--trust-policy", GITHUB / "trust-policy.json", "--saml", attributes)
    assert "caller: saml\n" in out


def test_a_key_the_mechanism_never_supplies_is_denied_unless_passed(capsys, tmp_path):
    # A typo in the issuer of the aud key: no GitHub token carries it (issue #18, item 1).
    policy = json.loads((GITHUB / "trust-policy.json").read_text())
    policy["Statement"][0]["Condition"] = {
        "StringEquals": {"token.actions.githubuser.content.com:aud": "sts.amazonaws.com"}
    }
    path = write(tmp_path, "typo.json", policy)
    status, out, _ = run(
        capsys, "--trust-policy", path, "--web-identity", GITHUB / "claims-main.json"
    )
    assert status == 1
    assert "key is absent from the request" in out


def test_passing_such_a_key_by_hand_is_said_to_be_unreal(capsys, tmp_path):
    policy = json.loads((GITHUB / "trust-policy.json").read_text())
    policy["Statement"][0]["Condition"] = {
        "StringEquals": {"token.actions.githubuser.content.com:aud": "sts.amazonaws.com"}
    }
    path = write(tmp_path, "typo.json", policy)
    status, out, _ = run(
        capsys,
        "--trust-policy",
        path,
        "--web-identity",
        GITHUB / "claims-main.json",
        "--context",
        "token.actions.githubuser.content.com:aud=sts.amazonaws.com",
    )
    assert status == 0
    assert "was passed with --context, but no request from an OIDC token carries it" in out


def test_the_trust_policy_may_come_from_standard_input(capsys, monkeypatch, tmp_path):
    import io
    import sys

    policy = (GITHUB / "trust-policy.json").read_bytes()
    claims = GITHUB / "claims-pull-request.json"
    expected = run(capsys, "--trust-policy", GITHUB / "trust-policy.json", "--web-identity", claims)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(policy)))
    assert run(capsys, "--trust-policy", "-", "--web-identity", claims) == expected


def test_only_one_file_comes_from_standard_input(capsys):
    status, _, err = run(capsys, "--trust-policy", "-", "--web-identity", "-")
    assert status == 2
    assert (
        "only one file can be read from standard input (-): --trust-policy, --web-identity" in err
    )


def test_a_caller_of_another_partition_than_the_role_is_denied(capsys, tmp_path):
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html
    policy = write(
        tmp_path,
        "trust.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    caller = "arn:aws-us-gov:iam::444455556666:user/alice"
    role = "arn:aws:iam::111122223333:role/open"
    code, out, _ = run(capsys, "--trust-policy", policy, "--principal", caller, "--role-arn", role)
    assert code == 1
    assert "the caller is in the partition 'aws-us-gov' and the role in 'aws'" in out
    same, _, _ = run(
        capsys, "--trust-policy", policy, "--principal", caller, "--role-arn",
        role.replace("arn:aws:", "arn:aws-us-gov:"),
    )  # fmt: skip
    assert same == 0
