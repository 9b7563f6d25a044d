"""The Action and Resource elements of a statement as sets of strings, with the few
questions the never-broaden proof asks: inclusion, intersection, an example.

Each element is a list of wildcard patterns (or its complement, for ``NotAction`` and
``NotResource``); the answers come from :mod:`keyless.patterns`, exactly. An AWS managed
policy such as ``ReadOnlyAccess`` lists well over a thousand action patterns, and one
automaton for all of them is slow to search. Two patterns can only share a string when
the literal text before their first wildcard is a prefix of the other's (and likewise
the text after their last), so each question first keeps the patterns that can meet
(the service prefix ``s3:`` rules out most) and hands only those to the automata.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from keyless.patterns import Glob, Language
from keyless.patterns.glob import parse_wildcard

GlobParts = tuple[str | Glob, ...]


@functools.lru_cache(maxsize=16384)
def glob_language(parts: GlobParts, ignore_case: bool) -> Language:
    """The language of one pattern (memoised: policies repeat patterns a lot)."""
    return Language.from_glob(parts, ignore_case)


@functools.lru_cache(maxsize=16384)
def _ends(parts: GlobParts, ignore_case: bool) -> tuple[str, str]:
    prefix: list[str] = []
    for part in parts:
        if isinstance(part, Glob):
            break
        prefix.append(part)
    suffix: list[str] = []
    for part in reversed(parts):
        if isinstance(part, Glob):
            break
        suffix.append(part)
    head, tail = "".join(prefix), "".join(reversed(suffix))
    return (head.lower(), tail.lower()) if ignore_case else (head, tail)


def may_meet(first: GlobParts, second: GlobParts, ignore_case: bool) -> bool:
    """False only when the two patterns certainly share no string."""
    head1, tail1 = _ends(first, ignore_case)
    head2, tail2 = _ends(second, ignore_case)
    return (head1.startswith(head2) or head2.startswith(head1)) and (
        tail1.endswith(tail2) or tail2.endswith(tail1)
    )


def union(languages: Iterable[Language]) -> Language:
    """The union of ``languages`` (empty for none)."""
    result = Language.empty()
    for language in languages:
        result = result | language
    return result


@dataclass(frozen=True)
class PatternSet:
    """The strings matched by any of ``globs`` — or by none of them when ``negated``."""

    globs: tuple[GlobParts, ...]
    negated: bool = False
    ignore_case: bool = False

    @functools.cached_property
    def language(self) -> Language:
        """The whole set as one language (for the rare questions no shortcut answers)."""
        language = union(glob_language(g, self.ignore_case) for g in self.globs)
        return ~language if self.negated else language

    def pieces(self) -> tuple[PatternSet, ...]:
        """One set per pattern (the set itself when negated)."""
        if self.negated or len(self.globs) == 1:
            return (self,)
        return tuple(PatternSet((g,), False, self.ignore_case) for g in self.globs)

    @functools.cached_property
    def _ends(self) -> tuple[tuple[GlobParts, str, str], ...]:
        return tuple((g, *_ends(g, self.ignore_case)) for g in self.globs)

    def _meeting(self, parts: GlobParts) -> list[Language]:
        head, tail = _ends(parts, self.ignore_case)
        return [
            glob_language(g, self.ignore_case)
            for g, own_head, own_tail in self._ends
            if (own_head.startswith(head) or head.startswith(own_head))
            and (own_tail.endswith(tail) or tail.endswith(own_tail))
        ]

    def includes(self, other: PatternSet) -> bool:
        """Every string of ``other`` is in this set."""
        if other.negated:
            return self.language.includes(other.language)
        for parts in other.globs:
            if not self.negated and parts in self.globs:
                continue  # the same pattern: no automaton needed
            meeting = self._meeting(parts)
            if not meeting:  # a pattern always matches something, and nothing here meets it
                if self.negated:
                    continue
                return False
            piece = glob_language(parts, self.ignore_case)
            if self.negated:
                if any(not (piece & language).is_empty() for language in meeting):
                    return False
            elif not union(meeting).includes(piece):
                return False
        return True

    def common_example(self, other: PatternSet) -> str | None:
        """A string in both sets, or ``None`` when they are disjoint."""
        if self.negated and other.negated:
            return example(self.language & other.language)
        if self.negated:
            return other.common_example(self)
        for parts in self.globs:
            piece = glob_language(parts, self.ignore_case)
            meeting = other._meeting(parts)
            if other.negated:
                found = example(piece - union(meeting))
            else:
                examples = (example(piece & language) for language in meeting)
                found = next((e for e in examples if e is not None), None)
            if found is not None:
                return found
        return None

    def example_outside(
        self, others: Sequence[PatternSet], within: Language | None = None
    ) -> str | None:
        """A string of this set in none of ``others`` (from ``within`` when it has one)."""
        relevant: list[Language] = []
        for other in others:
            if other.negated or self.negated:
                relevant.append(other.language)
            else:
                relevant.extend(
                    language for parts in self.globs for language in other._meeting(parts)
                )
        return example(self.language - union(relevant), within)

    def contains(self, text: str) -> bool:
        """``text`` is in the set."""
        return self.language.contains(text)


def example(language: Language, within: Language | None = None) -> str | None:
    """The shortest member other than the empty string (no ARN or action is empty, and
    an empty witness reads as nothing), or the empty string when it is the only one.
    With ``within``, a member of it is preferred (an action name that reads as one)."""
    if within is not None:
        found = (language & within).shortest_example()
        if found is not None:
            return found
    found = language.example(("",))
    if found is None and language.contains(""):
        return ""
    return found


@functools.lru_cache(maxsize=4096)
def action_set(patterns: tuple[str, ...], negated: bool = False) -> PatternSet:
    """An Action (or NotAction) element as a set: case-insensitive wildcards, no variables."""
    globs = tuple(parse_wildcard(pattern, escapes=False) for pattern in patterns)
    return PatternSet(globs, negated, ignore_case=True)
