"""Checks on the account's root user, from the credential report's root row."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from keyless.checks.registry import CheckContext, Scope, check
from keyless.dates import days_since, iso
from keyless.findings import Problem, Severity
from keyless.model import Account, Dataset
from keyless.model.arn import root_arn

ROOT_BEST_PRACTICES = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html"
)


@check(
    "root-access-key",
    title="Root user has an access key",
    severity=Severity.CRITICAL,
    scope=Scope.ACCOUNT,
    requires=(Dataset.CREDENTIAL_REPORT, Dataset.ROOT),
    remediation=(
        "Delete the root user's access keys (Security credentials page, signed in as "
        "root). Whatever used them should use a role with only the permissions it needs. "
        "In an organization, centralise root access and remove member accounts' root "
        "credentials."
    ),
)
def root_access_key(account: Account, ctx: CheckContext) -> Iterator[Problem]:
    """The root user has an active access key.

    The root user can do anything in the account, including closing it, and no policy
    can restrict it (only SCPs in an organization). A root access key is that power as
    a permanent, copyable string. AWS: never create root access keys;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
    """
    root = account.root
    if root is None or not root.active_keys:
        return
    active = root.active_keys
    yield Problem(
        resource=root_arn(account.id, account.partition),
        message=f"root user of account {account.label} has {len(active)} active access key(s)",
        evidence=MappingProxyType(
            {
                "slots": tuple(key.slot for key in active),
                "created": tuple(iso(key.created) for key in active),
                "last_used": tuple(iso(key.last_used) for key in active),
            }
        ),
    )


@check(
    "root-without-mfa",
    title="Root user without MFA",
    severity=Severity.CRITICAL,
    scope=Scope.ACCOUNT,
    requires=(Dataset.CREDENTIAL_REPORT, Dataset.ROOT),
    remediation=(
        "Sign in as root and register MFA (preferably a passkey or hardware security key, "
        "kept with the break-glass procedure). In an organization whose management "
        "account removed member root credentials centrally, ignore this check for those "
        "accounts with that reason."
    ),
)
def root_without_mfa(account: Account, ctx: CheckContext) -> Iterator[Problem]:
    """The root user has no MFA device.

    With a password alone, anyone who phishes or resets the root password owns the
    account; AWS requires MFA on root for exactly this reason:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html

    The credential report cannot tell whether root credentials were removed centrally,
    so this fires whenever the report says MFA is not active.
    """
    root = account.root
    if root is None or root.mfa_active:
        return
    yield Problem(
        resource=root_arn(account.id, account.partition),
        message=f"root user of account {account.label} has no MFA",
        evidence=MappingProxyType(
            {"password_enabled": root.password_enabled, "last_used": iso(root.last_used)}
        ),
    )


@check(
    "root-recently-used",
    title="Root user used recently",
    severity=Severity.HIGH,
    scope=Scope.ACCOUNT,
    requires=(Dataset.CREDENTIAL_REPORT, Dataset.ROOT),
    remediation=(
        "Find out who used root and why (CloudTrail `userIdentity.type = Root`). Daily work "
        "belongs to Identity Center permission sets or roles; keep root for the few tasks "
        f"that need it ({ROOT_BEST_PRACTICES})."
    ),
)
def root_recently_used(account: Account, ctx: CheckContext) -> Iterator[Problem]:
    """The root user signed in or used a key recently (default within 30 days).

    Routine use of root means its credentials are handled often, and its actions
    cannot be limited or attributed to a person. Only a handful of tasks require root:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html
    """
    root = account.root
    if root is None or root.last_used is None:
        return
    limit = ctx.thresholds.root_recent_use_days
    ago = days_since(ctx.now, root.last_used)
    if ago <= limit:
        yield Problem(
            resource=root_arn(account.id, account.partition),
            message=(
                f"root user of account {account.label} was used {ago} days ago (within {limit})"
            ),
            evidence=MappingProxyType(
                {"last_used": iso(root.last_used), "days_ago": ago, "limit_days": limit}
            ),
        )
