"""Claims other than `sub` hold values of their own grammar: GitHub's IDs are decimal,
`repository` is OWNER/REPO and `job_workflow_ref` OWNER/REPO/PATH@REF
(https://docs.github.com/en/actions/reference/security/oidc); GitLab's IDs are decimal and
`ref_protected` is "true" or "false" (https://docs.gitlab.com/ci/secrets/id_token_authentication/).
A pin to a value no token carries admits nobody, and witnesses carry real values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import GH, github, run_check, web_identity

MAIN = {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main", f"{GH}:aud": "sts.amazonaws.com"}


def dead(trust: dict[str, Any]) -> bool:
    found = findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))
    return any("admits no real request" in f.message for f in found)


@pytest.mark.parametrize(
    "condition",
    [
        # A workflow's name where GitHub writes OWNER/REPO/PATH@REF; the claim is always in
        # the token, so ForAllValues compares it (never vacuously true).
        {"ForAllValues:StringEquals": {f"{GH}:job_workflow_ref": "DeployToProduction"}},
        {"StringEquals": {f"{GH}:repository_id": "acme-app"}},
        # The ref's short name (GitHub writes refs/heads/main), a path outside
        # .github/workflows (the only folder GitHub reads workflows from).
        {"StringEquals": {f"{GH}:job_workflow_ref": "acme/app/.github/workflows/d.yml@main"}},
        {"StringEquals": {f"{GH}:job_workflow_ref": "acme/app/deploy.yml@refs/heads/main"}},
        {"StringEquals": {f"{GH}:repository": "app"}},
    ],
)
def test_a_github_pin_to_a_value_no_token_carries_admits_nobody(
    condition: dict[str, Any],
) -> None:
    merged: dict[str, Any] = {"StringEquals": dict(MAIN)}
    for operator, pins in condition.items():
        merged.setdefault(operator, {}).update(pins)
    assert dead(github(merged))


def test_a_real_job_workflow_ref_pin_is_alive() -> None:
    ref = "acme/app/.github/workflows/deploy.yml@refs/heads/main"
    assert not dead(github({"StringEquals": {**MAIN, f"{GH}:job_workflow_ref": ref}}))


def test_a_gitlab_project_id_written_as_a_path_admits_nobody() -> None:
    trust = web_identity(
        "gitlab.com",
        {
            "StringEquals": {
                "gitlab.com:aud": "https://gitlab.com",
                "gitlab.com:project_id": "acme/app",
            }
        },
    )
    assert dead(trust)


def test_a_witness_carries_a_job_workflow_ref_github_writes() -> None:
    trust = github(
        {
            "StringEquals": {
                f"{GH}:aud": "sts.amazonaws.com",
                f"{GH}:sub": "repo:acme/app:pull_request",
            },
            "StringLike": {
                f"{GH}:job_workflow_ref": "acme/app/.github/workflows/p.yml@refs/heads/*"
            },
        }
    )
    (finding,) = run_check("trust-oidc-untrusted-trigger", trust)
    ref = finding.witness["claims"]["job_workflow_ref"]
    assert ref.startswith("acme/app/.github/workflows/p.yml@refs/heads/")
    assert not ref.endswith("/")
