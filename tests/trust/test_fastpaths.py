"""Trust questions answered through the literal-value fast path agree with the automata.

A StringEquals list is a finite set, so "is there an admitted request whose ``k:sub`` is
in L?" is answered by membership tests of each value. The answer must be the one the
general path gives (the values' automaton intersected with L), and every witness must
replay through the concrete evaluator.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from keyless.patterns.language import Language
from keyless.trust.analysis import analyse
from keyless.trust.formula import all_of, any_of, with_question
from keyless.trust.witness import find
from tests.trust.support import assert_admitted

values = st.lists(st.text(alphabet="ab/:*", min_size=1, max_size=5), min_size=1, max_size=4)
patterns = st.text(alphabet="ab/:*?", max_size=5)


def policy(operator: str, subs: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "sts:AssumeRole",
                "Condition": {operator: {"k:sub": subs}},
            }
        ],
    }


def glob_matches(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


@settings(deadline=None, max_examples=150)
@given(values, patterns)
def test_string_equals_list_against_a_glob_question(subs: list[str], pattern: str) -> None:
    document = policy("StringEquals", subs)
    (path,) = analyse(document).paths
    question = with_question(
        any_of("k:sub", Language.wildcard(pattern)), all_of("k:sub", Language.wildcard(pattern))
    )
    assert question is not None
    expected = [s for s in subs if glob_matches(pattern, s)]
    slow = Language("dfa", leaf=Language.finite(subs).canonical_dfa) & Language(
        "dfa", leaf=Language.wildcard(pattern).canonical_dfa
    )
    assert (path.solve(question) is not None) == bool(expected) == (not slow.is_empty())
    witness = find(path, question)
    if expected:
        assert_admitted(document, witness)
        assert witness is not None
        assert witness["context"]["k:sub"] == slow.shortest_example()
    else:
        assert witness is None


@settings(deadline=None, max_examples=100)
@given(values, patterns)
def test_string_like_list_against_a_glob_question(subs: list[str], pattern: str) -> None:
    # The policy side is a union of star globs (string-search membership, lazy search).
    document = policy("StringLike", subs)
    (path,) = analyse(document).paths
    target = Language.wildcard(pattern)
    question = with_question(any_of("k:sub", target), all_of("k:sub", target))
    assert question is not None
    allowed = Language.empty()
    for sub in subs:
        allowed = allowed | Language.wildcard(sub)
    slow = Language("dfa", leaf=(allowed & target).canonical_dfa)
    witness = find(path, question)
    assert (witness is not None) == (not slow.is_empty())
    if witness is not None:
        assert_admitted(document, witness)
        assert witness["context"]["k:sub"] in slow
