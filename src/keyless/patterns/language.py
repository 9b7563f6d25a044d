"""IAM condition values as regular languages: wildcards, literals, ARN patterns, and their algebra.

IAM's string operators compare a request value against policy values
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String):

* ``StringEquals``: the value is a literal string; ``*`` and ``?`` are ordinary characters
  (:meth:`Language.literal`).
* ``StringLike``: ``*`` matches any run of characters, including none and including ``/`` and
  ``:``; ``?`` matches exactly one character (:meth:`Language.wildcard`).
* ``…IgnoreCase``: as above, compared case-insensitively (``ignore_case=True``).
* ``ArnLike`` / ``ArnEquals``: each of the six colon-separated ARN components is matched on
  its own, so a wildcard never spans a colon (:meth:`Language.arn_pattern`).

A :class:`Language` is a set of strings closed under union, intersection and complement, with
decidable emptiness and inclusion and a shortest member to show a person.

**Cost model.** A language is an *expression*: a finite set of strings (what ``StringEquals``
values are), a leaf automaton (a wildcard pattern, built once per pattern and memoised), or a
union, intersection or complement of languages. Operations only build the expression, except
that anything intersected with a finite set is filtered right away by membership tests
(``O(length)`` per string), so the common questions about literal values never touch an
automaton. Emptiness and examples are decided on the lazy product of the leaves
(:mod:`keyless.patterns.search`), which stops at the first accepting state; nothing on
these paths is minimised. ``==`` and :meth:`Language.equals` are language equality (decided
the same lazy way); ``hash`` is that of the canonical minimal DFA, which *is* built — so
caches key languages by :attr:`Language.key`, a cheap structural recipe, never by the
language itself.

**Case folding.** IAM documents no folding rule, and comparing ``lower()`` of both sides is
what its ``IgnoreCase`` operators approximate. keyless folds per character: ``fold(c)`` is
``c.lower()`` when that is one character, else ``c`` itself (only ``İ`` lowers to two
characters). Under ``ignore_case``, a pattern character ``c`` matches every character ``x``
with ``fold(x) == fold(c)``: ``k`` matches ``k``, ``K`` and the Kelvin sign ``K``. Context-
dependent rules (final sigma) and full case folding (``ß`` vs ``ss``) are not modelled.

**Witness characters.** :meth:`Language.shortest_example` returns the shortest member; among
members of that length, the least by a readability order on characters: ``a`` to ``z``, then
``0`` to ``9``, then ``A`` to ``Z``, then other printable ASCII, then other printable characters,
then space, then everything else, each group by code point. A position a wildcard leaves free
is filled with the most readable character the pattern does not mention (usually ``a``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from keyless.patterns import search
from keyless.patterns.case import case_variants, fold
from keyless.patterns.dfa import (
    ANY_CHAR,
    CharClass,
    Dfa,
    Token,
    finite_dfa,
    glob_automaton,
    glob_closures,
    glob_dfa,
    glob_matches,
)
from keyless.patterns.glob import (
    Glob,
    Recipe,
    glob_tokens,
    parse_wildcard,
    segments_match,
)
from keyless.patterns.search import readability
from keyless.patterns.segments import segments_automaton
from keyless.patterns.unions import UnionLeaf

__all__ = [
    "Glob",
    "Language",
    "Recipe",
    "case_variants",
    "fold",
    "forget_memoised",
    "readability",
]

_CACHE_SIZE = 2048
T = TypeVar("T")
_ARN_SEPARATOR = ":"
_NOT_COLON = CharClass(frozenset(_ARN_SEPARATOR), negated=True)
_LEAF_OPS = frozenset({"set", "glob", "dfa"})


@dataclass(frozen=True, eq=False)
class Language:
    """A regular language over Unicode strings, held as an expression (see the module doc).

    Build one with the class-method constructors and operators rather than from fields.
    ``op`` is ``"set"`` (exactly ``members``), ``"glob"`` (the strings the glob ``tokens``
    matches; its automaton is built on first search, membership needs none), ``"dfa"`` (the
    strings ``leaf`` accepts), ``"not"``, ``"and"`` or ``"or"`` (of ``children``).
    Instances are immutable; equality is language equality.
    """

    op: str
    children: tuple[Language, ...] = ()
    members: frozenset[str] = frozenset()
    leaf: Dfa | None = field(default=None, repr=False)
    tokens: tuple[Token, ...] = field(default=(), repr=False)
    segments: tuple[str, ...] = ()
    """For a glob of literal text and ``*`` only (the usual ``StringLike`` value): the text
    between the stars. Membership is then a few string searches, and ``tokens`` are
    derived only if an automaton is needed."""
    coarse: Language | None = field(default=None, repr=False)
    """A superset of this language that is cheaper to search (:meth:`with_coarse`), or
    None. Not part of the language: equality, :attr:`key` and every answer ignore it."""

    # ----- identity -----------------------------------------------------------------------

    @functools.cached_property
    def key(self) -> Recipe:
        """A structural recipe of the expression: equal recipes mean equal languages (not the
        converse). Cheap to hash; what caches key languages by."""
        if self.op == "set":
            return Recipe(("set", self.members))
        if self.op == "dfa":
            return Recipe(("dfa", self.leaf))
        if self.op == "glob":
            return Recipe(("glob", self.segments) if self.segments else ("glob", self.tokens))
        return Recipe((self.op, *(child.key for child in self.children)))

    @functools.cached_property
    def canonical_dfa(self) -> Dfa:
        """The canonical minimal DFA: equal for equal languages (built on demand; costly)."""
        return search.canonical_dfa(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Language):
            return NotImplemented
        if self is other or self.key == other.key:
            return True
        return (self - other).is_empty() and (other - self).is_empty()

    def __hash__(self) -> int:
        return hash(self.canonical_dfa)

    def compact(self) -> Language:
        """The same language as one minimal automaton (a leaf): worth it for a language
        that is built once and asked about often, such as a provider's grammar."""
        if self.op in ("set", "dfa"):
            return self
        if self.op == "glob":
            return Language("dfa", leaf=glob_dfa(self._glob_tokens))
        return Language("dfa", leaf=self.canonical_dfa)

    def with_coarse(self, coarse: Language) -> Language:
        """The same language, told of a superset ``coarse`` whose automata are smaller (a
        provider's grammar without the structure of its fields, say). An emptiness search
        first tries every expression this language is an operand of with ``coarse`` in its
        place (:attr:`coarsened`): when that is empty, so is the expression, and the search
        of the larger product is never made. ``coarse`` must include this language; it is
        not checked here (a test of each grammar does)."""
        return dataclasses.replace(self, coarse=coarse)

    @functools.cached_property
    def coarsened(self) -> Language | None:
        """A superset of this expression: every operand with a :attr:`coarse` superset that
        is not under a complement replaced by it (a complemented one would need a subset),
        or None when none is. Empty only if this expression is empty."""
        return _coarsened(self, positive=True)

    def automaton(self) -> Dfa:
        """A complete DFA of a leaf (``"dfa"``, ``"glob"`` or ``"set"``), for the lazy product
        search."""
        if self.leaf is not None:
            return self.leaf
        assert self.op in ("set", "glob"), "only leaves have an automaton"
        return self._leaf_automaton

    def union_leaf(self) -> UnionLeaf:
        """A union of leaves as one lazily determinised leaf (see
        :mod:`keyless.patterns.unions`), built on first use and kept with the language."""
        return self._union_leaf

    @functools.cached_property
    def is_union_of_leaves(self) -> bool:
        """A union whose operands are all leaves (sets, globs, automata). Kept with the
        language: every question about a policy asks it of the same wide unions (all the
        policy's ``sub`` values), and scanning the operands each time cost O(statements)
        per question, O(statements²) per policy."""
        return self.op == "or" and all(child.op in _LEAF_OPS for child in self.children)

    @functools.cached_property
    def _union_leaf(self) -> UnionLeaf:
        assert self.op == "or", "only a union has a union leaf"
        return UnionLeaf([child.automaton().info for child in self.children])

    @functools.cached_property
    def _closures(self) -> list[frozenset[int]]:
        return glob_closures(self._glob_tokens)

    @functools.cached_property
    def _glob_tokens(self) -> tuple[Token, ...]:
        if not self.segments:
            return self.tokens
        parts: list[str | Glob] = []
        for index, segment in enumerate(self.segments):
            if index:
                parts.append(Glob.STAR)
            parts.append(segment)
        return tuple(glob_tokens(parts, False, ANY_CHAR))

    @functools.cached_property
    def _leaf_automaton(self) -> Dfa:
        # Equal leaves are built apart (a value list filtered per question, the same
        # pattern in many policies): they share one automaton and its search tables.
        return _remember(_AUTOMATA, self.key, self._build_automaton)

    def _build_automaton(self) -> Dfa:
        if self.op == "glob":
            if self.segments:
                return segments_automaton(self.segments)
            return glob_automaton(self._glob_tokens)
        return finite_dfa(self.members)

    # ----- constructors -------------------------------------------------------------------

    @classmethod
    def literal(cls, text: str, ignore_case: bool = False) -> Language:
        """Exactly ``text`` (``StringEquals``); ``*``, ``?`` and ``${…}`` are ordinary text."""
        if not ignore_case:
            return _finite((text,))
        return _from_glob((text,), True)

    @classmethod
    def finite(cls, strings: Iterable[str]) -> Language:
        """Exactly the given strings (case-sensitive)."""
        return _finite(strings)

    @classmethod
    def wildcard(cls, pattern: str, ignore_case: bool = False, *, escapes: bool = True) -> Language:
        """The strings a ``StringLike`` value matches.

        With ``escapes`` (policy version 2012-10-17), ``${*}``, ``${?}`` and ``${$}`` stand for a
        literal ``*``, ``?`` and ``$``; any other ``${…}`` is left as text, so substitute policy
        variables first (or build the pattern with :meth:`from_glob`). Without ``escapes`` every
        ``$`` is literal.
        """
        return _from_glob(parse_wildcard(pattern, escapes), ignore_case)

    @classmethod
    def from_glob(cls, parts: Iterable[str | Glob], ignore_case: bool = False) -> Language:
        """A pattern given as literal text chunks and :class:`Glob` wildcards, in order.

        For callers that have already resolved escapes and policy variables, and so must say
        which ``*`` is a wildcard and which is text.
        """
        return _from_glob(tuple(parts), ignore_case)

    @classmethod
    def from_tokens(cls, tokens: Sequence[Token]) -> Language:
        """The language of a sequence of character-class tokens (see ``patterns_dfa``)."""
        return _from_tokens(tuple(tokens))

    @classmethod
    def arn_pattern(cls, pattern: str, *, escapes: bool = True) -> Language:
        """The strings an ``ArnLike`` / ``ArnEquals`` value matches (case-sensitive).

        The pattern is split at its first five colons into partition, service, region,
        account and resource, like :func:`keyless.model.arn.parse_arn`; a value matches when it
        splits the same way and each component matches its pattern. In the first five
        components ``*`` and ``?`` never match a colon. The resource is everything after the
        fifth colon, as in real ARNs such as ``arn:aws:logs:…:log-group:name:*``, so there a
        wildcard may match a colon. Assumptions AWS does not document: a lone ``*`` matches
        every value, and any other pattern with fewer than five colons matches nothing.
        """
        return _arn_pattern(pattern, escapes)

    @classmethod
    def any_string(cls) -> Language:
        """Every string, the empty one included."""
        return ANY

    @classmethod
    def empty(cls) -> Language:
        """No string at all."""
        return EMPTY

    @classmethod
    def prefix(cls, text: str) -> Language:
        """Every string that starts with ``text``."""
        return _from_glob((text, Glob.STAR), False)

    @classmethod
    def union_all(cls, languages: Iterable[Language]) -> Language:
        """Strings in any of ``languages``: the same language as ``a | b | …``, built in one
        pass (finite sets merged into one) rather than by copying the operands again at
        every ``|``, so a condition with thousands of values costs linear time."""
        members: set[str] = set()
        children: list[Language] = []
        seen: set[int] = set()
        for language in languages:
            if language is ANY:
                return ANY
            for child in language.children if language.op == "or" else (language,):
                if child.op == "set":
                    members |= child.members
                elif id(child) not in seen:
                    seen.add(id(child))
                    children.append(child)
        if members:
            children.insert(0, _finite(members))
        if not children:
            return EMPTY
        return children[0] if len(children) == 1 else Language("or", tuple(children))

    # ----- algebra ------------------------------------------------------------------------

    def union(self, other: Language) -> Language:
        """Strings in either language."""
        if self.op == "set" and other.op == "set":
            return _finite(self.members | other.members)
        if self is EMPTY or self is ANY or other is ANY:
            return other if self is EMPTY else ANY
        if other is EMPTY:
            return self
        return Language("or", _merge(self, other, "or"))

    def intersection(self, other: Language) -> Language:
        """Strings in both languages."""
        if self.op == "set":
            return _filtered(self, other, keep=True)
        if other.op == "set":
            return _filtered(other, self, keep=True)
        if self is ANY or other is ANY:
            return other if self is ANY else self
        return Language("and", _merge(self, other, "and"))

    def difference(self, other: Language) -> Language:
        """Strings in this language and not in ``other``."""
        if self.op == "set":
            return _filtered(self, other, keep=False)
        return self.intersection(other.complement())

    def complement(self) -> Language:
        """Every string not in this language."""
        if self.op == "not":
            return self.children[0]
        if self is EMPTY:
            return ANY
        if self is ANY:
            return EMPTY
        return Language("not", (self,))

    __or__ = union
    __and__ = intersection
    __sub__ = difference
    __invert__ = complement

    # ----- questions ----------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when no string belongs to the language."""
        if self.op == "set":
            return not self.members
        if self.op == "dfa":
            assert self.leaf is not None
            return not self.leaf.accepting  # leaves are trimmed: every state is reachable
        if self.op == "glob":
            if self.segments:
                return False  # literal text and stars: always matched by its literal text
            return any(
                not t.star and not t.chars.negated and not t.chars.chars for t in self._glob_tokens
            )
        if self.op == "or":
            return all(child.is_empty() for child in self.children)
        return not self._has_member

    @functools.cached_property
    def _has_member(self) -> bool:
        if "_shortest_example" in self.__dict__:
            return self._shortest_example is not None
        # Deciding emptiness needs any member, not the least one: a cheaper search, with its
        # own table (a known shortest member answers it too).
        key = self.key
        if key in _EXAMPLES:
            return _EXAMPLES[key] is not None
        found = _remember(_NON_EMPTY, key, lambda: search.has_member(self))
        return found

    def is_finite_set(self) -> bool:
        """True when the language is held as an explicit finite set of strings."""
        return self.op == "set"

    def is_universal(self) -> bool:
        """True when every string belongs to the language."""
        return self is ANY or self.complement().is_empty()

    def includes(self, other: Language) -> bool:
        """True when every string of ``other`` belongs to this language (``other ⊆ self``)."""
        return other.difference(self).is_empty()

    def equals(self, other: Language) -> bool:
        """True when both languages hold the same strings (the same as ``==``)."""
        return self == other

    def contains(self, text: str) -> bool:
        """True when ``text`` belongs to the language."""
        op = self.op
        if op == "set":
            return text in self.members
        if op == "glob":
            if self.segments:
                return segments_match(self.segments, text)
            if "_leaf_automaton" in self.__dict__:
                return self._leaf_automaton.accepts(text)
            return glob_matches(self.tokens, text, self._closures)
        if op == "dfa":
            assert self.leaf is not None
            return self.leaf.accepts(text)
        if op == "not":
            return not self.children[0].contains(text)
        if op == "and":
            return all(child.contains(text) for child in self.children)
        if len(self.children) > _INDEXED_UNION:
            return self._by_prefix.contains(text)
        return any(child.contains(text) for child in self.children)

    @functools.cached_property
    def _by_prefix(self) -> _PrefixIndex:
        return _PrefixIndex(self.children)

    __contains__ = contains

    def shortest_example(self) -> str | None:
        """The shortest member, most readable among equals (see the module doc); None if empty.

        The answer is a property of the language, not of how it was built: the search covers
        every mentioned character and the most readable unmentioned one, which stands for all
        the others.
        """
        return self._shortest_example

    @functools.cached_property
    def _shortest_example(self) -> str | None:
        if self.op == "set":
            return min(self.members, key=search.shortlex) if self.members else None
        # Questions are rebuilt per check and per role: structurally equal expressions share
        # one search through a bounded table keyed by recipe.
        key = self.key
        if _NON_EMPTY.get(key) is False:
            return None
        return _remember(_EXAMPLES, key, lambda: search.shortest_member(self))

    def example(self, avoid: Iterable[str] = ()) -> str | None:
        """The shortest member that is not one of the strings in ``avoid``; None if none is."""
        excluded = frozenset(avoid)
        if not excluded:
            return self.shortest_example()
        return self.difference(_finite(excluded)).shortest_example()

    def examples(self, count: int) -> list[str]:
        """Up to ``count`` distinct members, shortest first, in the order of :meth:`example`."""
        if self.op == "set":
            return sorted(self.members, key=search.shortlex)[:count]
        found: list[str] = []
        remaining = self
        while len(found) < count:
            example = remaining.shortest_example()
            if example is None:
                break
            found.append(example)
            remaining = remaining.difference(_finite((example,)))
        return found


_INDEXED_UNION = 16
"""A union of more operands than this answers membership through a :class:`_PrefixIndex`."""


class _PrefixIndex:
    """Membership in a union of many operands without asking each: finite sets are merged
    into one, and star-only globs are filed under their literal first segment, so a text
    asks only the globs whose first segment it starts with (one lookup per distinct
    segment length). Other operands are asked one by one."""

    def __init__(self, children: Sequence[Language]):
        self.members: set[str] = set()
        self.globs: dict[str, list[tuple[str, ...]]] = {}
        self.others: list[Language] = []
        for child in children:
            if child.op == "set":
                self.members |= child.members
            elif child.op == "glob" and child.segments:
                self.globs.setdefault(child.segments[0], []).append(child.segments)
            else:
                self.others.append(child)
        self.lengths = sorted({len(head) for head in self.globs})

    def contains(self, text: str) -> bool:
        if text in self.members:
            return True
        for length in self.lengths:
            if length > len(text):
                break
            for segments in self.globs.get(text[:length], ()):
                if segments_match(segments, text):
                    return True
        return any(other.contains(text) for other in self.others)


def _coarsened(language: Language, *, positive: bool) -> Language | None:
    """:attr:`Language.coarsened` (``positive``: not under a complement)."""
    if language.coarse is not None and positive:
        return language.coarse
    if language.op == "not":
        inner = _coarsened(language.children[0], positive=not positive)
        return None if inner is None else inner.complement()
    if language.op not in ("and", "or"):
        return None
    parts = [_coarsened(child, positive=positive) for child in language.children]
    if all(part is None for part in parts):
        return None
    children = [
        child if part is None else part
        for child, part in zip(language.children, parts, strict=True)
    ]
    if language.op == "or":
        return Language.union_all(children)
    return functools.reduce(Language.intersection, children)


def _merge(left: Language, right: Language, op: str) -> tuple[Language, ...]:
    """The operands of ``left op right``, flattened, without repeats (``a & a`` is ``a``)."""
    children: list[Language] = []
    seen: set[int] = set()
    for side in (left, right):
        for child in side.children if side.op == op else (side,):
            if id(child) not in seen:  # identity, not the recipe: no hashing on this path
                seen.add(id(child))
                children.append(child)
    return tuple(children)


# ----- memoised construction -----------------------------------------------------------------


_EXAMPLES: OrderedDict[Recipe, str | None] = OrderedDict()
_NON_EMPTY: OrderedDict[Recipe, bool] = OrderedDict()
_AUTOMATA: OrderedDict[Recipe, Dfa] = OrderedDict()


def _remember(table: OrderedDict[Recipe, T], key: Recipe, compute: Callable[[], T]) -> T:
    """``table[key]``, computed on a miss; the table keeps the most recently used entries."""
    if key in table:
        table.move_to_end(key)
        return table[key]
    found = table[key] = compute()
    if len(table) > _CACHE_SIZE:
        table.popitem(last=False)
    return found


def forget_memoised() -> None:
    """Drop every memoised language, leaf automaton and search answer (the tables above
    and the constructors' caches). They are bounded in entries, not in bytes: an
    organization's scan, whose accounts rarely share a policy, would otherwise fill them
    with automata no later account asks for (about 100 MB at 300 accounts). Answers do not
    change: everything dropped is computed again when asked."""
    for table in (_EXAMPLES, _NON_EMPTY, _AUTOMATA):
        table.clear()
    for constructor in (_from_glob, _arn_pattern, _from_tokens):
        constructor.cache_clear()


def _filtered(finite: Language, other: Language, *, keep: bool) -> Language:
    """The members of ``finite`` that are (``keep``) or are not in ``other``."""
    if len(finite.members) == 1:  # the usual StringEquals value: no new set to build
        (member,) = finite.members
        return finite if other.contains(member) == keep else EMPTY
    return _finite(m for m in finite.members if other.contains(m) == keep)


def _finite(strings: Iterable[str]) -> Language:
    members = frozenset(strings)
    return Language("set", members=members) if members else EMPTY


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _from_glob(parts: tuple[str | Glob, ...], ignore_case: bool) -> Language:
    if not ignore_case and Glob.ONE not in parts:
        segments = [""]
        for part in parts:
            if part is Glob.STAR:
                segments.append("")
            else:
                assert isinstance(part, str)
                segments[-1] += part
        if len(segments) == 1:
            return _finite(segments)
        if segments == ["", ""] or all(not s for s in segments):
            return ANY
        return Language("glob", segments=tuple(segments))
    return _from_tokens(tuple(glob_tokens(parts, ignore_case, ANY_CHAR)))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _arn_pattern(pattern: str, escapes: bool) -> Language:
    components = pattern.split(_ARN_SEPARATOR, 5)
    if len(components) < 6:
        return ANY if pattern == "*" else EMPTY
    tokens: list[Token] = []
    for index, component in enumerate(components):
        if index:
            tokens.append(Token(CharClass(frozenset(_ARN_SEPARATOR))))
        # Only the resource (the remainder after the fifth colon) may hold colons.
        wild = ANY_CHAR if index == 5 else _NOT_COLON
        tokens.extend(glob_tokens(parse_wildcard(component, escapes), False, wild))
    return _from_tokens(tuple(tokens))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _from_tokens(tokens: tuple[Token, ...]) -> Language:
    if tokens == (Token(ANY_CHAR, star=True),):
        return ANY
    if all(not t.star and not t.chars.negated and len(t.chars.chars) == 1 for t in tokens):
        return _finite(("".join(next(iter(t.chars.chars)) for t in tokens),))
    return Language("glob", tokens=tokens)


ANY = Language("dfa", leaf=glob_dfa((Token(ANY_CHAR, star=True),)))
EMPTY = Language("set")
