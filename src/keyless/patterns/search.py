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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from keyless.patterns import dfa as dfa_engine
from keyless.patterns.dfa import Dfa, DfaInfo

if TYPE_CHECKING:
    from keyless.patterns.language import Language

State = tuple[int, ...]
Accept = Callable[[State], bool]
Decided = Callable[[State], int]
"""0: false from here on, 1: true from here on, 2: not yet decided."""

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
    """An expression compiled over its distinct leaf automata."""

    def __init__(self, language: Language):
        self.leaves: list[Dfa] = []
        self._index: dict[int, int] = {}
        self.accept, self.decided = self._compile(language)
        self.infos: list[DfaInfo] = [leaf.info for leaf in self.leaves]
        self.tables = [(info.special, info.default) for info in self.infos]

    def _leaf(self, dfa: Dfa) -> int:
        position = self._index.get(id(dfa))
        if position is None:
            position = self._index[id(dfa)] = len(self.leaves)
            self.leaves.append(dfa)
        return position

    def _compile(self, language: Language) -> tuple[Accept, Decided]:
        op = language.op
        if op == "not":
            accept, decided = self._compile(language.children[0])
            flip = (1, 0, 2)
            return (lambda s: not accept(s)), (lambda s: flip[decided(s)])
        if op in ("and", "or"):
            parts = [self._compile(child) for child in language.children]
            accepts = [a for a, _ in parts]
            decideds = [d for _, d in parts]
            if op == "and":
                return (lambda s: all(a(s) for a in accepts)), (lambda s: _and(decideds, s))
            return (lambda s: any(a(s) for a in accepts)), (lambda s: _or(decideds, s))
        position = self._leaf(language.automaton())
        info = language.automaton().info
        accepting, live, colive = info.accepting, info.live, info.colive

        def leaf_decided(s: State) -> int:
            state = s[position]
            return 0 if not live[state] else 1 if not colive[state] else 2

        return (lambda s: accepting[s[position]]), leaf_decided

    def step(self, state: State, char: str) -> State:
        """The tuple reached from ``state`` by ``char``."""
        return tuple(
            [
                special[s].get(char, default[s])
                for (special, default), s in zip(self.tables, state, strict=True)
            ]
        )


def _and(decideds: Sequence[Decided], state: State) -> int:
    result = 1
    for decided in decideds:
        value = decided(state)
        if value == 0:
            return 0
        if value == 2:
            result = 2
    return result


def _or(decideds: Sequence[Decided], state: State) -> int:
    result = 0
    for decided in decideds:
        value = decided(state)
        if value == 1:
            return 1
        if value == 2:
            result = 2
    return result


def shortest_member(language: Language) -> str | None:
    """The least member in :func:`shortlex` order, or None when the language is empty."""
    compiled = Compiled(language)
    start: State = (0,) * len(compiled.leaves)
    if compiled.decided(start) == 0:
        return None
    if compiled.accept(start):
        return ""
    parent: dict[State, tuple[State, str] | None] = {start: None}
    queue = [start]
    for state in queue:
        special: set[str] = set()
        for info, s in zip(compiled.infos, state, strict=True):
            special.update(info.special[s])
        chars = sorted((*special, fresh_char(special)), key=readability)
        for char in chars:
            target = compiled.step(state, char)
            if target in parent:
                continue
            parent[target] = (state, char)
            if compiled.decided(target) == 0:
                continue
            if compiled.accept(target):
                return _path(parent, target)
            queue.append(target)
    return None


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
    compiled = Compiled(language)
    alphabet = tuple(sorted({char for leaf in compiled.leaves for char in leaf.alphabet}))
    other = fresh_char(set(alphabet))
    symbols = (*alphabet, other)
    start: State = (0,) * len(compiled.leaves)
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
