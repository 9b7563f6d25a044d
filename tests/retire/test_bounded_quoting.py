"""`keyless retire`'s --user and --access-key-id values are quoted in part in messages
(``keyless.errors.quoted``): a 100,000-character value is not echoed whole."""

from __future__ import annotations

import pytest

from keyless.errors import KeylessError
from keyless.retire.selection import parse_key, parse_user

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:iam::111122223333:user/" + HUGE,
        "arn:aws:iam::111122223333:role/" + HUGE,
        "arn:aws:iam::111122223333:" + HUGE,
        HUGE + ":alice",
        "111122223333:" + HUGE + "!",
    ],
)
def test_a_huge_user_is_quoted_in_part(text: str) -> None:
    with pytest.raises(KeylessError) as refused:
        parse_user(text)
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message


def test_a_huge_key_is_quoted_in_part() -> None:
    with pytest.raises(KeylessError) as refused:
        parse_key("AKIA" + HUGE)
    assert len(refused.value.message) < 500
    assert "xxxxxxxx…" in refused.value.message
