"""Access key IDs written literally into infrastructure code.

Terraform's AWS provider takes ``access_key`` / ``secret_key`` in its block, and tutorials
write an IAM user's key there or in a variable's ``default``; a template may carry one in
a parameter's default or a function's environment. An access key ID has a documented
shape: ``AKIA`` (an IAM user's long-lived key) or ``ASIA`` (a temporary one) and sixteen
more upper-case letters and digits
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
AWS's documentation examples (``AKIAIOSFODNN7EXAMPLE``) are not credentials. The ID is only
ever kept redacted (``AKIA…WXYZ``): secrets never leave memory, and an ID is enough to find
the key in IAM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from keyless.iac.model import LiteralKey, SourceKind
from keyless.iac.values import Position

# The prefix first, then what may not precede it: a pattern that starts with a literal is
# searched for by it (a lookbehind first was tried at every character, 1.3 s on 29 MB).
_KEY_ID = re.compile(r"(?:AKIA|ASIA)(?<![A-Z0-9]AKIA)(?<![A-Z0-9]ASIA)[A-Z0-9]{16}(?![A-Z0-9])")


def literal_keys(path: Path, text: str, source: SourceKind) -> Iterator[LiteralKey]:
    """Every access key ID written in ``text`` (AWS's documentation examples excepted).
    The text is searched whole (an ID never spans a line) and only a match is placed:
    splitting 29 MB into its lines first took seconds."""
    line, line_start, counted = 1, 0, 0
    for match in _KEY_ID.finditer(text):
        key_id = match.group(0)
        if key_id.endswith("EXAMPLE"):
            continue
        start = match.start()
        line += _line_breaks(text, counted, start)
        line_start = max(line_start, text.rfind("\n", counted, start) + 1)
        line_start = max(line_start, text.rfind("\r", counted, start) + 1)
        counted = start
        position = Position(line, start - line_start + 1)
        yield LiteralKey(path, position, f"{key_id[:4]}…{key_id[-4:]}", source)


def _line_breaks(text: str, start: int, end: int) -> int:
    """How many lines end between ``start`` and ``end``: at LF, CRLF or CR only, as editors
    number them (not at U+2028 or \x85)."""
    crlf = text.count("\r\n", start, end)  # (neither end is inside one: both are IDs' starts)
    return text.count("\n", start, end) + text.count("\r", start, end) - crlf
