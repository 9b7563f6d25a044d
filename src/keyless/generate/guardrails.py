"""Guardrails that keep IAM users from coming back: a service control policy denying the
four calls that make a user a credential holder, except for a named break-glass role;
and the same as an IAM permissions boundary for accounts outside an organization.

SCPs are at most 5,120 characters:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
Deny with ``ArnNotLike aws:PrincipalArn`` is AWS's documented exception pattern:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
"""

from __future__ import annotations

import json
import re

from keyless.errors import InputError, quoted
from keyless.generate.model import PolicyFile

DENIED_ACTIONS = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateUser",
    "iam:UpdateLoginProfile",
)
SCP_LIMIT = 5120
#: What a policy attaches to: the organization root (``r-`` and 4 to 32 lowercase letters
#: or digits), an OU (``ou-``, the root's 4 to 32, ``-`` and 8 to 32 more) or an account
#: (12 digits), AttachPolicy's ``TargetId`` grammar:
#: https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
#: Written with classes only (no ``\d``), so CloudFormation's Java regex, Terraform's RE2
#: and Python's ``re`` read it alike; each user anchors it as its language needs.
TARGET_ID = "(?:r-[0-9a-z]{4,32}|[0-9]{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})"
TARGET_ID_TEXT = (
    "the organization root (r-...), an OU (ou-...-...) or a 12-digit account ID, as "
    "aws organizations list-roots / list-organizational-units-for-parent show them"
)
#: A role ARN, where the account may be ``*`` (the same role name in every account);
#: no other wildcard, so the exception cannot widen beyond the named role.
BREAK_GLASS_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::(?:\d{12}|\*):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}", re.ASCII
)


def check_break_glass(arn: str) -> str:
    """``arn`` when it is a role ARN fit for the exception, else an InputError."""
    if not BREAK_GLASS_ARN.fullmatch(arn):
        ascii_note = "" if arn.isascii() else "; IAM ARNs are ASCII"
        raise InputError(
            f"{quoted(arn)} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME, ACCOUNT may be *"
            f"{ascii_note})",
            where="--break-glass-role",
        )
    return arn


def _statement(break_glass: str | None) -> dict[str, object]:
    statement: dict[str, object] = {
        "Sid": "DenyLongLivedIamUserCredentials",
        "Effect": "Deny",
        "Action": list(DENIED_ACTIONS),
        "Resource": "*",
    }
    if break_glass is not None:
        statement["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": break_glass}}
    return statement


def guardrail_policies(break_glass: str | None, *, boundary: bool) -> tuple[PolicyFile, ...]:
    """The SCP, and the permissions boundary when asked for."""
    scp = {"Version": "2012-10-17", "Statement": [_statement(break_glass)]}
    if len(json.dumps(scp, indent=2)) > SCP_LIMIT:
        raise InputError(f"the guardrail SCP is longer than {SCP_LIMIT} characters")
    policies = [
        PolicyFile(
            "keyless-deny-iam-user-credentials",
            "scp",
            "keyless: no new IAM users, access keys or console passwords",
            scp,
        )
    ]
    if boundary:
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AllowWithinBoundary", "Effect": "Allow", "Action": "*", "Resource": "*"},
                _statement(break_glass),
            ],
        }
        policies.append(
            PolicyFile(
                "keyless-deny-iam-user-credentials-boundary",
                "boundary",
                "keyless: a permissions boundary with the guardrail, for accounts outside "
                "an organization",
                document,
            )
        )
    return tuple(policies)
