"""The fast paths of keyless.patterns.language agree with the general automaton path.

Finite sets are intersected by membership tests, star-only globs are matched by string
search, and expressions are decided on lazy products. Each is compared with the same
language forced through one canonical automaton (``as_automaton``: the whole product built
and minimised), and membership with Python's ``re``.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.language import Language
from keyless.patterns.search import shortlex

CHARS = "ab/:*"
texts = st.text(alphabet="ab/:", max_size=6)
patterns = st.text(alphabet=CHARS + "?", max_size=6)
star_patterns = st.text(alphabet=CHARS, max_size=7)
literal_sets = st.lists(texts, min_size=0, max_size=5)


def as_automaton(language: Language) -> Language:
    """The same language as a single canonical DFA leaf: no fast path applies to it."""
    return Language("dfa", leaf=language.canonical_dfa)


def glob_regex(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


def matches(pattern: str, value: str) -> bool:
    return re.fullmatch(glob_regex(pattern), value, re.DOTALL) is not None


@settings(deadline=None, max_examples=300)
@given(star_patterns, st.text(alphabet="ab/:*x", max_size=9))
def test_star_only_glob_membership_is_the_regex(pattern: str, value: str) -> None:
    language = Language.wildcard(pattern)
    assert language.contains(value) == matches(pattern, value)
    assert as_automaton(language).contains(value) == matches(pattern, value)


@settings(deadline=None, max_examples=300)
@given(literal_sets, patterns)
def test_literal_set_meets_glob_like_the_automata(values: list[str], pattern: str) -> None:
    fast = Language.finite(values) & Language.wildcard(pattern)
    slow = as_automaton(Language.finite(values)) & as_automaton(Language.wildcard(pattern))
    assert fast.is_finite_set()
    expected = sorted({v for v in values if matches(pattern, v)}, key=shortlex)
    assert fast.is_empty() == slow.is_empty() == (not expected)
    assert fast.shortest_example() == slow.shortest_example() == (expected or [None])[0]


@settings(deadline=None, max_examples=300)
@given(literal_sets, patterns)
def test_literal_set_minus_glob_like_the_automata(values: list[str], pattern: str) -> None:
    fast = Language.finite(values) - Language.wildcard(pattern)
    slow = as_automaton(Language.finite(values)) - as_automaton(Language.wildcard(pattern))
    assert fast.shortest_example() == slow.shortest_example()
    assert sorted(fast.examples(10)) == sorted(v for v in set(values) if not matches(pattern, v))


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> Language:
    """Unions, intersections and complements of globs and literal sets."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            return Language.wildcard(draw(patterns))
        return Language.finite(draw(literal_sets))
    left = draw(expressions(depth - 1))
    right = draw(expressions(depth - 1))
    operation = draw(st.sampled_from(["and", "or", "minus", "not"]))
    if operation == "and":
        return left & right
    if operation == "or":
        return left | right
    if operation == "minus":
        return left - right
    return ~left


@settings(deadline=None, max_examples=300)
@given(expressions(), st.lists(st.text(alphabet="ab/:x", max_size=6), max_size=8))
def test_lazy_product_agrees_with_the_built_automaton(
    language: Language, probes: list[str]
) -> None:
    whole = as_automaton(language)
    assert language.is_empty() == whole.is_empty()
    assert language.shortest_example() == whole.shortest_example()
    for probe in probes:
        assert language.contains(probe) == whole.contains(probe)
    example = language.shortest_example()
    if example is not None:
        assert language.contains(example)


def test_as_automaton_really_leaves_the_fast_paths() -> None:
    # Guards the comparison itself: the slow side must not be a finite set or a glob.
    language = as_automaton(Language.finite(["a"]) & Language.wildcard("a*"))
    assert language.op == "dfa"
    assert not language.is_finite_set()
