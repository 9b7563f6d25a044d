"""A GitLab project may choose its `sub`'s components (`ci_id_token_sub_claim_components`):
`project_path` first, then `ref_type` and `ref`, `ref` and `ref_type`, `ref` alone or
`ref_type` alone (https://gitlab.com/gitlab-org/gitlab/-/issues/477260). Such subjects are
real tokens, never a dead value; one without its ref (`…:ref_type:branch`) is every
branch's, even written exactly."""

from __future__ import annotations

import pytest

from keyless.idp.grammars import GITLAB
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

SUB = "gitlab.com:sub"


def gitlab(value: str) -> dict[str, object]:
    return web_identity(
        "gitlab.com",
        {"StringEquals": {"gitlab.com:aud": "https://gitlab.com", SUB: value}},
    )


@pytest.mark.parametrize(
    "sub",
    [
        "project_path:acme/app:ref:main:ref_type:branch",
        "project_path:acme/app:ref:v1.0",
        "project_path:acme/app:ref_type:branch",
        "project_path:acme/app:ref_type:tag",
    ],
)
def test_a_chosen_component_list_is_a_real_subject(sub: str) -> None:
    assert sub in GITLAB.well_formed_language()
    role = make_role("r", trust=gitlab(sub))
    assert not findings("trust-dead-condition", make_account(roles=[role]))


@pytest.mark.parametrize(
    ("sub", "label"),
    [
        ("project_path:acme/app:ref_type:branch", "an unprotected branch can assume it"),
        ("project_path:acme/app:ref_type:tag", "an unprotected tag can assume it"),
    ],
)
def test_a_sub_without_its_ref_admits_every_branch_or_tag(sub: str, label: str) -> None:
    (finding,) = run_check("trust-oidc-untrusted-trigger", gitlab(sub))
    assert finding.severity.value == "high"
    assert finding.message.endswith(label)


def test_a_named_ref_alone_is_a_named_branch() -> None:
    (finding,) = run_check("trust-oidc-untrusted-trigger", gitlab("project_path:acme/app:ref:dev"))
    assert finding.severity.value == "low"
    assert run_check("trust-oidc-untrusted-trigger", gitlab("project_path:acme/app:ref:main")) == ()
