"""SAML, Roles Anywhere and AWS-principal request contexts; witnesses; raw tokens."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from keyless.errors import InputError
from keyless.idp.aws import aws_principal_request
from keyless.idp.roles_anywhere import read_certificate, roles_anywhere_request
from keyless.idp.saml import saml_request
from keyless.idp.tokens import decode_token
from keyless.policy.document import parse_trust_policy
from keyless.policy.evaluate import evaluate
from keyless.trust.replay import evaluate_witness, witness_request
from tests.idp.certs import make_certificate

ACCOUNT = "111122223333"
ANCHOR = f"arn:aws:rolesanywhere:us-east-1:{ACCOUNT}:trust-anchor/abc"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
GH = "token.actions.githubusercontent.com"


def values(request, key):
    found = request.context.get(key.lower())
    return None if found is None else found.values


# --- SAML: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml


def test_saml_keys_and_multivalued_attributes():
    request = saml_request(
        {
            "aud": "https://signin.aws.amazon.com/saml",
            "saml:iss": "http://idp.example.com/",
            "sub": "alice",
            "doc": f"{ACCOUNT}/ExampleIdP",
            "eduPersonAffiliation": "staff",
            "urn:oid:0.9.2342.19200300.100.1.3": "alice@example.com",
            "favouriteColour": "blue",
        }
    )
    assert values(request, "saml:aud") == ("https://signin.aws.amazon.com/saml",)
    affiliation = request.context["saml:edupersonaffiliation"]
    assert affiliation.multivalued
    assert affiliation.values == ("staff",)
    assert values(request, "saml:mail") == ("alice@example.com",)
    assert values(request, "saml:favouriteColour") is None
    assert request.caller.arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleIdP"
    assert request.actions == ("sts:AssumeRoleWithSAML",)


def test_saml_principal_tags_are_session_tags():
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-saml
    request = saml_request({"https://aws.amazon.com/SAML/Attributes/PrincipalTag:team": "ops"})
    assert values(request, "aws:RequestTag/team") == ("ops",)
    assert values(request, "aws:TagKeys") == ("team",)
    assert request.actions == ("sts:AssumeRoleWithSAML", "sts:TagSession")


def test_saml_policy_evaluation():
    document = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleIdP"},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            },
        }
    )
    good = saml_request(
        {"aud": "https://signin.aws.amazon.com/saml", "doc": f"{ACCOUNT}/ExampleIdP"}
    )
    other_idp = saml_request(
        {"aud": "https://signin.aws.amazon.com/saml", "doc": f"{ACCOUNT}/Other"}
    )
    assert evaluate(document, good).allowed
    assert not evaluate(document, other_idp).allowed


# --- Roles Anywhere: https://docs.aws.amazon.com/rolesanywhere/latest/userguide/attribute-mapping.html


def test_certificate_attributes():
    attributes = read_certificate(make_certificate())
    tags = attributes.tags()
    assert tags["x509Subject/CN"] == "batch-01"
    assert tags["x509Subject/OU"] == "payments"
    assert tags["x509Issuer/CN"] == "Example CA"
    assert tags["x509SAN/DNS"] == "batch-01.example.com"  # the first DNS SAN only
    assert tags["x509SAN/URI"] == "spiffe://example.com/batch"
    assert tags["x509SAN/Name/CN"] == "dir-name"


def test_roles_anywhere_request():
    request = roles_anywhere_request(make_certificate(), ANCHOR)
    assert request.actions == ("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity")
    assert request.caller.provider == "rolesanywhere.amazonaws.com"
    assert values(request, "aws:SourceArn") == (ANCHOR,)
    assert values(request, "aws:PrincipalTag/x509Subject/CN") == ("batch-01",)
    assert values(request, "sts:SourceIdentity") == ("batch-01",)


def test_roles_anywhere_needs_all_three_actions():
    document = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            },
        }
    )
    decision = evaluate(document, roles_anywhere_request(make_certificate(), ANCHOR))
    assert not decision.allowed
    assert decision.deciding.action == "sts:SetSourceIdentity"


def test_roles_anywhere_bad_inputs():
    with pytest.raises(InputError, match="trust anchor"):
        roles_anywhere_request(make_certificate(), "arn:aws:iam::1:role/x")
    with pytest.raises(InputError, match="PEM"):
        roles_anywhere_request("not a certificate", ANCHOR)


# --- AWS principals: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html


def test_user_with_long_term_keys_has_no_mfa_key():
    request = aws_principal_request(USER)
    assert values(request, "aws:MultiFactorAuthPresent") is None
    assert values(request, "aws:PrincipalArn") == (USER,)
    assert values(request, "aws:PrincipalAccount") == (ACCOUNT,)
    assert values(request, "aws:username") == ("alice",)


def test_role_session_has_mfa_false_and_role_principal_arn():
    request = aws_principal_request(f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/ci")
    assert values(request, "aws:MultiFactorAuthPresent") == ("false",)
    assert values(request, "aws:PrincipalArn") == (f"arn:aws:iam::{ACCOUNT}:role/Deploy",)
    assert values(request, "aws:PrincipalType") == ("AssumedRole",)


def test_mfa_external_id_org_and_tags():
    request = aws_principal_request(
        USER, mfa=True, external_id="x-1", org_id="o-abc", context={"aws:RequestTag/team": "ops"}
    )
    assert values(request, "aws:MultiFactorAuthPresent") == ("true",)
    assert values(request, "sts:ExternalId") == ("x-1",)
    assert values(request, "aws:PrincipalOrgID") == ("o-abc",)
    assert request.actions == ("sts:AssumeRole", "sts:TagSession")


def test_bad_principal_is_an_input_error():
    with pytest.raises(InputError):
        aws_principal_request("alice")


def test_external_id_decides_cross_account():
    document = parse_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "unique-1"}},
            },
        }
    )
    caller = "arn:aws:iam::444455556666:role/VendorScanner"
    assert evaluate(document, aws_principal_request(caller, external_id="unique-1")).allowed
    assert not evaluate(document, aws_principal_request(caller)).allowed


# --- witnesses


POLICY = parse_trust_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/*"}
                },
            },
            {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"},
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/IdP"},
                "Action": "sts:AssumeRoleWithSAML",
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": "rolesanywhere.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                "Condition": {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "batch-01"}},
            },
        ],
    }
)


@pytest.mark.parametrize(
    ("witness", "allowed"),
    [
        (
            {
                "claims": {
                    "iss": "https://token.actions.githubusercontent.com",
                    "sub": "repo:o/r:ref:x",
                }
            },
            True,
        ),
        (
            {
                "claims": {
                    "iss": "https://token.actions.githubusercontent.com",
                    "sub": "repo:p/r:ref:x",
                }
            },
            False,
        ),
        ({"principal": USER, "context": {}}, True),
        ({"principal": f"arn:aws:iam::{ACCOUNT}:user/bob"}, False),
        ({"saml": {"doc": f"{ACCOUNT}/IdP"}}, True),
        ({"certificate": {"subject": {"CN": "batch-01"}}, "trust_anchor": ANCHOR}, True),
        ({"certificate": {"subject": {"CN": "other"}}, "trust_anchor": ANCHOR}, False),
    ],
)
def test_witness_forms(witness, allowed):
    # Witnesses round-trip through JSON, as issue #4 stores them.
    assert evaluate_witness(POLICY, json.loads(json.dumps(witness))).allowed is allowed


def test_witness_with_pem_certificate():
    witness = {"certificate": make_certificate(), "trust_anchor": ANCHOR}
    assert evaluate_witness(POLICY, witness).allowed


def test_witness_action_override():
    request = witness_request({"principal": USER, "action": "sts:TagSession"})
    assert request.actions == ("sts:TagSession",)


@pytest.mark.parametrize(
    "witness",
    [
        {},
        {"claims": {}, "principal": USER},
        {"claims": "x"},
        {"certificate": {}},
        {"principal": USER, "context": "x"},
    ],
)
def test_bad_witnesses(witness):
    with pytest.raises(InputError):
        witness_request(witness)


# --- raw tokens


def _signed_token(claims):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return token, {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}


def test_decode_token_without_verification():
    token, _ = _signed_token({"iss": "https://gitlab.com", "sub": "s"})
    assert decode_token(token)["iss"] == "https://gitlab.com"


def test_decode_token_verifies_with_jwks():
    token, jwks = _signed_token({"iss": "https://gitlab.com", "sub": "s", "aud": "x", "exp": 1})
    assert decode_token(token, jwks=jwks)["sub"] == "s"
    _, other_jwks = _signed_token({})
    with pytest.raises(InputError, match="cannot be used"):
        decode_token(token, jwks=other_jwks)


def test_decode_token_rejects_garbage():
    with pytest.raises(InputError):
        decode_token("not.a.jwt")
