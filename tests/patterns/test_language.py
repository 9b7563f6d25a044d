"""Unit tests for keyless.patterns.language, one behaviour each.

Matching rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

import pytest

from keyless.patterns.language import Glob, Language

wildcard = Language.wildcard
literal = Language.literal


# ----- StringLike / StringEquals semantics (IAM-documented examples) -------------------------


def test_star_crosses_slash_and_colon() -> None:
    assert wildcard("repo:octo-org/*").contains("repo:octo-org/other:ref:refs/heads/main")


def test_star_spans_path_segments() -> None:
    assert wildcard("refs/heads/*").contains("refs/heads/feature/x")


def test_trailing_star_matches_suffix() -> None:
    assert wildcard("main*").contains("main-hotfix")


def test_star_matches_empty() -> None:
    assert wildcard("main*").contains("main")


def test_question_mark_is_exactly_one_character() -> None:
    pattern = wildcard("v?")
    assert pattern.contains("v1")
    assert not pattern.contains("v")
    assert not pattern.contains("v12")


def test_question_mark_matches_non_ascii() -> None:
    assert wildcard("?").contains("é")


def test_star_is_literal_under_equality() -> None:
    assert literal("repo:*").contains("repo:*")
    assert not literal("repo:*").contains("repo:x")


def test_pattern_is_case_sensitive_by_default() -> None:
    assert not wildcard("Repo:*").contains("repo:x")


def test_ignore_case_matches_other_case() -> None:
    assert literal("Repo:ACME", ignore_case=True).contains("rEPO:acme")


def test_ignore_case_includes_kelvin_sign() -> None:
    # U+212A KELVIN SIGN lowers to "k", so lower() on both sides makes it equal to "k".
    assert wildcard("k*", ignore_case=True).contains("\u212a8s")


def test_escapes_make_wildcards_literal() -> None:
    pattern = wildcard("a${*}b${?}${$}")
    assert pattern == literal("a*b?$")


def test_escapes_off_keeps_dollar_text() -> None:
    assert wildcard("${*}", escapes=False).contains("${anything}")


def test_from_glob_separates_text_from_wildcards() -> None:
    pattern = Language.from_glob(["a*", Glob.STAR, "?", Glob.ONE])
    assert pattern.contains("a*xyz?q")
    assert not pattern.contains("abxyz?q")


def test_prefix() -> None:
    assert Language.prefix("repo:org/") == wildcard("repo:org/*")


# ----- ArnLike -------------------------------------------------------------------------------


def test_arn_star_does_not_cross_colon_before_resource() -> None:
    pattern = Language.arn_pattern("arn:aws:iam::*:role/deploy")
    assert pattern.contains("arn:aws:iam::111122223333:role/deploy")
    assert not pattern.contains("arn:aws:iam::1111:2222:role/deploy")


def test_same_text_differs_between_string_like_and_arn_like() -> None:
    value = "arn:aws:iam::1111:2222:role/deploy"
    assert wildcard("arn:aws:iam::*:role/deploy").contains(value)
    assert not Language.arn_pattern("arn:aws:iam::*:role/deploy").contains(value)


def test_arn_resource_wildcard_may_cross_colon() -> None:
    pattern = Language.arn_pattern("arn:aws:logs:us-east-1:111122223333:log-group:*")
    assert pattern.contains("arn:aws:logs:us-east-1:111122223333:log-group:app:*")


def test_arn_question_mark_does_not_match_colon() -> None:
    assert not Language.arn_pattern("arn:aws:s3:?::bucket").contains("arn:aws:s3:::::bucket")


def test_arn_lone_star_matches_everything() -> None:
    assert Language.arn_pattern("*").is_universal()


def test_arn_pattern_without_six_components_matches_nothing() -> None:
    assert Language.arn_pattern("arn:aws:iam::*").is_empty()


# ----- algebra and questions -------------------------------------------------------------------


def test_any_string_is_universal() -> None:
    assert Language.any_string().is_universal()
    assert Language.any_string().contains("")


def test_empty_is_empty() -> None:
    assert Language.empty().is_empty()
    assert Language.empty().shortest_example() is None


def test_complement_of_empty_is_any_string() -> None:
    assert Language.empty().complement() == Language.any_string()


def test_union() -> None:
    both = literal("a").union(literal("b"))
    assert both.contains("a")
    assert both.contains("b")
    assert not both.contains("c")


def test_intersection() -> None:
    assert (
        wildcard("repo:org/*")
        .intersection(wildcard("*:ref:refs/heads/main"))
        .contains("repo:org/app:ref:refs/heads/main")
    )


def test_disjoint_intersection_is_empty() -> None:
    assert wildcard("repo:org-a/*").intersection(wildcard("repo:org-b/*")).is_empty()


def test_complement_excludes_members() -> None:
    outside = wildcard("repo:org/*").complement()
    assert not outside.contains("repo:org/x")
    assert outside.contains("repo:other/x")


def test_difference_gives_unintended_subject() -> None:
    intended = literal("repo:org/app:ref:refs/heads/main")
    extra = wildcard("repo:org/*").difference(intended)
    assert not extra.is_empty()
    assert extra.shortest_example() == "repo:org/"


def test_includes() -> None:
    assert wildcard("repo:org/*").includes(wildcard("repo:org/app:*"))
    assert not wildcard("repo:org/app:*").includes(wildcard("repo:org/*"))


def test_equals_is_language_equality() -> None:
    assert wildcard("a**b").equals(wildcard("a*b"))
    assert hash(wildcard("a**b")) == hash(wildcard("a*b"))


def test_equal_languages_from_different_alphabets() -> None:
    # "x" is mentioned only in the second, but does not change the language.
    assert wildcard("*").equals(wildcard("*").union(literal("x")))


def test_universal_from_complements() -> None:
    assert wildcard("a*").union(wildcard("a*").complement()).is_universal()


def test_operators_mirror_methods() -> None:
    a, b = wildcard("a*"), wildcard("*b")
    assert a & b == a.intersection(b)
    assert a | b == a.union(b)
    assert a - b == a.difference(b)
    assert ~a == a.complement()
    assert "ab" in a


# ----- witnesses -------------------------------------------------------------------------------


def test_shortest_example_fills_wildcard_with_readable_letter() -> None:
    assert wildcard("repo:org/?").shortest_example() == "repo:org/a"


def test_shortest_example_avoids_mentioned_letter_in_free_position() -> None:
    language = wildcard("?").difference(literal("a"))
    assert language.shortest_example() == "b"


def test_shortest_example_is_shortest() -> None:
    assert wildcard("ab*").union(wildcard("c")).shortest_example() == "c"


def test_example_avoids_given_strings() -> None:
    assert wildcard("v?").example(avoid=["va"]) == "vb"


def test_examples_are_distinct_and_shortest_first() -> None:
    found = wildcard("x*").examples(3)
    assert found == ["x", "xa", "xb"]


def test_examples_stop_when_language_is_exhausted() -> None:
    assert literal("a").union(literal("b")).examples(5) == ["a", "b"]


def test_example_of_ignore_case_prefers_lowercase() -> None:
    assert literal("ABC", ignore_case=True).shortest_example() == "abc"


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("repo:octo-org/*", "repo:octo-org/x"),
        ("*:environment:prod", "repo:a/b:environment:prod"),
        (
            "project_path:group/*:ref_type:branch:ref:main",
            "project_path:group/p:ref_type:branch:ref:main",
        ),
    ],
)
def test_witness_is_a_member(pattern: str, value: str) -> None:
    language = wildcard(pattern).difference(literal(value))
    example = language.shortest_example()
    assert example is not None
    assert language.contains(example)
    assert example != value


def test_combined_language_equals_and_hashes_like_its_canonical_form() -> None:
    # Products are minimised lazily; equality and hashing must not depend on that.
    combined = wildcard("a*") & wildcard("*")
    assert combined == wildcard("a*")
    assert hash(combined) == hash(wildcard("a*"))


def test_example_does_not_depend_on_construction() -> None:
    # "b" is mentioned by the second construction only, and changes nothing.
    direct = wildcard("?")
    roundabout = (wildcard("?") | literal("b")) & ~literal("")
    assert roundabout.shortest_example() == direct.shortest_example() == "a"
