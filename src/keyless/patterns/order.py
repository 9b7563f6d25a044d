"""The order witnesses are chosen in: shorter first, then by how readable the characters are
(see :mod:`keyless.patterns.language`), and the sets of characters a search follows."""

from __future__ import annotations

import functools

READABLE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_RANK = {char: (0, position) for position, char in enumerate(READABLE)}


def readability(char: str) -> tuple[int, int]:
    """Sort key putting the characters a person reads most easily first."""
    rank = _RANK.get(char)
    if rank is not None:
        return rank
    code_point = ord(char)
    if code_point < 0x7F and char.isprintable() and char != " ":
        return (1, code_point)
    if char.isprintable() and char != " ":
        return (2, code_point)
    return (3 if char == " " else 4, code_point)


@functools.lru_cache(maxsize=8192)
def rank(char: str) -> str:
    """:func:`readability` as two code points, so that strings of ranks compare (by code
    point, a proper prefix first) exactly as the tuples of readabilities do: a search's
    prefixes are compared and extended in C rather than as tuples of tuples."""
    group, position = readability(char)
    return chr(group) + chr(position)


def shortlex(text: str) -> tuple[int, list[tuple[int, int]]]:
    """The order of shortest members: shorter first, then by readable characters."""
    return (len(text), [readability(char) for char in text])


def fresh_char(mentioned: set[str] | frozenset[str] | dict[str, int]) -> str:
    """The most readable character not in ``mentioned``."""
    for char in READABLE:
        if char not in mentioned:
            return char
    code_point = 0x21
    while chr(code_point) in mentioned or not chr(code_point).isprintable():
        code_point += 1
    return chr(code_point)


@functools.lru_cache(maxsize=4096)
def by_readability(chars: frozenset[str]) -> tuple[str, ...]:
    """``chars``, most readable first."""
    return tuple(sorted(chars, key=readability))


@functools.lru_cache(maxsize=4096)
def with_fresh(chars: frozenset[str]) -> tuple[str, ...]:
    """``chars`` and the most readable character not among them, most readable first."""
    return tuple(sorted((*chars, fresh_char(chars)), key=readability))
