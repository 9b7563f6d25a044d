"""What every part of ``keyless plan --check`` shares: the :class:`Checker` that holds the
document, the inventory and the problems found, and the checks more than one part makes
(names unique, inline policies valid and within AWS's grammar and size, customer managed
policies present)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from keyless.config import Thresholds
from keyless.errors import quoted
from keyless.model import Account, Inventory, User
from keyless.plan.document import Problem
from keyless.plan.model import Destination, PolicyName
from keyless.plan.permissions import customer_managed_policy
from keyless.plan.policy_grammar import inline_policy_problems


@dataclass
class Checker:
    """A plan being checked against its inventory, and what was found so far."""

    document: Mapping[str, Any]
    inventory: Inventory
    thresholds: Thresholds | None
    problems: list[Problem] = field(default_factory=list)
    open_items: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        accounts = self.inventory.scanned_accounts
        self.accounts: dict[str, Account] = {a.id: a for a in accounts}
        self.inventory_users: dict[str, User] = {u.arn: u for a in accounts for u in a.users}
        self.entries: dict[str, tuple[int, Mapping[str, Any]]] = {}
        self.users_account: dict[str, Account] = {u.arn: a for a in accounts for u in a.users}
        as_of = self.document["source"]["as_of"] or self.document["source"]["collected_at"]
        self.as_of = (
            datetime.fromisoformat(as_of.replace("Z", "+00:00")) if as_of else datetime.now(UTC)
        )

    def fail(self, pointer: str, message: str) -> None:
        """Record a problem at ``pointer``."""
        self.problems.append(Problem(pointer, message))

    def destination(self, arn: str) -> Destination | None:
        """The destination the plan gives the user ``arn``, if it lists it."""
        found = self.entries.get(arn)
        return Destination(found[1]["destination"]) if found else None


def unique_names(
    c: Checker,
    pointer: str,
    entries: Iterable[Mapping[str, Any]],
    *,
    key: str = "name",
    what: str = "name",
) -> dict[str, tuple[int, Mapping[str, Any]]]:
    """``entries`` by lower-cased ``key`` with their index; a name used twice is a
    problem (the second is left out)."""
    found: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for index, entry in enumerate(entries):
        name = entry[key].lower()
        if name in found:
            c.fail(f"{pointer}/{index}/{key}", f"{what} {quoted(entry[key])} is used twice")
            continue
        found[name] = (index, entry)
    return found


def inline(c: Checker, pointer: str, document: Any, *, permission_set: bool = False) -> None:
    """An inline policy (or None) that does not parse, or that IAM (with
    ``permission_set``, Identity Center) would refuse, is a problem at its pointer, as
    ``generate`` refuses it (:func:`keyless.plan.policy_grammar.inline_policy_problems`)."""
    for where, message in inline_policy_problems(pointer, document, permission_set=permission_set):
        c.fail(where, message)


def references(c: Checker, pointer: str, entry: Mapping[str, Any], accounts: Iterable[str]) -> None:
    """A customer managed policy ``entry`` names that one of ``accounts`` lacks is a
    problem."""
    for account_id in accounts:
        account = c.accounts.get(account_id)
        if account is None:
            continue
        for position, ref in enumerate(entry["customer_managed_policies"]):
            if customer_managed_policy(account, PolicyName(ref["name"], ref["path"])) is None:
                c.fail(
                    f"{pointer}/customer_managed_policies/{position}",
                    f"account {account_id} has no customer managed policy "
                    f"{ref['path']}{ref['name']}",
                )
