"""``keyless simulate --web-identity-token T --jwks FILE`` with a JWKS that cannot check the
token. A key PyJWT could not build was "the token cannot be used: The JWK Set did not
contain any usable keys. Perhaps 'cryptography' is not installed?" (it is), blamed on the
token file; a key of another type was "Could not parse the provided public key". Now the
JWKS file is named with keyless's own reason for each key (exit 2). A private key published
by mistake is refused without reading or echoing it; an oversized parameter is refused
before any arithmetic is done with it. ``--context`` without ``=`` named the option twice."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from keyless.cli import cli

ISSUER = "token.actions.githubusercontent.com"
SUBJECT = "repo:octo-org/deploy:ref:refs/heads/main"
CLAIMS = {"iss": f"https://{ISSUER}", "sub": SUBJECT, "aud": "sts.amazonaws.com"}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{ISSUER}:sub": SUBJECT}},
        }
    ],
}
Key = dict[str, Any]


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public(key: rsa.RSAPrivateKey) -> Key:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1"}


def _simulate(tmp_path: Path, token: str, keys: list[Any], *context: str) -> Result:
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    (tmp_path / "token.jwt").write_text(token)
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": keys}))
    return CliRunner().invoke(
        cli,
        [
            "simulate", "--trust-policy", str(tmp_path / "policy.json"),
            "--web-identity-token", str(tmp_path / "token.jwt"),
            "--jwks", str(tmp_path / "jwks.json"), *context,
        ],
    )  # fmt: skip


def _token(key: rsa.RSAPrivateKey) -> str:
    return jwt.encode(CLAIMS, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_usable_key_verifies(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    result = _simulate(tmp_path, _token(rsa_key), [_public(rsa_key)])
    assert result.exit_code == 0, result.output


def _no_modulus(key: Key) -> Key:
    return {k: v for k, v in key.items() if k != "n"}


def _bad_modulus(key: Key) -> Key:
    return {**key, "n": "!!!"}


def _oct(key: Key) -> Key:
    return {"kty": "oct", "k": "c2VjcmV0", "kid": "k1"}


def _encryption(key: Key) -> Key:
    return {**key, "use": "enc"}


def _huge_modulus(key: Key) -> Key:
    return {**key, "n": "A" * 1_000_000}


def _other_algorithm(key: Key) -> Key:
    return {**key, "alg": "PS512"}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_no_modulus, "key 0 (kid 'k1') is no valid RSA public key (n and e)"),
        (_bad_modulus, "key 0 (kid 'k1') is no valid RSA public key (n and e)"),
        (_oct, "key 0 (kid 'k1') is of type 'oct'; RS256 needs an RSA key"),
        (_encryption, "key 0 (kid 'k1') is for 'enc', not for signatures"),
        (_huge_modulus, "key 0 (kid 'k1') has a 'n' of 1,000,000 characters (at most 4,096)"),
        (_other_algorithm, "key 0 (kid 'k1') is for 'PS512', not RS256"),
    ],
    ids=["no-modulus", "bad-modulus", "oct", "encryption", "huge-modulus", "other-algorithm"],
)
def test_an_unusable_key_is_named_in_the_jwks(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, edit: Callable[[Key], Key], reason: str
) -> None:
    result = _simulate(tmp_path, _token(rsa_key), [edit(_public(rsa_key))])

    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"keyless: error: {tmp_path / 'jwks.json'}: the JWKS has no key")
    assert reason in first
    assert "cryptography" not in result.output
    assert len(result.stderr) < 1_000


def test_a_private_key_is_refused_unread(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key))

    result = _simulate(tmp_path, _token(rsa_key), [{**private, "kid": "k1"}])

    assert result.exit_code == 2, result.output
    assert "holds private key parameters (d, p, q, dp, dq, qi)" in result.stderr
    assert private["d"] not in result.output
    assert private["d"][:40] not in result.output


def test_an_elliptic_key_on_another_curve_is_refused(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(CLAIMS, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))

    result = _simulate(tmp_path, token, [public])

    assert result.exit_code == 2, result.output
    assert "key 0 (no kid) is on the curve 'P-384'; ES256 needs P-256" in result.stderr


def test_no_key_with_the_token_s_kid(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    result = _simulate(tmp_path, _token(rsa_key), [{**_public(rsa_key), "kid": "other"}, 5])

    assert result.exit_code == 2, result.output
    assert "the JWKS has no key with kid 'k1', the key the token names" in result.stderr
    assert "key 1 is not a JSON object" in result.stderr


def test_an_empty_key_set(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    result = _simulate(tmp_path, _token(rsa_key), [])

    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'jwks.json'}: the JWKS holds no keys" in result.stderr


def test_a_context_without_a_value_names_the_option_once(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    result = _simulate(tmp_path, _token(rsa_key), [_public(rsa_key)], "--context", "aws:x\x1b")

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("keyless: error: --context: expects KEY=VALUE, not ")
    assert result.stderr.count("--context") == 1
    assert "\x1b" not in result.output


@pytest.mark.parametrize("algorithm", [["RS256"], {"name": "RS256"}], ids=["list", "object"])
def test_a_header_algorithm_that_is_no_string_is_refused(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, algorithm: object
) -> None:
    """It was looked up in a set of names: a TypeError traceback (unhashable)."""
    header = base64.urlsafe_b64encode(json.dumps({"alg": algorithm}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(CLAIMS).encode()).rstrip(b"=")
    token = f"{header.decode()}.{payload.decode()}.c2ln"

    result = _simulate(tmp_path, token, [_public(rsa_key)])

    assert result.exit_code == 2, result.output
    assert "cannot be verified with a JWKS" in result.stderr
