"""``keyless plan --check`` of the roles a plan creates (OIDC roles, Roles Anywhere
roles, workload roles) against the inventory: names not already taken in the account,
each backed by the user whose target names it, managed policies the account has, and for
an OIDC role the account's provider. What a role must hold on its own (names, subjects,
inline policies, quotas) is :mod:`.consistency`'s, which ``plan --check`` runs too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.errors import quoted
from keyless.plan.checking import Checker, references
from keyless.plan.model import Destination, provider_note
from keyless.plan.providers import account_provider_problems, provider_problems
from keyless.plan.tenants import LINK_SYNTAX as TENANT_LINK_SYNTAX
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS

ROLE_LISTS = {
    "oidc_roles": Destination.OIDC_ROLE,
    "roles_anywhere": Destination.ROLES_ANYWHERE,
    "workload_roles": Destination.WORKLOAD_ROLE,
}


def check_roles(c: Checker) -> None:
    """Every role list of the plan, and each user's target role found in it."""
    names: set[tuple[str, str]] = set()
    for list_name, destination in ROLE_LISTS.items():
        for index, role in enumerate(c.document[list_name]):
            pointer = f"/{list_name}/{index}"
            key = (role["account"], role["name"].lower())
            names.add(key)
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


def _oidc(c: Checker, pointer: str, role: Mapping[str, Any]) -> None:
    if not role["subjects"]:
        # A CircleCI or Bitbucket role's subject comes from the link alone (no pipeline
        # file states the project's IDs); a GitHub or GitLab role's from --workflows.
        platform, user = role["platform"], c.inventory_users.get(role["user"])
        how = "--workflows"
        if platform in TENANT_PLATFORMS:
            how = f"--link {user.name if user else 'USER'}={TENANT_LINK_SYNTAX[platform]}"
        c.open_items.append(f"role {role['name']}: no subjects yet ({how})")
    _provider_audience(c, pointer, role)


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
