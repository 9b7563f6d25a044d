"""What AWS Organizations says of the organization and its accounts, read strictly.

Every account ID becomes a role ARN to assume, an account of the inventory, a file name
of a shard's snapshot and a key of the history database, so an answer keyless cannot
read (an account without its ``Id``, an ID that is not 12 digits, a name that is no
string, one account listed twice) is not collected: the organization could not be read
(exit code 3), said with the entry. Before, such an answer stopped the collection with a
traceback, or an account listed twice was collected twice and an ID such as ``../x``
reached the inventory.
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.collect.formats.names import name_problem
from keyless.errors import AwsUnavailable, quoted
from keyless.model.arn import is_account_id

#: ``Account.State`` and the deprecated ``Status`` it supersedes, as AWS documents them.
#: https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
_STATES = frozenset({"PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"})
_STATUSES = frozenset({"ACTIVE", "SUSPENDED", "PENDING_CLOSURE"})


@dataclass(frozen=True, slots=True)
class MemberAccount:
    """An account as AWS Organizations lists it."""

    id: str
    name: str | None
    email: str | None
    state: str
    #: Why the account is not collected although it may be active, or ``None``: a state
    #: AWS does not document (an answer altered on its way, a state added since) is not
    #: known to be inactive, and a name or email outside AWS's grammar would make the
    #: snapshot unreadable, so such an account is unread (exit code 3), never skipped as
    #: if it were suspended nor collected with what AWS never holds.
    unreadable: str | None = None

    @property
    def is_active(self) -> bool:
        """Only active accounts can be collected."""
        return self.state == "ACTIVE"


def member_accounts(pages: Iterable[Mapping[str, Any]]) -> list[MemberAccount]:
    """The accounts of ``ListAccounts``' pages; :class:`AwsUnavailable` for an entry
    that cannot be read or an account listed twice."""
    members: list[MemberAccount] = []
    seen: set[str] = set()
    entries = [entry for page in pages for entry in _listed(page.get("Accounts"))]
    for index, entry in enumerate(entries):
        member = _member(entry, index)
        if member.id in seen:
            raise _unreadable("ListAccounts", f"account {member.id} is listed twice")
        seen.add(member.id)
        members.append(member)
    return members


def organization_ids(organization: Any) -> tuple[str, str]:
    """``DescribeOrganization``'s organization ID and management account ID (``""``
    when not given)."""
    if not isinstance(organization, Mapping):
        raise _unreadable("DescribeOrganization", "no Organization object")
    found = organization.get("Id")
    if not isinstance(found, str) or name_problem("OrganizationId", found) is not None:
        raise _unreadable("DescribeOrganization", f"Id {quoted(found)} is no organization ID")
    management = organization.get("MasterAccountId") or ""
    if management and not (
        isinstance(management, str) and name_problem("AccountId", management) is None
    ):
        raise _unreadable(
            "DescribeOrganization", f"MasterAccountId {quoted(management)} is no account ID"
        )
    return found, management


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _unreadable("ListAccounts", "Accounts is not a list")
    return value


def _member(entry: Any, index: int) -> MemberAccount:
    where = f"account {index + 1} of the listing"
    if not isinstance(entry, Mapping):
        raise _unreadable("ListAccounts", f"{where} is not an object")
    account_id = entry.get("Id")
    if account_id is None:
        raise _unreadable("ListAccounts", f"{where} has no Id")
    if not isinstance(account_id, str) or not is_account_id(account_id):
        raise _unreadable("ListAccounts", f"{where}: Id {quoted(account_id)} is no account ID")
    texts = {}
    for field in ("Name", "Email", "State", "Status"):
        value = entry.get(field)
        if value is not None and not isinstance(value, str):
            raise _unreadable("ListAccounts", f"account {account_id}: {field} is no string")
        texts[field] = value
    # ``State`` supersedes the deprecated ``Status`` (ACTIVE, SUSPENDED, ...).
    state, known = (texts["State"], _STATES) if texts["State"] else (texts["Status"], _STATUSES)
    unreadable = None
    if state not in known:
        unreadable = (
            f"AWS Organizations gives the account the state {quoted(state or '')}, which"
            " keyless does not know: not collected"
        )
    for field, grammar in (("Name", "AccountName"), ("Email", "AccountEmail")):
        value = texts[field]
        problem = name_problem(grammar, value) if value is not None else None
        if problem is not None:
            unreadable = (
                "AWS Organizations lists the account with a name keyless cannot keep"
                f" ({problem}): not collected"
            )
            texts["Name"] = texts["Email"] = None  # never written where AWS's are read
    return MemberAccount(
        id=account_id,
        name=texts["Name"],
        email=texts["Email"],
        state=state or "",
        unreadable=unreadable,
    )


class UnreadableAnswer(AwsUnavailable):
    """An answer of AWS Organizations keyless cannot read; ``what`` says what is wrong
    (an export's file holding it says so with the file's name instead)."""

    def __init__(self, operation: str, what: str):
        super().__init__(
            f"AWS Organizations answered {operation} with what keyless cannot read ({what}):"
            " the organization could not be read",
            hint="Run again; if the answer stays the same, compare it with `aws organizations"
            " list-accounts` (an endpoint or proxy may be altering it).",
        )
        self.what = what


def _unreadable(operation: str, what: str) -> UnreadableAnswer:
    return UnreadableAnswer(operation, what)
