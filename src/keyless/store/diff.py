"""What changed between two scans of an estate, per account: users, access keys and
findings that were added, removed or fixed.

Nothing unread is reported as changed. Users and keys are compared only for an account
read in both scans; a finding that disappears is *suppressed* when the newer scan found it
and its configuration ignored it, else *fixed* only when its check ran on its account in
the newer scan, and *unverified* otherwise (the account could not be read, the check was
not evaluated there, or the account left the estate).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from keyless.config import Ignore
from keyless.engine import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE
from keyless.findings import Severity
from keyless.store.record import AccountRecord, FindingRecord, KeyRecord, ScanRecord, UserRecord


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two scans compared: what the user named, and when it describes."""

    name: str
    scanned_at: datetime
    source: str
    complete: bool


@dataclass(frozen=True, slots=True)
class UserChange:
    """A user in both scans whose console access or MFA changed (``user`` as it is now)."""

    user: UserRecord
    change: str


@dataclass(frozen=True, slots=True)
class AccountDiff:
    """One account's changes. ``old_status`` / ``new_status`` are ``None`` when the
    account is absent from that scan; ``identities_compared`` is False when users and
    keys could not be compared (the account was not read in one of the scans, or a
    document predates the users list)."""

    account: str
    label: str
    old_status: str | None
    new_status: str | None
    identities_compared: bool
    users_added: tuple[UserRecord, ...] = ()
    users_removed: tuple[UserRecord, ...] = ()
    users_changed: tuple[UserChange, ...] = ()
    keys_added: tuple[KeyRecord, ...] = ()
    keys_removed: tuple[KeyRecord, ...] = ()
    keys_deactivated: tuple[KeyRecord, ...] = ()
    keys_reactivated: tuple[KeyRecord, ...] = ()
    findings_new: tuple[FindingRecord, ...] = ()
    findings_fixed: tuple[FindingRecord, ...] = ()
    findings_unverified: tuple[FindingRecord, ...] = ()
    findings_unchanged: int = 0
    findings_suppressed: tuple[FindingRecord, ...] = ()
    """Gone from the newer scan's findings because its configuration ignores them: still
    there, so not fixed."""

    @property
    def has_changes(self) -> bool:
        """True when anything about the account changed, its status included."""
        return self.old_status != self.new_status or any(
            (
                self.users_added,
                self.users_removed,
                self.users_changed,
                self.keys_added,
                self.keys_removed,
                self.keys_deactivated,
                self.keys_reactivated,
                self.findings_new,
                self.findings_fixed,
                self.findings_unverified,
                self.findings_suppressed,
            )
        )


@dataclass(frozen=True, slots=True)
class Diff:
    """The changes from ``old`` to ``new``, per account (accounts of the newer scan
    first, in its order, then the accounts that left)."""

    old: Side
    new: Side
    accounts: tuple[AccountDiff, ...]
    unused_ignores: tuple[Ignore, ...] | None = None
    """The configuration's ignores that accepted no finding on any side whose checks ran
    with it (a snapshot), or None when neither side ran checks (documents and recorded
    scans had their ignores applied when they were made)."""

    def total(self, field: str) -> int:
        """The number of entries of ``field`` (``users_added``, ``findings_fixed``…) over
        every account."""
        if field == "findings_unchanged":
            return sum(account.findings_unchanged for account in self.accounts)
        return sum(len(getattr(account, field)) for account in self.accounts)

    def exit_code(self, fail_on: Severity = Severity.HIGH) -> int:
        """3 when the newer scan is incomplete, else 1 when it has a new finding at or
        above ``fail_on``, else 0."""
        if not self.new.complete:
            return EXIT_INCOMPLETE
        new = (f for a in self.accounts for f in a.findings_new)
        return EXIT_FINDINGS if any(f.severity >= fail_on for f in new) else EXIT_CLEAN


def compare(old: ScanRecord, new: ScanRecord, *, old_name: str, new_name: str) -> Diff:
    """The changes from ``old`` to ``new``."""
    old_accounts = {a.id: a for a in old.accounts}
    new_accounts = {a.id: a for a in new.accounts}
    order = [a.id for a in new.accounts] + [a for a in old_accounts if a not in new_accounts]
    old_by = _by_account(old)
    new_by = _by_account(new)
    # An organization check's finding may name an account neither scan lists (the
    # management account left out of the scan): compared too, never dropped.
    listed = set(order)
    order += [a for a in dict.fromkeys([*new_by, *old_by]) if a not in listed]
    ran = new.coverage()
    diffs = tuple(
        _account_diff(
            account,
            old_accounts.get(account),
            new_accounts.get(account),
            old_by[account],
            new_by[account],
            has_identities=old.has_identities and new.has_identities,
            ran=ran,
        )
        for account in order
    )
    return Diff(_side(old, old_name), _side(new, new_name), diffs, _unused_ignores(old, new))


def _unused_ignores(*records: ScanRecord) -> tuple[Ignore, ...] | None:
    """The ignores unused by every record whose checks ran with the configuration: a rule
    that hid a finding on one side is in use."""
    judged = [r.unused_ignores for r in records if r.unused_ignores is not None]
    if not judged:
        return None
    return tuple(i for i in judged[0] if all(i in unused for unused in judged[1:]))


def _side(record: ScanRecord, name: str) -> Side:
    return Side(name, record.collected_at or record.scanned_at, record.source, record.complete)


@dataclass
class _AccountFacts:
    users: list[UserRecord]
    keys: list[KeyRecord]
    findings: list[FindingRecord]
    suppressed: list[FindingRecord]


def _by_account(record: ScanRecord) -> defaultdict[str, _AccountFacts]:
    facts: defaultdict[str, _AccountFacts] = defaultdict(lambda: _AccountFacts([], [], [], []))
    for user in record.users:
        facts[user.account].users.append(user)
    for key in record.keys:
        facts[key.account].keys.append(key)
    for finding in record.findings:
        facts[finding.account].findings.append(finding)
    for finding in record.suppressed:
        facts[finding.account].suppressed.append(finding)
    return facts


def _account_diff(
    account: str,
    old_account: AccountRecord | None,
    new_account: AccountRecord | None,
    old: _AccountFacts,
    new: _AccountFacts,
    *,
    has_identities: bool,
    ran: Callable[[str, str], bool],
) -> AccountDiff:
    label = (new_account or old_account or AccountRecord(account, account, "")).label
    read_in_old = old_account is not None and old_account.is_scanned
    read_in_new = new_account is not None and new_account.is_scanned
    compared = read_in_new and (read_in_old or old_account is None) and has_identities
    gone = _surplus(old.findings, new.findings)
    # Gone from the findings, but found and ignored by the newer scan's configuration.
    resolved = _surplus(gone, new.suppressed)
    suppressed = _surplus(gone, resolved)
    fixed = [f for f in resolved if ran(f.check, f.account)]
    unverified = [f for f in resolved if not ran(f.check, f.account)]
    findings = AccountDiff(
        account=account,
        label=label,
        old_status=old_account.status if old_account else None,
        new_status=new_account.status if new_account else None,
        identities_compared=compared,
        findings_new=_sorted(_surplus(new.findings, old.findings)),
        findings_fixed=_sorted(fixed),
        findings_unverified=_sorted(unverified),
        findings_unchanged=len(old.findings) - len(gone),
        findings_suppressed=_sorted(suppressed),
    )
    return _with_identity_changes(findings, old, new) if compared else findings


def _with_identity_changes(
    diff: AccountDiff, old: _AccountFacts, new: _AccountFacts
) -> AccountDiff:
    old_users = {u.arn: u for u in old.users}
    new_users = {u.arn: u for u in new.users}
    changed = []
    for arn, user in new_users.items():
        before = old_users.get(arn)
        if before is None:
            continue
        if before.console_access != user.console_access:
            what = "console password added" if user.console_access else "console password removed"
            changed.append(UserChange(user, what))
        if before.mfa_active != user.mfa_active:
            changed.append(UserChange(user, "MFA enabled" if user.mfa_active else "MFA removed"))
    old_keys = {k.identity: k for k in old.keys}
    new_keys = {k.identity: k for k in new.keys}
    both = [(old_keys[i], new_keys[i]) for i in new_keys if i in old_keys]
    return replace(
        diff,
        users_added=tuple(u for a, u in new_users.items() if a not in old_users),
        users_removed=tuple(u for a, u in old_users.items() if a not in new_users),
        users_changed=tuple(changed),
        keys_added=tuple(k for i, k in new_keys.items() if i not in old_keys),
        keys_removed=tuple(k for i, k in old_keys.items() if i not in new_keys),
        keys_deactivated=tuple(n for o, n in both if o.active and not n.active),
        keys_reactivated=tuple(n for o, n in both if n.active and not o.active),
    )


def _surplus(these: Sequence[FindingRecord], those: Sequence[FindingRecord]) -> list[FindingRecord]:
    """The findings of ``these`` without a counterpart in ``those``: a multiset
    difference by identity (two findings of one check on one subject are two)."""
    spare = Counter(finding.identity for finding in those)
    left = []
    for finding in these:
        if spare[finding.identity]:
            spare[finding.identity] -= 1
        else:
            left.append(finding)
    return left


def _sorted(findings: Iterable[FindingRecord]) -> tuple[FindingRecord, ...]:
    return tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.check, f.resource)))
