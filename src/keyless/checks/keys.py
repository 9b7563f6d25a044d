"""Checks on IAM users' access keys: age, use, and how many are active.

Each finding names one key by its slot (``access key 1`` or ``2``, as the credential
report knows it) and its user; the resource is the user's ARN.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from keyless.checks.registry import CheckContext, Scope, check
from keyless.dates import days_since, iso
from keyless.errors import NotDecided
from keyless.findings import Problem, Severity
from keyless.model import AccessKey, Dataset, User

ROTATE_TO_ROLES = (
    "Replace the key with temporary credentials: an IAM role assumed through OIDC "
    "federation for CI/CD, IAM Roles Anywhere for on-premises workloads, an instance or "
    "task role on AWS, IAM Identity Center for people (`aws sso login`); for CI "
    "pipelines `keyless workflows fix` rewrites the workflow to OIDC. If the key must "
    "stay for now, create a second key, move its consumers, then deactivate and delete "
    "the old one."
)


def key_name(key: AccessKey, user: User) -> str:
    """``access key 1 of alice``: the slot, never the full key ID, in messages."""
    return f"access key {key.slot} of {user.name}"


class UndatedKey(NotDecided):
    """An active access key whose creation date is unknown (an edited snapshot, a live
    answer without ``CreateDate``): its age cannot be judged, so the user is not evaluated
    by the check that needed it, never passed. AWS dates every key (``ListAccessKeys``'
    ``CreateDate``, the credential report's ``access_key_N_last_rotated``)."""

    def __init__(self, key: AccessKey):
        super().__init__(f"access key {key.slot} has no creation date: its age is unknown")


def key_evidence(key: AccessKey, **extra: Any) -> Mapping[str, Any]:
    """The facts about ``key`` a finding carries, plus ``extra``."""
    return MappingProxyType(
        {
            "slot": key.slot,
            "key_id": key.key_id,
            "created": iso(key.created),
            "last_used": iso(key.last_used),
            "last_used_service": key.last_used_service,
            **extra,
        }
    )


@check(
    "key-not-rotated",
    title="Access key not rotated",
    severity=Severity.HIGH,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=ROTATE_TO_ROLES,
)
def key_not_rotated(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """An active access key is older than the maximum age (default 90 days).

    The longer a key lives, the more places it has been copied to (CI secrets, laptops,
    config files, logs) and the longer a leaked copy stays useful to an attacker. AWS
    recommends rotating access keys regularly:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console

    A user with an active key whose creation date is unknown is not evaluated (after its
    other keys are judged), never passed.
    """
    limit = ctx.thresholds.key_max_age_days
    undated: AccessKey | None = None
    for key in user.active_keys:
        if key.created is None:
            undated = undated or key
            continue
        age = days_since(ctx.now, key.created)
        if age > limit:
            yield Problem(
                resource=user.arn,
                message=f"{key_name(key, user)} is {age} days old (limit {limit})",
                evidence=key_evidence(key, age_days=age, limit_days=limit),
            )
    if undated is not None:
        raise UndatedKey(undated)


@check(
    "key-unused",
    title="Active access key unused",
    severity=Severity.HIGH,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=(
        "Deactivate the key (it can be reactivated if something breaks), wait a few weeks, "
        "then delete it. A key nobody uses is pure risk: there is nothing to migrate."
    ),
)
def key_unused(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """An active access key has not been used recently (default 45 days), or was never
    used and is older than a short grace period (default 7 days).

    An unused active key gives nothing and can still be leaked and abused; its owner is
    unlikely to notice when it is. AWS recommends removing unused credentials:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials

    A user with an active key never used whose creation date is unknown (the grace period
    cannot be counted) is not evaluated, never passed.
    """
    unused_limit = ctx.thresholds.key_unused_days
    grace = ctx.thresholds.key_never_used_grace_days
    undated: AccessKey | None = None
    for key in user.active_keys:
        if key.last_used is not None:
            idle = days_since(ctx.now, key.last_used)
            if idle > unused_limit:
                yield Problem(
                    resource=user.arn,
                    message=(
                        f"{key_name(key, user)} was last used {idle} days ago "
                        f"(limit {unused_limit})"
                    ),
                    evidence=key_evidence(key, idle_days=idle, limit_days=unused_limit),
                )
        elif key.created is not None:
            age = days_since(ctx.now, key.created)
            if age > grace:
                yield Problem(
                    resource=user.arn,
                    message=(
                        f"{key_name(key, user)} has never been used and is {age} days old "
                        f"(grace {grace})"
                    ),
                    evidence=key_evidence(key, age_days=age, limit_days=grace),
                )
        else:
            undated = undated or key
    if undated is not None:
        raise UndatedKey(undated)


@check(
    "key-two-active",
    title="User has two active access keys",
    severity=Severity.MEDIUM,
    scope=Scope.USER,
    requires=(Dataset.CREDENTIAL_REPORT,),
    remediation=(
        "Finish the rotation: find which key is still in use (last-used date and service), "
        "move its consumers to the newer key, then deactivate and delete the other. Better, "
        "replace both with a role (OIDC federation, Roles Anywhere, Identity Center)."
    ),
)
def key_two_active(user: User, ctx: CheckContext) -> Iterator[Problem]:
    """A user has two active access keys at once.

    Two keys exist to allow rotation without downtime; both staying active means a
    rotation was started and never finished, doubling what can leak. See
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
    """
    active = user.active_keys
    if len(active) >= 2:
        yield Problem(
            resource=user.arn,
            message=f"{user.name} has {len(active)} active access keys",
            evidence=MappingProxyType(
                {
                    "slots": tuple(key.slot for key in active),
                    "key_ids": tuple(key.key_id for key in active),
                    "created": tuple(iso(key.created) for key in active),
                    "last_used": tuple(iso(key.last_used) for key in active),
                }
            ),
        )
