"""What to retire, user by user, and what must be true first.

Every user with a destination other than ``keep`` and ``undecided`` is listed with all
its access keys (active and inactive), whether it has a console password, its MFA
devices, and preconditions that ``keyless retire`` checks before it deletes anything.
Each precondition has a stable ``kind``:

==========================  ===============================================================
``target-in-use``           the replacement works: the Identity Center user signs in with
                            the permission set, the workflows assume the role, the host
                            presents its certificate, the service runs with its role
``key-replaced-by-sso``     a person's key: their CLI uses an ``aws configure sso`` profile
``workflows-use-oidc``      the workflows of the linked repositories assume the role
                            (``keyless workflows fix``) and pass no key
``no-use-since``            no key or password use after the date (re-read the credential
                            report right before deleting)
==========================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from keyless.dates import iso
from keyless.model import User
from keyless.plan.model import (
    Destination,
    KeyToRetire,
    Precondition,
    Retirement,
    UserPlan,
)


def retirements(
    plans: tuple[UserPlan, ...],
    users: Mapping[str, User],
    as_of: datetime,
    platforms: Mapping[str, str] | None = None,
) -> tuple[Retirement, ...]:
    """The credentials of every decided user, in plan order. ``platforms`` gives the CI
    platform of each OIDC role's user (by ARN): how its pipelines move to the role."""
    result = []
    for plan in plans:
        destination = plan.decision.destination
        if destination in (Destination.KEEP, Destination.UNDECIDED):
            continue
        user = users[plan.arn]
        if not (user.access_keys or user.login_profile or user.mfa_devices):
            preconditions: tuple[Precondition, ...] = ()
        else:
            platform = (platforms or {}).get(plan.arn, "")
            preconditions = _preconditions(plan, user, as_of, platform)
        result.append(
            Retirement(
                account=plan.account,
                user=plan.name,
                arn=plan.arn,
                keys=tuple(
                    KeyToRetire(
                        key.slot,
                        key.key_id,
                        key.active,
                        key.created,
                        key.last_used,
                        key.last_used_service,
                        key.last_used_region,
                    )
                    for key in user.access_keys
                ),
                console_password=user.login_profile is not None,
                mfa_devices=tuple(device.serial for device in user.mfa_devices),
                preconditions=preconditions,
            )
        )
    return tuple(result)


def _preconditions(
    plan: UserPlan, user: User, as_of: datetime, platform: str
) -> tuple[Precondition, ...]:
    destination = plan.decision.destination
    target = plan.target
    found: list[Precondition] = []
    if destination is Destination.IDENTITY_CENTER and target is not None:
        where = (
            f" with permission set {target.permission_set} in account {plan.account}"
            if target.permission_set
            else ""
        )
        found.append(
            Precondition(
                "target-in-use",
                f"{target.identity_center_user} signs in through Identity Center{where}",
            )
        )
        if user.active_keys:
            found.append(
                Precondition(
                    "key-replaced-by-sso",
                    f"the person's CLI and scripts use an `aws configure sso` profile instead "
                    f"of {_keys(user)}",
                )
            )
    elif destination is Destination.OIDC_ROLE and target is not None:
        # keyless rewrites GitHub and GitLab workflows; CircleCI and Bitbucket pipelines
        # are changed by hand, as the README of `keyless generate` says.
        how = {
            "circleci": "the CircleCI jobs that used {} assume role {} (the aws-cli orb's "
            "`role_arn`, as the README of `keyless generate` says) and pass no key",
            "bitbucket": "the Bitbucket Pipelines steps that used {} assume role {} "
            "(`oidc: true` and `AWS_ROLE_ARN`, as the README of `keyless generate` says) "
            "and pass no key",
        }.get(
            platform,
            "the workflows that used {} assume role {} (`keyless workflows fix "
            "--role-arn …`) and pass no key",
        )
        found.append(Precondition("workflows-use-oidc", how.format(_keys(user), target.role)))
    elif destination is Destination.ROLES_ANYWHERE and target is not None:
        found.append(
            Precondition(
                "target-in-use",
                f"the host signs in with IAM Roles Anywhere as role {target.role} "
                "(aws_signing_helper credential-process) instead of its key",
            )
        )
    elif destination is Destination.WORKLOAD_ROLE and target is not None:
        found.append(
            Precondition(
                "target-in-use",
                f"the workload runs with role {target.role} and its environment holds no key",
            )
        )
    found.append(
        Precondition(
            "no-use-since",
            f"no use of {user.name}'s keys or password after {_second(as_of)} once the replacement "
            "is live (re-read the credential report right before deleting)",
        )
    )
    return tuple(found)


def _keys(user: User) -> str:
    labels = [key.label for key in user.active_keys] or [key.label for key in user.access_keys]
    return ", ".join(labels) if labels else "its keys"


def _second(moment: datetime) -> str:
    """``moment`` to the second, as people read every other time of a plan: a plan made
    without ``--now`` is as of the clock, microseconds and all (the document's ``as_of``
    keeps them; this is the text of a precondition)."""
    return iso(moment.replace(microsecond=0)) or ""
