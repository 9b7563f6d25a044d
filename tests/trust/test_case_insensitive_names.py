"""GitHub owner and repository names are unique whatever their case, so a `…IgnoreCase`
pin to `repo:Example-Org/App:…` admits that repository's tokens only, never another
tenant's or repository's; the case variants of a branch it admits are other branches.
https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories"""

from __future__ import annotations

from typing import Any

from tests.trust.support import github, run_check

SUB = "token.actions.githubusercontent.com:sub"


def ignoring_case(value: str) -> dict[str, Any]:
    return github(
        {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringEqualsIgnoreCase": {SUB: value},
        }
    )


def test_a_case_variant_of_the_owner_is_no_other_tenant() -> None:
    trust = ignoring_case("repo:Example-Org/App:environment:prod")
    assert run_check("trust-oidc-any-tenant", trust) == ()
    assert run_check("trust-oidc-broad-subject", trust) == ()


def test_a_case_variant_of_a_branch_is_another_branch() -> None:
    (finding,) = run_check(
        "trust-oidc-untrusted-trigger", ignoring_case("repo:Example-Org/App:ref:refs/heads/main")
    )
    ref = finding.witness["claims"]["sub"].rsplit("/", 1)[-1]
    assert ref.lower() == "main"
    assert ref != "main"


def test_another_owner_is_still_another_tenant() -> None:
    trust = github({"StringLike": {SUB: "repo:*/App:*"}})
    assert run_check("trust-oidc-any-tenant", trust)
