"""``keyless plan --check`` of the roles a plan creates (OIDC roles, Roles Anywhere
roles, workload roles): unique names not already taken in the account, each backed by the
user whose target names it, valid inline policies and existing managed policies no more
than IAM attaches, and for an OIDC role its provider, audience and subjects (within its
repositories, no wildcard under ``StringEquals``) and a trust policy IAM takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.errors import quoted
from keyless.plan.checking import Checker, inline, references
from keyless.plan.links import foreign_subjects
from keyless.plan.model import Destination, provider_note
from keyless.plan.partition import STS_AUDIENCES, arn_partition
from keyless.plan.providers import account_provider_problems, provider_problems
from keyless.plan.quotas import managed_policy_problems, trust_length_problems
from keyless.plan.targets import platform_provider
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS
from keyless.plan.tenants import tenant_problems

ROLE_LISTS = {
    "oidc_roles": Destination.OIDC_ROLE,
    "roles_anywhere": Destination.ROLES_ANYWHERE,
    "workload_roles": Destination.WORKLOAD_ROLE,
}


def check_roles(c: Checker) -> None:
    """Every role list of the plan, and each user's target role found in it."""
    names: dict[tuple[str, str], str] = {}
    for list_name, destination in ROLE_LISTS.items():
        for index, role in enumerate(c.document[list_name]):
            pointer = f"/{list_name}/{index}"
            key = (role["account"], role["name"].lower())
            if key in names:
                c.fail(
                    f"{pointer}/name",
                    f"role name {quoted(role['name'])} is used twice ({names[key]})",
                )
            names[key] = pointer
            _quotas(c, pointer, list_name, role)
            account = c.accounts.get(role["account"])
            if account is None:
                c.fail(f"{pointer}/account", f"account {role['account']} is not in the inventory")
                continue
            if key[1] in {r.name.lower() for r in account.roles}:
                c.fail(
                    f"{pointer}/name",
                    f"account {account.id} already has a role {quoted(role['name'])}",
                )
            found = c.entries.get(role["user"])
            if found is None:
                c.fail(f"{pointer}/user", f"{role['user']} is not a user of the plan")
            elif Destination(found[1]["destination"]) is not destination:
                c.fail(f"{pointer}/user", f"{role['user']}'s destination is not {destination}")
            elif (found[1]["target"] or {}).get("role") != role["name"]:
                c.fail(
                    f"{pointer}/user",
                    f"{role['user']} does not name {quoted(role['name'])} as target",
                )
            elif found[1]["account"] != role["account"]:
                c.fail(f"{pointer}/account", "a role replaces a user of its own account")
            inline(c, f"{pointer}/permissions/inline_policy", role["permissions"]["inline_policy"])
            references(c, f"{pointer}/permissions", role["permissions"], [role["account"]])
            if list_name == "oidc_roles":
                _oidc(c, pointer, role)
            elif list_name == "roles_anywhere" and role["common_name_source"] == "proposed":
                c.open_items.append(f"role {role['name']}: certificate CN only proposed")
    for arn, (index, entry) in c.entries.items():
        destination = Destination(entry["destination"])
        role_name = (entry["target"] or {}).get("role")
        if destination.is_role and role_name:
            list_name = next(k for k, v in ROLE_LISTS.items() if v is destination)
            if (entry["account"], role_name.lower()) not in names or not any(
                r["name"] == role_name and r["user"] == arn for r in c.document[list_name]
            ):
                c.fail(f"/users/{index}/target", f"unknown role {quoted(role_name)} in {list_name}")


def _quotas(c: Checker, pointer: str, list_name: str, role: Mapping[str, Any]) -> None:
    """AWS's quotas the role must fit, as ``generate`` holds it to them
    (:mod:`keyless.plan.quotas`): its managed policies, and an OIDC role's trust policy."""
    found = list(managed_policy_problems(f"{pointer}/permissions", role["permissions"]))
    if list_name == "oidc_roles":
        found.extend(trust_length_problems(pointer, role))
    for where, message in found:
        c.fail(where, message)


def _oidc(c: Checker, pointer: str, role: Mapping[str, Any]) -> None:
    if not role["subjects"]:
        c.open_items.append(f"role {role['name']}: no subjects yet (--workflows)")
    _provider_audience(c, pointer, role)
    for index, subject in enumerate(role["subjects"]):
        value = subject["value"]
        if subject["operator"] == "StringEquals" and any(ch in value for ch in "*?"):
            c.fail(
                f"{pointer}/subjects/{index}",
                f"{quoted(value)} has a wildcard, which StringEquals compares literally",
            )
    if role["platform"] in TENANT_PLATFORMS:
        for where, message in tenant_problems(role):
            c.fail(f"{pointer}{where}", message)
        return
    partition = arn_partition(role["user"]) or "aws"
    if partition not in STS_AUDIENCES:
        c.fail(
            f"{pointer}/user",
            f"keyless does not know the values of the partition {quoted(partition)}",
        )
        return
    issuer, audience = platform_provider(role["platform"], partition)
    provider = role["provider"]
    if provider["issuer"] != issuer or provider["audience"] != audience:
        c.fail(f"{pointer}/provider", f"{role['platform']} tokens come from {issuer} ({audience})")
    values = [subject["value"] for subject in role["subjects"]]
    for index in foreign_subjects(role["platform"], role["repositories"], values):
        c.fail(
            f"{pointer}/subjects/{index}",
            f"{quoted(values[index])} is not a subject of the role's repositories",
        )


def _provider_audience(c: Checker, pointer: str, role: Mapping[str, Any]) -> None:
    """A provider ARN that is not the account's provider of the role's issuer is a problem
    (:mod:`.providers`); a reused provider whose client IDs, as the inventory reads them,
    lack the role's audience or are unknown is an open item
    (:func:`keyless.plan.targets.oidc_provider`)."""
    provider = role["provider"]
    account = c.accounts[role["account"]]
    wrong = [*provider_problems(role), *account_provider_problems(role, account)]
    for where, message in wrong[:1]:
        c.fail(f"{pointer}{where}", message)
    if wrong:
        return
    found = next((p for p in account.oidc_providers if p.arn == provider["arn"]), None)
    if found is None:
        return
    note = provider_note(found.arn, provider["audience"], found.client_ids or None)
    if note:
        c.open_items.append(f"role {role['name']}: {note}")
