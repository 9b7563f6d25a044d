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
decidable emptiness and inclusion and a shortest member to show a person. Languages are
canonical minimal automata (see :mod:`keyless.policy.patterns_dfa`), so equal languages are
equal values, and constructors and operations are memoised: a 20,000-role account repeats the
same few hundred patterns.

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

import functools
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from keyless.policy import patterns_dfa as dfa_engine
from keyless.policy.patterns_dfa import ANY_CHAR, CharClass, Dfa, Token

__all__ = ["Glob", "Language"]

_CACHE_SIZE = 1 << 16
_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}
_ARN_SEPARATOR = ":"
_NOT_COLON = CharClass(frozenset(_ARN_SEPARATOR), negated=True)
_READABLE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Glob(Enum):
    """The two wildcards of a ``StringLike`` value, for :meth:`Language.from_glob`."""

    STAR = "*"
    """Any run of characters, including none."""
    ONE = "?"
    """Exactly one character."""


@dataclass(frozen=True, eq=False)
class Language:
    """A regular language over Unicode strings, held as a complete DFA.

    Build one with the class-method constructors rather than from fields. ``dfa`` is
    minimised lazily: emptiness, membership and examples work on any complete DFA, and only
    equality, hashing (and so the operation caches) need the canonical form. Equality
    (``==``) is language equality; instances are hashable and immutable.
    """

    dfa: Dfa
    minimal: bool = False
    """Whether ``dfa`` is already canonical (see :mod:`keyless.policy.patterns_dfa`)."""

    @functools.cached_property
    def canonical_dfa(self) -> Dfa:
        """The canonical minimal DFA: equal for equal languages."""
        if self.minimal:
            return self.dfa
        return dfa_engine.canonical(self.dfa.alphabet, self.dfa.table, self.dfa.accepting)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Language):
            return NotImplemented
        return self is other or self.canonical_dfa == other.canonical_dfa

    def __hash__(self) -> int:
        return hash(self.canonical_dfa)

    def _smallest_dfa(self) -> Dfa:
        # Products of minimal automata are smaller; use the canonical one once it exists.
        cached = self.__dict__.get("canonical_dfa")
        return cached if isinstance(cached, Dfa) else self.dfa

    # ----- constructors -------------------------------------------------------------------

    @classmethod
    def literal(cls, text: str, ignore_case: bool = False) -> Language:
        """Exactly ``text`` (``StringEquals``); ``*``, ``?`` and ``${…}`` are ordinary text."""
        return _literal(text, ignore_case)

    @classmethod
    def wildcard(cls, pattern: str, ignore_case: bool = False, *, escapes: bool = True) -> Language:
        """The strings a ``StringLike`` value matches.

        With ``escapes`` (policy version 2012-10-17), ``${*}``, ``${?}`` and ``${$}`` stand for a
        literal ``*``, ``?`` and ``$``; any other ``${…}`` is left as text, so substitute policy
        variables first (or build the pattern with :meth:`from_glob`). Without ``escapes`` every
        ``$`` is literal.
        """
        return _wildcard(pattern, ignore_case, escapes)

    @classmethod
    def from_glob(cls, parts: Iterable[str | Glob], ignore_case: bool = False) -> Language:
        """A pattern given as literal text chunks and :class:`Glob` wildcards, in order.

        For callers that have already resolved escapes and policy variables, and so must say
        which ``*`` is a wildcard and which is text.
        """
        return _from_glob(tuple(parts), ignore_case)

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
        return _from_tokens((Token(ANY_CHAR, star=True),))

    @classmethod
    def empty(cls) -> Language:
        """No string at all."""
        return _from_tokens((Token(CharClass(frozenset())),))

    @classmethod
    def prefix(cls, text: str) -> Language:
        """Every string that starts with ``text``."""
        return _from_glob((text, Glob.STAR), False)

    # ----- algebra ------------------------------------------------------------------------

    def union(self, other: Language) -> Language:
        """Strings in either language."""
        return _combine("union", self, other)

    def intersection(self, other: Language) -> Language:
        """Strings in both languages."""
        return _combine("intersection", self, other)

    def difference(self, other: Language) -> Language:
        """Strings in this language and not in ``other``."""
        return _combine("difference", self, other)

    def complement(self) -> Language:
        """Every string not in this language."""
        return Language(dfa_engine.complement(self._smallest_dfa()), self.is_canonical())

    def is_canonical(self) -> bool:
        """Whether the canonical DFA is already at hand (nothing to minimise)."""
        return self.minimal or "canonical_dfa" in self.__dict__

    __or__ = union
    __and__ = intersection
    __sub__ = difference
    __invert__ = complement

    # ----- questions ----------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when no string belongs to the language."""
        # Every state of the table is reachable, so any accepting state is reached.
        return not self.dfa.accepting

    def is_universal(self) -> bool:
        """True when every string belongs to the language."""
        return len(self.dfa.accepting) == len(self.dfa.table)

    def includes(self, other: Language) -> bool:
        """True when every string of ``other`` belongs to this language (``other ⊆ self``)."""
        return other.difference(self).is_empty()

    def equals(self, other: Language) -> bool:
        """True when both languages hold the same strings (the same as ``==``)."""
        return self == other

    def contains(self, text: str) -> bool:
        """True when ``text`` belongs to the language."""
        return self.dfa.accepts(text)

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
        dfa = self._smallest_dfa()
        chars = [*dfa.alphabet, _fresh_char(dfa.alphabet)]
        order = sorted(range(len(chars)), key=lambda symbol: readability(chars[symbol]))
        path = dfa_engine.shortest_path(dfa, order)
        return None if path is None else "".join(chars[symbol] for symbol in path)

    def example(self, avoid: Iterable[str] = ()) -> str | None:
        """The shortest member that is not one of the strings in ``avoid``; None if none is."""
        excluded = tuple(sorted(set(avoid)))
        if not excluded:
            return self.shortest_example()
        return self.difference(_finite(excluded)).shortest_example()

    def examples(self, count: int) -> list[str]:
        """Up to ``count`` distinct members, shortest first, in the order of :meth:`example`."""
        found: list[str] = []
        remaining = self
        while len(found) < count:
            example = remaining.shortest_example()
            if example is None:
                break
            found.append(example)
            remaining = remaining.difference(_literal(example, False))
        return found


# ----- memoised construction -----------------------------------------------------------------


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _literal(text: str, ignore_case: bool) -> Language:
    return _from_glob((text,), ignore_case)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _wildcard(pattern: str, ignore_case: bool, escapes: bool) -> Language:
    return _from_glob(_parse_wildcard(pattern, escapes), ignore_case)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _from_glob(parts: tuple[str | Glob, ...], ignore_case: bool) -> Language:
    return _from_tokens(tuple(_tokens(parts, ignore_case, ANY_CHAR)))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _arn_pattern(pattern: str, escapes: bool) -> Language:
    components = pattern.split(_ARN_SEPARATOR, 5)
    if len(components) < 6:
        return Language.any_string() if pattern == "*" else Language.empty()
    tokens: list[Token] = []
    for index, component in enumerate(components):
        if index:
            tokens.append(Token(CharClass(frozenset(_ARN_SEPARATOR))))
        # Only the resource (the remainder after the fifth colon) may hold colons.
        wild = ANY_CHAR if index == 5 else _NOT_COLON
        tokens.extend(_tokens(_parse_wildcard(component, escapes), False, wild))
    return _from_tokens(tuple(tokens))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _from_tokens(tokens: tuple[Token, ...]) -> Language:
    return Language(dfa_engine.glob_dfa(tokens), minimal=True)


_ACCEPT = {
    "union": lambda left, right: left or right,
    "intersection": lambda left, right: left and right,
    "difference": lambda left, right: left and not right,
}


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _combine(operation: str, left: Language, right: Language) -> Language:
    return Language(
        dfa_engine.product(left._smallest_dfa(), right._smallest_dfa(), _ACCEPT[operation])
    )


def _finite(strings: Sequence[str]) -> Language:
    result = Language.empty()
    for text in strings:
        result = result.union(_literal(text, False))
    return result


def _parse_wildcard(pattern: str, escapes: bool) -> tuple[str | Glob, ...]:
    parts: list[str | Glob] = []
    index = 0
    while index < len(pattern):
        chunk = pattern[index : index + 4]
        if escapes and chunk in _ESCAPES:
            parts.append(_ESCAPES[chunk])
            index += 4
            continue
        char = pattern[index]
        parts.append(Glob.STAR if char == "*" else Glob.ONE if char == "?" else char)
        index += 1
    return tuple(parts)


def _tokens(parts: Iterable[str | Glob], ignore_case: bool, wild: CharClass) -> list[Token]:
    tokens: list[Token] = []
    for part in parts:
        if part is Glob.STAR:
            tokens.append(Token(wild, star=True))
        elif part is Glob.ONE:
            tokens.append(Token(wild))
        else:
            assert isinstance(part, str)
            tokens.extend(
                Token(CharClass(case_variants(c) if ignore_case else frozenset(c))) for c in part
            )
    return tokens


# ----- case folding ----------------------------------------------------------------------------


def fold(char: str) -> str:
    """The per-character case fold keyless uses for ``IgnoreCase`` (see the module doc)."""
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


@functools.cache
def _fold_preimages() -> Mapping[str, frozenset[str]]:
    # Built on first IgnoreCase use, not at import: one pass over the code points (~0.2 s).
    preimages: defaultdict[str, set[str]] = defaultdict(set)
    for code_point in range(sys.maxunicode + 1):
        char = chr(code_point)
        folded = fold(char)
        if folded != char:
            preimages[folded].add(char)
    return {folded: frozenset(chars) for folded, chars in preimages.items()}


@functools.lru_cache(maxsize=_CACHE_SIZE)
def case_variants(char: str) -> frozenset[str]:
    """Every character ``x`` with ``fold(x) == fold(char)``: what ``char`` matches ignoring case."""
    folded = fold(char)
    variants = set(_fold_preimages().get(folded, ()))
    if fold(folded) == folded:
        variants.add(folded)
    variants.add(char)
    return frozenset(variants)


# ----- witnesses -------------------------------------------------------------------------------


def readability(char: str) -> tuple[int, int]:
    """Sort key putting the characters a person reads most easily first."""
    position = _READABLE.find(char)
    if position >= 0:
        return (0, position)
    code_point = ord(char)
    if code_point < 0x7F and char.isprintable() and char != " ":
        return (1, code_point)
    if char.isprintable() and char != " ":
        return (2, code_point)
    return (3 if char == " " else 4, code_point)


def _fresh_char(alphabet: Sequence[str]) -> str:
    """The most readable character an automaton does not mention: its "other" column."""
    mentioned = set(alphabet)
    for char in _READABLE:
        if char not in mentioned:
            return char
    code_point = 0x21
    while chr(code_point) in mentioned or not chr(code_point).isprintable():
        code_point += 1
    return chr(code_point)
