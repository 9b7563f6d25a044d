"""A token's header and a trust anchor are quoted in part in messages
(``keyless.errors.quoted``): a 100,000-character value is not echoed whole."""

from __future__ import annotations

import base64
import json

import pytest

from keyless.errors import InputError
from keyless.idp.roles_anywhere import roles_anywhere_request
from keyless.idp.tokens import decode_token

HUGE = "x" * 100_000
JWKS = {"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}


def _part(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("header", [{"alg": HUGE}, {"alg": "RS256", "kid": HUGE}])
def test_a_huge_token_header_is_quoted_in_part(header: dict[str, str]) -> None:
    token = f"{_part({'typ': 'JWT', **header})}.{_part({'sub': 'x'})}.c2ln"
    with pytest.raises(InputError) as refused:
        decode_token(token, jwks=JWKS)
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message


def test_a_huge_trust_anchor_is_quoted_in_part() -> None:
    with pytest.raises(InputError) as refused:
        roles_anywhere_request({"subject": {"CN": "a"}}, "arn:" + HUGE)
    assert len(refused.value.message) < 500
    assert "xxxxxxxx…" in refused.value.message
