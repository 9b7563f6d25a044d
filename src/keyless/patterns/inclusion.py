"""Emptiness proved from an expression's structure, before any search.

Many questions the trust checks ask are "values of the policy, minus what it already
covers": ``(P1 | P2 | …) & ~(M1 | M2 | …) & …``. When every ``Pi`` is a star glob
contained in some ``Mj``, or a finite set none of whose members belongs to the whole
expression, that operand alone makes the intersection empty. The product search proves
emptiness only by visiting every tuple it can reach, so this check, a few string
comparisons, comes first (:func:`keyless.patterns.search.has_member`).

Inclusion between star globs (literal text and ``*``) is read off the patterns: ``L`` is
within ``M`` when ``M`` matches ``L``'s text with each of ``L``'s stars written as a
character ``M`` does not mention. Each such character must then fall inside a star of
``M``, and whatever ``L``'s star stands for, that star of ``M`` matches it too. Only
sufficient conditions are checked: False means "not proved", and the search decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from keyless.patterns.glob import segments_match

if TYPE_CHECKING:
    from keyless.patterns.language import Language

_STAR = "\U000f0000"
"""Stands for a star of the included pattern (a private-use character; a pattern that
mentions it is not compared)."""

_MEMBERS = 64
"""Finite sets up to this size are refuted member by member (a membership test each)."""


def is_refuted(language: Language) -> bool:
    """True when ``language`` is an intersection one of whose operands is proved empty
    against the rest (see the module doc); False when nothing is proved."""
    if language.op != "and":
        return False
    excluded: list[tuple[str, ...]] = []
    complemented: set[int] = set()
    for operand in language.children:
        if operand.op == "not":
            inner = operand.children[0]
            for part in inner.children if inner.op == "or" else (inner,):
                complemented.add(id(part))
                if part.op == "glob" and part.segments and _STAR not in "".join(part.segments):
                    excluded.append(part.segments)
    for operand in language.children:
        options = operand.children if operand.op == "or" else (operand,)
        if all(_impossible(option, language, excluded, complemented) for option in options):
            return True
    return False


def _impossible(
    option: Language,
    whole: Language,
    excluded: Sequence[tuple[str, ...]],
    complemented: set[int],
) -> bool:
    """``option ∩ whole`` is empty (only when that is shown cheaply)."""
    if id(option) in complemented:  # the same operand, complemented elsewhere
        return True
    if option.op == "set":
        members = option.members
        return len(members) <= _MEMBERS and not any(whole.contains(m) for m in members)
    if option.op == "glob" and option.segments:
        text = _STAR.join(option.segments)
        return any(segments_match(other, text) for other in excluded)
    return False
