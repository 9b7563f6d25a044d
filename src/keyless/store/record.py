"""A recorded scan: the facts about an estate at one moment that later comparisons need.

A :class:`ScanRecord` is what ``keyless scan --record`` keeps, what ``keyless diff``
compares and what ``keyless history`` counts: the accounts and whether each was read,
every IAM user and access key (identifiers, dates and flags only: no secret ever), every
finding, and which checks could not run where (so a finding that disappears from an
account the check could not evaluate is *unverified*, never *fixed*).

It is built from a :class:`~keyless.engine.ScanResult` (:func:`record_of_result`) or read
back from a ``keyless/scan/v1`` JSON document (:mod:`keyless.store.documents`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from keyless import __version__
from keyless.config import Ignore
from keyless.dates import iso
from keyless.engine import ScanResult, select_checks
from keyless.findings import Finding, Severity
from keyless.model import AccessKey, Account, AccountStatus, User


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account of the estate and whether it could be read (``scanned``, ``failed`` or
    ``skipped``): only a scanned account's users, keys and findings are known."""

    id: str
    label: str
    status: str
    error: str | None = None

    @property
    def is_scanned(self) -> bool:
        """True when the account's IAM was read."""
        return self.status == AccountStatus.SCANNED.value


@dataclass(frozen=True, slots=True)
class UserRecord:
    """An IAM user, by ARN (stable across scans while the user exists)."""

    account: str
    arn: str
    name: str
    console_access: bool
    mfa_active: bool


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """An access key of a user. The credential report knows keys by slot, not ID, so a
    key is identified by its ID when known, else by its creation time (a new key in the
    same slot is another key), else by its slot."""

    account: str
    user_arn: str
    slot: int
    key_id: str | None
    active: bool
    created: datetime | None
    last_used: datetime | None

    @property
    def identity(self) -> tuple[str, str]:
        """What makes this key the same key in two scans."""
        return (self.user_arn, key_discriminator(self.key_id, iso(self.created), self.slot))

    @property
    def label(self) -> str:
        """``AKIA…`` or ``access key 2 of alice``."""
        user = self.user_arn.rsplit("/", 1)[-1]
        return self.key_id or f"access key {self.slot} of {user}"


def key_discriminator(key_id: str | None, created: str | None, slot: object) -> str:
    """The part of a key's identity that tells it from the user's other keys."""
    if key_id:
        return key_id
    if created:
        return f"created {created}"
    return f"slot {slot}"


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """A finding as a comparison sees it. ``subject`` is the resource, plus the key for
    a finding about one access key (a user's two keys are two subjects)."""

    check: str
    severity: Severity
    account: str
    resource: str
    subject: str
    message: str

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes this finding the same finding in two scans (not its message: an
        age in it grows every day)."""
        return (self.check, self.account, self.subject)


@dataclass(frozen=True, slots=True)
class NotEvaluatedRecord:
    """A check that could not run on an account in this scan, and why."""

    check: str
    account: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """Everything a comparison or a history needs from one scan."""

    scanned_at: datetime
    source: str
    organization: str | None
    complete: bool
    accounts: tuple[AccountRecord, ...]
    users: tuple[UserRecord, ...]
    keys: tuple[KeyRecord, ...]
    findings: Sequence[FindingRecord]
    """A tuple, or for the record of a scan result a :class:`FindingRecords` view that
    makes each record as it is read (an organization's findings are never all held)."""
    not_evaluated: tuple[NotEvaluatedRecord, ...] = ()
    collected_at: datetime | None = None
    # Not compared: the store keeps neither (it keeps the checks not run as not_evaluated),
    # and a record read back from it is the record that was written.
    suppressed: tuple[FindingRecord, ...] = field(default=(), compare=False)
    """The findings the scan's configuration ignored (a recorded scan does not keep them:
    empty). A finding gone from the newer scan because it is ignored there is not fixed."""
    keyless_version: str = __version__
    has_identities: bool = True
    checks_run: frozenset[str] | None = field(default=None, compare=False)
    """The checks the scan ran (a scan document's ``check_runs``), or None when every
    check not in :attr:`not_evaluated` ran. A scan limited with ``--checks`` ran the
    others nowhere: their findings are not fixed by it."""
    unused_ignores: tuple[Ignore, ...] | None = field(default=None, compare=False)
    """The configuration's ignores that accepted no finding when keyless ran the checks
    for this record (a snapshot's, a scan's), or None when it ran none here: a scan
    document or a recorded scan had its ignores applied when it was made."""

    def coverage(self) -> Callable[[str, str], bool]:
        """A predicate ``(check, account)``: True when the check ran on the account (a
        scanned account the check did not skip, of a check the scan ran)."""
        scanned = {a.id for a in self.accounts if a.is_scanned}
        skipped = {(n.check, n.account) for n in self.not_evaluated}
        ran = self.checks_run
        return lambda check, account: (
            account in scanned and (ran is None or check in ran) and (check, account) not in skipped
        )


def finding_subject(resource: str, evidence: Mapping[str, Any]) -> str:
    """The resource, with the key appended for a finding about one access key (its
    evidence has the key's ``slot``)."""
    if "slot" not in evidence:
        return resource
    created = evidence.get("created")
    key = key_discriminator(
        _text_or_none(evidence.get("key_id")),
        created if isinstance(created, str) else None,
        evidence.get("slot"),
    )
    return f"{resource}#{key}"


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def record_of_result(result: ScanResult) -> ScanRecord:
    """The record of an estate scan."""
    inventory = result.estate
    return ScanRecord(
        scanned_at=result.now,
        source=inventory.origin,
        organization=inventory.organization.id if inventory.organization else None,
        complete=result.is_complete,
        accounts=tuple(_account(a) for a in inventory.accounts),
        users=tuple(_user(u) for a in inventory.scanned_accounts for u in a.users),
        keys=tuple(
            _key(u, k) for a in inventory.scanned_accounts for u in a.users for k in u.access_keys
        ),
        findings=FindingRecords(result.findings),
        not_evaluated=(
            *(
                NotEvaluatedRecord(run.check.id, gap.account, gap.reason)
                for run in result.check_runs
                for gap in run.not_evaluated
            ),
            *_not_selected(result),
        ),
        collected_at=inventory.collected_at,
        checks_run=frozenset(run.check.id for run in result.check_runs),
        suppressed=tuple(_finding(s.finding) for s in result.suppressed),
        unused_ignores=result.unused_ignores,
    )


#: Why a check a scan limited with ``--checks`` left out did not run on an account.
NOT_SELECTED = "not run: not among the checks selected (--checks)"


def _not_selected(result: ScanResult) -> Iterator[NotEvaluatedRecord]:
    """For a scan limited with ``--checks``: every other check, as not evaluated on every
    scanned account. A recorded scan keeps which checks could not run where, not which
    ran, so this is how the store remembers that the others did not (none for a scan of
    every check)."""
    ran = {run.check.id for run in result.check_runs}
    scanned = [account.id for account in result.estate.scanned_accounts]
    for check in select_checks(None):
        if check.id not in ran:
            yield from (NotEvaluatedRecord(check.id, account, NOT_SELECTED) for account in scanned)


class FindingRecords(Sequence[FindingRecord]):
    """The records of a scan's findings, made as they are read: ``Store.record`` writes
    them to the store one by one, so the findings of a large organization (held packed by
    the scan) are never all unpacked at once. Equal to any sequence of the same records."""

    __slots__ = ("_findings",)

    def __init__(self, findings: Sequence[Finding]) -> None:
        self._findings = findings

    def __len__(self) -> int:
        return len(self._findings)

    @overload
    def __getitem__(self, index: int) -> FindingRecord: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[FindingRecord, ...]: ...

    def __getitem__(self, index: int | slice) -> FindingRecord | tuple[FindingRecord, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        return _finding(self._findings[index])

    def __iter__(self) -> Iterator[FindingRecord]:
        return map(_finding, self._findings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"FindingRecords({len(self)} findings)"


def _account(account: Account) -> AccountRecord:
    return AccountRecord(account.id, account.label, account.status.value, account.error)


def _user(user: User) -> UserRecord:
    return UserRecord(
        account=user.account_id,
        arn=user.arn,
        name=user.name,
        console_access=user.has_console_access,
        mfa_active=user.has_mfa,
    )


def _key(user: User, key: AccessKey) -> KeyRecord:
    return KeyRecord(
        account=user.account_id,
        user_arn=user.arn,
        slot=key.slot,
        key_id=key.key_id,
        active=key.active,
        created=key.created,
        last_used=key.last_used,
    )


def _finding(finding: Finding) -> FindingRecord:
    return FindingRecord(
        check=finding.check,
        severity=finding.severity,
        account=finding.account,
        resource=finding.resource,
        subject=finding_subject(finding.resource, finding.evidence),
        message=finding.message,
    )
