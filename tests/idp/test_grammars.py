"""Provider sub grammars describe only subjects the provider mints (issue #18, item 2):
git's ref-name rules for GitHub and GitLab refs, GitLab's own subject format, no empty
fields. Sources: https://git-scm.com/docs/git-check-ref-format,
https://docs.github.com/en/actions/reference/security/oidc,
https://docs.gitlab.com/ci/secrets/id_token_authentication/."""

from __future__ import annotations

import pytest

from keyless.idp.grammars import BUILDKITE, GITHUB, GITLAB, TERRAFORM


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/app:ref:refs/heads/feature/login-v2",
        "repo:octo-org/app:ref:refs/tags/v1.2.3",
        "repo:octo-org/app:environment:production",
        "repo:octo-org/app:pull_request",
        "repo:octo-org@123/app@456:ref:refs/heads/main",
        "repo:octo-org/app",
        "repository_owner:octo-org",
        "repository_owner_id:123:repository_id:456",
        "job_workflow_ref:octo-org/infra/.github/workflows/deploy.yml@refs/heads/main",
        "repo:octo-org/app:environment:prod:job_workflow_ref:octo-org/x/.github/workflows/d.yml@refs/tags/v1",
        "actor:octocat:ref:refs/heads/main:repository_owner:octo-org",
        "repo:octo-org/app:ref:refs/pull/7/merge",
        "repository_owner:monalisa:repository_visibility:private",
        "repo:octo-org/app:pull_request:actor:octocat",
        "event_name:pull_request:pull_request",
        "repository_id:456:runner_environment:self-hosted:ref_type:tag",
        "job_workflow_ref:o/r/.github/workflows/d.yml@refs/heads/main:job_workflow_sha:0a1b",
        "repo:octo-org/app:repo_property_team:platform",
    ],
)
def test_github_subjects_it_mints(sub: str) -> None:
    assert sub in GITHUB.well_formed_language()


@pytest.mark.parametrize(
    ("sub", "rule"),
    [
        ("repo:O/R:ref:refs/heads/:pull_request", "empty component, ':' in a ref"),
        ("repo:O/R:", "empty field"),
        ("repo:O/R:ref:refs/heads/a..b", "'..'"),
        ("repo:O/R:ref:refs/heads/a.lock", "ends in .lock"),
        ("repo:O/R:ref:refs/heads/a.lock/b", "a component ends in .lock"),
        ("repo:O/R:ref:refs/heads/.hidden", "a component begins with '.'"),
        ("repo:O/R:ref:refs/heads/a//b", "empty component"),
        ("repo:O/R:ref:refs/heads/x.", "ends with '.'"),
        ("repo:O/R:ref:refs/heads/x/", "ends with '/'"),
        ("repo:O/R:ref:refs/heads/a b", "space"),
        ("repo:O/R:ref:refs/heads/a~1", "'~'"),
        ("repo:O/R:ref:refs/heads/a@{1}", "'@{'"),
        ("repo:O/R:ref:main", "the ref claim is always refs/…"),
        ("repo:O/R:a", "a claim key without a value"),
        ("repo:O/R::pull_request", "empty field"),
        # Custom templates: every field is KEY:VALUE of a documented claim, or the context.
        # https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
        ("repo:O/R:pull_request:a", "a claim key without a value after the context"),
        ("repository_owner_id:1:a", "a claim key without a value after an ID"),
        ("repository_owner_id:acme", "an ID that is not a number"),
        ("repo:O/R:colour:blue", "no such claim"),
        ("repository_visibility:secret", "not a visibility"),
        ("repo:O/R:pull_request:pull_request", "the context twice"),
        ("repo:O/R@1:pull_request", "an immutable subject names both IDs"),
        # A workflow's path always ends with the ref it ran at: OWNER/REPO/PATH@REF.
        ("repo:O/R:job_workflow_ref:o/r/.github/workflows/d.yml", "a reusable workflow, no @ref"),
        ("workflow_ref:o/r/.github/workflows/d.yml:pull_request", "a workflow, no @ref"),
        ("job_workflow_ref:o/r/d.yml@", "an empty ref"),
    ],
)
def test_github_subjects_it_cannot_mint(sub: str, rule: str) -> None:
    assert sub not in GITHUB.well_formed_language(), rule


@pytest.mark.parametrize(
    ("sub", "minted"),
    [
        ("project_path:group/project:ref_type:branch:ref:feature", True),
        ("project_path:group/sub/project:ref_type:tag:ref:v1.0", True),
        ("project_path:group/project:ref_type:branch:ref:feature/login", True),
        ("project_path:group/project:ref_type:branch:ref:", False),
        ("project_path:group//project:ref_type:branch:ref:main", False),
        ("project_path:group/:ref_type:branch:ref:main", False),
        ("project_path:project:ref_type:branch:ref:main", False),
        ("project_path:group/project:ref_type:branch:ref:a..b", False),
        ("project_path:group/project:ref_type:merge_request:ref:main", False),
    ],
)
def test_gitlab_subjects(sub: str, minted: bool) -> None:
    assert (sub in GITLAB.well_formed_language()) is minted


@pytest.mark.parametrize(
    ("sub", "minted"),
    [
        ("organization:acme:project:Default Project:workspace:prod:run_phase:apply", True),
        ("organization:acme:workspace:prod:run_phase:plan", True),
        ("organization:acme:project:p:workspace:prod:run_phase:destroy", False),
        ("organization::workspace:prod:run_phase:plan", False),
    ],
)
def test_terraform_subjects(sub: str, minted: bool) -> None:
    assert (sub in TERRAFORM.well_formed_language()) is minted


def test_buildkite_ref_follows_git() -> None:
    good = "organization:acme:pipeline:deploy:ref:refs/heads/main:commit:abc:step:deploy"
    assert good in BUILDKITE.well_formed_language()
    assert good.replace("main", "ma..in") not in BUILDKITE.well_formed_language()
