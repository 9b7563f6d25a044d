"""Prose split across source lines keeps its spaces: adjacent string literals that are
both prose (they hold a space) must not glue two words together ("herepassed")."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "keyless"


def glued(text: str) -> list[str]:
    """Each place in ``text`` (Python source) where two prose literals on consecutive
    lines join without a space between them."""
    found: list[str] = []
    previous: tokenize.TokenInfo | None = None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        if token.type != tokenize.STRING:
            previous = None
            continue
        if previous is not None and previous.end[0] != token.start[0]:
            left, right = _body(previous.string), _body(token.string)
            prose = " " in left and " " in right
            joined = left[-1:] in ("/", "-", "(", "[") or not left[-1:].strip()
            if prose and not joined and (right[:1].isalnum() or right[:1] == "`"):
                found.append(f"line {token.start[0]}: …{left[-23:]}|{right[:17]}…")
        previous = token
    return found


def _body(literal: str) -> str:
    return literal.lstrip("rbfuRBFU").strip("\"'")


def test_the_detector_finds_two_glued_words() -> None:
    source = 'x = (\n    "Every trust policy here"\n    "passed the checks"\n)\n'
    assert glued(source) == ["line 3: …Every trust policy here|passed the checks…"]


def test_no_prose_in_the_sources_glues_two_words() -> None:
    found = {
        str(path.relative_to(SOURCE)): problems
        for path in sorted(SOURCE.rglob("*.py"))
        if (problems := glued(path.read_text()))
    }
    assert found == {}
