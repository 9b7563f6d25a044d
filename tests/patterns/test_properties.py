"""Property tests for keyless.patterns.language (hypothesis); Python's ``re`` checks membership."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.language import Language

CHARS = "ab/:*?éAK\u212a"
VALUE_CHARS = "ab/:*?éAKkÉ\u212ax"

pattern_texts = st.text(alphabet=CHARS, max_size=7)
values = st.text(alphabet=VALUE_CHARS, max_size=8)


@st.composite
def languages(draw: st.DrawFn) -> Language:
    """A wildcard or literal language, sometimes case-insensitive, sometimes complemented."""
    text = draw(pattern_texts)
    ignore_case = draw(st.booleans())
    language = (
        Language.wildcard(text, ignore_case)
        if draw(st.booleans())
        else Language.literal(text, ignore_case)
    )
    return language.complement() if draw(st.integers(0, 4)) == 0 else language


def glob_regex(pattern: str) -> str:
    """IAM StringLike as a Python regex: the definition, written independently."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


def fold(text: str) -> str:
    """lower() of each character, keeping a character whose lower case is two characters."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@settings(deadline=None, max_examples=400)
@given(pattern_texts, values)
def test_wildcard_membership_matches_regex(pattern: str, value: str) -> None:
    expected = re.fullmatch(glob_regex(pattern), value, re.DOTALL) is not None
    assert Language.wildcard(pattern).contains(value) == expected


@settings(deadline=None, max_examples=400)
@given(pattern_texts, values)
def test_ignore_case_is_lower_on_both_sides(pattern: str, value: str) -> None:
    expected = re.fullmatch(glob_regex(fold(pattern)), fold(value), re.DOTALL) is not None
    assert Language.wildcard(pattern, ignore_case=True).contains(value) == expected


@settings(deadline=None, max_examples=300)
@given(pattern_texts, values)
def test_literal_membership_is_equality(text: str, value: str) -> None:
    assert Language.literal(text).contains(value) == (text == value)


@settings(deadline=None, max_examples=300)
@given(languages(), languages())
def test_example_is_a_member(left: Language, right: Language) -> None:
    for language in (left & right, left - right, left | right):
        example = language.shortest_example()
        assert (example is None) == language.is_empty()
        if example is not None:
            assert language.contains(example)


@settings(deadline=None, max_examples=300)
@given(languages(), languages())
def test_de_morgan(left: Language, right: Language) -> None:
    assert ~(left | right) == (~left & ~right)
    assert ~(left & right) == (~left | ~right)


@settings(deadline=None, max_examples=300)
@given(languages(), languages())
def test_includes_is_empty_difference(left: Language, right: Language) -> None:
    assert left.includes(right) == (right - left).is_empty()
    assert left.includes(right) == ((left & right) == right)


@settings(deadline=None, max_examples=300)
@given(languages(), languages())
def test_equality_is_mutual_inclusion(left: Language, right: Language) -> None:
    assert (left == right) == (left.includes(right) and right.includes(left))


@settings(deadline=None, max_examples=300)
@given(languages(), values)
def test_complement_flips_membership(language: Language, value: str) -> None:
    assert (~language).contains(value) != language.contains(value)
    assert ~~language == language


@settings(deadline=None, max_examples=200)
@given(languages(), st.lists(values, max_size=3))
def test_example_avoids(language: Language, avoid: list[str]) -> None:
    example = language.example(avoid=avoid)
    if example is not None:
        assert example not in avoid
        assert language.contains(example)
    else:
        # Only the avoided strings are left: the whole language is among them.
        assert set(language.examples(len(avoid) + 1)) <= set(avoid)
