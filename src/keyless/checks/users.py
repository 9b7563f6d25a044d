"""Checks on IAM users themselves: permanent keys, console passwords, admin rights,
policies attached to users, and machine identities that should be roles."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from keyless.checks._policies import (
    AppliedPolicy,
    UnreadablePolicies,
    policies_of,
    unreadable,
    user_grant,
)
from keyless.checks.keys import ROTATE_TO_ROLES
from keyless.checks.registry import CheckContext, Scope, check
from keyless.dates import days_since, iso
from keyless.findings import Problem, Severity
from keyless.model import Dataset, User
from keyless.policy.grants import Grant


def _slots(user: User) -> str:
    return ", ".join(str(key.slot) for key in user.active_keys)


@check(
    "user-long-lived-access-key",
    title="User has a long-lived access key",
    severity=Severity.MEDIUM,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=ROTATE_TO_ROLES,
)
def user_long_lived_access_key(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user has at least one active access key: permanent credentials.

    An access key never expires on its own; whoever holds a copy has the user's access
    until someone notices and deletes it. Roles give temporary credentials instead. See
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles

    One finding per user (not per key), listing the active keys in the evidence: the fix
    is to migrate the identity, whatever number of keys it holds. Per-key problems (age,
    use) are reported by the ``key-*`` checks.
    """
    active = user.active_keys
    if not active:
        return
    noun = "access key" if len(active) == 1 else "access keys"
    yield Problem(
        resource=user.arn,
        message=f"{user.name} has {len(active)} active {noun} (slot {_slots(user)})",
        evidence=MappingProxyType(
            {
                "slots": tuple(key.slot for key in active),
                "key_ids": tuple(key.key_id for key in active),
                "created": tuple(iso(key.created) for key in active),
            }
        ),
    )


@check(
    "user-console-password-unused",
    title="Console password unused",
    severity=Severity.MEDIUM,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=(
        "Delete the user's login profile (console password). People who still need the "
        "console should sign in through IAM Identity Center, not as IAM users."
    ),
)
def user_console_password_unused(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user's console password has not been used recently (default 45 days).

    A password nobody uses can still be guessed, phished or reused from another breach,
    and its owner will not notice. AWS recommends removing unused credentials:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials

    When the password was never used (or its last use is unknown), its age is measured
    from the password's creation, or failing that the user's.
    """
    profile = user.login_profile
    if profile is None:
        return
    limit = ctx.thresholds.password_unused_days
    if profile.password_last_used is not None:
        idle = days_since(ctx.now, profile.password_last_used)
        if idle > limit:
            yield Problem(
                resource=user.arn,
                message=(
                    f"console password of {user.name} was last used {idle} days ago (limit {limit})"
                ),
                evidence=MappingProxyType(
                    {
                        "password_last_used": iso(profile.password_last_used),
                        "idle_days": idle,
                        "limit_days": limit,
                    }
                ),
            )
        return
    since = profile.created or profile.password_last_changed or user.created
    if since is None:
        return
    age = days_since(ctx.now, since)
    if age > limit:
        yield Problem(
            resource=user.arn,
            message=(
                f"console password of {user.name} has no recorded use and is {age} days old "
                f"(limit {limit})"
            ),
            evidence=MappingProxyType(
                {
                    "password_last_used": None,
                    "since": iso(since),
                    "age_days": age,
                    "limit_days": limit,
                }
            ),
        )


@check(
    "user-admin-with-access-key",
    title="Administrator user has an access key",
    severity=Severity.CRITICAL,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT, Dataset.AUTHORIZATION_DETAILS),
    remediation=(
        "Delete the key now if it is not in use; otherwise move its consumer to a role "
        "with only the permissions it needs (OIDC federation for CI/CD, Roles Anywhere "
        "on-premises) and then delete the key. People who administer the account should "
        "use an Identity Center permission set with MFA, not an IAM user."
    ),
)
def user_admin_with_access_key(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user with administrator or near-administrator access has an active access key.

    A leaked administrator key is the whole account: an attacker can create users,
    disable logging and persist. What the user's policies grant together (attached,
    inline and through groups) is computed by the policy engine: every action (critical),
    or every action except a few services, such as ``PowerUserAccess`` (every action
    except IAM, Organizations and Account management; high). A Deny takes its actions away,
    beside ``AdministratorAccess`` too (the AWS CLI's own example export denies an
    administrator ``iam:*`` and ``aws-portal:*``: high). The message and evidence say
    what is and is not granted. A policy that cannot be read (one IAM would refuse, in a
    hand-edited export; a managed policy whose document the export lacks, other than
    ``AdministratorAccess``, known by its ARN; a group the export does not list) leaves the
    user not evaluated, never clean: what the readable policies grant is still reported. See
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """
    if not user.active_keys:
        return
    applied = policies_of(user, ctx.account)
    grant, broad = user_grant(applied, ctx.policies)
    # A policy that cannot be read may grant everything, or deny what the others grant:
    # what the readable ones show is reported, and the user is not evaluated.
    unread = unreadable(applied, ctx.policies)
    if grant.broad and broad:
        yield _admin_problem(user, grant, broad, unread)
    if unread:
        raise UnreadablePolicies(unread)


def _admin_problem(
    user: User, grant: Grant, broad: tuple[AppliedPolicy, ...], unread: tuple[tuple[str, str], ...]
) -> Problem:
    labels = tuple(sorted({policy.label for policy in broad}))
    access = (
        "full administrator access"
        if grant.everything
        else f"near-administrator access: {grant.describe()}"
    )
    return Problem(
        resource=user.arn,
        message=(
            f"{user.name} has {access} ({', '.join(labels)}) and "
            f"{len(user.active_keys)} active access key(s) (slot {_slots(user)})"
        ),
        evidence=MappingProxyType(
            {
                "policies": labels,
                "via": tuple(sorted({policy.via for policy in broad})),
                "grants": "every action" if grant.everything else "every action except",
                "except": grant.excepted,
                "allowed_of_excepted": grant.given_back,
                "slots": tuple(key.slot for key in user.active_keys),
                "key_ids": tuple(key.key_id for key in user.active_keys),
            }
            | ({"unread_policies": tuple(label for label, _ in unread)} if unread else {})
        ),
        severity=None if grant.everything else Severity.HIGH,
    )


@check(
    "user-direct-policy",
    title="Policy attached directly to a user",
    severity=Severity.LOW,
    scope=Scope.USER,
    requires=(Dataset.AUTHORIZATION_DETAILS,),
    remediation=(
        "Grant permissions through groups (for the people who remain IAM users) or, "
        "better, through roles and Identity Center permission sets; then detach the "
        "user's managed policies and delete its inline policies."
    ),
)
def user_direct_policy(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """Managed or inline policies are attached to a user rather than a group or role.

    Permissions granted one user at a time drift apart, are hard to review and are
    forgotten when people move on. AWS recommends groups and roles:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
    """
    managed = tuple(ref.arn for ref in user.attached_policies)
    inline = tuple(policy.name for policy in user.inline_policies)
    if not managed and not inline:
        return
    parts = []
    if managed:
        parts.append(f"{len(managed)} managed")
    if inline:
        parts.append(f"{len(inline)} inline")
    noun = "policy" if len(managed) + len(inline) == 1 else "policies"
    yield Problem(
        resource=user.arn,
        message=f"{user.name} has {' and '.join(parts)} {noun} attached directly",
        evidence=MappingProxyType({"managed_policies": managed, "inline_policies": inline}),
    )


@check(
    "user-for-workload",
    title="IAM user used as a workload identity",
    severity=Severity.MEDIUM,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=(
        "Give the workload a role instead: OIDC federation for CI/CD (GitHub Actions, "
        "GitLab, ...), an instance, task or pod role on AWS, IAM Roles Anywhere for "
        "on-premises machines. For CI pipelines, `keyless workflows fix` rewrites the "
        "workflow to OIDC and lists the subjects the role's trust policy must accept; then "
        "deactivate the user's keys and delete the user."
    ),
)
def user_for_workload(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user has active access keys and no console password: a machine identity.

    Workloads (CI pipelines, servers, scripts) are exactly where keys get copied into
    secrets stores, images and logs. A role gives them short-lived credentials with
    nothing to rotate or leak. See
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
    """
    if user.has_console_access or not user.active_keys:
        return
    last_used = [key.last_used for key in user.active_keys if key.last_used is not None]
    services = sorted({key.last_used_service for key in user.active_keys if key.last_used_service})
    yield Problem(
        resource=user.arn,
        message=(
            f"{user.name} has {len(user.active_keys)} active access key(s) and no console "
            "password: a workload identity that should be a role"
        ),
        evidence=MappingProxyType(
            {
                "slots": tuple(key.slot for key in user.active_keys),
                "last_used": iso(max(last_used)) if last_used else None,
                "last_used_services": tuple(services),
            }
        ),
    )
