""" "Who can assume" says "runs of any branch" where the subjects name no branch.

Bitbucket Pipelines' sub is ``{REPO_UUID}[:{ENV_UUID}]:{STEP_UUID}``: no branch
(https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/).
CircleCI's ``$CIRCLE_OIDC_TOKEN`` sub is ``org/ORG/project/PROJ/user/USER``, no branch, and
``$CIRCLE_OIDC_TOKEN_V2`` adds ``/vcs-origin/ORIGIN/vcs-ref/REF``
(https://circleci.com/docs/openid-connect-tokens/). AWS maps no branch claim of either.
No finding is added: only the description says what the pin means.
"""

from __future__ import annotations

from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from tests.trust.support import web_identity

BITBUCKET = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
ORG = "0f1e2d3c-0000-4000-8000-00000000000a"
CIRCLECI = f"oidc.circleci.com/org/{ORG}"
PROJECT = f"org/{ORG}/project/11111111-0000-4000-8000-000000000001"


def described(issuer: str, sub: str) -> str:
    (path,) = analyse(web_identity(issuer, {"StringLike": {f"{issuer}:sub": sub}})).paths
    return describe_path(path, "111122223333")


def test_bitbucket_repository_pin_admits_runs_of_any_branch() -> None:
    text = described(BITBUCKET, "{4f1c2d3e-0000-4000-8000-000000000001}:*")
    assert text.endswith(", runs of any branch (its sub names none)")


def test_circleci_user_wildcard_admits_runs_of_any_branch() -> None:
    text = described(CIRCLECI, f"{PROJECT}/user/*")
    assert text.endswith(", runs of any branch ($CIRCLE_OIDC_TOKEN's sub names no branch)")


def test_circleci_v2_any_ref_admits_runs_of_any_branch() -> None:
    text = described(CIRCLECI, f"{PROJECT}/user/*/vcs-origin/github.com/acme/app/vcs-ref/*")
    assert text.endswith(", runs of any branch (any vcs-ref)")


def test_circleci_v2_pinned_branch_names_its_branch() -> None:
    sub = f"{PROJECT}/user/*/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main"
    assert "any branch" not in described(CIRCLECI, sub)
