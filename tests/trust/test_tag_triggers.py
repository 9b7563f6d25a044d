"""A pattern over tags (`refs/tags/v*`, a release workflow's trust) admits a tag anyone
who can push may create, unless a ruleset or protected-tag rule (which cannot be seen
offline) forbids it: `trust-oidc-untrusted-trigger` (high), as a pattern over branches is.
A tag named exactly is a release already cut: not reported. GitLab tokens say whether
the tag is protected (`ref_protected`).
https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets
https://docs.gitlab.com/user/project/protected_tags/"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import github, run_check, web_identity

CHECK = "trust-oidc-untrusted-trigger"


def gh_sub(value: Any) -> dict[str, Any]:
    return github({"StringLike": {"token.actions.githubusercontent.com:sub": value}})


def gitlab(sub: str, **claims: str) -> dict[str, Any]:
    equals = {
        "gitlab.com:aud": "https://gitlab.com",
        **{f"gitlab.com:{k}": v for k, v in claims.items()},
    }
    return web_identity(
        "gitlab.com", {"StringEquals": equals, "StringLike": {"gitlab.com:sub": sub}}
    )


@pytest.mark.parametrize("tags", ["refs/tags/*", "refs/tags/v*"])
def test_a_pattern_over_github_tags_admits_a_tag_anyone_may_push(tags: str) -> None:
    (finding,) = run_check(CHECK, gh_sub(f"repo:example-org/app:ref:{tags}"))
    assert finding.severity.value == "high"
    assert "an unprotected tag" in finding.message
    assert finding.witness["claims"]["sub"].startswith("repo:example-org/app:ref:refs/tags/")


def test_a_github_tag_named_exactly_is_not_reported() -> None:
    assert run_check(CHECK, gh_sub("repo:example-org/app:ref:refs/tags/v1.2.3")) == ()


def test_the_repository_wildcard_says_it_once_per_trigger_it_had() -> None:
    found = run_check(CHECK, gh_sub("repo:example-org/app:*"))
    assert not any("tag" in finding.message for finding in found)


def test_a_pattern_over_gitlab_tags_admits_an_unprotected_one() -> None:
    (finding,) = run_check(CHECK, gitlab("project_path:example-group/app:ref_type:tag:ref:*"))
    assert finding.severity.value == "high"
    assert "an unprotected tag" in finding.message


def test_gitlab_protected_tags_only_are_not_reported() -> None:
    trust = gitlab("project_path:example-group/app:ref_type:tag:ref:*", ref_protected="true")
    assert run_check(CHECK, trust) == ()


def test_a_buildkite_branch_witness_reads_as_a_branch_run() -> None:
    # It was organization:ORG:pipeline:deploy:ref:a:commit:a:step: (an empty step key).
    trust = web_identity(
        "agent.buildkite.com",
        {
            "StringEquals": {"agent.buildkite.com:aud": "sts.amazonaws.com"},
            "StringLike": {"agent.buildkite.com:sub": "organization:acme:pipeline:deploy:ref:*"},
        },
    )
    (finding,) = run_check(CHECK, trust)
    assert finding.witness["claims"]["sub"] == (
        "organization:acme:pipeline:deploy:ref:refs/heads/feature:commit:0:step:deploy"
    )
