"""Lazy products: emptiness, shortest examples and canonical forms of language expressions.

A :class:`keyless.patterns.language.Language` is an expression (union, intersection,
complement) over *leaf* automata. Nothing here builds the product automaton ahead of time:
:func:`shortest_member` walks tuples of leaf states from the start, nearest acceptance first
(A*, with the distances below as its bound), prefixes in the readability order of
characters, and stops at the first accepting tuple it takes, so a question costs the states
it visits, not the size of the product, and nothing is ever minimised.

Two facts keep the walk small:

* from a tuple of states, only the characters some leaf treats specially *in its current
  state* lead to different places; every other character behaves like the most readable of
  them, so one representative stands for all (:class:`keyless.patterns.dfa.DfaInfo`);
* a tuple whose expression is already decided false (a leaf that can no longer accept under
  an intersection, say), evaluated in three-valued logic over "can still accept" / "can
  still reject" per leaf, is pruned.

:func:`canonical_dfa` builds the whole product and minimises it, for ``==`` / ``hash`` only.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Protocol, TypeVar

from keyless.patterns import dfa as dfa_engine
from keyless.patterns import inclusion, programs
from keyless.patterns.budget import BUDGET, BudgetExceeded, SearchBudget, bounded
from keyless.patterns.dfa import UNREACHABLE, Dfa
from keyless.patterns.order import fresh_char, rank, readability, shortlex
from keyless.patterns.programs import State

if TYPE_CHECKING:
    from keyless.patterns.language import Language


class Compiled:
    """An expression compiled over its distinct leaf automata.

    Besides acceptance, each tuple of leaf states gets two lower bounds: ``to_accept`` (the
    fewest characters after which the expression may accept) and ``to_reject``. A leaf's
    are its exact distances (:class:`keyless.patterns.dfa.DfaInfo`); an intersection needs
    its farthest operand to accept and its nearest to reject, a union the converse, a
    complement swaps them. Each bound grows by at most one per character (it is consistent),
    :data:`UNREACHABLE` means "never" (the expression is decided from there on), and 0
    means accepting. They are evaluated by a :class:`keyless.patterns.programs.Program`.

    The usual expression, an intersection whose operands are leaves, complements of leaves
    and unions of those, is laid out canonically: the tuple holds the lone operands first,
    then the unions' operands, union by union, smallest union first; a complemented leaf
    reads its own tables swapped (its distance to acceptance is the leaf's to rejection),
    and a leaf used twice has two positions that move in step. Its program then depends
    only on how many lone operands and unions of which sizes it has, and is compiled once
    for all the expressions of that form. Any other expression keeps its own shape. The
    layout changes no answer (the search only compares tuples for equality) and no count
    of work: :attr:`infos` are the distinct leaves, a step is one of them following one
    character, as before.
    """

    def __init__(self, language: Language, *, unions: bool = True):
        self.leaves: list[Dfa] = []
        self.infos: list[Tables] = []
        self._unions = unions
        self._index: dict[int, int] = {}
        clauses = self._clauses(language, negated=False)
        shape: programs.Shape
        if clauses is not None:
            shape, tables = self._lay_out(clauses)
        else:
            shape = self._shape(language)
            tables = [_tables(info, negated=False) for info in self.infos]
        self.program = programs.bind(shape, tables)
        # Per position of the tuple: special and default (for :meth:`step`).
        self.tables = [(table[4], table[5]) for table in tables]

    def _is_union_leaf(self, language: Language) -> bool:
        return (
            self._unions
            and language.op == "or"
            and len(language.children) > _UNION_LEAF
            and language.is_union_of_leaves
        )

    def _clauses(self, language: Language, *, negated: bool) -> list[list[_Literal]] | None:
        """The expression as an intersection of unions of (possibly complemented) leaves,
        or None when it is not one without distributing."""
        op = language.op
        if op == "not":
            return self._clauses(language.children[0], negated=not negated)
        if self._is_union_leaf(language):
            return [[(language, negated)]]
        if op in ("and", "or"):
            parts = []
            for child in language.children:
                part = self._clauses(child, negated=negated)
                if part is None:
                    return None
                parts.append(part)
            if (op == "and") != negated:  # an intersection (a complemented union is one)
                return [clause for part in parts for clause in part]
            if any(len(part) != 1 for part in parts):
                return None
            return [[literal for part in parts for literal in part[0]]]
        return [[(language.automaton(), negated)]]

    def _lay_out(
        self, clauses: list[list[_Literal]]
    ) -> tuple[programs.Shape, list[programs.LeafTables]]:
        tables: list[programs.LeafTables] = []
        parts: list[programs.Shape] = []
        for clause in sorted(clauses, key=len):
            positions = []
            for operand, negated in clause:
                positions.append(len(tables))
                info: Tables = operand.info if isinstance(operand, Dfa) else operand.union_leaf()
                if id(operand) not in self._index:  # a leaf used again counts once
                    self._index[id(operand)] = len(self.infos)
                    self.infos.append(info)
                    if isinstance(operand, Dfa):
                        self.leaves.append(operand)
                tables.append(_tables(info, negated=negated))
            parts.append(positions[0] if len(positions) == 1 else ("or", *positions))
        return ("and", *parts) if len(parts) > 1 else parts[0], tables

    def _leaf(self, dfa: Dfa) -> int:
        position = self._index.get(id(dfa))
        if position is None:
            position = self._index[id(dfa)] = len(self.infos)
            self.leaves.append(dfa)
            self.infos.append(dfa.info)
        return position

    def _union_leaf(self, language: Language) -> int:
        """A union of leaves as one leaf (:class:`keyless.patterns.unions.UnionLeaf`, kept
        with the language, so every question about it reuses its states)."""
        position = self._index.get(id(language))
        if position is None:
            position = self._index[id(language)] = len(self.infos)
            self.infos.append(language.union_leaf())
        return position

    def _shape(self, language: Language) -> programs.Shape:
        """The expression's own shape over leaf positions, numbering leaves as first met."""
        op = language.op
        if op == "not":
            return ("not", self._shape(language.children[0]))
        if self._is_union_leaf(language):
            return self._union_leaf(language)
        if op in ("and", "or"):
            return (op, *[self._shape(child) for child in language.children])
        return self._leaf(language.automaton())

    def to_accept(self, state: State) -> int:
        """The expression's distance to acceptance from ``state`` (0: it accepts)."""
        return self.program.to_accept(state)

    def step(self, state: State, char: str) -> State:
        """The tuple reached from ``state`` by ``char``."""
        return tuple(
            [
                special[s].get(char, default[s])
                for (special, default), s in zip(self.tables, state, strict=True)
            ]
        )


_Literal = tuple["Dfa | Language", bool]
"""A leaf (an automaton, or a union searched as one leaf) and whether it is complemented."""


def _tables(info: Tables, *, negated: bool) -> programs.LeafTables:
    if negated:
        return (
            info.to_reject,
            info.to_accept,
            info.keeps_rejecting,
            info.keeps_accepting,
            info.special,
            info.default,
        )
    return (
        info.to_accept,
        info.to_reject,
        info.keeps_accepting,
        info.keeps_rejecting,
        info.special,
        info.default,
    )


class Tables(Protocol):
    """What the search reads of a leaf, per state number (:class:`DfaInfo`, or a
    :class:`UnionLeaf` that fills them in as it is walked)."""

    @property
    def special(self) -> _Indexed[dict[str, int]]: ...
    @property
    def default(self) -> _Indexed[int]: ...
    @property
    def to_accept(self) -> _Indexed[int]: ...
    @property
    def to_reject(self) -> _Indexed[int]: ...
    @property
    def keeps_accepting(self) -> _Indexed[frozenset[str] | None]: ...
    @property
    def keeps_rejecting(self) -> _Indexed[frozenset[str] | None]: ...


T_co = TypeVar("T_co", covariant=True)


class _Indexed(Protocol[T_co]):
    def __getitem__(self, index: int, /) -> T_co: ...


_UNION_LEAF = 4
"""A union of more leaves than this is searched as one :class:`UnionLeaf`. Callgrind on
the small messy export (docs/performance.md, session 16): 16 cost 19.2 billion
instructions, 8 18.4, 4 17.0, 1 16.8 (findings identical); below 4 the union's states,
kept with the language, cost more memory than they save work (+19% peak at 1, +11% at 4)."""


__all__ = [
    "BudgetExceeded",
    "Compiled",
    "SearchBudget",
    "bounded",
    "fresh_char",
    "has_member",
    "readability",
    "shortest_member",
    "shortlex",
]


def shortest_member(language: Language) -> str | None:
    """The least member in :func:`shortlex` order, or None when the language is empty.

    A* from the start: tuples are taken in order of their prefix's length
    plus :attr:`Compiled.to_accept` (a consistent lower bound, so the first accepting tuple
    taken is reached by a shortest member), ties broken by the prefix in readability order
    (so it is the least of them). An empty language costs every tuple it can reach, unless
    its structure already proves it empty, as for :func:`has_member`."""
    guard = BUDGET.get()
    if (guard is None or guard.proofs) and inclusion.is_refuted(language):
        return None
    compiled = Compiled(language)
    start: State = (0,) * len(compiled.tables)
    estimate = compiled.to_accept(start)
    if estimate >= UNREACHABLE:
        return None
    if estimate == 0:
        return ""
    # A prefix's label is its characters' ranks (:func:`rank`), which order as readability.
    best: dict[State, tuple[int, str]] = {start: (0, "")}
    found: dict[State, tuple[str, int]] = {start: ("", estimate)}
    heap: list[tuple[int, str, State]] = [(estimate, "", start)]
    budget = BUDGET.get()
    width = len(compiled.infos)
    moves_of, successors = compiled.program.moves, compiled.program.successors
    # When to ask the coarse expression (:func:`_coarsely_empty`): never without one.
    coarse_at = _COARSE_AFTER if language.coarsened is not None else -1
    while heap:
        coarse_at -= 1
        if coarse_at == 0 and _coarsely_empty(language):
            return None
        _, key, state = heapq.heappop(heap)
        length = len(key) // 2  # two code points per character
        if best[state] != (length, key):
            continue  # a better prefix reached it after this entry was pushed
        prefix, distance = found[state]
        if distance == 0:
            return prefix
        moves = moves_of(state)
        if budget is not None:
            budget.spend(width * len(moves))
        for char, (target, distance) in zip(moves, successors(state, moves), strict=True):
            if distance >= UNREACHABLE:
                continue
            label = (length + 1, key + rank(char))
            known = best.get(target)
            if known is not None and known <= label:
                continue
            best[target] = label
            found[target] = (prefix + char, distance)
            heapq.heappush(heap, (length + 1 + distance, label[1], target))
    return None


def has_member(language: Language) -> bool:
    """Is the language non-empty? Best-first: the tuple nearest acceptance by
    :attr:`Compiled.to_accept` is followed first, so a member is usually found in about as
    many steps as it has characters; an empty language costs what
    :func:`shortest_member` would (every tuple it can reach), unless its structure already
    proves it empty (:mod:`keyless.patterns.inclusion`). That proof is skipped under a
    :class:`SearchBudget` whose counted work must stay that of the search (not ``proofs``)."""
    guard = BUDGET.get()
    if (guard is None or guard.proofs) and inclusion.is_refuted(language):
        return False
    compiled = Compiled(language)
    start: State = (0,) * len(compiled.tables)
    estimate = compiled.to_accept(start)
    if estimate >= UNREACHABLE:
        return False
    if estimate == 0:
        return True
    seen = {start}
    heap: list[tuple[int, int, State]] = [(estimate, 0, start)]
    pushed = 0
    budget = BUDGET.get()
    width = len(compiled.infos)
    moves_of, successors = compiled.program.moves, compiled.program.successors
    # When to ask the coarse expression (:func:`_coarsely_empty`): never without one.
    coarse_at = _COARSE_AFTER if language.coarsened is not None else -1
    while heap:
        coarse_at -= 1
        if coarse_at == 0 and _coarsely_empty(language):
            return False
        # Only tuples that do not accept are pushed (a distance of 0 is acceptance).
        state = heapq.heappop(heap)[2]
        moves = moves_of(state)
        if budget is not None:
            budget.spend(width * len(moves))
        for target, estimate in successors(state, moves):
            if target in seen:
                continue
            seen.add(target)
            if estimate >= UNREACHABLE:
                continue
            if estimate == 0:
                return True  # a distance of 0 means accepting
            pushed -= 1  # among equals, the latest first: deeper, as a depth-first walk
            heapq.heappush(heap, (estimate, pushed, target))
    return False


def _coarsely_empty(language: Language) -> bool:
    """Is the expression with its operands' cheaper supersets in their place
    (:attr:`Language.coarsened`) empty? Then so is the expression itself, and the rest of
    its own product, which may be many times larger, need not be searched.

    Asked once, after a search has taken :data:`_COARSE_AFTER` tuples without an answer: a
    question with a member usually finds it in about as many steps as the member has
    characters, and then the coarse search would be work thrown away. The coarse search
    is a search like any other: its steps count against a budget."""
    coarse = language.coarsened
    return coarse is not None and coarse.is_empty()


_COARSE_AFTER = 128
"""Tuples a search takes before it asks the coarse expression (:func:`_coarsely_empty`);
32 and 512 cost more instructions on the messy benchmark (docs/performance.md)."""


def canonical_dfa(language: Language) -> Dfa:
    """The canonical minimal DFA of the language (the whole product, minimised)."""
    compiled = Compiled(language, unions=False)
    alphabet = tuple(sorted({char for leaf in compiled.leaves for char in leaf.alphabet}))
    other = fresh_char(set(alphabet))
    symbols = (*alphabet, other)
    start: State = (0,) * len(compiled.tables)
    numbering = {start: 0}
    order = [start]
    rows: list[tuple[int, ...]] = []
    for state in order:
        row = []
        for char in symbols:
            target = compiled.step(state, char)
            number = numbering.get(target)
            if number is None:
                number = numbering[target] = len(order)
                order.append(target)
            row.append(number)
        rows.append(tuple(row))
    accepting = frozenset(i for i, state in enumerate(order) if compiled.to_accept(state) == 0)
    return dfa_engine.canonical(alphabet, rows, accepting)
