"""GitHub custom subject templates that pin the owner by ID (`include_claim_keys`
`["repository_owner_id", …]`): `repository_owner_id:123:*` is owner 123's, whatever its name,
so not "any tenant"; a `:` inside a value is written `%3A`, so the field names the owner
wherever the template puts it.
https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
"""

from __future__ import annotations

import pytest

from keyless.idp.grammars import GITHUB
from tests.trust.support import GH, github, run_check

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def subject(value: object) -> dict[str, object]:
    return github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": value}})


@pytest.mark.parametrize(
    "value",
    [
        "repository_owner_id:123:*",
        "*:repository_owner_id:123:*",
        "repository_owner_id:123:repository_id:456:*",
        "repository_id:456:*",
        ["repo:acme/app:ref:refs/heads/main", "repository_owner_id:123:*"],
    ],
)
def test_an_owner_pinned_by_id_in_the_sub_is_no_stranger(value: object) -> None:
    assert run_check("trust-oidc-any-tenant", subject(value)) == ()


@pytest.mark.parametrize(
    ("value", "stranger"),
    [
        ("repository_owner_id:12*", "repository_owner_id:120"),  # owner 120, 1200, …
        (["repository_owner_id:123:*", "actor:*"], None),
    ],
)
def test_a_pattern_over_ids_admits_a_stranger(value: object, stranger: str | None) -> None:
    (finding,) = run_check("trust-oidc-any-tenant", subject(value))
    sub = finding.witness["claims"]["sub"]
    assert "repository_owner_id:123" not in sub
    if stranger is not None:
        assert sub == stranger


def test_every_repository_of_the_owner_is_broad() -> None:
    (finding,) = run_check("trust-oidc-broad-subject", subject("repository_owner_id:123:*"))
    sub = finding.witness["claims"]["sub"]
    assert sub.startswith("repository_owner_id:123:")
    assert sub in GITHUB.well_formed_language()


IDS = "repository_owner_id:77401788:repository_id:1132698735"


def test_a_repository_pinned_by_id_in_the_sub_is_that_repository() -> None:
    """`repository_id:N` names one repository: no other repository of the owner."""
    trust = subject(f"{IDS}:ref:refs/heads/main")
    assert run_check("trust-oidc-broad-subject", trust) == ()
    assert run_check("trust-oidc-untrusted-trigger", trust) == ()


@pytest.mark.parametrize(
    ("value", "labels"),
    [
        (f"{IDS}:ref:refs/heads/*", ["an unprotected branch can assume it"]),
        (
            f"{IDS}:*",
            ["a pull request can assume it", "an unprotected branch can assume it"],
        ),
    ],
)
def test_triggers_after_custom_fields(value: str, labels: list[str]) -> None:
    """A template's ref or context after other fields (`…:repository_id:N:ref:refs/heads/x`)
    is a run of that branch or pull request; a pull request's ref is never a branch's
    (refs/pull/N/merge), before or after the context."""
    found = run_check("trust-oidc-untrusted-trigger", subject(value))
    assert sorted(f.message.split(": ", 1)[1] for f in found) == labels


@pytest.mark.parametrize(
    "value",
    [
        # Runs of main (reviewed code) whatever environment they name.
        "repo:acme/app:ref:refs/heads/main:*",
        # The environment prod, then other claims: a second environment field would name
        # the same environment (the context's and the claim's), never a new one.
        "repo:acme/app:environment:prod:*",
    ],
)
def test_a_named_ref_or_environment_before_other_fields_is_no_new_environment(
    value: str,
) -> None:
    assert run_check("trust-oidc-untrusted-trigger", subject(value)) == ()


def test_a_branch_named_before_other_claims_is_a_named_branch() -> None:
    """`…:ref:refs/heads/develop:*` (a custom template's claims after the ref) names the
    branch develop: low, as `…:ref:refs/heads/develop` is, not any branch (high)."""
    (finding,) = run_check(
        "trust-oidc-untrusted-trigger", subject("repo:acme/app:ref:refs/heads/develop:*")
    )
    assert finding.severity.value == "low"
    assert "repo:acme/app:ref:refs/heads/develop:*" in finding.message


def test_a_tag_named_before_other_claims_is_a_release_already_cut() -> None:
    assert (
        run_check("trust-oidc-untrusted-trigger", subject("repo:acme/app:ref:refs/tags/v1:*")) == ()
    )
