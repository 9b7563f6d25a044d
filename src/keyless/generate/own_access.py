"""keyless's own access for ``keyless scan --org``: a read-only member role in every
account, trusted only by the management account's named scanner role, and the policy
that scanner role needs in the management account. Exactly the calls the collectors
make (``keyless.collect.live``), nothing more; a test records every call of a
moto-backed org scan and proves both policies allow each and allow no write.
"""

from __future__ import annotations

import re

from keyless.generate.model import Probe, RoleKind, RoleSpec
from keyless.idp.aws import aws_principal_request
from keyless.plan.model import Permissions

#: The member role's name (``keyless scan --org --member-role keyless-read-only``).
MEMBER_ROLE = "keyless-read-only"
SCANNER_POLICY = "keyless-scanner"

#: What ``keyless.collect.live.account`` calls in each account. ``sts:GetCallerIdentity``
#: needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
#: ``iam:GenerateCredentialReport`` is the one action not named List/Get/Describe: the
#: Service Authorization Reference classes it as Read; it (re)builds the report that
#: ``GetCredentialReport`` returns and changes nothing else.
MEMBER_ACTIONS = (
    "iam:GenerateCredentialReport",
    "iam:GetAccessKeyLastUsed",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetCredentialReport",
    "iam:GetLoginProfile",
    "iam:GetOpenIDConnectProvider",
    "iam:GetUser",
    "iam:ListAccessKeys",
    "iam:ListAccountAliases",
    "iam:ListMFADevices",
    "iam:ListOpenIDConnectProviders",
    "iam:ListSAMLProviders",
    "iam:ListVirtualMFADevices",
)

#: What ``keyless.collect.live.organization`` and ``.identity_center`` call from the
#: management account (sso-admin's IAM prefix is ``sso:``:
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycentersuccessortoawssinglesign-on.html).
SCANNER_ACTIONS = (
    "identitystore:DescribeGroup",
    "identitystore:DescribeUser",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "sso:DescribePermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:ListAccountAssignments",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:ListInstances",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListPermissionSets",
)

#: The shapes of every action the two policies may allow: reads only.
READ_ONLY_ACTION = re.compile(
    r"[a-z-]+:(?:List|Get|Describe)[A-Za-z]+|iam:GenerateCredentialReport"
)


def member_policy() -> dict[str, object]:
    """The member role's inline policy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeylessScan",
                "Effect": "Allow",
                "Action": list(MEMBER_ACTIONS),
                "Resource": "*",
            }
        ],
    }


def scanner_policy(partition: str = "aws") -> dict[str, object]:
    """The management account's scanner policy: the organization and Identity Center
    reads, the member reads for the management account itself, and assuming the member
    role (only that role) in the organization's accounts."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeylessScanOrganization",
                "Effect": "Allow",
                "Action": sorted({*SCANNER_ACTIONS, *MEMBER_ACTIONS}),
                "Resource": "*",
            },
            {
                "Sid": "KeylessAssumeMemberRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:{partition}:iam::*:role/{MEMBER_ROLE}",
            },
        ],
    }


def member_roles(accounts: tuple[str, ...], scanner_role: str) -> tuple[RoleSpec, ...]:
    """The member role in each account, trusted by ``scanner_role`` alone."""
    management = scanner_role.split(":")[4]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeylessScanner",
                "Effect": "Allow",
                "Principal": {"AWS": scanner_role},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    other_role = scanner_role.rsplit("/", 1)[0] + "/keyless-near-miss"
    probes = (
        Probe(f"the scanner role {scanner_role}", aws_principal_request(scanner_role), True),
        Probe(f"another role: {other_role}", aws_principal_request(other_role), False),
        Probe(
            f"the management account as a whole ({management})",
            aws_principal_request(management),
            False,
        ),
    )
    return tuple(
        RoleSpec(
            kind=RoleKind.KEYLESS,
            account=account,
            name=MEMBER_ROLE,
            description="keyless: read-only access for keyless scan --org",
            trust=trust,
            permissions=Permissions(inline=member_policy()),
            probes=probes,
            pointer="/source/accounts",
        )
        for account in accounts
    )
