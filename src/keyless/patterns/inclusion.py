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
``M``, and whatever ``L``'s star stands for, that star of ``M`` matches it too.

Witness preferences ask the same kind of question the other way round: "a subject of the
attacker's repository, among the policy's values, that a feature branch runs"
(``(repo:attacker/* | …) & (repo:acme/x:* | …) & *:ref:refs/heads/feature & …``). A
string in such an intersection is in one option of every union, so those options agree
pairwise: a text belongs to each glob, two globs' literal beginnings agree (one begins the
other) and so do their literal ends. When no choice of one option per operand agrees
pairwise, the intersection is empty (:func:`_disagrees`, a bounded backtracking walk).
Operands of other kinds (automata, complements) are left out: they only narrow further.

Only sufficient conditions are checked: False means "not proved", and the search decides.
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
    choices: list[list[_Choice]] = []
    for operand in language.children:
        options = operand.children if operand.op == "or" else (operand,)
        if all(_impossible(option, language, excluded, complemented) for option in options):
            return True
        described = _described(options)
        if described is not None:
            choices.append(described)
    return len(choices) > 1 and _disagrees(choices)


_Choice = tuple[str, ...]
"""An option as the pairwise check sees it: a star glob's segments, or a text as one
segment (it matches only itself)."""

_OPTIONS = 256
"""An operand with more options (set members and globs) than this is left out."""

_STEPS = 4096
"""Choices the pairwise walk may try before giving up (False: not proved)."""


def _described(options: Sequence[Language]) -> list[_Choice] | None:
    """The options of one operand, or None when one is neither a text nor a star glob."""
    described: list[_Choice] = []
    for option in options:
        if option.op == "set":
            described.extend((member,) for member in option.members)
        elif option.op == "glob" and option.segments:
            described.append(option.segments)
        else:
            return None
        if len(described) > _OPTIONS:
            return None
    return described


def _agree(left: _Choice, right: _Choice) -> bool:
    """Whether some string might match both (False only when none can)."""
    if len(left) == 1 or len(right) == 1:
        if len(left) == 1 and len(right) == 1:
            return left == right
        text, glob = (left[0], right) if len(left) == 1 else (right[0], left)
        return segments_match(glob, text)
    first, other_first = left[0], right[0]
    last, other_last = left[-1], right[-1]
    return (first.startswith(other_first) or other_first.startswith(first)) and (
        last.endswith(other_last) or other_last.endswith(last)
    )


def _disagrees(choices: list[list[_Choice]]) -> bool:
    """True when no choice of one option per operand agrees pairwise (so the intersection
    is empty); False when one does, or when the walk ran out of :data:`_STEPS`."""
    operands = sorted(choices, key=len)
    if not operands[0]:
        return True  # an operand with no options (the empty set)
    steps = 0
    chosen: list[_Choice] = []

    def walk(index: int) -> bool | None:  # True: a choice agrees; None: out of steps
        nonlocal steps
        if index == len(operands):
            return True
        for option in operands[index]:
            steps += 1
            if steps > _STEPS:
                return None
            if all(_agree(option, earlier) for earlier in chosen):
                chosen.append(option)
                found = walk(index + 1)
                chosen.pop()
                if found is not False:
                    return found
        return False

    return walk(0) is False


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
