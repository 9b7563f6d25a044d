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
            if algorithm not in _ALGORITHMS:
                raise InputError(
                    f"token algorithm {quoted(algorithm)} cannot be verified with a JWKS"
                )
            key_set = jwt.PyJWKSet.from_dict(dict(jwks))
            kid = header.get("kid")
            keys = [key for key in key_set.keys if kid is None or key.key_id == kid]
            if not keys:
                raise InputError(f"no key with kid {quoted(kid)} in the JWKS")
            claims = jwt.decode(
                text,
                keys[0].key,
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
