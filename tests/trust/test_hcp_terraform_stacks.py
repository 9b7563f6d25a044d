"""An HCP Terraform Stack deployment's token carries
`organization:O:project:P:stack:S:deployment:D:operation:OP` (as public Stacks trust
policies write it; https://developer.hashicorp.com/terraform/language/stacks/deploy/authenticate):
a real subject, so a policy over the organization's stacks is judged, never "dead"."""

from __future__ import annotations

from keyless.idp.grammars import TERRAFORM
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import run_check, web_identity

ISSUER = "app.terraform.io"


def stacks(sub: str) -> dict[str, object]:
    return web_identity(
        ISSUER,
        {
            "StringEquals": {f"{ISSUER}:aud": "aws.workload.identity"},
            "StringLike": {f"{ISSUER}:sub": sub},
        },
    )


def test_a_stack_deployment_subject_is_minted() -> None:
    sub = "organization:acme:project:infra:stack:network:deployment:prod:operation:apply"
    assert sub in TERRAFORM.well_formed_language()
    role = make_role("r", trust=stacks(sub))
    assert not findings("trust-dead-condition", make_account(roles=[role]))


def test_every_stack_of_the_organization_is_broad_not_dead() -> None:
    trust = stacks("organization:acme:project:*:stack:*:deployment:*")
    role = make_role("r", trust=trust)
    assert not findings("trust-dead-condition", make_account(roles=[role]))
    (finding,) = run_check("trust-oidc-broad-subject", trust)
    assert finding.witness["claims"]["sub"].startswith("organization:acme:project:")
