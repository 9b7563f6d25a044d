"""Emptiness proved from structure (keyless.patterns.inclusion) agrees with the automata.

A refutation is only ever a sufficient condition: each claim is checked against the same
language forced through one canonical automaton, where no shortcut applies.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.budget import SearchBudget, bounded
from keyless.patterns.inclusion import is_refuted
from keyless.patterns.language import Language
from keyless.patterns.search import has_member

star_patterns = st.text(alphabet="ab/:*", min_size=1, max_size=7)
literal_sets = st.lists(st.text(alphabet="ab/:", max_size=6), max_size=4)


def as_automaton(language: Language) -> Language:
    return Language("dfa", leaf=language.canonical_dfa)


@settings(deadline=None, max_examples=400)
@given(
    st.lists(star_patterns, min_size=1, max_size=3),
    literal_sets,
    st.lists(star_patterns, max_size=3),
    st.integers(-1, 7),
)
def test_a_refuted_expression_is_empty(
    kept: list[str], values: list[str], covered: list[str], cut: int
) -> None:
    # Often cover a prefix of a kept pattern, so that refutations are frequent.
    covering = [*covered, kept[0][:cut] + "*"] if cut >= 0 else covered
    options = Language.union_all([*(Language.wildcard(p) for p in kept), Language.finite(values)])
    cover = Language.union_all(Language.wildcard(p) for p in covering)
    language = options & ~cover & Language.wildcard("*a*")
    if is_refuted(language):
        assert as_automaton(language).is_empty()


def test_a_glob_within_a_complemented_glob_is_refuted() -> None:
    language = Language.wildcard("repo:o/r:ref:*") & ~Language.wildcard("repo:o/*")
    assert is_refuted(language)


def test_a_glob_reaching_outside_the_complemented_glob_is_not_refuted() -> None:
    language = Language.wildcard("repo:o*") & ~Language.wildcard("repo:o/*")
    assert not is_refuted(language)
    assert not language.is_empty()


def test_a_star_of_the_included_glob_must_fall_in_a_star() -> None:
    assert is_refuted(Language.wildcard("a*b") & ~Language.wildcard("a*"))
    assert not is_refuted(Language.wildcard("a*b") & ~Language.wildcard("a*c*"))


def test_members_outside_the_rest_are_refuted() -> None:
    values = Language.finite(["repo:o/x", "repo:o/y"]) | Language.wildcard("repo:p/*")
    language = values & ~Language.wildcard("repo:o/*") & ~Language.wildcard("repo:p/*")
    assert is_refuted(language)


def test_a_budgeted_search_counts_its_work_even_when_refutable() -> None:
    # Under a budget the search runs as before, so the work it counts does not change.
    language = Language.wildcard("repo:o/r:ref:*") & ~Language.wildcard("repo:o/*")
    budget = SearchBudget(10**6)
    with bounded(budget):
        assert not has_member(language)
    assert budget.remaining < budget.limit


unions_of_globs = st.lists(
    st.one_of(star_patterns, st.text(alphabet="ab/:", max_size=5)), min_size=1, max_size=3
)


@settings(deadline=None, max_examples=400)
@given(st.lists(unions_of_globs, min_size=2, max_size=4))
def test_operands_whose_options_disagree_pairwise_are_empty(operands: list[list[str]]) -> None:
    language = Language.union_all(Language.wildcard(p) for p in operands[0])
    for patterns in operands[1:]:
        language = language & Language.union_all(Language.wildcard(p) for p in patterns)
    if language.op == "and" and is_refuted(language):
        assert as_automaton(language).is_empty()


def test_globs_whose_beginnings_disagree_are_refuted() -> None:
    # The witness preference "a subject of the attacker's repository" against a policy that
    # pins the owner: empty, proved without a search.
    attacker = Language.wildcard("repo:attacker/*") | Language.literal("repo:attacker/x:ref:a")
    policy = Language.wildcard("repo:acme/*") | Language.wildcard("repo:acme-labs/*:environment:*")
    assert is_refuted(attacker & policy & Language.wildcard("*:ref:refs/heads/*"))


def test_globs_whose_ends_disagree_are_refuted() -> None:
    language = Language.wildcard("repo:*:pull_request") & Language.wildcard("*:ref:refs/heads/*b")
    assert is_refuted(language)
    assert as_automaton(language).is_empty()


def test_globs_that_may_meet_are_not_refuted() -> None:
    # They disagree only through their middle: not proved, and indeed not empty.
    language = Language.wildcard("repo:acme/x:*") & Language.wildcard("repo:*/y:*")
    assert not is_refuted(language)
    assert language.shortest_example() == "repo:acme/x:/y:"
