"""What every part of ``keyless plan --check`` shares: the :class:`Checker` that holds the
document, the inventory and the problems found, and the checks more than one part makes
against the inventory (customer managed policies present)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from keyless.config import Thresholds
from keyless.model import Account, Inventory, User
from keyless.plan.document import Problem
from keyless.plan.model import Destination, PolicyName
from keyless.plan.permissions import customer_managed_policy


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
    entries: Iterable[Mapping[str, Any]], *, key: str = "name"
) -> dict[str, tuple[int, Mapping[str, Any]]]:
    """``entries`` by lower-cased ``key`` with their index, the first of a name used twice
    (a problem of the document, :mod:`keyless.plan.consistency`)."""
    found: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for index, entry in enumerate(entries):
        found.setdefault(entry[key].lower(), (index, entry))
    return found


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
