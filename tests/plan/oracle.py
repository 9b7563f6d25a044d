"""An independent check of the never-broaden proof: the concrete evaluator
(:func:`keyless.policy.evaluate.evaluate`) decides sampled requests for the user and for
its target, each in its own request context, and generated policies to plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from keyless.checks._policies import policies_of
from keyless.model import Account, User
from keyless.plan.model import Permissions
from keyless.plan.permissions import customer_managed_policy
from keyless.plan.principal import Mode
from keyless.policy.conditions import make_context
from keyless.policy.document import Policy, parse_policy
from keyless.policy.evaluate import Caller, CallerType, Request, evaluate
from tests.builders import ACCOUNT_ID

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteBucket", "ec2:DescribeInstances",
           "ec2:TerminateInstances", "iam:CreateAccessKey", "iam:ChangePassword"]  # fmt: skip
ACTION_PATTERNS = [*ACTIONS, "s3:*", "s3:Get*", "ec2:*", "iam:*AccessKey*", "*"]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:iam::*:user/${aws:username}",
    "arn:aws:ec2:*:*:instance/*",
]
RESOURCES = [
    "arn:aws:s3:::bucket/alice/x",
    "arn:aws:s3:::bucket/bob/x",
    f"arn:aws:iam::{ACCOUNT_ID}:user/alice",
    f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:instance/i-1",
    "arn:aws:s3:::other",
]
CONDITIONS = [
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"StringEquals": {"aws:username": "alice"}},
    {"StringEquals": {"aws:username": "bob"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
]

statements = st.builds(
    lambda effect, negated, actions, resources, condition: {
        "Effect": effect,
        ("NotAction" if negated else "Action"): actions,
        "Resource": resources,
        **({"Condition": condition} if condition else {}),
    },
    st.sampled_from(["Allow", "Allow", "Deny"]),
    st.sampled_from([False, False, False, True]),
    st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True),
    st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
    st.none() | st.sampled_from(CONDITIONS),
)
estates = st.lists(st.lists(statements, min_size=1, max_size=4), min_size=1, max_size=3)


def allowed(
    policies: Sequence[Policy], action: str, resource: str, context: dict[str, Any]
) -> bool:
    """The concrete decision over several identity policies: a Deny wins, then an Allow."""
    request = Request(
        Caller(CallerType.AWS, account=ACCOUNT_ID), (action,), make_context(context), resource
    )
    decisions = [evaluate(policy, request).actions[0] for policy in policies]
    if any(d.explicitly_denied for d in decisions):
        return False
    return any(d.allowed for d in decisions)


def contexts(mode: Mode, user: User | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(user context, target context) pairs: the same request keys, each side's identity
    (``user`` defaults to alice, tagged team=red)."""
    name = user.name if user is not None else "alice"
    tags = dict(user.tags) if user is not None else {"team": "red"}
    identity = {
        "aws:username": name,
        "aws:PrincipalType": "User",
        **{f"aws:PrincipalTag/{k}": v for k, v in tags.items()},
        **({"aws:MultiFactorAuthPresent": "true"} if mode is Mode.SIGNED_IN_WITH_MFA else {}),
    }
    target = {"aws:PrincipalType": "AssumedRole", "aws:userid": f"AROAX:{name}"}
    requests: list[dict[str, Any]] = [
        {},
        {"aws:SourceIp": "10.1.2.3"},
        {"aws:SourceIp": "192.0.2.1"},
    ]
    return [({**identity, **r}, {**target, **r}) for r in requests]


def target_policies(account: Account, permissions: Permissions) -> list[Policy]:
    """The policies a target's permissions stand for, in ``account``."""
    documents = [account.policies_by_arn[a].document for a in permissions.aws_managed]
    for ref in permissions.customer_managed:
        found = customer_managed_policy(account, ref)
        assert found is not None
        documents.append(found.document)
    if permissions.inline is not None:
        documents.append(permissions.inline)
    return [parse_policy(d) for d in documents]


def user_policies(account: Account, user: User) -> list[Policy]:
    """Every identity policy of ``user``, directly and through its groups."""
    return [
        parse_policy(applied.document)
        for applied in policies_of(user, account)
        if applied.document is not None
    ]
