"""The demo estate as data: a small AWS Organization whose IAM shows every problem
keyless looks for. ``keyless.collect.demo.build`` seeds it into the emulator; nothing here
imports boto3 or moto.

Ages are in days before ``now``, so that every age-based check fires whenever it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The emulator's management account; members get IDs at creation.
MANAGEMENT = "mgmt"
GITHUB = "token.actions.githubusercontent.com"
GITHUB_THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"
#: The demo organization's (fictional) IAM Identity Center portal and home region, which
#: `keyless generate --format aws-config` uses for a plan of the demo unless told others.
SSO_START_URL = "https://d-0123456789.awsapps.com/start"
SSO_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class KeySpec:
    """An access key: created ``age`` days ago, last used ``used`` days ago (``None``:
    never), deactivated when not ``active``."""

    age: int
    used: int | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class UserSpec:
    """An IAM user. ``password_used`` (days ago) implies a console password."""

    name: str
    age: int = 500
    console: bool = False
    password_used: int | None = None
    mfa: bool = False
    keys: tuple[KeySpec, ...] = ()
    groups: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # managed policy ARNs or local policy names
    email: str | None = None
    path: str = "/"


@dataclass(frozen=True, slots=True)
class RootSpec:
    """The root user's row of the credential report: password last used ``password_used``
    days ago (``None``: never), MFA, access keys.

    The emulator's credential report has no ``<root_account>`` row (AWS always writes
    one), so keyless adds this row to what the collector read and says so in the root
    data set's reason; see ``keyless.collect.demo.build``.
    """

    password_used: int | None = None
    mfa: bool = True
    keys: tuple[KeySpec, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """An IAM group with managed policies (ARNs or local names) and inline documents."""

    name: str
    policies: tuple[str, ...] = ()
    inline: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """An IAM role and its trust policy. ``{account:LABEL}`` and ``{self}`` in principal
    ARNs are replaced by account IDs when seeded."""

    name: str
    trust: Mapping[str, Any]
    policies: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """One account of the demo organization: label (``mgmt`` is the management account),
    alias, root user, IAM contents and its customer managed policies (name -> versions,
    last is the default)."""

    label: str
    alias: str
    email: str
    root: RootSpec = RootSpec()
    users: tuple[UserSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
    policies: Mapping[str, tuple[Mapping[str, Any], ...]] | None = None
    github_oidc: bool = False
    saml_provider: str | None = None


def _doc(*statements: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})

# The documented "deny everything except managing your own MFA unless signed in with
# MFA" policy. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage-mfa-only.html
FORCE_MFA = _doc(
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:GetUser",
            "iam:ListMFADevices",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
)

DEPLOY_V1 = _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
DEPLOY_V2 = _doc(
    {
        "Effect": "Allow",
        "Action": ["s3:PutObject", "s3:GetObject"],
        "Resource": "arn:aws:s3:::deploy/*",
    },
    {"Effect": "Allow", "Action": "cloudfront:CreateInvalidation", "Resource": "*"},
)


def _github(condition: Mapping[str, Any]) -> Mapping[str, Any]:
    return _doc(
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{{self}}:oidc-provider/{GITHUB}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    )


def _trust_account(account: str, condition: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return _doc(statement)


AUD = {f"{GITHUB}:aud": "sts.amazonaws.com"}

ESTATE: tuple[AccountSpec, ...] = (
    AccountSpec(
        label=MANAGEMENT,
        alias="acme-mgmt",
        email="aws-mgmt@example.com",
        # Used for the organization's own setup months ago, with MFA: no finding.
        root=RootSpec(password_used=200),
        groups=(
            GroupSpec("admins", ("force-mfa",), {"admin-everything": ALLOW_ALL}),
            GroupSpec("developers", (READ_ONLY_ACCESS,)),
        ),
        policies={"force-mfa": (FORCE_MFA,)},
        users=(
            UserSpec(
                "alice",
                console=True,
                password_used=3,
                mfa=True,
                groups=("admins",),
                email="alice@example.com",
            ),
            UserSpec(
                "bob",
                console=True,
                password_used=90,
                groups=("developers",),
                email="bob@example.com",
            ),
            UserSpec(
                "ci-terraform",
                path="/ci/",
                keys=(KeySpec(age=400, used=120),),
                policies=(ADMINISTRATOR_ACCESS,),
            ),
        ),
    ),
    AccountSpec(
        label="prod",
        alias="acme-prod",
        email="aws-prod@example.com",
        # An old root access key still in use: root-access-key and root-recently-used.
        root=RootSpec(password_used=400, keys=(KeySpec(age=1200, used=6),)),
        github_oidc=True,
        saml_provider="okta",
        groups=(
            GroupSpec("admins", (ADMINISTRATOR_ACCESS, "force-mfa")),
            GroupSpec("developers", (READ_ONLY_ACCESS,)),
        ),
        policies={"force-mfa": (FORCE_MFA,), "deploy": (DEPLOY_V1, DEPLOY_V2)},
        users=(
            UserSpec(
                "alice.smith",
                console=True,
                password_used=5,
                mfa=True,
                groups=("admins",),
                email="alice@example.com",
            ),
            UserSpec(
                "alice-admin",
                keys=(KeySpec(age=200, used=2),),
                groups=("admins",),
                email="alice@example.com",
            ),
            UserSpec(
                "alice.jones",
                console=True,
                password_used=20,
                groups=("developers",),
                email="alice.jones@example.com",
            ),
            UserSpec(
                "ci-deploy",
                path="/ci/",
                policies=("deploy",),
                keys=(KeySpec(age=400, used=120), KeySpec(age=30)),
            ),
            UserSpec(
                "legacy-backup",
                age=900,
                keys=(KeySpec(age=700, used=300), KeySpec(age=800, active=False)),
            ),
        ),
        roles=(
            RoleSpec(
                "github-deploy-prod",
                _github(
                    {
                        "StringEquals": {
                            **AUD,
                            f"{GITHUB}:sub": "repo:example-org/deploy:ref:refs/heads/main",
                        }
                    }
                ),
                ("deploy",),
                "GitHub Actions, pinned to one repository and branch",
            ),
            RoleSpec(
                "github-any-repo",
                _github(
                    {"StringEquals": AUD, "StringLike": {f"{GITHUB}:sub": "repo:example-org/*"}}
                ),
                (READ_ONLY_ACCESS,),
                "GitHub Actions, any repository of the organization",
            ),
            RoleSpec(
                "github-sub-list",
                _github(
                    {
                        "StringEquals": AUD,
                        "StringLike": {
                            f"{GITHUB}:sub": ["repo:example-org/app:ref:refs/heads/main", "*"]
                        },
                    }
                ),
                (READ_ONLY_ACCESS,),
                "GitHub Actions, a sub list ending in a wildcard",
            ),
            RoleSpec(
                "github-no-sub",
                _github({"StringEquals": AUD}),
                (ADMINISTRATOR_ACCESS,),
                "GitHub Actions, audience only: any repository on GitHub",
            ),
            RoleSpec(
                "vendor-audit",
                _trust_account("999988887777"),
                (READ_ONLY_ACCESS,),
                "A third party's account, without an ExternalId",
            ),
            RoleSpec(
                "anyone-can-assume",
                _doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
            ),
            RoleSpec(
                "okta-admin",
                _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": "arn:aws:iam::{self}:saml-provider/okta"},
                        "Action": "sts:AssumeRoleWithSAML",
                        "Condition": {
                            "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}
                        },
                    }
                ),
                (ADMINISTRATOR_ACCESS,),
            ),
            RoleSpec(
                "ecs-task",
                _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ),
            ),
        ),
    ),
    AccountSpec(
        label="staging",
        alias="acme-staging",
        email="aws-staging@example.com",
        # A password and no MFA: root-without-mfa.
        root=RootSpec(password_used=300, mfa=False),
        github_oidc=True,
        groups=(GroupSpec("developers", (READ_ONLY_ACCESS,)),),
        users=(
            UserSpec(
                "carol",
                console=True,
                password_used=10,
                groups=("developers",),
                email="carol@example.com",
            ),
            UserSpec("alice", console=True, password_used=60, email="alice@example.com"),
            UserSpec("ci-staging", path="/ci/", keys=(KeySpec(age=120, used=1),)),
        ),
        roles=(
            RoleSpec(
                "github-deploy-staging",
                _github(
                    {
                        "StringEquals": {
                            **AUD,
                            f"{GITHUB}:sub": "repo:example-org/deploy:environment:staging",
                        }
                    }
                ),
            ),
            RoleSpec(
                "from-prod",
                _trust_account(
                    "{account:prod}", {"StringEquals": {"sts:ExternalId": "acme-staging-2024"}}
                ),
            ),
        ),
    ),
    AccountSpec(
        label="sandbox",
        alias="acme-sandbox",
        email="aws-sandbox@example.com",
        users=(
            UserSpec("dave", console=True, password_used=1, mfa=True, email="dave@example.com"),
            UserSpec("experiment-bot", keys=(KeySpec(age=30),)),
        ),
    ),
)
