"""The lazy product search, whatever the expression's shape, against brute force.

Expressions are intersections, unions and complements nested a few levels deep over a
small pool of patterns, so that leaves repeat (with either sign) and shapes are both the
usual ones (laid out canonically) and others (searched with their own shape). The oracle
enumerates strings in the order of ``shortlex`` and asks :meth:`Language.contains`, which
evaluates the expression tree without any search.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.language import Language
from keyless.patterns.search import shortlex

# Patterns mention only these; every other character behaves like "c".
ALPHABET = "abc/:"
LENGTH = 4

leaves = st.one_of(
    st.text(alphabet="ab/:*?", max_size=4).map(Language.wildcard),
    st.lists(st.text(alphabet="ab/:", max_size=3), max_size=3).map(Language.finite),
)
nested = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda pair: pair[0] & pair[1]),
        st.tuples(inner, inner).map(lambda pair: pair[0] | pair[1]),
        inner.map(lambda language: ~language),
    ),
    max_leaves=6,
)
# A union of differences is not an intersection of unions: it keeps its own shape.
differences = st.tuples(leaves, leaves, leaves, leaves).map(
    lambda four: (four[0] - four[1]) | (four[2] - four[3])
)
expressions = st.one_of(nested, differences)

STRINGS = sorted(
    ("".join(chars) for n in range(LENGTH + 1) for chars in itertools.product(ALPHABET, repeat=n)),
    key=shortlex,
)


@settings(deadline=None, max_examples=300)
@given(expressions)
def test_shortest_example_is_the_least_member(language: Language) -> None:
    least = next((text for text in STRINGS if language.contains(text)), None)
    example = language.shortest_example()
    if least is not None:
        assert example == least
    else:
        assert example is None or len(example) > LENGTH


@settings(deadline=None, max_examples=300)
@given(expressions)
def test_emptiness_agrees_with_brute_force(language: Language) -> None:
    empty = language.is_empty()  # asked first: decided by its own search
    if any(language.contains(text) for text in STRINGS):
        assert not empty
    else:
        assert empty == (language.shortest_example() is None)


@pytest.mark.parametrize(
    "shape", [("and", 0, "__import__('os')"), ("exec", 0, 1), ("or", 0, 5), ("and", True, 1)]
)
def test_only_positions_and_operators_reach_the_source(shape: object) -> None:
    from keyless.patterns.programs import _Writer

    with pytest.raises(ValueError, match="not"):
        _Writer(2).source(shape)  # type: ignore[arg-type]


# Unions of more than four leaves are searched as one lazily determinised leaf
# (:class:`keyless.patterns.unions.UnionLeaf`), alone, complemented or inside an
# intersection: the policy values and repositories of nearly every question.
wide_unions = st.lists(leaves, min_size=5, max_size=9).map(Language.union_all)
with_wide_unions = st.one_of(
    wide_unions,
    st.tuples(wide_unions, leaves).map(lambda pair: pair[0] & pair[1]),
    st.tuples(wide_unions, wide_unions).map(lambda pair: pair[0] & ~pair[1]),
    st.tuples(leaves, wide_unions, leaves).map(lambda three: (three[0] & three[1]) - three[2]),
)


@settings(deadline=None, max_examples=200)
@given(with_wide_unions)
def test_wide_unions_are_searched_exactly(language: Language) -> None:
    least = next((text for text in STRINGS if language.contains(text)), None)
    empty = language.is_empty()
    example = language.shortest_example()
    if least is not None:
        assert not empty
        assert example == least
    else:
        assert example is None or len(example) > LENGTH
        assert empty == (example is None)
