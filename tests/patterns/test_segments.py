"""The direct automaton of a star-only glob (Knuth-Morris-Pratt per segment) against the
subset construction every glob can use: the same language, state for state after
minimisation, and the same membership as the glob's own matcher."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.dfa import canonical, glob_automaton
from keyless.patterns.glob import segments_match
from keyless.patterns.language import Language
from keyless.patterns.segments import segments_automaton

segments = st.lists(st.text(alphabet="ab:/", max_size=5), min_size=2, max_size=6)


def _minimal(dfa):  # type: ignore[no-untyped-def]
    return canonical(dfa.alphabet, dfa.table, dfa.accepting)


@settings(max_examples=400, deadline=None)
@given(segments)
def test_the_same_language_as_the_subset_construction(parts: list[str]) -> None:
    language = Language.wildcard("*".join(parts))
    if language.op != "glob" or not language.segments:
        return  # `*` alone is every string; no automaton is built for it
    direct = segments_automaton(language.segments)
    assert _minimal(direct) == _minimal(glob_automaton(language._glob_tokens))


@settings(max_examples=300, deadline=None)
@given(segments, st.lists(st.text(alphabet="ab:/c", max_size=8), max_size=12))
def test_membership_agrees_with_the_glob_matcher(parts: list[str], texts: list[str]) -> None:
    language = Language.wildcard("*".join(parts))
    if language.op != "glob" or not language.segments:
        return
    direct = segments_automaton(language.segments)
    for text in texts:
        assert direct.accepts(text) == segments_match(language.segments, text), text


def test_overlapping_segments_take_the_leftmost_match() -> None:
    # "aab" must be found after "a": the KMP fallback keeps the partial match.
    dfa = segments_automaton(("", "aab", ""))
    assert dfa.accepts("aaab")
    assert not dfa.accepts("abab")
    # The last segment is a suffix: the text must end with it, after the middles.
    dfa = segments_automaton(("x", "ab", "ab"))
    assert dfa.accepts("xabab")
    assert not dfa.accepts("xab")
