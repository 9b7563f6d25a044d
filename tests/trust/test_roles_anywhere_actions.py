"""IAM Roles Anywhere assumes a role only through a trust policy that allows it
`sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`
(https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html). A policy
allowing it `sts:AssumeRole` alone, as READMEs write it, admits nobody: the role is dead
for Roles Anywhere, reported by `trust-dead-condition` with the actions it lacks (it was
called clean, and described as "no request satisfies the conditions" with none written)."""

from __future__ import annotations

from typing import Any

from keyless.findings import Finding
from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import allow

ROLES_ANYWHERE = {"Service": "rolesanywhere.amazonaws.com"}
ANCHOR = {
    "ArnEquals": {
        "aws:SourceArn": "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/"
        "0c1e6b2a-9d4f-4e8a-8b7e-3f2d1c0b9a87"
    }
}
ALL_THREE = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]


def dead(trust: dict[str, Any]) -> tuple[Finding, ...]:
    """trust-dead-condition's findings on a role whose trust policy is ``trust``."""
    return findings("trust-dead-condition", make_account(roles=[make_role("r", trust=trust)]))


def test_assume_role_alone_is_dead_and_names_the_missing_actions() -> None:
    trust = allow(ROLES_ANYWHERE)
    (finding,) = dead(trust)
    assert finding.severity == "medium"
    assert "sts:TagSession and sts:SetSourceIdentity" in finding.message
    assert "nobody can assume it through Roles Anywhere" in finding.message
    (path,) = analyse(trust).paths
    assert "sts:TagSession and sts:SetSourceIdentity" in describe_path(path, "111122223333")


def test_the_actions_may_come_from_several_statements() -> None:
    trust = allow(ROLES_ANYWHERE, ANCHOR)
    trust["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": ROLES_ANYWHERE,
            "Action": ["sts:TagSession", "sts:SetSourceIdentity"],
        }
    )
    assert dead(trust) == ()


def test_the_documented_trust_policy_is_not_dead() -> None:
    assert dead(allow(ROLES_ANYWHERE, ANCHOR, Action=ALL_THREE)) == ()
