"""AWS's quotas a plan's roles must fit, measured once for ``keyless plan --check`` and
``keyless generate`` (which imports the plan layer, never the other way round).

* **Role trust policy length** (IAM): an OIDC role's trust policy is built from the plan
  by :func:`oidc_trust` (the very document ``generate`` writes, its provider as a concrete
  ARN) and measured as IAM counts it (:func:`keyless.policy.limits.trust_policy_size`):
  past :data:`~keyless.policy.limits.AWS_TRUST_POLICY_MAXIMUM` IAM refuses the role
  whatever its quota, a problem; past
  :data:`~keyless.policy.limits.AWS_TRUST_POLICY_DEFAULT` the quota must be raised first.
* **Managed policies per role** (IAM): 10 by default, 25 at most once raised
  ("Managed policies per role", IAM object quotas,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html; older
  versions of the page said 20).
* **AWS managed and customer managed policies per permission set** (Identity Center): 20,
  not raised (and each account's role takes IAM's 10 unless raised there)
  (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
* **Roles per account** (IAM): 1,000 by default, 5,000 at most once raised (IAM object
  quotas): a plan creating more roles in one account than the maximum is refused (IAM
  would refuse the roles past it, after the others were created); past the default, with
  the roles the account has, :func:`quota_warnings` says to raise the quota first.
* **Provisioned permission sets per AWS account** (Identity Center): 250 by default,
  raised on request (the same page), and 500 in the China Regions (``aws-cn``: the China
  partition's copy of the page,
  https://docs.amazonaws.cn/en_us/singlesignon/latest/userguide/limits.html; GovCloud (US)
  documents no difference, https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-sso.html).
  A plan past it is not refused, the quota can be raised: :func:`quota_warnings` says so,
  with the quota of the account's partition (its users' ARNs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from keyless.model import Inventory
from keyless.plan.partition import arn_partition
from keyless.plan.providers import provider_arn
from keyless.policy.limits import (
    AWS_TRUST_POLICY_DEFAULT,
    AWS_TRUST_POLICY_MAXIMUM,
    trust_policy_size,
)

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
#: The most managed policies IAM attaches to a role (its quota raised to the maximum).
ROLE_MANAGED_POLICIES = 25
#: The default of that quota.
ROLE_MANAGED_POLICIES_DEFAULT = 10
#: The most AWS managed and customer managed policies a permission set takes (not raised).
PERMISSION_SET_MANAGED_POLICIES = 20
#: The most roles IAM holds in one account (its quota raised to the maximum).
ROLES_PER_ACCOUNT = 5_000
#: The default of that quota.
ROLES_PER_ACCOUNT_DEFAULT = 1_000
_ROLE_LISTS = ("oidc_roles", "roles_anywhere", "workload_roles")
#: Identity Center's default quota of permission sets provisioned in one account.
PROVISIONED_PERMISSION_SETS = 250
#: The same quota where a partition's documentation gives another figure.
PROVISIONED_PERMISSION_SETS_IN = MappingProxyType({"aws-cn": 500})


def oidc_trust(
    entry: Mapping[str, Any], partition: str, principal: Callable[[str], object] = str
) -> dict[str, Any]:
    """The trust policy of the plan's OIDC role ``entry``: the audience and the exact
    subjects pinned with ``StringEquals`` (values are ORed), the subjects the plan records
    as patterns in a statement of their own under ``StringLike`` (two operators on one key
    in one statement must both hold).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html

    ``principal`` turns the provider's ARN into the ``Federated`` value (``generate``
    passes its placeholder, which becomes a reference to the provider it creates)."""
    account, issuer = entry["account"], entry["provider"]["issuer"]
    audience = entry["provider"]["audience"]
    federated = principal(provider_arn(account, issuer, partition))
    exact = sorted(s["value"] for s in entry["subjects"] if s["operator"] == "StringEquals")
    patterns = sorted(s["value"] for s in entry["subjects"] if s["operator"] == "StringLike")
    statements: list[dict[str, Any]] = []
    groups = (("Exact", "StringEquals", exact), ("Pattern", "StringLike", patterns))
    for sid, operator, values in groups:
        if not values:
            continue
        condition: dict[str, Any] = {"StringEquals": {f"{issuer}:aud": audience}}
        condition.setdefault(operator, {})[f"{issuer}:sub"] = values
        statements.append(
            {
                "Sid": f"{sid}Subjects",
                "Effect": "Allow",
                "Principal": {"Federated": federated},
                "Action": WEB_IDENTITY,
                "Condition": condition,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def oidc_trust_length(entry: Mapping[str, Any]) -> int:
    """The characters IAM counts in the trust policy of the OIDC role ``entry`` (0 for a
    role without subjects: none is written)."""
    if not entry["subjects"]:
        return 0
    return trust_policy_size(oidc_trust(entry, arn_partition(entry["user"]) or "aws"))


def trust_length_problems(pointer: str, entry: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(pointer, message)`` when the OIDC role ``entry``'s trust policy is longer than
    IAM takes with its quota raised to the maximum: every subject is a value of the
    policy, and IAM would refuse the role at deploy, after part of the code was applied."""
    size = oidc_trust_length(entry)
    if size > AWS_TRUST_POLICY_MAXIMUM:
        yield (
            f"{pointer}/subjects",
            f"role {entry['name']}'s trust policy would be {size:,} characters: IAM takes"
            f" {AWS_TRUST_POLICY_DEFAULT:,} ({AWS_TRUST_POLICY_MAXIMUM:,} once the quota is"
            " raised); split its repositories or subjects across roles",
        )


def managed_policy_problems(
    pointer: str, permissions: Mapping[str, Any], *, permission_set: bool = False
) -> Iterator[tuple[str, str]]:
    """``(pointer, message)`` when a role's (or with ``permission_set`` a permission set's)
    managed policies are more than AWS attaches (see the module doc)."""
    attached = len(permissions["aws_managed_policies"]) + len(
        permissions["customer_managed_policies"]
    )
    if permission_set and attached > PERMISSION_SET_MANAGED_POLICIES:
        yield (
            pointer,
            f"{attached} managed policies: Identity Center attaches"
            f" {PERMISSION_SET_MANAGED_POLICIES} to a permission set at most (AWS managed and"
            " customer managed together); merge some into the inline policy",
        )
    if not permission_set and attached > ROLE_MANAGED_POLICIES:
        yield (
            pointer,
            f"{attached} managed policies: IAM attaches {ROLE_MANAGED_POLICIES} to a role at most"
            f" ({ROLE_MANAGED_POLICIES_DEFAULT} unless the quota is raised); merge some into the"
            " inline policy",
        )


def permission_set_warnings(
    document: Mapping[str, Any], inventory: Inventory | None = None
) -> tuple[str, ...]:
    """One line per account where the plan's assignments would bring the permission sets
    provisioned there past Identity Center's default quota: the plan's own, and with
    ``inventory`` the ones already assigned there (an Identity Center assignment
    provisions its permission set in the account; one provisioned without an assignment
    is not seen, so the count is a floor). Sets are told apart by name, ignoring case,
    as Identity Center names them."""
    planned: dict[str, set[str]] = defaultdict(set)
    for assignment in document["identity_center"]["assignments"]:
        planned[assignment["account"]].add(assignment["permission_set"].lower())
    existing: dict[str, set[str]] = defaultdict(set)
    center = (
        inventory.organization.identity_center if inventory and inventory.organization else None
    )
    if center is not None:
        names = {s.arn: s.name.lower() for s in center.permission_sets}
        for given in center.assignments:
            name = names.get(given.permission_set_arn, given.permission_set_arn)
            existing[given.account_id].add(name)
    partitions = {
        user["account"]: arn_partition(user["arn"]) or "aws" for user in document["users"]
    }
    warnings = []
    for account in sorted(planned):
        new = planned[account] - existing[account]
        total = len(new) + len(existing[account])
        quota = provisioned_permission_sets(partitions.get(account, "aws"))
        if new and total > quota:
            already = (
                f", {len(existing[account])} assigned there already" if existing[account] else ""
            )
            warnings.append(
                f"account {account}: the plan provisions {len(new)} permission sets there"
                f"{already}: {total} in all, past Identity Center's {quota}"
                ' per account unless raised; raise "Number of provisioned permission sets'
                ' allowed per AWS account" (Service Quotas) first, or the assignments past'
                " it fail"
            )
    return tuple(warnings)


def provisioned_permission_sets(partition: str) -> int:
    """Identity Center's default quota of permission sets provisioned in one account of
    ``partition`` (see the module doc)."""
    return PROVISIONED_PERMISSION_SETS_IN.get(partition, PROVISIONED_PERMISSION_SETS)


def role_count_problems(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(pointer, message)`` for each account where the plan creates more roles than IAM
    holds in one account with its quota at the maximum, at the first role past it."""
    counts: dict[str, int] = defaultdict(int)
    for list_name in _ROLE_LISTS:
        for index, role in enumerate(document[list_name]):
            counts[role["account"]] += 1
            if counts[role["account"]] == ROLES_PER_ACCOUNT + 1:
                yield (
                    f"/{list_name}/{index}",
                    f"account {role['account']}: the plan creates more than"
                    f" {ROLES_PER_ACCOUNT:,} roles there, the most IAM holds in an account"
                    f' ("Roles per account", {ROLES_PER_ACCOUNT_DEFAULT:,} unless raised);'
                    " give several users one role, or spread them over accounts",
                )


def role_count_warnings(
    document: Mapping[str, Any], inventory: Inventory | None = None
) -> tuple[str, ...]:
    """One line per account where the plan's roles, with the roles the account has (given
    ``inventory``), are more than IAM's default quota (the plan's alone past the maximum
    are a problem instead, :func:`role_count_problems`)."""
    planned: dict[str, int] = defaultdict(int)
    for list_name in _ROLE_LISTS:
        for role in document[list_name]:
            planned[role["account"]] += 1
    existing = {a.id: len(a.roles) for a in inventory.scanned_accounts} if inventory else {}
    warnings = []
    for account in sorted(planned):
        there = existing.get(account, 0)
        total = planned[account] + there
        if total <= ROLES_PER_ACCOUNT_DEFAULT or planned[account] > ROLES_PER_ACCOUNT:
            continue  # within the default, or a problem (role_count_problems)
        already = f", {there:,} there already" if there else ""
        advice = (
            f'raise "Roles per account" (Service Quotas, to {ROLES_PER_ACCOUNT:,} at most) first'
            if total <= ROLES_PER_ACCOUNT
            else f"that is past the {ROLES_PER_ACCOUNT:,} IAM holds at most: delete roles first"
        )
        warnings.append(
            f"account {account}: the plan creates {planned[account]:,} roles there{already}:"
            f" {total:,} in all, past IAM's {ROLES_PER_ACCOUNT_DEFAULT:,} per account unless"
            f" raised; {advice}, or the roles past it fail"
        )
    return tuple(warnings)


def quota_warnings(
    document: Mapping[str, Any], inventory: Inventory | None = None
) -> tuple[str, ...]:
    """Every quota the plan passes that can be raised (roles, provisioned permission
    sets per account): ``plan --check`` and ``generate`` print them, exit code unchanged."""
    return role_count_warnings(document, inventory) + permission_set_warnings(document, inventory)
