"""A user's backup: everything IAM holds for it that can be written down, taken before
keyless changes anything that cannot be undone, and what a rollback can and cannot bring
back from it.

The document (``keyless/retire-backup/v1``, stored in the journal) has the user's path,
tags, permissions boundary, groups, attached policies, inline policy documents, MFA device
serials, SSH public keys and signing certificates (public material, bodies included),
service-specific credentials and access keys (IDs and dates only). Never a secret: IAM
does not reveal a key's secret, a password, an MFA seed or a service password after
creation, so none of them can be backed up, and none can be restored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from keyless.dates import iso
from keyless.errors import quoted
from keyless.retire.model import (
    InlinePolicyState,
    KeyState,
    MfaState,
    PublicMaterial,
    ServiceCredential,
    UserAttributes,
    UserState,
)
from keyless.retire.records import Backup, JournalError
from keyless.retire.selection import USER_NAME, USER_PATH

FORMAT = "keyless/retire-backup/v1"
#: Group and policy names: IAM's name grammar, up to 128 characters.
IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)

T = TypeVar("T")


def backup_document(state: UserState, taken_at: datetime) -> dict[str, Any]:
    """The backup of a user whose attributes were read (JSON values only)."""
    attributes = state.attributes
    if attributes is None:  # pragma: no cover - the run reads them before backing up
        raise ValueError("a backup needs the user's attributes")
    return {
        "schema": FORMAT,
        "taken_at": iso(taken_at),
        "account": state.account,
        "user": state.name,
        "arn": state.arn,
        "user_id": state.user_id,
        "path": state.path,
        "created": iso(state.created),
        "tags": [{"key": key, "value": value} for key, value in state.tags],
        "permissions_boundary": state.boundary,
        "login_profile": state.login_profile,
        "password_last_used": iso(state.password_last_used),
        "groups": list(attributes.groups),
        "attached_policies": list(attributes.attached_policies),
        "inline_policies": [
            {"name": policy.name, "document": policy.document}
            for policy in attributes.inline_policies
        ],
        "mfa_devices": [
            {"serial": device.serial, "enabled": iso(device.enabled)}
            for device in attributes.mfa_devices
        ],
        "ssh_public_keys": [_material(key) for key in attributes.ssh_keys],
        "signing_certificates": [_material(cert) for cert in attributes.certificates],
        "service_specific_credentials": None
        if attributes.service_credentials is None
        else [
            {
                "id": credential.id,
                "service": credential.service,
                "service_user_name": credential.service_user_name,
                "active": credential.active,
            }
            for credential in attributes.service_credentials
        ],
        "service_specific_credentials_error": attributes.service_credentials_error,
        "access_keys": [
            {
                "id": key.key_id,
                "active": key.active,
                "created": iso(key.created),
                "last_used": iso(key.last_used),
                "last_used_service": key.last_used_service,
                "last_used_region": key.last_used_region,
            }
            for key in state.keys
        ],
    }


#: The lists of a backup whose items a run removes, and the field naming each item.
_ITEMS = {
    "groups": None,
    "attached_policies": None,
    "inline_policies": "name",
    "mfa_devices": "serial",
    "ssh_public_keys": "id",
    "signing_certificates": "id",
    "service_specific_credentials": "id",
    "access_keys": "id",
    "tags": "key",
}


def merged_backup(earlier: Mapping[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The backup of a user whose retirement an earlier run began (``earlier``, the open
    backup) and that holds ``current`` now: everything the earlier backup recorded (a run
    that stopped halfway removed some of it) and everything the user holds now (given
    since, and removed by the run that finishes), the current value where both have an
    item. A rollback restores the latest backup alone, so it must hold both."""
    merged = dict(current)
    for name, identity in _ITEMS.items():
        now = current.get(name)
        before = earlier.get(name)
        if not isinstance(before, list):
            continue
        if now is None:
            merged[name] = before  # not read now (service credentials): keep the record
            continue
        seen = {_identity(item, identity) for item in now}
        merged[name] = [*now, *(i for i in before if _identity(i, identity) not in seen)]
    merged["login_profile"] = bool(current.get("login_profile") or earlier.get("login_profile"))
    for name in ("permissions_boundary", "password_last_used"):
        if merged.get(name) is None:
            merged[name] = earlier.get(name)
    return merged


def covers(earlier: Mapping[str, Any], state: UserState) -> bool:
    """True when the backup ``earlier`` already holds everything ``state`` holds that a
    retirement removes (a new backup would add nothing)."""
    current = backup_document(state, datetime.min)
    merged = merged_backup(earlier, current)
    return (
        all(
            _comparable(merged.get(name), identity) == _comparable(earlier.get(name), identity)
            for name, identity in _ITEMS.items()
        )
        and bool(merged["login_profile"]) == bool(earlier.get("login_profile"))
        and merged.get("permissions_boundary") == earlier.get("permissions_boundary")
    )


def _identity(item: Any, field: str | None) -> Any:
    return item.get(field) if field is not None and isinstance(item, Mapping) else item


def _comparable(items: Any, field: str | None) -> Any:
    """A list as a set of its items' identities and, for inline policies and tags, their
    values (a policy document or tag value changed since is something to back up); a
    key's or device's state (active, last used) is not compared: the run changed it."""
    if not isinstance(items, list):
        return []  # absent, or not read (service credentials): nothing recorded
    if field in ("name", "key"):
        return sorted(json.dumps(item, sort_keys=True) for item in items)
    return sorted(str(_identity(item, field)) for item in items)


def state_from_backup(document: Mapping[str, Any]) -> UserState:
    """The user as the backup recorded it. The journal is a file on disk: every value is
    checked for its type and IAM's grammar before rollback sends it to AWS."""
    read = _Reader(document)
    if read.get("schema", str) != FORMAT:
        raise JournalError(f"a backup is not {FORMAT}")
    name = read.get("user", str)
    if not USER_NAME.fullmatch(name):
        raise JournalError(f"a backup names an invalid user: {quoted(name)}")
    path = read.get("path", str)
    if not USER_PATH.fullmatch(path):
        raise JournalError(f"the backup of {name} has an invalid path: {quoted(path)}")
    credentials = read.optional("service_specific_credentials", list)
    return UserState(
        account=read.get("account", str),
        name=name,
        exists=True,
        arn=read.get("arn", str),
        user_id=read.get("user_id", str),
        path=path,
        created=read.time("created"),
        tags=tuple((tag.get("key", str), tag.get("value", str)) for tag in read.each("tags")),
        boundary=_arn(read.optional("permissions_boundary", str)),
        login_profile=read.get("login_profile", bool),
        password_last_used=read.time("password_last_used"),
        keys=tuple(
            KeyState(
                key.get("id", str),
                key.get("active", bool),
                key.time("created"),
                key.time("last_used"),
                key.optional("last_used_service", str),
                key.optional("last_used_region", str),
            )
            for key in read.each("access_keys")
        ),
        attributes=UserAttributes(
            mfa_devices=tuple(
                MfaState(device.get("serial", str), device.time("enabled"))
                for device in read.each("mfa_devices")
            ),
            ssh_keys=tuple(_read_material(item) for item in read.each("ssh_public_keys")),
            certificates=tuple(_read_material(item) for item in read.each("signing_certificates")),
            service_credentials=None
            if credentials is None
            else tuple(
                ServiceCredential(
                    item.get("id", str),
                    item.get("service", str),
                    item.get("service_user_name", str),
                    item.get("active", bool),
                )
                for item in read.each("service_specific_credentials")
            ),
            service_credentials_error=read.optional("service_specific_credentials_error", str),
            groups=tuple(_name(group) for group in read.strings("groups")),
            attached_policies=tuple(_arn(arn) or "" for arn in read.strings("attached_policies")),
            inline_policies=tuple(
                InlinePolicyState(_name(item.get("name", str)), item.get("document", dict))
                for item in read.each("inline_policies")
            ),
        ),
    )


def latest_unrestored(backups: Iterable[Backup]) -> list[Backup]:
    """The latest backup of each user, unless a rollback restored it: the one a retire run
    compares the user with and a rollback restores. An earlier backup is never taken
    instead: the latest holds it (merged, same user ID) or is of a user created again
    since, and restoring it would give back what a person took away after the rollback."""
    by_user: dict[tuple[str, str], Backup] = {}
    for backup in backups:
        by_user[(backup.account, backup.user)] = backup
    return [backup for backup in by_user.values() if backup.restored_at is None]


def checked(backup: Backup, journal: str) -> UserState:
    """The user a backup row holds, checked whole (every value in its grammar, and the
    account and user the row names): a JournalError naming the backup otherwise. Retire
    and rollback check every backup they may read before their first AWS call, so a
    damaged one stops a run whole, never halfway."""
    try:
        saved = state_from_backup(backup.document)
        if (saved.account, saved.name) != (backup.account, backup.user):
            raise JournalError(
                f"it holds {saved.account}:{saved.name}, not {backup.account}:{backup.user}"
            )
    except JournalError as error:
        raise JournalError(
            f"backup {backup.id} of the journal ({backup.account}:{quoted(backup.user)}) is "
            f"damaged: {error.message}",
            where=journal,
            hint="Restore the journal from a copy; nothing was changed in AWS.",
        ) from None
    return saved


def not_restorable(backup: UserState, now_existing_keys: frozenset[str]) -> tuple[str, ...]:
    """What a rollback cannot bring back, said plainly: secrets IAM never reveals again,
    and the user's unique ID."""
    lost = [
        f"access key {key.key_id}: a deleted key's secret cannot come back; create a new key "
        "only if something still needs one"
        for key in backup.keys
        if key.key_id not in now_existing_keys
    ]
    if backup.login_profile:
        lost.append(
            "the console password: set a new one (aws iam create-login-profile "
            "--password-reset-required) if the person still signs in as this user"
        )
    attributes = backup.attributes or UserAttributes()
    lost += [
        f"MFA device {device.serial}: its seed is gone; the person enrols a device again"
        for device in attributes.mfa_devices
    ]
    lost += [
        f"service-specific credential {credential.id} ({credential.service}): its password "
        "cannot come back; create a new one if it is still used"
        for credential in attributes.service_credentials or ()
    ]
    lost += [
        f"inactive {what} {item.id}: not uploaded again (it was not in use)"
        for what, items in (
            ("SSH public key", attributes.ssh_keys),
            ("signing certificate", attributes.certificates),
        )
        for item in items
        if not item.active
    ]
    if backup.user_id:
        lost.append(
            f"the user's unique ID {backup.user_id}: a recreated user gets a new one, so role "
            "trust policies and resource policies that named the old user must name it again"
        )
    return tuple(lost)


def _material(item: PublicMaterial) -> dict[str, Any]:
    return {"id": item.id, "active": item.active, "uploaded": iso(item.uploaded), "body": item.body}


def _read_material(item: _Reader) -> PublicMaterial:
    return PublicMaterial(
        item.get("id", str), item.get("active", bool), item.time("uploaded"), item.get("body", str)
    )


def _name(name: str) -> str:
    if not IAM_NAME.fullmatch(name):
        raise JournalError(f"a backup holds an invalid IAM name: {quoted(name)}")
    return name


def _arn(value: str | None) -> str | None:
    if value is not None and not (value.startswith("arn:") and ":iam::" in value):
        raise JournalError(f"a backup holds an invalid policy ARN: {quoted(value)}")
    return value


class _Reader:
    """Typed access to a JSON object read back from the journal."""

    def __init__(self, value: object) -> None:
        if not isinstance(value, Mapping):
            raise JournalError("a backup entry is not an object")
        self._value = value

    def get(self, name: str, kind: type[T]) -> T:
        value = self._value.get(name)
        if not isinstance(value, kind):
            raise JournalError(f"a backup's {quoted(name)} is not a {kind.__name__}")
        return value

    def optional(self, name: str, kind: type[T]) -> T | None:
        return None if self._value.get(name) is None else self.get(name, kind)

    def time(self, name: str) -> datetime | None:
        text = self.optional(name, str)
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            raise JournalError(f"a backup's {quoted(name)} is not a date: {quoted(text)}") from None

    def each(self, name: str) -> list[_Reader]:
        return [_Reader(item) for item in self.optional(name, list) or ()]

    def strings(self, name: str) -> list[str]:
        values = self.optional(name, list) or []
        if not all(isinstance(value, str) for value in values):
            raise JournalError(f"a backup's {quoted(name)} holds something other than names")
        return values
