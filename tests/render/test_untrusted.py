"""printable(): untrusted text stays on its line and shows what it holds."""

from __future__ import annotations

import pytest

from keyless.render.untrusted import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("arn:aws:iam::1:user/x\nALLOW", "arn:aws:iam::1:user/x\\nALLOW"),
        ("a\rb", "a\\rb"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("abc\u202edef", "abc\\u202edef"),
        ("line\u2028separator", "line\\u2028separator"),
        ("no\u00a0break", "no\\xa0break"),
    ],
)
def test_characters_that_break_a_line_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown


@pytest.mark.parametrize(
    "text", ["plain text", "repo:octo-org/app:ref:refs/heads/main", "é ü 日本"]
)
def test_printable_text_is_unchanged(text: str) -> None:
    assert printable(text) == text
