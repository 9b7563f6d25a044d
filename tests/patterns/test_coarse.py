"""``Language.coarse``: a superset an operand is told of, which a search may try in its place
to prove an expression empty (keyless.patterns.search). Replacing an operand by a superset
is sound only where the expression grows with it (not under a complement), and must never
change an answer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns import search
from keyless.patterns.language import Language

CHARS = "ab:*"
patterns = st.text(alphabet=CHARS, max_size=5)
texts = st.text(alphabet="ab:c", max_size=7)


@st.composite
def leaves(draw: st.DrawFn) -> tuple[Language, Language]:
    """(with hints, without): a wildcard leaf, half the time told of a superset."""
    exact = Language.wildcard(draw(patterns)).compact()
    plain = Language("dfa", leaf=exact.automaton())
    if draw(st.booleans()):
        wider = (exact | Language.wildcard(draw(patterns))).compact()
        return plain.with_coarse(wider), plain
    return plain, plain


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> tuple[Language, Language]:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(leaves())
    op = draw(st.sampled_from(("and", "or", "not")))
    if op == "not":
        hinted, plain = draw(expressions(depth - 1))
        return hinted.complement(), plain.complement()
    left = draw(expressions(depth - 1))
    right = draw(expressions(depth - 1))
    if op == "and":
        return left[0] & right[0], left[1] & right[1]
    return left[0] | right[0], left[1] | right[1]


@settings(deadline=None, max_examples=300)
@given(expressions(), st.lists(texts, max_size=12))
def test_the_coarsened_expression_includes_the_expression(
    pair: tuple[Language, Language], samples: list[str]
) -> None:
    hinted, _ = pair
    coarse = hinted.coarsened
    if coarse is None:
        return
    for text in samples:
        if hinted.contains(text):
            assert coarse.contains(text), text
    shortest = hinted.shortest_example()
    if shortest is not None:
        assert coarse.contains(shortest)


@settings(deadline=None, max_examples=300)
@given(expressions())
def test_hints_change_no_answer(pair: tuple[Language, Language]) -> None:
    hinted, plain = pair
    # The search functions themselves: Language caches answers by recipe, which ignores
    # hints, so the two would share one answer.
    assert search.shortest_member(hinted) == search.shortest_member(plain)
    assert search.has_member(hinted) == search.has_member(plain)


def test_a_hint_under_a_complement_is_not_used() -> None:
    leaf = Language.wildcard("a*").compact()
    hinted = leaf.with_coarse(Language.any_string())
    assert hinted.coarsened is Language.any_string()
    assert (~hinted).coarsened is None
    assert (~~hinted).coarsened is not None
