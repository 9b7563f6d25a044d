"""The grammars of identifiers users pass: accepted and refused values."""

from __future__ import annotations

import pytest

from keyless.errors import InputError
from keyless.policy.identifiers import (
    checked_condition_key,
    checked_external_id,
    checked_principal,
    checked_role_arn,
    checked_service,
    checked_trust_anchor,
)

ANCHOR = (
    "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)


@pytest.mark.parametrize(
    "value",
    [
        "111122223333",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:user/division/team/alice",
        "arn:aws-us-gov:iam::111122223333:role/service-role/deploy",
        "arn:aws:sts::111122223333:assumed-role/deploy/session-1",
        "arn:aws-cn:sts::111122223333:federated-user/bob",
    ],
)
def test_principals_accepted(value: str) -> None:
    assert checked_principal(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "11112222333",
        "".join(chr(0xFF10 + int(digit)) for digit in "111122223333"),  # fullwidth
        "arn:aws:iam::111122223333:group/admins",
        "arn:aws:iam::111122223333:user/a b",
        "arn:aws:iam::111122223333:user/x\n",
        "arn:aws:sts::111122223333:assumed-role/deploy",
        "arn:aws:iam::111122223333:role/" + "r" * 65,
        " arn:aws:iam::111122223333:root",
    ],
)
def test_principals_refused(value: str) -> None:
    with pytest.raises(InputError, match="is not an AWS principal ARN"):
        checked_principal(value)


def test_role_arn_needs_a_role() -> None:
    assert (
        checked_role_arn("arn:aws:iam::111122223333:role/a/b/c")
        == "arn:aws:iam::111122223333:role/a/b/c"
    )
    with pytest.raises(InputError, match="is not an IAM role ARN"):
        checked_role_arn("arn:aws:iam::111122223333:user/a")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ab", True),
        ("a", False),
        ("x" * 1225, False),
        ("a=b,c@d:e/f-g_h+i.j", True),
        ("a b", False),
    ],
)
def test_external_id(value: str, ok: bool) -> None:
    if ok:
        assert checked_external_id(value) == value
    else:
        with pytest.raises(InputError):
            checked_external_id(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("sns.amazonaws.com", True),
        ("states.eu-west-1.amazonaws.com", True),
        ("SNS.amazonaws.com", False),
        ("sns", False),
        ("-a.com", False),
    ],
)
def test_service_principal(value: str, ok: bool) -> None:
    if ok:
        assert checked_service(value) == value
    else:
        with pytest.raises(InputError):
            checked_service(value)


def test_trust_anchor() -> None:
    assert checked_trust_anchor(ANCHOR) == ANCHOR
    with pytest.raises(InputError):
        checked_trust_anchor(ANCHOR.replace("us-east-1", "x"))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("aws:SourceIp", True),
        ("aws:RequestTag/cost center", True),
        ("token.actions.githubusercontent.com:sub", True),
        ("sub", False),
        (":sub", False),
        ("aws:", False),
        ("aws:x\u2028", False),
    ],
)
def test_condition_key(value: str, ok: bool) -> None:
    if ok:
        assert checked_condition_key(value) == value
    else:
        with pytest.raises(InputError):
            checked_condition_key(value)
