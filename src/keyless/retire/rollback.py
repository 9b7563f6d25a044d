"""``keyless retire rollback``: undo what keyless did, as far as AWS allows.

Keys keyless deactivated are reactivated. Users keyless backed up are brought back to
their backup: created again if deleted (path, tags), then their permissions boundary,
groups, attached and inline policies, and active SSH public keys and signing
certificates (public material, uploaded again). What cannot come back is said plainly
(:func:`keyless.retire.backup.not_restorable`): a deleted key's secret, the console
password, MFA seeds, service-specific passwords, and the user's unique ID.

Journaled like ``retire``: dry by default, resumable after a crash, and capped by
``--max-actions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from keyless.errors import KeylessError, quoted, quoted_list
from keyless.model.arn import is_account_id
from keyless.retire.aws import AccountApi, AwsFailure
from keyless.retire.backup import checked, latest_unrestored, not_restorable
from keyless.retire.execute import (
    Clock,
    Executor,
    Tally,
    no_tally,
    observe,
    settle_pending,
    utc_now,
)
from keyless.retire.journal import DEFAULT_PATH, Journal
from keyless.retire.model import (
    Action,
    ActionKind,
    Report,
    Step,
    StepStatus,
    UserAttributes,
    UserState,
)
from keyless.retire.reach import Reach
from keyless.retire.records import Backup, JournalError, Quarantine
from keyless.retire.run import open_journal
from keyless.retire.selection import (
    ACCESS_KEY_ID,
    USER_NAME,
    KeyRef,
    UserRef,
    parse_key,
    parse_user,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which of the journal's keys and users a command covers (all when empty)."""

    users: frozenset[UserRef] = frozenset()
    keys: frozenset[KeyRef] = frozenset()
    #: Named one by one (``--user``, ``--access-key-id``), not drawn from a plan: each must
    #: name something the journal records (:meth:`unmatched`).
    named: bool = False

    @staticmethod
    def parse(users: Iterable[str], keys: Iterable[str]) -> Scope:
        """``--user`` and ``--access-key-id`` values."""
        return Scope(
            frozenset(parse_user(value) for value in users),
            frozenset(parse_key(value) for value in keys),
            named=True,
        )

    def covers_user(self, account: str, user: str) -> bool:
        """True for a user the scope names (or every user of an empty scope). IAM user
        names are unique regardless of case: ``--user ALICE`` names alice."""
        if not self.users and not self.keys:
            return True
        return any(
            ref.name.lower() == user.lower() and ref.account in (None, account)
            for ref in self.users
        )

    def unmatched(self, keys: Iterable[Quarantine], backups: Iterable[Backup]) -> list[str]:
        """The users and keys the scope names of which the journal records nothing."""
        recorded = [(r.account, r.user) for r in keys]
        users = recorded + [(b.account, b.user) for b in backups]
        key_ids = [(r.account, r.key_id) for r in keys]
        missing = [
            str(ref)
            for ref in self.users
            if not any(Scope(frozenset({ref})).covers_user(a, u) for a, u in users)
        ]
        missing += [
            str(ref)
            for ref in self.keys
            if not any(ref.key_id == k and ref.account in (None, a) for a, k in key_ids)
        ]
        return missing

    def covers_key(self, account: str, user: str, key_id: str) -> bool:
        """True for a key the scope names, or a key of a user it names."""
        named = any(ref.key_id == key_id and ref.account in (None, account) for ref in self.keys)
        return named or (self.covers_user(account, user) and (bool(self.users) or not self.keys))

    def describe(self) -> list[str]:
        """The scope, sorted (for the journal's record of a run)."""
        return sorted([*(str(u) for u in self.users), *(str(k) for k in self.keys)])


@dataclass(frozen=True, slots=True)
class RollbackRequest:
    """What to roll back."""

    scope: Scope = field(default_factory=Scope)
    apply: bool = False
    max_actions: int | None = None
    journal: Path = DEFAULT_PATH

    def record(self) -> dict[str, Any]:
        """The request as the journal keeps it."""
        return {"scope": self.scope.describe(), "max_actions": self.max_actions}


def rollback(
    request: RollbackRequest, reach: Reach, *, clock: Clock = utc_now, progress: Tally = no_tally
) -> Report:
    """Reactivate the keys keyless deactivated and restore the users it backed up.
    ``progress(done, total)`` counts the keys and users dealt with."""
    now = clock()
    with open_journal(request.journal, writable=request.apply) as journal:
        if journal is None:
            raise KeylessError(
                "no journal here: keyless has not retired anything with it",
                where=str(request.journal),
                hint="Name the journal of the retire runs with --journal.",
            )
        keys = [
            record
            for record in journal.quarantined()
            if record.by_keyless
            and record.deleted_at is None
            and request.scope.covers_key(record.account, record.user, record.key_id)
        ]
        if request.scope.named:
            _refuse_unrecorded(request.scope, journal, request.journal)
        backups = latest_unrestored(journal.backups())
        backups = [b for b in backups if request.scope.covers_user(b.account, b.user)]
        # Every row the rollback will act on is checked before the first AWS call: a
        # damaged one stops it whole, never halfway with some users restored.
        for record in keys:
            _check_quarantine(record, request.journal)
        saved = {backup.id: checked(backup, str(request.journal)) for backup in backups}
        pending = journal.pending() if request.apply else ()
        accounts = {k.account for k in keys} | {b.account for b in backups}
        opened = reach.open(accounts | {entry.action.account for entry in pending})
        run = journal.begin("rollback", request.record(), now) if request.apply else None
        settled = settle_pending(pending, opened, journal, journal, clock) if run else ()
        recreated = recreated_users(journal)
        executor = Executor(journal if run else None, run, clock, request.max_actions)
        steps: list[Step] = []
        lost: list[tuple[str, str, str]] = []
        total = len(keys) + len(backups)
        progress(0, total)
        for done, record in enumerate(keys, start=1):
            api = opened.apis.get(record.account)
            if api is None:
                steps.append(_unreached(record.account, record.user, opened.unreachable))
            else:
                steps += _reactivate(record, api, journal, executor)
            progress(done, total)
        for done, backup in enumerate(backups, start=len(keys) + 1):
            api = opened.apis.get(backup.account)
            if api is None:
                steps.append(_unreached(backup.account, backup.user, opened.unreachable))
            else:
                restored, what_is_lost = _restore(
                    backup, saved[backup.id], api, journal, executor, clock, recreated
                )
                steps += restored
                lost += [(backup.account, backup.user, what) for what in what_is_lost]
            progress(done, total)
        if run is not None:
            journal.finish(run.id, clock())
    return Report(
        command="rollback",
        apply=request.apply,
        journal=str(request.journal),
        steps=tuple(steps),
        settled=settled,
        unreachable=opened.unreachable,
        run_id=run.id if run else None,
        resumed=run.resumed if run else False,
        lost=tuple(lost),
    )


def _refuse_unrecorded(scope: Scope, journal: Journal, path: Path) -> None:
    """A user or key named for a rollback of which the journal records nothing (never
    retired with it, or a name mistyped): said before anything connects, never a quiet
    "nothing to do" that leaves a key someone needs out of service."""
    missing = scope.unmatched(journal.quarantined(), journal.backups())
    if missing:
        raise KeylessError(
            f"the journal records nothing keyless did to {quoted_list(missing)}: nothing of "
            "it can be rolled back",
            where=str(path),
            hint="Name users and keys as retire did (ACCOUNT:NAME, the key ID), with the "
            "journal of those runs (--journal); `keyless retire status` lists the keys it "
            "took out of service.",
        )


def restore_actions(backup: UserState, current: UserState) -> list[Action]:
    """What brings ``current`` back to ``backup``, in order: the user, its tags and
    boundary, groups, attached and inline policies, SSH keys and certificates."""
    account, user = backup.account, backup.name
    saved = backup.attributes or UserAttributes()
    now = current.attributes or UserAttributes()

    def act(kind: ActionKind, target: str = "", reason: str = "", **detail: Any) -> Action:
        return Action(kind, account, user, target, reason, detail)

    actions: list[Action] = []
    tags = list(backup.tags)
    if not current.exists:
        reason = "deleted by keyless; created again from its backup"
        actions.append(act(ActionKind.CREATE_USER, "", reason, path=backup.path, tags=tags))
    else:
        missing = [pair for pair in tags if pair not in current.tags]
        if missing:
            actions.append(act(ActionKind.TAG_USER, "", "tags", tags=missing))
    if backup.boundary and current.boundary != backup.boundary:
        actions.append(act(ActionKind.PUT_BOUNDARY, backup.boundary, "permissions boundary"))
    actions += [
        act(ActionKind.ADD_TO_GROUP, group, "group membership")
        for group in saved.groups
        if group not in now.groups
    ]
    actions += [
        act(ActionKind.ATTACH_POLICY, arn, "attached policy")
        for arn in saved.attached_policies
        if arn not in now.attached_policies
    ]
    present = {policy.name: policy.document for policy in now.inline_policies}
    actions += [
        act(ActionKind.PUT_INLINE_POLICY, p.name, "inline policy", document=p.document)
        for p in saved.inline_policies
        if present.get(p.name) != p.document
    ]
    for kind, saved_items, current_items, what in (
        (ActionKind.UPLOAD_SSH_KEY, saved.ssh_keys, now.ssh_keys, "SSH public key"),
        (
            ActionKind.UPLOAD_SIGNING_CERTIFICATE,
            saved.certificates,
            now.certificates,
            "signing certificate",
        ),
    ):
        bodies = {"".join(item.body.split()) for item in current_items}
        actions += [
            act(kind, item.id, f"{what} (uploaded again: a new ID)", body=item.body)
            for item in saved_items
            if item.active and "".join(item.body.split()) not in bodies
        ]
    return actions


def _reactivate(
    record: Quarantine, api: AccountApi, journal: Journal, executor: Executor
) -> list[Step]:
    action = Action(
        ActionKind.REACTIVATE_KEY,
        record.account,
        record.user,
        record.key_id,
        f"deactivated by keyless on {record.since.date().isoformat()}",
    )
    try:
        state = observe(api, record.user, journal, attributes=False)
    except AwsFailure as failure:
        return [Step.of(action, StepStatus.UNREAD, f"could not be read: {failure.describe()}")]
    key = state.key(record.key_id)
    if key is None:
        return [Step.of(action, StepStatus.NOTHING, "gone: deleted outside keyless")]
    if key.active:
        return [Step.of(action, StepStatus.NOTHING, "already active")]
    return executor.carry_out(api, [Step.of(action, StepStatus.PLANNED)], state, chain=False)


def _check_quarantine(record: Quarantine, path: Path) -> None:
    """A key to reactivate: its account, user and key ID in their grammars (a JournalError
    otherwise), so an edited row never reaches AWS as another request."""
    if not (
        is_account_id(record.account)
        and USER_NAME.fullmatch(record.user)
        and ACCESS_KEY_ID.fullmatch(record.key_id)
    ):
        raise JournalError(
            "the quarantine of a key in the journal is damaged: "
            f"account {quoted(record.account)}, user {quoted(record.user)}, "
            f"key {quoted(record.key_id)}",
            where=str(path),
            hint="Restore the journal from a copy; nothing was changed in AWS.",
        )


def _restore(
    backup: Backup,
    saved: UserState,
    api: AccountApi,
    journal: Journal,
    executor: Executor,
    clock: Clock,
    recreated: Mapping[tuple[str, str], datetime],
) -> tuple[list[Step], tuple[str, ...]]:
    try:
        current = observe(api, backup.user, journal, attributes=True)
    except AwsFailure as failure:
        reason = f"could not be read: {failure.describe()}"
        return [Step(StepStatus.UNREAD, backup.account, backup.user, reason, kind="user")], ()
    created = recreated.get((backup.account, backup.user))
    ours = created is not None and created >= backup.taken_at
    if current.exists and saved.user_id and current.user_id != saved.user_id and not ours:
        # Another user holds the name now (IAM gives a user created again a new unique
        # ID): restoring onto it would give it the retired user's groups, policies and
        # boundary. The backup stays open for a person to decide. A user an earlier
        # rollback created from this backup (and did not finish restoring: a crash, a
        # failed call) is the backup's own, and its restoration goes on.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
        reason = (
            f"another user holds the name now (unique ID {current.user_id}, the backup's"
            f" {saved.user_id}): not restored onto it; restore by hand if it is the same one"
        )
        return [Step(StepStatus.REFUSED, backup.account, backup.user, reason, kind="user")], ()
    actions = restore_actions(saved, current)
    steps = executor.carry_out(
        api, [Step.of(a, StepStatus.PLANNED) for a in actions], current, chain=True
    )
    if not steps:
        steps = [Step(StepStatus.NOTHING, backup.account, backup.user, "as backed up", kind="user")]
    if executor.applies and all(s.status in (StepStatus.DONE, StepStatus.NOTHING) for s in steps):
        journal.mark_restored(backup.id, clock())
    remaining = frozenset(key.key_id for key in current.keys)
    return steps, not_restorable(saved, remaining)


def recreated_users(journal: Journal) -> dict[tuple[str, str], datetime]:
    """When keyless last created each user again (a rollback's done ``create-user``)."""
    created: dict[tuple[str, str], datetime] = {}
    for entry in journal.entries():
        action = entry.action
        if action.kind is ActionKind.CREATE_USER and entry.state == "done":
            created[(action.account, action.user)] = entry.intended_at
    return created


def _unreached(account: str, user: str, unreachable: Any) -> Step:
    reason = f"account not reached: {unreachable.get(account, 'no session')}"
    return Step(StepStatus.UNREAD, account, user, reason, kind="user")
