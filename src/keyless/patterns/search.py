"""Lazy products: emptiness, shortest examples and canonical forms of language expressions.

A :class:`keyless.patterns.language.Language` is an expression (union, intersection,
complement) over *leaf* automata. Nothing here builds the product automaton ahead of time:
:func:`shortest_member` walks tuples of leaf states breadth-first from the start, in the
readability order of characters, and stops at the first accepting tuple, so a question costs
the states it visits, not the size of the product, and nothing is ever minimised.

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

import functools
import heapq
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from keyless.patterns import dfa as dfa_engine
from keyless.patterns.budget import BUDGET, BudgetExceeded, SearchBudget, bounded
from keyless.patterns.dfa import UNREACHABLE, Dfa

if TYPE_CHECKING:
    from keyless.patterns.language import Language

State = tuple[int, ...]
Accept = Callable[[State], bool]
Bound = Callable[[State], int]
"""A lower bound on the characters still to read before something can happen."""

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


def shortlex(text: str) -> tuple[int, list[tuple[int, int]]]:
    """The order of :func:`shortest_member`: shorter first, then by readable characters."""
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


class Compiled:
    """An expression compiled over its distinct leaf automata.

    Besides acceptance, each tuple of leaf states gets two lower bounds: ``to_accept`` (the
    fewest characters after which the expression may accept) and ``to_reject``. A leaf's
    are its exact distances (:class:`keyless.patterns.dfa.DfaInfo`); an intersection needs
    its farthest operand to accept and its nearest to reject, a union the converse, a
    complement swaps them. Each bound grows by at most one per character (it is consistent),
    and :data:`UNREACHABLE` means "never" (the expression is decided from there on).
    """

    def __init__(self, language: Language, *, unions: bool = True):
        self.leaves: list[Dfa] = []
        self.infos: list[Tables] = []
        self._unions = unions
        self._index: dict[int, int] = {}
        self.accept, self.to_accept, self.to_reject, self.keeps, _ = self._compile(language)
        self.tables = [(info.special, info.default) for info in self.infos]

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

    def _compile(self, language: Language) -> _Parts:
        op = language.op
        if op == "not":
            accept, to_accept, to_reject, keeps_accepting, keeps_rejecting = self._compile(
                language.children[0]
            )
            return (
                (lambda s: not accept(s)),
                to_reject,
                to_accept,
                keeps_rejecting,
                keeps_accepting,
            )
        if (
            op == "or"
            and self._unions
            and len(language.children) > _UNION_LEAF
            and language.is_union_of_leaves
        ):
            return self._tables(self._union_leaf(language))
        if op in ("and", "or"):
            parts = [self._compile(child) for child in language.children]
            accepts = [p[0] for p in parts]
            nears = [p[1] for p in parts]
            fars = [p[2] for p in parts]
            keep_near = [p[3] for p in parts]
            keep_far = [p[4] for p in parts]
            if op == "and":
                return (
                    _every(accepts),
                    _largest(nears),
                    _smallest(fars),
                    functools.partial(_meet, keep_near),
                    functools.partial(_join, keep_far),
                )
            return (
                _some(accepts),
                _smallest(nears),
                _largest(fars),
                functools.partial(_join, keep_near),
                functools.partial(_meet, keep_far),
            )
        return self._tables(self._leaf(language.automaton()))

    def _tables(self, position: int) -> _Parts:
        info = self.infos[position]
        accepting, near, far = info.accepting, info.to_accept, info.to_reject
        kept_near, kept_far = info.keeps_accepting, info.keeps_rejecting
        return (
            (lambda s: accepting[s[position]]),
            (lambda s: near[s[position]]),
            (lambda s: far[s[position]]),
            (lambda s: kept_near[s[position]]),
            (lambda s: kept_far[s[position]]),
        )

    def step(self, state: State, char: str) -> State:
        """The tuple reached from ``state`` by ``char``."""
        return tuple(
            [
                special[s].get(char, default[s])
                for (special, default), s in zip(self.tables, state, strict=True)
            ]
        )

    def successors(self, state: State, chars: Sequence[str]) -> Iterator[State]:
        """The tuples reached from ``state`` by each of ``chars``, in their order: the same
        as :meth:`step` per character, computed leaf by leaf (a leaf state with no special
        character, such as the tail of a ``*``, sends every character to one place)."""
        columns: list[Sequence[int]] = []
        width = len(chars)
        for (special, default), s in zip(self.tables, state, strict=True):
            row = special[s]
            other = default[s]
            if row:
                find = row.get
                columns.append([find(char, other) for char in chars])
            else:
                columns.append((other,) * width)
        return zip(*columns, strict=True)

    def moves(self, state: State) -> Sequence[str]:
        """The characters that can lead to different places from ``state``, most readable
        first: those some leaf treats specially there, and one that stands for all others;
        only those after which the expression may still accept, when that is known."""
        kept = self.keeps(state)
        if kept is not None:
            return _by_readability(kept)
        special: set[str] = set()
        for info, s in zip(self.infos, state, strict=True):
            special.update(info.special[s])
        return _with_fresh(frozenset(special))


class Tables(Protocol):
    """What the search reads of a leaf, per state number (:class:`DfaInfo`, or a
    :class:`UnionLeaf` that fills them in as it is walked)."""

    @property
    def special(self) -> _Indexed[dict[str, int]]: ...
    @property
    def default(self) -> _Indexed[int]: ...
    @property
    def accepting(self) -> _Indexed[bool]: ...
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


_UNION_LEAF = 16
"""A union of more leaves than this is searched as one :class:`UnionLeaf`: below, the
lazy determinisation costs more than following the operands side by side."""
Keeps = Callable[[State], "frozenset[str] | None"]
_Parts = tuple[Accept, Bound, Bound, Keeps, Keeps]


def _meet(parts: Sequence[Keeps], state: State) -> frozenset[str] | None:
    """Characters every part keeps (None: no part restricts them)."""
    result: frozenset[str] | None = None
    for part in parts:
        kept = part(state)
        if kept is not None:
            result = kept if result is None else result & kept
            if not result:
                return result
    return result


def _join(parts: Sequence[Keeps], state: State) -> frozenset[str] | None:
    """Characters some part keeps (None: some part keeps every character)."""
    result: frozenset[str] = frozenset()
    for part in parts:
        kept = part(state)
        if kept is None:
            return None
        result |= kept
    return result


@functools.lru_cache(maxsize=4096)
def _by_readability(chars: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(chars, key=readability))


@functools.lru_cache(maxsize=4096)
def _with_fresh(chars: frozenset[str]) -> tuple[str, ...]:
    """``chars`` and the most readable character not among them, most readable first."""
    return tuple(sorted((*chars, fresh_char(chars)), key=readability))


# The combinators of compiled operands, as plain loops: the search calls them once per
# tuple it reaches, and a generator per call costs more than the loop's body.


def _every(parts: Sequence[Accept]) -> Accept:
    def every(state: State) -> bool:
        for part in parts:  # noqa: SIM110 (all() over a generator: slower per call)
            if not part(state):
                return False
        return True

    return every


def _some(parts: Sequence[Accept]) -> Accept:
    def some(state: State) -> bool:
        for part in parts:  # noqa: SIM110 (any() over a generator: slower per call)
            if part(state):
                return True
        return False

    return some


def _largest(parts: Sequence[Bound]) -> Bound:
    first, *rest = parts

    def largest(state: State) -> int:
        found = first(state)
        for part in rest:
            value = part(state)
            if value > found:
                found = value
        return found

    return largest


def _smallest(parts: Sequence[Bound]) -> Bound:
    first, *rest = parts

    def smallest(state: State) -> int:
        found = first(state)
        for part in rest:
            value = part(state)
            if value < found:
                found = value
        return found

    return smallest


__all__ = [
    "BudgetExceeded",
    "Compiled",
    "SearchBudget",
    "bounded",
    "has_member",
    "shortest_member",
]


def shortest_member(language: Language) -> str | None:
    """The least member in :func:`shortlex` order, or None when the language is empty.

    Breadth-first from the start, characters in readability order, so the first accepting
    tuple reached is reached by the least member.
    """
    compiled = Compiled(language)
    start: State = (0,) * len(compiled.infos)
    to_accept = compiled.to_accept
    if to_accept(start) >= UNREACHABLE:
        return None
    if compiled.accept(start):
        return ""
    parent: dict[State, tuple[State, str] | None] = {start: None}
    queue = [start]
    budget = BUDGET.get()
    width = len(compiled.infos)
    for state in queue:
        moves = compiled.moves(state)
        if budget is not None:
            budget.spend(width * len(moves))
        for char, target in zip(moves, compiled.successors(state, moves), strict=True):
            if target in parent:
                continue
            parent[target] = (state, char)
            distance = to_accept(target)
            if distance >= UNREACHABLE:
                continue
            if distance == 0:  # a distance of 0 means accepting (see has_member)
                return _path(parent, target)
            queue.append(target)
    return None


def has_member(language: Language) -> bool:
    """Is the language non-empty? Best-first: the tuple nearest acceptance by
    :attr:`Compiled.to_accept` is followed first, so a member is usually found in about as
    many steps as it has characters; an empty language costs what
    :func:`shortest_member` would (every tuple it can reach)."""
    compiled = Compiled(language)
    start: State = (0,) * len(compiled.infos)
    to_accept = compiled.to_accept
    estimate = to_accept(start)
    if estimate >= UNREACHABLE:
        return False
    seen = {start}
    heap: list[tuple[int, int, State]] = [(estimate, 0, start)]
    pushed = 0
    budget = BUDGET.get()
    width = len(compiled.infos)
    while heap:
        state = heapq.heappop(heap)[2]
        if compiled.accept(state):
            return True
        moves = compiled.moves(state)
        if budget is not None:
            budget.spend(width * len(moves))
        for target in compiled.successors(state, moves):
            if target in seen:
                continue
            seen.add(target)
            estimate = to_accept(target)
            if estimate >= UNREACHABLE:
                continue
            if estimate == 0:
                return True  # a distance of 0 means accepting
            pushed -= 1  # among equals, the latest first: deeper, as a depth-first walk
            heapq.heappush(heap, (estimate, pushed, target))
    return False


def _path(parent: dict[State, tuple[State, str] | None], state: State) -> str:
    chars = []
    link = parent[state]
    while link is not None:
        state, char = link
        chars.append(char)
        link = parent[state]
    return "".join(reversed(chars))


def canonical_dfa(language: Language) -> Dfa:
    """The canonical minimal DFA of the language (the whole product, minimised)."""
    compiled = Compiled(language, unions=False)
    alphabet = tuple(sorted({char for leaf in compiled.leaves for char in leaf.alphabet}))
    other = fresh_char(set(alphabet))
    symbols = (*alphabet, other)
    start: State = (0,) * len(compiled.infos)
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
    accepting = frozenset(i for i, state in enumerate(order) if compiled.accept(state))
    return dfa_engine.canonical(alphabet, rows, accepting)
