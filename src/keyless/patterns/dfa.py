"""Deterministic automata over a symbolic alphabet: the engine under ``keyless.patterns.language``.

A :class:`Dfa` reads Unicode strings, but its transition table has one column per character
that some pattern *mentions* (``alphabet``, sorted) plus a final column for every other
character. Characters a DFA never mentions all behave alike, so a finite table describes a
language over the whole of Unicode.

:func:`glob_dfa` and :func:`canonical` hand out *canonical* DFAs: complete, minimal, with the
columns of characters that behave exactly like "any other character" dropped, and with states
numbered in breadth-first order from the start state (state 0). Two canonical DFAs are equal
exactly when their languages are, so language equality is tuple equality and hashing is
meaningful. :func:`finite_dfa` (a trie) is complete but not minimal: the lazy product search
(``patterns_search``) needs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    _info: DfaInfo | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Caches hash the same DFA many times, and tuples of tuples are slow to hash.
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((self.alphabet, self.table, self.accepting)))
        assert self._hash is not None
        return self._hash

    @property
    def info(self) -> DfaInfo:
        """Per-state facts the lazy product search needs (computed once per DFA)."""
        if self._info is None:
            object.__setattr__(self, "_info", _info(self))
        assert self._info is not None
        return self._info

    def accepts(self, text: str) -> bool:
        """Membership: run the table over ``text``."""
        info = self.info
        special, default = info.special, info.default
        state = 0
        for char in text:
            state = special[state].get(char, default[state])
        return info.accepting[state]


@dataclass(frozen=True, slots=True)
class DfaInfo:
    """A DFA's table in the form the lazy product search reads (see ``patterns_search``).

    ``default[s]`` is the target of "any other character" from ``s``; ``special[s]`` maps the
    characters that go elsewhere from ``s`` to their targets. ``live[s]``: some accepting
    state is reachable from ``s``; ``colive[s]``: some rejecting state is.
    ``to_accept[s]`` / ``to_reject[s]``: the fewest characters that lead from ``s`` to an
    accepting / a rejecting state (:data:`UNREACHABLE` when none does): exact per leaf, so
    the product search can bound how far a tuple of states is from acceptance.
    """

    default: tuple[int, ...]
    special: tuple[dict[str, int], ...]
    accepting: tuple[bool, ...]
    live: tuple[bool, ...]
    colive: tuple[bool, ...]
    to_accept: tuple[int, ...]
    to_reject: tuple[int, ...]
    keeps_accepting: tuple[frozenset[str] | None, ...]
    """Per state whose "any other character" leads where no accepting state is reachable:
    the characters that do not (None where every character may)."""
    keeps_rejecting: tuple[frozenset[str] | None, ...]
    """The same for rejecting states."""


UNREACHABLE = 1 << 30
"""The distance of a state from which no accepting (or rejecting) state is reachable."""


def _info(dfa: Dfa) -> DfaInfo:
    alphabet, table = dfa.alphabet, dfa.table
    default = tuple([row[-1] for row in table])
    # zip stops at the alphabet's end: the last column ("any other") is the default.
    special = tuple(
        [
            {char: target for char, target in zip(alphabet, row, strict=False) if target != other}
            for row, other in zip(table, default, strict=True)
        ]
    )
    return _facts(default, special, dfa.accepting)


def _facts(
    default: tuple[int, ...], special: tuple[dict[str, int], ...], accepting_states: frozenset[int]
) -> DfaInfo:
    """The search tables of a DFA given as its rows' default targets and exceptions."""
    accepting = tuple([state in accepting_states for state in range(len(default))])
    predecessors: list[set[int]] = [set() for _ in default]
    for state, (row, other) in enumerate(zip(special, default, strict=True)):
        predecessors[other].add(state)
        for target in row.values():
            predecessors[target].add(state)
    to_accept = _distances(predecessors, [s for s, a in enumerate(accepting) if a])
    to_reject = _distances(predecessors, [s for s, a in enumerate(accepting) if not a])
    live = tuple(d < UNREACHABLE for d in to_accept)
    colive = tuple(d < UNREACHABLE for d in to_reject)
    keeps_accepting = _keeping(default, special, live)
    keeps_rejecting = _keeping(default, special, colive)
    return DfaInfo(
        default,
        special,
        accepting,
        live,
        colive,
        to_accept,
        to_reject,
        keeps_accepting,
        keeps_rejecting,
    )


def _keeping(
    default: Sequence[int], special: Sequence[dict[str, int]], good: Sequence[bool]
) -> tuple[frozenset[str] | None, ...]:
    return tuple(
        None
        if good[default[state]]
        else frozenset(char for char, target in special[state].items() if good[target])
        for state in range(len(default))
    )


def _distances(predecessors: Sequence[set[int]], targets: list[int]) -> tuple[int, ...]:
    """Per state, the fewest steps to one of ``targets`` (breadth-first, backwards)."""
    found = [UNREACHABLE] * len(predecessors)
    for state in targets:
        found[state] = 0
    layer = list(targets)
    distance = 0
    while layer:
        distance += 1
        following = []
        for state in layer:
            for before in predecessors[state]:
                if found[before] == UNREACHABLE:
                    found[before] = distance
                    following.append(before)
        layer = following
    return tuple(found)


def finite_dfa(members: Iterable[str]) -> Dfa:
    """A complete DFA (a trie plus a dead state) for a finite set of strings; not minimal."""
    words = sorted(set(members))
    alphabet = tuple(sorted({char for word in words for char in word}))
    column = {char: i for i, char in enumerate(alphabet)}
    children: list[dict[int, int]] = [{}]
    accepting = set()
    for word in words:
        node = 0
        for char in word:
            symbol = column[char]
            if symbol not in children[node]:
                children[node][symbol] = len(children)
                children.append({})
            node = children[node][symbol]
        accepting.add(node)
    dead = len(children)
    # Each node's children are its exceptions (in the alphabet's order, as _info reads them
    # off a row); every other character, and every character of the dead state, is dead.
    exceptions = [
        {alphabet[symbol]: target for symbol, target in sorted(node_children.items())}
        for node_children in children
    ]
    exceptions.append({})
    return from_exceptions(alphabet, [dead] * (dead + 1), exceptions, frozenset(accepting))


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


def glob_closures(tokens: Sequence[Token]) -> list[frozenset[int]]:
    """For each NFA position of a glob, the positions reached by skipping star tokens."""
    end = len(tokens)
    found: list[frozenset[int]] = [frozenset({end})]
    for position in range(end - 1, -1, -1):
        here = frozenset({position})
        found.append(here | found[-1] if tokens[position].star else here)
    return found[::-1]


def glob_matches(
    tokens: Sequence[Token], text: str, closures: Sequence[frozenset[int]] | None = None
) -> bool:
    """Membership by simulating the glob's NFA: no automaton is built."""
    closures = closures if closures is not None else glob_closures(tokens)
    end = len(tokens)
    current = closures[0]
    for char in text:
        reached: set[int] = set()
        for position in current:
            if position < end and tokens[position].chars.matches(char):
                token = tokens[position]
                reached |= closures[position if token.star else position + 1]
        if not reached:
            return False
        current = frozenset(reached)
    return end in current


def glob_automaton(tokens: Sequence[Token]) -> Dfa:
    """A complete, trimmed but not minimised DFA of a glob, by subset construction.

    Per subset only the characters its positions mention are examined; every other
    character goes where the negated classes (wildcards) send it. Cheaper than
    :func:`glob_dfa`, and all the lazy product search needs.
    """
    alphabet = tuple(sorted({c for token in tokens for c in token.chars.chars}))
    column = {char: i for i, char in enumerate(alphabet)}
    closures = glob_closures(tokens)
    end = len(tokens)
    numbering: dict[frozenset[int], int] = {}
    order: list[frozenset[int]] = []

    def number(positions: set[int] | frozenset[int]) -> int:
        key = frozenset(positions)
        found = numbering.get(key)
        if found is None:
            found = numbering[key] = len(order)
            order.append(key)
        return found

    number(closures[0])
    rows: list[Row] = []
    defaults: list[int] = []
    exceptions: list[dict[str, int]] = []
    # Per position: its class (negated or not, characters) and the positions after it.
    steps = [
        (token.chars.negated, token.chars.chars, closures[position if token.star else position + 1])
        for position, token in enumerate(tokens)
    ]
    for current in order:
        default: set[int] = set()
        mentioned: set[str] = set()
        here = [steps[position] for position in current if position != end]
        for negated, chars, after in here:
            if negated:
                default |= after
            mentioned |= chars
        other = number(default)
        row = [other] * (len(alphabet) + 1)
        for char in mentioned:
            target: set[int] = set()
            for negated, chars, after in here:
                if (char in chars) != negated:
                    target |= after
            row[column[char]] = number(target)
        rows.append(tuple(row))
        defaults.append(other)
        # The search tables' exceptions, read off the characters examined (in the
        # alphabet's order, as _info would): cheaper than scanning the whole row.
        exceptions.append(
            {char: row[column[char]] for char in sorted(mentioned) if row[column[char]] != other}
        )
    accepting = frozenset(i for i, positions in enumerate(order) if end in positions)
    dfa = Dfa(alphabet, tuple(rows), accepting)
    object.__setattr__(dfa, "_info", _facts(tuple(defaults), tuple(exceptions), accepting))
    return dfa


def from_exceptions(
    alphabet: tuple[str, ...],
    defaults: Sequence[int],
    exceptions: Sequence[dict[str, int]],
    accepting: frozenset[int],
) -> Dfa:
    """A complete DFA given per state its "any other character" target and the characters
    (of ``alphabet``) that go elsewhere, with its search tables filled in from them."""
    column = {char: i for i, char in enumerate(alphabet)}
    rows = []
    for default, exception in zip(defaults, exceptions, strict=True):
        row = [default] * (len(alphabet) + 1)
        for char, target in exception.items():
            row[column[char]] = target
        rows.append(tuple(row))
    dfa = Dfa(alphabet, tuple(rows), accepting)
    object.__setattr__(dfa, "_info", _facts(tuple(defaults), tuple(exceptions), accepting))
    return dfa


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
