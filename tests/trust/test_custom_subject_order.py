"""A GitHub custom template lists its claims in its own order (`include_claim_keys`), so
the repository or the owner may come after another field: `ref:refs/heads/main:repo:o/r`,
`repository_visibility:private:repository_owner:o`. A `:` inside a value is written
`%3A`, so such a field, written whole, names that repository or owner wherever it stands:
no stranger's token carries it.
https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
"""

from __future__ import annotations

import pytest

from tests.trust.support import GH, github, run_check

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def subject(operator: str, value: object) -> dict[str, object]:
    return github({"StringEquals": AUD, operator: {f"{GH}:sub": value}})


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("StringEquals", "ref:refs/heads/main:repo:octo-org/app"),
        ("StringEquals", "environment:prod:repo:octo-org/app"),
        ("StringEquals", "environment:prod:repo:octo-org@123/app@456"),
        ("StringLike", "*:repo:octo-org/app:*"),
        ("StringEquals", "repository_visibility:private:repository_owner:octo-org"),
    ],
)
def test_a_repository_or_owner_after_another_field_is_no_stranger(
    operator: str, value: str
) -> None:
    assert run_check("trust-oidc-any-tenant", subject(operator, value)) == ()


@pytest.mark.parametrize(
    "value",
    ["ref:refs/heads/main:repo:octo-org/app", "environment:prod:repo:octo-org/app"],
)
def test_a_repository_after_another_field_is_that_repository(value: str) -> None:
    trust = subject("StringEquals", value)
    assert run_check("trust-oidc-broad-subject", trust) == ()
    assert run_check("trust-oidc-untrusted-trigger", trust) == ()


def test_an_owner_after_another_field_is_every_repository_of_it() -> None:
    value = "repository_visibility:private:repository_owner:octo-org"
    (finding,) = run_check("trust-oidc-broad-subject", subject("StringEquals", value))
    assert finding.severity.value == "high"


@pytest.mark.parametrize(
    "value",
    [
        "environment:prod:repo:*",  # any repository
        "environment:prod:actor:octocat",  # a person, not an owner: any repository anywhere
        "workflow:repo",  # a value named like the field, no repository after it
        # An environment named `repository_owner`, then the ref: the owner's "name" is the
        # next field's key, so any owner's repository mints it.
        "repo:*:environment:repository_owner:ref:refs/heads/main",
        "*:environment:repository_owner:actor:octocat",
        "repo:*:head_ref:repository_owner:pull_request",
    ],
)
def test_a_field_that_names_no_owner_still_admits_a_stranger(value: str) -> None:
    (finding,) = run_check("trust-oidc-any-tenant", subject("StringLike", value))
    assert finding.severity.value == "critical"


@pytest.mark.parametrize(
    "value",
    [
        "environment:prod:repo:octo-org/*",
        "ref:refs/heads/main:repo:octo-org/app*",
        "environment:prod:repo:octo-org@123/*",
    ],
)
def test_a_repository_pattern_after_another_field_is_that_owners(value: str) -> None:
    # A value holds no `:` and no claim key a `/` or `@`, so `…:repo:octo-org/` is the
    # repo field: every token the value admits is octo-org's, some of another repository.
    trust = subject("StringLike", value)
    assert run_check("trust-oidc-any-tenant", trust) == ()
    (finding,) = run_check("trust-oidc-broad-subject", trust)
    assert finding.severity.value == "high"
    sub = finding.witness["claims"]["sub"]
    assert ":repo:octo-org" in sub
    assert sub != "ref:refs/heads/main:repo:octo-org/app"  # another repository


@pytest.mark.parametrize(
    "value",
    [
        "environment:prod:repo:octo*",  # octopus/app too
        "environment:prod:repo:octo-org*",  # octo-org2/app too
        "environment:prod:repository_owner:octo*",
    ],
)
def test_a_pattern_over_the_owner_after_another_field_still_admits_a_stranger(
    value: str,
) -> None:
    (finding,) = run_check("trust-oidc-any-tenant", subject("StringLike", value))
    assert finding.severity.value == "critical"


@pytest.mark.parametrize(
    "value",
    [
        "environment:prod:repo:Octo-Org/app",
        "ENVIRONMENT:prod:REPO:octo-org/app",
        "environment:prod:repo:Octo-Org/*",
        "environment:prod:repository_owner_id:123",
        "ENVIRONMENT:prod:REPOSITORY_OWNER_ID:123",
    ],
)
def test_a_later_field_compared_without_case_is_that_owners(value: str) -> None:
    # GitHub's owner and repository names are unique whatever their case: what
    # StringEqualsIgnoreCase admits of `…:repo:Octo-Org/app` is octo-org's.
    trust = subject("StringEqualsIgnoreCase", value)
    assert run_check("trust-oidc-any-tenant", trust) == ()
    if value.endswith("/app"):  # that one repository, in any case
        assert run_check("trust-oidc-broad-subject", trust) == ()
