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

_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# Lines end at LF, CRLF or CR only, as editors number them (not at U+2028 or \x85).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def literal_keys(path: Path, text: str, source: SourceKind) -> Iterator[LiteralKey]:
    """Every access key ID written in ``text`` (AWS's documentation examples excepted)."""
    for number, line in enumerate(_LINE.findall(text), start=1):
        for match in _KEY_ID.finditer(line):
            key_id = match.group(0)
            if key_id.endswith("EXAMPLE"):
                continue
            position = Position(number, match.start() + 1)
            yield LiteralKey(path, position, f"{key_id[:4]}…{key_id[-4:]}", source)
