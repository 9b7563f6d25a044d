"""The access key ID pattern of `keyless workflows` is written prefix first (so the regex
engine searches for `AKIA`/`ASIA` rather than trying a lookbehind at every character);
it must find exactly what the plain reading of the documented shape finds: `AKIA` or
`ASIA`, sixteen upper-case letters or digits, neither preceded nor followed by one."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from keyless.workflows import hardcoded

PLAIN = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")

pieces = st.lists(
    st.one_of(
        st.sampled_from(["AKIA", "ASIA", "A", "K", "0", "Z", " ", ":", "=", "\n", "é"]),
        st.text(alphabet="ABCXYZ0129", min_size=14, max_size=18),
    ),
    max_size=12,
)


@given(pieces)
def test_the_prefix_first_pattern_finds_what_the_plain_one_finds(parts: list[str]) -> None:
    text = "".join(parts)
    found = [(m.start(), m.group(0), m.group(1)) for m in hardcoded._KEY_ID.finditer(text)]
    assert found == [(m.start(), m.group(0), m.group(1)) for m in PLAIN.finditer(text)]
