"""A union of leaf automata as one leaf of the lazy product, built as the search walks it.

A policy value list, the repositories a policy names or the subjects it pins become a union
of dozens (or, in a policy of thousands of statements, thousands) of wildcard and literal
leaves. In the product search each would be a component of every tuple, so every step would
cost as much as the union is wide, long after most of its operands can no longer match.

:class:`UnionLeaf` is the subset construction of such a union done lazily: a state is the
set of operands that can still accept, with their states (an operand that cannot accept any
more is dropped: it neither makes the union accept nor stops it from rejecting). States are
numbered when first reached and their transitions computed when first followed, and both
are kept, so every question asked of the same union (a path's questions share its value
lists) reuses them. It offers the tables of :class:`keyless.patterns.dfa.DfaInfo` that the
search reads, indexed by state number: ``special``, ``default``, ``to_accept``
(0: accepting), ``to_reject``, ``keeps_accepting``, ``keeps_rejecting``.
"""

from __future__ import annotations

from collections.abc import Sequence

from keyless.patterns.budget import BUDGET
from keyless.patterns.dfa import UNREACHABLE, DfaInfo

Member = tuple[tuple[int, int], ...]
"""A union state: ``(operand, operand state)`` for each operand that can still accept."""


class _Rows(dict[int, dict[str, int]]):
    """``special``: the row of a state is computed the first time it is asked for."""

    def __init__(self, union: UnionLeaf):
        super().__init__()
        self.union = union

    def __missing__(self, state: int) -> dict[str, int]:
        self.union.expand(state)
        return self[state]


class _Defaults(dict[int, int]):
    """``default``: computed with the row."""

    def __init__(self, union: UnionLeaf):
        super().__init__()
        self.union = union

    def __missing__(self, state: int) -> int:
        self.union.expand(state)
        return self[state]


class UnionLeaf:
    """The union of ``operands`` (complete DFAs' search tables), determinised on demand."""

    def __init__(self, operands: Sequence[DfaInfo]):
        self.operands = tuple(operands)
        self.special = _Rows(self)
        self.default = _Defaults(self)
        self.to_accept: list[int] = []
        self.to_reject: list[int] = []
        self.keeps_accepting: list[frozenset[str] | None] = []
        self.keeps_rejecting: list[frozenset[str] | None] = []
        self.members: list[Member] = []
        self._numbers: dict[Member, int] = {}
        self._number(tuple((i, 0) for i in range(len(self.operands))))

    def _number(self, candidates: Sequence[tuple[int, int]]) -> int:
        operands = self.operands
        member = tuple((i, s) for i, s in candidates if operands[i].to_accept[s] < UNREACHABLE)
        found = self._numbers.get(member)
        if found is not None:
            return found
        found = self._numbers[member] = len(self.members)
        self.members.append(member)
        if not member:  # nothing can match any more: a dead state
            self.to_accept.append(UNREACHABLE)
            self.to_reject.append(0)
            self.keeps_accepting.append(frozenset())
            self.keeps_rejecting.append(None)
            return found
        self.to_accept.append(min(operands[i].to_accept[s] for i, s in member))
        # The union rejects once every operand does: at least as far as the farthest.
        self.to_reject.append(max(operands[i].to_reject[s] for i, s in member))
        near: frozenset[str] | None = frozenset()
        far: frozenset[str] | None = None
        for i, s in member:
            info = operands[i]
            kept = info.keeps_accepting[s]
            near = None if near is None or kept is None else near | kept
            rejecting = info.keeps_rejecting[s]
            if rejecting is not None:
                far = rejecting if far is None else far & rejecting
        self.keeps_accepting.append(near)
        self.keeps_rejecting.append(far)
        return found

    def expand(self, state: int) -> None:
        """Compute the transitions of ``state``."""
        member = self.members[state]
        operands = self.operands
        chars: set[str] = set()
        for i, s in member:
            chars.update(operands[i].special[s])
        budget = BUDGET.get()
        if budget is not None:
            budget.spend(len(member) * (len(chars) + 1))
        default = self._number([(i, operands[i].default[s]) for i, s in member])
        row: dict[str, int] = {}
        for char in chars:
            target = self._number(
                [(i, operands[i].special[s].get(char, operands[i].default[s])) for i, s in member]
            )
            if target != default:
                row[char] = target
        dict.__setitem__(self.default, state, default)
        dict.__setitem__(self.special, state, row)
