"""Glob text and recipes for :mod:`keyless.patterns.language`: parsing, tokens, matching.

Pure functions over strings and tokens (and the structural :class:`Recipe` caches key
languages by), kept apart from the language algebra.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from keyless.patterns.case import case_variants
from keyless.patterns.dfa import CharClass, Token

_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}


class Glob(Enum):
    """The two wildcards of a ``StringLike`` value, for :meth:`Language.from_glob`."""

    STAR = "*"
    """Any run of characters, including none."""
    ONE = "?"
    """Exactly one character."""


class Recipe:
    """A structural description of a :class:`Language` expression, hashed once."""

    __slots__ = ("_hash", "parts")

    def __init__(self, parts: tuple[Any, ...]):
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recipe):
            return NotImplemented
        return self is other or (self._hash == other._hash and self.parts == other.parts)

    def __repr__(self) -> str:
        return f"Recipe({self.parts!r})"


def segments_match(segments: tuple[str, ...], text: str) -> bool:
    """Does ``text`` match literal ``segments`` joined by ``*``? Leftmost matching of each
    middle segment is optimal, so no backtracking is needed."""
    first, last = segments[0], segments[-1]
    if len(text) < len(first) + len(last) or not text.startswith(first):
        return False
    end = len(text) - len(last)
    if not text.endswith(last):
        return False
    position = len(first)
    for segment in segments[1:-1]:
        found = text.find(segment, position, end)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def parse_wildcard(pattern: str, escapes: bool) -> tuple[str | Glob, ...]:
    parts: list[str | Glob] = []
    index = 0
    while index < len(pattern):
        chunk = pattern[index : index + 4]
        if escapes and chunk in _ESCAPES:
            parts.append(_ESCAPES[chunk])
            index += 4
            continue
        char = pattern[index]
        parts.append(Glob.STAR if char == "*" else Glob.ONE if char == "?" else char)
        index += 1
    return tuple(parts)


def glob_tokens(parts: Iterable[str | Glob], ignore_case: bool, wild: CharClass) -> list[Token]:
    """The tokens of a glob. A run of wildcards is written in its cheapest form, its ``?``
    first and one ``*`` last (``**?*?`` is ``??*``, the same language): each star of a run
    multiplies the states of the automaton built from it, and thousands of them (``*``
    5,000 times then ``?`` 5,000 times) took the trust analysis hours."""
    tokens: list[Token] = []
    ones, star = 0, False

    def flush() -> None:
        nonlocal ones, star
        tokens.extend(Token(wild) for _ in range(ones))
        if star:
            tokens.append(Token(wild, star=True))
        ones, star = 0, False

    for part in parts:
        if part is Glob.STAR:
            star = True
        elif part is Glob.ONE:
            ones += 1
        else:
            assert isinstance(part, str)
            flush()
            tokens.extend(
                Token(CharClass(case_variants(c) if ignore_case else frozenset(c))) for c in part
            )
    flush()
    return tokens
