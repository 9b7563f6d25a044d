"""The cheaper supersets the grammars give their large automata (``Language.coarse``) are
supersets, and they are what keeps an empty question about GitHub's subjects cheap."""

from __future__ import annotations

import pytest

from keyless.idp.grammars import GITHUB, GRAMMARS
from keyless.patterns.budget import BudgetExceeded, SearchBudget, bounded
from keyless.patterns.language import Language, forget_memoised

_LANGUAGES = (
    [
        pytest.param(grammar.well_formed_language(), id=f"{name}-well-formed")
        for name, grammar in GRAMMARS.items()
    ]
    + [
        pytest.param(grammar.runs_language(trigger), id=f"{name}-{trigger.label}")
        for name, grammar in GRAMMARS.items()
        for trigger in grammar.triggers
    ]
    + [
        pytest.param(grammar.runs_language(trigger.shown), id=f"{name}-{trigger.label}-shown")
        for name, grammar in GRAMMARS.items()
        for trigger in grammar.triggers
        if trigger.shown is not None
    ]
)


@pytest.mark.parametrize("language", _LANGUAGES)
def test_a_coarse_language_includes_the_exact_one(language: Language) -> None:
    """A coarse language that left out one real subject would prove a question with that
    subject as its only answer empty: every exact language must be inside its coarse one."""
    if language.coarse is None:
        return
    assert len(language.coarse.automaton().table) < len(language.automaton().table)
    assert (language - language.coarse).is_empty()


def test_github_grammar_has_coarse_languages() -> None:
    # GitHub's custom subjects make its automata large; without the coarse languages the
    # next test measures nothing.
    assert GITHUB.well_formed_language().coarse is not None
    assert all(GITHUB.runs_language(t).coarse is not None for t in GITHUB.triggers)


def _pull_request_of_environment_pattern() -> Language:
    """ "A pull request's run" among subjects of environments whose name a pattern gives: no
    run is both, but the exact product has thousands of tuples to visit to see it."""
    pull_request = next(t for t in GITHUB.triggers if t.label == "a pull request")
    return (
        Language.wildcard("repo:acme/*:environment:prod-*")
        & GITHUB.well_formed_language()
        & GITHUB.runs_language(pull_request)
    )


def test_an_empty_trigger_question_is_proved_by_the_coarse_languages() -> None:
    forget_memoised()  # answers are remembered by the expression's recipe
    question = _pull_request_of_environment_pattern()
    with bounded(SearchBudget(5_000)):
        assert question.shortest_example() is None


def test_the_same_question_without_them_costs_far_more() -> None:
    # The exact product alone exceeds that budget: the test above holds because of the
    # coarse languages, not because the question is small (about 25,000 steps against
    # 2,300 with them).
    forget_memoised()
    pull_request = next(t for t in GITHUB.triggers if t.label == "a pull request")
    exact = (
        Language.wildcard("repo:acme/*:environment:prod-*")
        & Language("dfa", leaf=GITHUB.well_formed_language().automaton())
        & Language("dfa", leaf=GITHUB.runs_language(pull_request).automaton())
    )
    with bounded(SearchBudget(5_000)), pytest.raises(BudgetExceeded):
        exact.shortest_example()


def test_a_question_with_an_answer_still_gets_the_shortest_one() -> None:
    pull_request = next(t for t in GITHUB.triggers if t.label == "a pull request")
    question = (
        Language.wildcard("repo:acme/*")
        & GITHUB.well_formed_language()
        & GITHUB.runs_language(pull_request)
    )
    assert question.shortest_example() == "repo:acme/a:pull_request"
