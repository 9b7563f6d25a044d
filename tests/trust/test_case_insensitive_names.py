"""GitHub owner and repository names are unique whatever their case, so a `…IgnoreCase`
pin to `repo:Example-Org/App:…` admits that repository's tokens only, never another
tenant's or repository's; the case variants of a branch it admits are other branches.
https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories"""

from __future__ import annotations

from typing import Any

from tests.trust.support import github, run_check, web_identity

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


def test_a_pin_written_in_another_case_names_its_tenant_and_repository() -> None:
    # Compared without case, `REPO:Example-Org/App:…` admits GitHub's `repo:Example-Org/App:…`
    # and nothing of another owner: no other tenant, no other repository, no dead value.
    trust = ignoring_case("REPO:Example-Org/App:ENVIRONMENT:prod")
    assert run_check("trust-oidc-any-tenant", trust) == ()
    assert run_check("trust-oidc-broad-subject", trust) == ()
    assert run_check("trust-dead-condition", trust) == ()


def test_a_branch_pin_written_in_another_case_is_its_own_repository_s() -> None:
    (finding,) = run_check(
        "trust-oidc-untrusted-trigger", ignoring_case("REPO:example-org/app:REF:refs/heads/main")
    )
    assert finding.witness["claims"]["sub"].lower() == "repo:example-org/app:ref:refs/heads/main"


def test_the_same_value_compared_with_case_is_dead() -> None:
    from tests.builders import make_account, make_role
    from tests.checks.support import findings

    trust = github({"StringEquals": {SUB: "REPO:Example-Org/App:environment:prod"}})
    account = make_account(roles=[make_role("r", trust=trust)])
    messages = [finding.message for finding in findings("trust-dead-condition", account)]
    assert any("matches no subject the provider mints" in message for message in messages)


def test_a_case_variant_of_a_named_environment_is_that_environment() -> None:
    # GitHub environment names are not case sensitive: a job naming `proD` deploys to
    # `prod`, under its protection rules, and creates no unprotected environment.
    # https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments
    for value in ("repo:acme/app:environment:prod", "REPO:acme/app:ENVIRONMENT:Prod"):
        assert run_check("trust-oidc-untrusted-trigger", ignoring_case(value)) == ()


def test_an_environment_pattern_compared_without_case_still_admits_new_ones() -> None:
    trust = github(
        {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringEqualsIgnoreCase": {SUB: "repo:acme/app:environment:prod"},
            "StringLike": {SUB: "repo:acme/app:environment:*"},
        }
    )
    assert run_check("trust-oidc-untrusted-trigger", trust) == ()  # both must hold: prod only
    wide = github({"StringLike": {SUB: "repo:acme/app:environment:*"}})
    (finding,) = run_check("trust-oidc-untrusted-trigger", wide)
    assert "environment a workflow creates" in finding.message


# GitLab validates every group and project route (`group/sub/project`) as unique without
# case (`validates :path, uniqueness: { case_sensitive: false }`,
# https://gitlab.com/gitlab-org/gitlab/-/blob/master/app/models/route.rb): `ACME/App` is the
# project `acme/app`, so a `…IgnoreCase` pin admits no other group's or project's tokens.
GITLAB_SUB = "gitlab.com:sub"


def gitlab_ignoring_case(value: str) -> dict[str, Any]:
    return web_identity(
        "gitlab.com",
        {
            "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
            "StringEqualsIgnoreCase": {GITLAB_SUB: value},
        },
    )


def test_a_case_variant_of_a_gitlab_group_is_no_other_tenant() -> None:
    trust = gitlab_ignoring_case("project_path:acme/app:ref_type:branch:ref:main")
    assert run_check("trust-oidc-any-tenant", trust) == ()
    assert run_check("trust-oidc-broad-subject", trust) == ()


def test_a_case_variant_of_a_gitlab_branch_is_another_branch() -> None:
    trust = gitlab_ignoring_case("project_path:acme/app:ref_type:branch:ref:main")
    (finding,) = run_check("trust-oidc-untrusted-trigger", trust)
    ref = finding.witness["claims"]["sub"].rsplit(":", 1)[-1]
    assert ref.lower() == "main"
    assert ref != "main"


def test_another_gitlab_group_is_still_another_tenant() -> None:
    trust = web_identity("gitlab.com", {"StringLike": {GITLAB_SUB: "project_path:*/app:*"}})
    assert run_check("trust-oidc-any-tenant", trust)
