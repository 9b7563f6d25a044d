"""Search programs: what the lazy product search asks of each tuple, as flat functions.

For every tuple of leaf states it reaches, the search (:mod:`keyless.patterns.search`) asks
how far the expression is from accepting, and which characters are worth following from
it. As closures over the expression tree that cost a Python call per node per tuple, most
of a search's time. Here the expression's *shape* — its operators and which leaf sits
where: operator names and leaf positions, never text from a policy — is written out as
the source of two flat functions over the tuple's components, compiled once per shape and
bound to each expression's leaf tables.

Compiling costs about a millisecond, so shapes must recur: :mod:`keyless.patterns.search`
brings the usual expressions (an intersection of leaves, complements of leaves and unions
of leaves) to one canonical shape that depends only on how many operands each union has,
with complements folded into the leaf tables they read (a complement's distance to
acceptance is its operand's distance to rejection).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from keyless.patterns.order import by_readability, with_fresh

State = tuple[int, ...]

Shape = int | tuple[Any, ...]
"""A leaf's position in the tuple, or ``(op, *operands)`` with op ``"and"``, ``"or"`` or
``"not"`` and each operand a shape."""

LeafTables = tuple[Any, ...]
"""What the program reads of a leaf, per state number, in the order of :data:`_TABLES`."""

_TABLES = ("N", "R", "KA", "KR", "SP", "DF")
"""Prefixes of the names bound per leaf: to_accept, to_reject, keeps_accepting,
keeps_rejecting, special, default (see :class:`keyless.patterns.search.Tables`)."""


@dataclass(frozen=True, slots=True)
class Program:
    """One expression's per-tuple functions (each computes what the expression tree says).

    ``to_accept(state)``: a lower bound on the characters still to read before the
    expression may accept (the largest of an intersection's operands, the smallest of a
    union's; a complement reads its operand's distance to rejection), 0 exactly when it
    accepts. ``moves(state)``: the characters that lead to different places, most readable
    first: those the expression keeps alive when that is known, else every character some
    leaf treats specially and one that stands for all others. ``successors(state, chars)``:
    per character, the tuple it leads to and that tuple's ``to_accept``.
    """

    shape: Shape
    tables: Sequence[LeafTables]
    moves: Callable[[State], Sequence[str]]
    successors: Callable[[State, Sequence[str]], list[tuple[State, int]]]

    def to_accept(self, state: State) -> int:
        """The expression's distance to acceptance from ``state`` (evaluated on the tree:
        asked of one tuple per search)."""
        return _distance(self.shape, self.tables, state, near=True)


def bind(shape: Shape, tables: Sequence[LeafTables]) -> Program:
    """The program of ``shape`` over ``tables`` (one entry per leaf position)."""
    moves, successors = _factory(shape, len(tables))(tables)
    return Program(shape, tables, moves, successors)


def _distance(shape: Shape, tables: Sequence[LeafTables], state: State, *, near: bool) -> int:
    if isinstance(shape, int):
        return int(tables[shape][0 if near else 1][state[shape]])
    op, *operands = shape
    if op == "not":
        return _distance(operands[0], tables, state, near=not near)
    values = [_distance(operand, tables, state, near=near) for operand in operands]
    return max(values) if (op == "and") == near else min(values)


def meet(parts: tuple[frozenset[str] | None, ...]) -> frozenset[str] | None:
    """Characters every part keeps (None: no part restricts them)."""
    result: frozenset[str] | None = None
    for kept in parts:
        if kept is not None:
            result = kept if result is None else result & kept
            if not result:
                return result
    return result


def join(parts: tuple[frozenset[str] | None, ...]) -> frozenset[str] | None:
    """Characters some part keeps (None: some part keeps every character)."""
    result: frozenset[str] = frozenset()
    for kept in parts:
        if kept is None:
            return None
        result |= kept
    return result


_Functions = tuple[
    Callable[[State], Sequence[str]],
    Callable[[State, Sequence[str]], list[tuple[State, int]]],
]

_NAMESPACE = {
    "meet": meet,
    "join": join,
    "by_readability": by_readability,
    "with_fresh": with_fresh,
    "__builtins__": {"frozenset": frozenset},
}


@functools.lru_cache(maxsize=1024)
def _factory(shape: Shape, width: int) -> Callable[[Sequence[LeafTables]], _Functions]:
    source = _Writer(width).source(shape)
    namespace: dict[str, Any] = dict(_NAMESPACE)
    # The source is built from operator names and integers only (see the module doc).
    exec(compile(source, "<keyless search program>", "exec"), namespace)  # noqa: S102
    factory: Callable[[Sequence[LeafTables]], _Functions] = namespace["factory"]
    return factory


def _check(shape: Shape, width: int) -> None:
    """Only leaf positions and the three operators ever reach the generated source."""
    if isinstance(shape, int):
        if type(shape) is not int or not 0 <= shape < width:
            raise ValueError(f"not a leaf position: {shape!r}")
        return
    if not shape or shape[0] not in ("and", "or", "not"):
        raise ValueError(f"not an expression shape: {shape!r}")
    for operand in shape[1:]:
        _check(operand, width)


class _Writer:
    """Writes a shape's functions as Python source. Names: ``s<i>`` / ``t<i>`` a leaf's
    state before / after a character, ``N<i>``… its tables, ``x<n>``, ``y<n>``, ``k<n>``
    intermediate values."""

    def __init__(self, width: int):
        self.width = width
        self.names = 0

    def fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def source(self, shape: Shape) -> str:
        _check(shape, self.width)
        positions = range(self.width)
        unpack = "".join(f"s{i}, " for i in positions) + "= state"
        keep_lines: list[str] = []
        kept = self.keeps(shape, True, keep_lines)
        step_lines: list[str] = []
        distance = self.distance(shape, True, step_lines)
        specials = ", ".join(f"SP{i}[s{i}]" for i in positions)
        targets = "".join(f"t{i}, " for i in positions)
        lines = [
            "def factory(tables):",
            *(
                "    " + "".join(f"{name}{i}, " for name in _TABLES) + f"= tables[{i}]"
                for i in positions
            ),
            "    def moves(state):",
            f"        {unpack}",
            *(f"        {line}" for line in keep_lines),
            f"        kept = {kept}",
            "        if kept is not None:",
            "            return by_readability(kept)",
            f"        return with_fresh(frozenset().union({specials}))",
            "    def successors(state, chars):",
            f"        {unpack}",
            *(f"        get{i} = SP{i}[s{i}].get; df{i} = DF{i}[s{i}]" for i in positions),
            "        found = []",
            "        for char in chars:",
            *(f"            t{i} = get{i}(char, df{i})" for i in positions),
            *(f"            {line}" for line in step_lines),
            f"            found.append((({targets}), {distance}))",
            "        return found",
            "    return moves, successors",
        ]
        return "\n".join(lines) + "\n"

    def distance(self, shape: Shape, near: bool, out: list[str]) -> str:
        """The distance to acceptance (``near``) or to rejection of the tuple ``t…``."""
        if isinstance(shape, int):
            return f"{'N' if near else 'R'}{shape}[t{shape}]"
        op, *operands = shape
        if op == "not":
            return self.distance(operands[0], not near, out)
        parts = [self.distance(operand, near, out) for operand in operands]
        if len(parts) == 1:
            return parts[0]
        # An intersection accepts once its farthest operand does and rejects once its
        # nearest does; a union the converse.
        larger = (op == "and") == near
        name = self.fresh("x")
        out.append(f"{name} = {parts[0]}")
        for part in parts[1:]:
            value = self.fresh("y")
            out.append(f"{value} = {part}")
            out.append(f"if {value} {'>' if larger else '<'} {name}: {name} = {value}")
        return name

    def keeps(self, shape: Shape, near: bool, out: list[str]) -> str:
        """The characters after which the expression may still accept (``near``) or
        reject from the tuple ``s…``: None when every character may."""
        if isinstance(shape, int):
            return f"{'KA' if near else 'KR'}{shape}[s{shape}]"
        op, *operands = shape
        if op == "not":
            return self.keeps(operands[0], not near, out)
        parts = [self.keeps(operand, near, out) for operand in operands]
        if len(parts) == 1:
            return parts[0]
        name = self.fresh("k")
        combine = "meet" if (op == "and") == near else "join"
        out.append(f"{name} = {combine}(({', '.join(parts)},))")
        return name
