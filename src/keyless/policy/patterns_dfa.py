"""Deterministic automata over a symbolic alphabet: the engine under ``keyless.policy.patterns``.

A :class:`Dfa` reads Unicode strings, but its transition table has one column per character
that some pattern *mentions* (``alphabet``, sorted) plus a final column for every other
character. Characters a DFA never mentions all behave alike, so a finite table describes a
language over the whole of Unicode.

Every DFA this module hands out is *canonical*: complete, minimal, with the columns of
characters that behave exactly like "any other character" dropped, and with states numbered
in breadth-first order from the start state (state 0). Two canonical DFAs are equal exactly
when their languages are, so language equality is tuple equality and hashing is meaningful.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Row = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CharClass:
    """A set of characters: ``chars`` when ``negated`` is false, every other character if true."""

    chars: frozenset[str]
    negated: bool = False

    def matches(self, char: str) -> bool:
        """True when ``char`` belongs to the class."""
        return (char in self.chars) != self.negated


ANY_CHAR = CharClass(frozenset(), negated=True)


@dataclass(frozen=True, slots=True)
class Token:
    """One step of a glob: a character from ``chars``, repeated any number of times if ``star``."""

    chars: CharClass
    star: bool = False


@dataclass(frozen=True)
class Dfa:
    """A complete DFA; the last entry of each row is the "any other character" transition."""

    alphabet: tuple[str, ...]
    table: tuple[Row, ...]
    accepting: frozenset[int]
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Caches hash the same DFA many times, and tuples of tuples are slow to hash.
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((self.alphabet, self.table, self.accepting)))
        assert self._hash is not None
        return self._hash

    def symbol_of(self, char: str) -> int:
        """The column ``char`` is read through."""
        try:
            return self.alphabet.index(char)
        except ValueError:
            return len(self.alphabet)

    def accepts(self, text: str) -> bool:
        """Membership: run the table over ``text``."""
        index = {char: i for i, char in enumerate(self.alphabet)}
        other = len(self.alphabet)
        state = 0
        for char in text:
            state = self.table[state][index.get(char, other)]
        return state in self.accepting


def glob_dfa(tokens: Sequence[Token]) -> Dfa:
    """The canonical DFA of a sequence of tokens (a glob), by subset construction.

    NFA state ``i`` means "the first ``i`` tokens are matched"; a star token may be skipped
    (epsilon to ``i + 1``) or consume a character and stay at ``i``.
    """
    alphabet = tuple(sorted({c for token in tokens for c in token.chars.chars}))
    # The representative of the "other" column matches exactly the negated classes.
    symbol_matches = [
        [token.chars.matches(c) for c in alphabet] + [token.chars.negated] for token in tokens
    ]
    end = len(tokens)

    def closure(positions: Iterable[int]) -> frozenset[int]:
        result: set[int] = set()
        for position in positions:
            while position not in result:
                result.add(position)
                if position == end or not tokens[position].star:
                    break
                position += 1
        return frozenset(result)

    start = closure([0])
    numbering = {start: 0}
    order = [start]
    rows: list[Row] = []
    for current in order:
        row = []
        for symbol in range(len(alphabet) + 1):
            target = closure(
                position if tokens[position].star else position + 1
                for position in current
                if position < end and symbol_matches[position][symbol]
            )
            if target not in numbering:
                numbering[target] = len(order)
                order.append(target)
            row.append(numbering[target])
        rows.append(tuple(row))
    accepting = frozenset(i for i, positions in enumerate(order) if end in positions)
    return canonical(alphabet, rows, accepting)


def refine(dfa: Dfa, alphabet: Sequence[str]) -> list[int]:
    """For each character of a larger ``alphabet`` (plus "other"), the column of ``dfa`` it uses."""
    other = len(dfa.alphabet)
    own = {char: i for i, char in enumerate(dfa.alphabet)}
    return [own.get(char, other) for char in alphabet] + [other]


def product(left: Dfa, right: Dfa, accept: Callable[[bool, bool], bool]) -> Dfa:
    """The DFA running ``left`` and ``right`` together, accepting by ``accept``.

    Complete and all states reachable, but not minimised: callers that only ask for
    emptiness or an example never pay for minimisation (see :func:`canonical`).
    """
    alphabet = tuple(sorted(set(left.alphabet) | set(right.alphabet)))
    left_columns = refine(left, alphabet)
    right_columns = refine(right, alphabet)
    numbering = {(0, 0): 0}
    order = [(0, 0)]
    rows: list[Row] = []
    for p, q in order:
        left_row, right_row = left.table[p], right.table[q]
        row = []
        for lc, rc in zip(left_columns, right_columns, strict=True):
            pair = (left_row[lc], right_row[rc])
            number = numbering.get(pair)
            if number is None:
                number = numbering[pair] = len(order)
                order.append(pair)
            row.append(number)
        rows.append(tuple(row))
    accepting = frozenset(
        i for i, (p, q) in enumerate(order) if accept(p in left.accepting, q in right.accepting)
    )
    return Dfa(alphabet, tuple(rows), accepting)


def complement(dfa: Dfa) -> Dfa:
    """The complement; a complete DFA stays complete, and a canonical one canonical."""
    rejecting = frozenset(range(len(dfa.table))) - dfa.accepting
    return Dfa(dfa.alphabet, dfa.table, rejecting)


def canonical(alphabet: Sequence[str], rows: Sequence[Row], accepting: frozenset[int]) -> Dfa:
    """Minimise (Hopcroft), drop redundant columns and renumber by BFS.

    ``rows`` must be complete and every state reachable from state 0, which the subset and
    product constructions guarantee because they only number states they reach.
    """
    block = _coarsest_partition(rows, len(alphabet) + 1, accepting)
    reachable = range(len(rows))
    # One representative per block; its row, mapped to blocks, is the quotient row.
    representative: dict[int, int] = {}
    for state in reachable:
        representative.setdefault(block[state], state)
    quotient = {
        b: tuple(block[target] for target in rows[state]) for b, state in representative.items()
    }
    quotient_accepting = {block[state] for state in reachable if state in accepting}
    # A mentioned character that behaves like "any other" everywhere carries no information.
    other = len(alphabet)
    kept = [i for i in range(other) if any(row[i] != row[other] for row in quotient.values())] + [
        other
    ]
    start = block[0]
    ordered = _bfs_order_from(start, quotient, kept)
    renumber = {old: new for new, old in enumerate(ordered)}
    table = tuple(tuple(renumber[quotient[old][i]] for i in kept) for old in ordered)
    return Dfa(
        tuple(alphabet[i] for i in kept[:-1]),
        table,
        frozenset(renumber[b] for b in quotient_accepting),
    )


def _coarsest_partition(rows: Sequence[Row], symbols: int, accepting: frozenset[int]) -> list[int]:
    """Hopcroft's algorithm: the block of each state in the Myhill-Nerode partition.

    Moore's round-based refinement needs as many rounds as the longest literal in a pattern,
    which made products of typical ``sub`` patterns ten times slower.
    """
    count = len(rows)
    inverse: list[list[list[int]]] = [[[] for _ in range(count)] for _ in range(symbols)]
    for state, row in enumerate(rows):
        for symbol, target in enumerate(row):
            inverse[symbol][target].append(state)
    initial = [part for part in (set(accepting), set(range(count)) - accepting) if part]
    blocks: list[set[int]] = initial
    block_of = [0] * count
    for index, part in enumerate(blocks):
        for state in part:
            block_of[state] = index
    pending: set[tuple[int, int]] = set()
    if len(blocks) == 2:
        smaller = 0 if len(blocks[0]) <= len(blocks[1]) else 1
        pending = {(smaller, symbol) for symbol in range(symbols)}
    while pending:
        splitter, symbol = pending.pop()
        predecessors = inverse[symbol]
        touched: dict[int, list[int]] = {}
        for target in blocks[splitter]:
            for state in predecessors[target]:
                touched.setdefault(block_of[state], []).append(state)
        for index, members in touched.items():
            if len(members) == len(blocks[index]):
                continue
            # Each state has one successor per symbol, so ``members`` has no duplicates.
            moved = set(members)
            blocks[index] -= moved
            new = len(blocks)
            blocks.append(moved)
            for state in moved:
                block_of[state] = new
            for other_symbol in range(symbols):
                if (index, other_symbol) in pending or len(moved) <= len(blocks[index]):
                    pending.add((new, other_symbol))
                else:
                    pending.add((index, other_symbol))
    return block_of


def _bfs_order_from(start: int, rows: dict[int, Row], columns: Sequence[int]) -> list[int]:
    seen = {start}
    order = [start]
    for state in order:
        for column in columns:
            target = rows[state][column]
            if target not in seen:
                seen.add(target)
                order.append(target)
    return order


def shortest_path(dfa: Dfa, symbol_order: Sequence[int]) -> list[int] | None:
    """The shortest accepted symbol sequence, least in ``symbol_order`` among equals; or None.

    Breadth-first search that expands symbols in preference order reaches every state first
    along its (length, preference)-least path, so the first accepting state found gives the
    least accepted word.
    """
    if 0 in dfa.accepting:
        return []
    parent: dict[int, tuple[int, int]] = {0: (-1, -1)}
    queue = [0]
    for state in queue:
        for symbol in symbol_order:
            target = dfa.table[state][symbol]
            if target in parent:
                continue
            parent[target] = (state, symbol)
            if target in dfa.accepting:
                path = []
                while target != 0:
                    target, symbol_used = parent[target]
                    path.append(symbol_used)
                return path[::-1]
            queue.append(target)
    return None
