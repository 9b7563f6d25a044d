"""Checks on multi-factor authentication for people who sign in to the console."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from keyless.checks._policies import (
    UnreadablePolicies,
    denies_without_mfa,
    policies_of,
    unreadable,
)
from keyless.checks.registry import CheckContext, Scope, check
from keyless.dates import iso
from keyless.findings import Problem, Severity
from keyless.model import Dataset, User

MFA_EXAMPLE_POLICY = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_examples_aws_my-sec-creds-self-manage.html"
)


@check(
    "user-console-without-mfa",
    title="Console user without MFA",
    severity=Severity.HIGH,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=(
        "Move the person to IAM Identity Center, where MFA is enforced for everyone, and "
        "delete the user's console password. Until then, have them register an MFA "
        "device (a passkey or security key resists phishing best)."
    ),
)
def user_console_without_mfa(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user can sign in to the console with a password alone.

    A password can be phished, guessed or reused from another breach; without a second
    factor that is enough to take over the user's access. AWS recommends MFA for every
    human user:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#enable-mfa-for-privileged-users
    """
    if user.has_console_access and not user.has_mfa:
        profile = user.login_profile
        last_used = profile.password_last_used if profile else None
        yield Problem(
            resource=user.arn,
            message=f"{user.name} can sign in to the console without MFA",
            evidence=MappingProxyType({"password_last_used": iso(last_used)}),
        )


@check(
    "account-mfa-not-enforced",
    title="MFA not enforced by policy",
    severity=Severity.MEDIUM,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT, Dataset.AUTHORIZATION_DETAILS),
    remediation=(
        "Put console users in a group with a policy that denies everything except MFA "
        f"self-management unless `aws:MultiFactorAuthPresent` is true ({MFA_EXAMPLE_POLICY}); "
        "better, move people to IAM Identity Center and enforce MFA there."
    ),
)
def account_mfa_not_enforced(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A console user is not subject to any deny-unless-MFA policy.

    Registering an MFA device is voluntary; only a policy that denies (nearly) every
    action without MFA makes it mandatory, and keeps a user who removes their device
    from acting. Recognised shapes are those AWS documents: a ``Deny`` with ``NotAction``
    (or ``Action`` ``*``) on ``*`` conditioned on ``BoolIfExists``/``Bool``
    ``aws:MultiFactorAuthPresent`` ``false`` or ``Null`` ``aws:MultiFactorAuthPresent``
    ``true``, attached or inline, on the user or one of its groups. See
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html

    Reported per user, so that a documented exception can be ignored for one user.
    Service control policies are not considered. A user with a policy that cannot be read
    (one IAM would refuse, in a hand-edited export; a managed policy whose document the
    export lacks; a group the export does not list) and no readable deny-unless-MFA policy
    is not evaluated: the unread one may be it.
    """
    if not user.has_console_access:
        return
    policies = policies_of(user, ctx.account)
    if any(denies_without_mfa(policy.document, ctx.policies) for policy in policies):
        return
    # The deny-unless-MFA policy may be the one that cannot be read.
    if unread := unreadable(policies, ctx.policies):
        raise UnreadablePolicies(unread)
    unresolved = tuple(sorted(p.label for p in policies if p.document is None))
    yield Problem(
        resource=user.arn,
        message=(
            f"{user.name} can sign in to the console and no deny-unless-MFA policy applies "
            f"to them (MFA {'registered' if user.has_mfa else 'not registered'})"
        ),
        evidence=MappingProxyType(
            {
                "mfa_registered": user.has_mfa,
                "policies_examined": len(policies),
                "policies_without_document": unresolved,
            }
        ),
    )
