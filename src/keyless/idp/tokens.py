"""Decode a raw OIDC token (JWT), verifying its signature only when a JWKS is given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from keyless.duplicate_keys import DUPLICATE_KEY, find_duplicate_key
from keyless.errors import InputError, quoted

# Asymmetric algorithms only: an HMAC "verification" with a public key would prove nothing.
_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


def decode_token(token: str, *, jwks: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The claims of ``token``.

    Without ``jwks`` the signature is not checked (the claims are only described, never
    trusted). With ``jwks`` the signature must verify against the key named by the
    token's ``kid``. Expiry and audience are not checked, so saved tokens can be replayed;
    STS checks ``aud`` against the IAM OIDC provider's client IDs, not the trust policy.
    """
    text = token.strip()
    try:
        if jwks is None:
            claims = jwt.decode(text, options={"verify_signature": False})
        else:
            header = jwt.get_unverified_header(text)
            algorithm = header.get("alg")
            # A list or an object is no algorithm: `in` a frozenset was a TypeError traceback.
            if not isinstance(algorithm, str) or algorithm not in _ALGORITHMS:
                raise InputError(
                    f"token algorithm {quoted(algorithm)} cannot be verified with a JWKS"
                )
            claims = jwt.decode(
                text,
                verification_key(jwks, algorithm, header.get("kid")),
                algorithms=[algorithm],
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
    except jwt.PyJWTError as error:
        raise InputError(f"the token cannot be used: {error}") from None
    if not isinstance(claims, dict):
        raise InputError("the token payload is not a JSON object")
    _refuse_repeated_keys(text)
    return claims


class UnusableKeySet(InputError):
    """The JWKS holds no key that can check the token's signature: the fault is the JWKS
    file's, which the CLI names (not the token's)."""


#: The JWK key type (RFC 7518 §6.1, RFC 8037 §2) each family of algorithms verifies with.
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}

#: The curves each algorithm signs on (RFC 7518 §3.4, RFC 8037 §3.1).
_CURVES = {
    "ES256": ("P-256",),
    "ES384": ("P-384",),
    "ES512": ("P-521",),
    "EdDSA": ("Ed25519", "Ed448"),
}

#: What a public key of each type is made of (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2).
_PUBLIC_PARAMETERS = {"RSA": "n and e", "EC": "crv, x and y", "OKP": "crv and x"}

#: The most characters of a key parameter: a 16,384-bit RSA modulus is 2,731 (base64url).
#: A longer one is no key an issuer publishes, and is refused before any arithmetic.
_PARAMETER_CHARACTERS = 4096

#: The private parameters of a JWK (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2; "k": a shared
#: secret, RFC 7518 §6.4): a JWKS publishes public keys only.
_PRIVATE_PARAMETERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def verification_key(jwks: Mapping[str, Any], algorithm: str, kid: object) -> Any:
    """The public key of ``jwks`` that checks a token signed with ``algorithm`` (one of
    :data:`_ALGORITHMS`) and, when the token names one, ``kid``. Raises
    :class:`UnusableKeySet` saying why no key will do, in keyless's own words: PyJWT's
    were "Perhaps 'cryptography' is not installed?" for a key it could not build (it is),
    and echoed the whole key (a private one too)."""
    entries = jwks.get("keys")
    if not isinstance(entries, list) or not entries:
        raise UnusableKeySet(
            'holds no keys: a JWKS is an object whose "keys" is a list of keys (RFC 7517 §5)'
        )
    wanted = _KEY_TYPES[algorithm[:2]]
    problems: list[str] = []
    named = 0
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"key {n} is not a JSON object")
            continue
        if kid is not None and entry.get("kid") != kid:
            continue
        named += 1
        problem = _unusable(entry, wanted, algorithm)
        if problem is None:
            try:
                return jwt.PyJWK(entry, algorithm).key
            except (jwt.PyJWTError, TypeError, ValueError):
                problem = f"is no valid {wanted} public key ({_PUBLIC_PARAMETERS[wanted]})"
        problems.append(f"key {n} ({_kid(entry)}) {problem}")
    if not named and kid is not None:
        raise UnusableKeySet(
            f"has no key with kid {quoted(kid)}, the key the token names"
            + (f" ({'; '.join(problems[:3])})" if problems else "")
        )
    raise UnusableKeySet(
        f"has no key that can check the token's {algorithm} signature: "
        + "; ".join(problems[:3])
        + (f" and {len(problems) - 3} more" if len(problems) > 3 else "")
    )


def _unusable(entry: Mapping[str, Any], wanted: str, algorithm: str) -> str | None:
    """Why ``entry`` is no public ``wanted`` key for ``algorithm``, or None."""
    kty = entry.get("kty")
    if kty != wanted:
        return f"is of type {quoted(kty, 40)}; {algorithm} needs an {wanted} key"
    private = [p for p in _PRIVATE_PARAMETERS if p in entry]
    if private:
        # Never read, never echoed: a private key published by mistake is a secret.
        return (
            f"holds private key parameters ({', '.join(private)}): a JWKS publishes public"
            " keys only, and keyless reads none that is private"
        )
    declared = entry.get("alg")
    if declared is not None and declared != algorithm:
        return f"is for {quoted(declared, 40)}, not {algorithm}"
    if entry.get("use", "sig") != "sig":
        return f"is for {quoted(entry.get('use'), 40)}, not for signatures (use 'sig')"
    curves = _CURVES.get(algorithm)
    if curves is not None and entry.get("crv") not in curves:
        curve = quoted(entry.get("crv"), 40)
        return f"is on the curve {curve}; {algorithm} needs {' or '.join(curves)}"
    for name, value in entry.items():
        if isinstance(value, str) and len(value) > _PARAMETER_CHARACTERS:
            return (
                f"has a {quoted(name, 40)} of {len(value):,} characters"
                f" (at most {_PARAMETER_CHARACTERS:,})"
            )
    return None


def _kid(entry: Mapping[str, Any]) -> str:
    kid = entry.get("kid")
    return f"kid {quoted(kid, 60)}" if kid is not None else "no kid"


def _refuse_repeated_keys(text: str) -> None:
    """A claim (or header field) written twice: PyJWT keeps the last copy silently, as a
    claims file would, which keyless refuses (:mod:`keyless.duplicate_keys`); RFC 7519
    §4 lets a parser refuse such a token."""
    for index, part in enumerate(("header", "payload")):
        segment = text.split(".")[index]
        data = jwt.utils.base64url_decode(segment.encode("ascii"))
        try:
            repeated = find_duplicate_key(data, read_by_orjson=False)
        except RecursionError:
            raise InputError(f"the token's {part} is nested too deeply") from None
        if repeated is not None:
            raise InputError(f"the token's {part}: {DUPLICATE_KEY} (at {repeated[:200]})")
