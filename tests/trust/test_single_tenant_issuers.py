"""CircleCI and Bitbucket Pipelines: one issuer per organisation (workspace), so a loose
``sub`` opens the role to that organisation's other projects (repositories), never to a
stranger's. https://circleci.com/docs/openid-connect-tokens/ ;
https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.findings import Finding
from keyless.idp.grammars import BITBUCKET
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

ORG = "4ada2c32-f0c2-4b60-a6b8-af674858fd51"
CIRCLECI = f"oidc.circleci.com/org/{ORG}"
PROJECT = "e6f3a2c1-0000-4000-8000-000000000001"
BITBUCKET_ISSUER = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
WORKSPACE_AUD = "ari:cloud:bitbucket::workspace/0f6f2a4e-0000-4000-8000-00000000000a"
REPO = "4f1c7e1e-0000-4000-8000-000000000001"
ENVIRONMENT = "8b9d0c2a-0000-4000-8000-000000000002"


def circleci(sub: Any) -> dict[str, Any]:
    return web_identity(
        CIRCLECI, {"StringEquals": {f"{CIRCLECI}:aud": ORG}, "StringLike": {f"{CIRCLECI}:sub": sub}}
    )


def bitbucket(sub: Any) -> dict[str, Any]:
    key = BITBUCKET_ISSUER
    return web_identity(
        key, {"StringEquals": {f"{key}:aud": WORKSPACE_AUD}, "StringLike": {f"{key}:sub": sub}}
    )


def run(check_id: str, trust: dict[str, Any]) -> tuple[Finding, ...]:
    return run_check(check_id, trust)


@pytest.mark.parametrize(
    ("sub", "broad"),
    [
        ("*", True),
        (f"org/{ORG}/project/*", True),
        (f"org/{ORG}/project/e6f3*", True),  # a pattern over project IDs
        (f"org/{ORG}/project/*/user/{PROJECT}", True),  # one user, any project
        ([f"org/{ORG}/project/{PROJECT}/user/*", f"org/{ORG}/project/*"], True),
        (f"org/{ORG}/project/{PROJECT}/user/*", False),  # CircleCI's own example
        (f"org/{ORG}/project/{PROJECT}/*", False),
        (f"org/*/project/{PROJECT}/user/*", False),  # the issuer pins the organisation
    ],
)
def test_circleci_subject_open_to_the_organisations_other_projects(sub: Any, broad: bool) -> None:
    found = run("trust-oidc-broad-subject", circleci(sub))
    assert bool(found) is broad
    if broad:
        (finding,) = found
        assert finding.severity.value == "high"
        assert f"a project of CircleCI organization {ORG} only" in finding.message
        witness_sub = finding.witness["claims"]["sub"]
        assert witness_sub.startswith(f"org/{ORG}/project/")
        assert not witness_sub.startswith(f"org/{ORG}/project/{PROJECT}/")


@pytest.mark.parametrize("sub", ["*", f"org/{ORG}/project/*"])
def test_a_circleci_wildcard_is_never_a_strangers(sub: str) -> None:
    assert run("trust-oidc-any-tenant", circleci(sub)) == ()


def test_a_circleci_witness_carries_the_organisations_audience() -> None:
    # No aud condition, as CircleCI's AWS guide writes the policy: the witness shows the
    # audience CircleCI's tokens carry (the organization ID), not STS's.
    trust = web_identity(CIRCLECI, {"StringLike": {f"{CIRCLECI}:sub": "*"}})
    (finding,) = run("trust-oidc-broad-subject", trust)
    assert finding.witness["claims"]["aud"] == ORG


def test_a_subject_of_another_circleci_organisation_admits_nobody() -> None:
    # The issuer mints org/ORG/… only: a policy naming another organisation is dead.
    other = "org/11111111-2222-3333-4444-555555555555/project/*"
    assert run("trust-oidc-broad-subject", circleci(other)) == ()
    trust = circleci(other)
    assert findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))


@pytest.mark.parametrize(
    ("sub", "broad"),
    [
        ("*", True),
        ("{4f1c*", True),  # a pattern over repository UUIDs
        ("*:*", True),
        (f"{{{REPO}}}:*", False),  # Atlassian's example: one repository, any step
        (f"{{{REPO}}}:{{{ENVIRONMENT}}}:*", False),
        (f"*:{{{ENVIRONMENT}}}:*", False),  # an environment UUID is one repository's own
        ([f"{{{REPO}}}:*", "*"], True),
    ],
)
def test_bitbucket_subject_open_to_the_workspaces_other_repositories(sub: Any, broad: bool) -> None:
    found = run("trust-oidc-broad-subject", bitbucket(sub))
    assert bool(found) is broad
    if broad:
        (finding,) = found
        assert finding.severity.value == "high"
        assert "a repository of Bitbucket Pipelines workspace acme only" in finding.message
        assert REPO not in finding.witness["claims"]["sub"]
        assert finding.witness["claims"]["aud"] == WORKSPACE_AUD


@pytest.mark.parametrize(
    ("sub", "minted"),
    [
        (f"{{{REPO}}}:{{{REPO}}}", True),
        (f"{{{REPO}}}:{{{ENVIRONMENT}}}:{{{REPO}}}", True),
        (f"{REPO}:{REPO}", False),
        (f"{{{REPO}}}:}}", False),
        (f"{{{REPO}}}", False),
    ],
)
def test_bitbucket_subjects(sub: str, minted: bool) -> None:
    assert (sub in BITBUCKET.well_formed_language()) is minted
