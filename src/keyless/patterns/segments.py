"""The automaton of a glob made of literal text and ``*`` only, built directly.

The usual ``StringLike`` value (``repo:acme/app:ref:refs/heads/*``) is literal segments
joined by stars, ``s0*s1*…*sn``. Such a glob matches exactly when the text starts with
``s0``, then contains ``s1``, ``s2``, … in order, each found at its leftmost place after the
previous one (taking the leftmost never loses a match), and ends with ``sn`` after them. Its
DFA is therefore the prefix ``s0`` read as is, then one Knuth-Morris-Pratt automaton per
middle segment, then one for ``sn`` that accepts whenever the text read so far ends with it:
linear in the glob's length, with no subset construction (which
:func:`keyless.patterns.dfa.glob_automaton` does for any glob, at several times the cost).

State 0 is the start; the automaton is complete and every state is reachable (a dead state
exists only where there is a prefix to miss), as the lazy product search expects.
"""

from __future__ import annotations

from collections.abc import Sequence

from keyless.patterns.dfa import Dfa, from_exceptions


def segments_automaton(segments: Sequence[str]) -> Dfa:
    """The DFA of ``segments[0]*segments[1]*…*segments[-1]`` (at least two segments: one
    star; empty segments allowed, as in ``a**b`` or ``*x``)."""
    assert len(segments) >= 2, "a glob of segments has at least one star"
    first, last = segments[0], segments[-1]
    middles = [segment for segment in segments[1:-1] if segment]
    alphabet = tuple(sorted(set("".join(segments))))
    defaults: list[int] = []
    exceptions: list[dict[str, int]] = []
    accepting: set[int] = set()
    # Numbering: the prefix's states, the middles', the last segment's (with its accepting
    # full match), then the dead state.
    starts: list[int] = []
    position = len(first)
    for middle in middles:
        starts.append(position)
        position += len(middle)
    last_start = position
    dead = last_start + len(last) + 1  # only when there is a prefix to miss

    for index, char in enumerate(first):
        target = index + 1  # the next prefix state, or the first middle's (or last's) start
        defaults.append(dead)
        exceptions.append({char: target})
    for middle, start in zip(middles, starts, strict=True):
        after = start + len(middle)  # the next middle's start, or the last segment's
        for row in _kmp(middle):
            defaults.append(start)
            exceptions.append(
                {
                    char: after if target == len(middle) else start + target
                    for char, target in row.items()
                    if target != 0
                }
            )
    for state, row in enumerate(_kmp(last, final=True)):
        defaults.append(last_start)
        exceptions.append(
            {char: last_start + target for char, target in row.items() if target != 0}
        )
        if state == len(last):
            accepting.add(last_start + state)
    if first:
        defaults.append(dead)
        exceptions.append({})
    return from_exceptions(alphabet, defaults, exceptions, frozenset(accepting))


def _kmp(pattern: str, *, final: bool = False) -> list[dict[str, int]]:
    """Per state ``j`` (``pattern[:j]`` is the longest suffix of the text read that is a
    prefix of ``pattern``), where each character of ``pattern`` leads; characters not in
    ``pattern`` lead to state 0. With ``final``, a state ``len(pattern)`` too (a full match,
    from which the search goes on: the text must *end* with the pattern)."""
    chars = sorted(set(pattern))
    rows: list[dict[str, int]] = []
    restart = 0  # the state the text would be in without its first character
    states = len(pattern) + 1 if final else len(pattern)
    for state in range(states):
        row = dict.fromkeys(chars, 0) if state == 0 else dict(rows[restart])
        if state < len(pattern):
            row[pattern[state]] = state + 1
            if state > 0:
                restart = rows[restart][pattern[state]]
        rows.append(row)
    return rows
