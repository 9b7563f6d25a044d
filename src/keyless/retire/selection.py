"""What retire may act on: users and access keys named on the command line (or listed by a
plan), and nothing else.

Every value is checked against its grammar before it is used: a user name against IAM's
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_User.html), a key ID against the
form of long-term access key IDs (``AKIA`` and 16 more characters; temporary ``ASIA``
credentials cannot be retired), an account against twelve digits. An ARN of a role or of
the root user is refused: retire never touches either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from keyless.errors import KeylessError, quoted
from keyless.model.arn import is_account_id, parse_arn
from keyless.retire.planned import Planned

#: IAM user names: alphanumerics and ``+=,.@_-``, 1 to 64 characters.
USER_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
#: IAM paths: ``/`` or ``/a/b/``, ASCII from ``!`` through DEL (CreateUser's ``Path``:
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html), at most 512
#: characters.
USER_PATH = re.compile(r"^/(?:[\x21-\x7f]{0,510}/)?$")
#: Long-term access key IDs (``AKIA``); temporary ones (``ASIA``) expire on their own.
ACCESS_KEY_ID = re.compile(r"^AKIA[A-Z0-9]{16}$")


class SelectionError(KeylessError):
    """A user, key or account named on the command line or in a plan is not valid."""


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user by name, in one account or (``account`` None) the account the credentials
    reach."""

    account: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.account}:{self.name}" if self.account else self.name


@dataclass(frozen=True, slots=True)
class KeyRef:
    """An access key by ID, optionally in a named account."""

    account: str | None
    key_id: str

    def __str__(self) -> str:
        return f"{self.account}:{self.key_id}" if self.account else self.key_id


@dataclass(frozen=True, slots=True)
class Target:
    """One user to act on. ``key_ids`` None means every key the user has;
    ``retire_user`` means its login profile and the user itself go once its keys are gone.
    ``user`` is None for a key named only by its ID, until IAM says whose it is.
    ``blockers`` are unmet preconditions that refuse every action (the replacement is not
    in use); ``deletion_blockers`` refuse only what cannot be undone (deleting a key, the
    password, the user). ``plan`` is the plan's entry for the user (``--plan``), from which
    the blockers are worked out once the user is read. ``origin`` says where the target
    came from (``--user alice``)."""

    account: str | None
    user: str | None
    key_ids: tuple[str, ...] | None
    retire_user: bool
    origin: str
    blockers: tuple[str, ...] = ()
    deletion_blockers: tuple[str, ...] = ()
    plan: Planned | None = None


def parse_user(text: str, option: str = "--user") -> UserRef:
    """``NAME``, ``ACCOUNT:NAME`` or a user ARN."""
    value = text
    if value.startswith("arn:"):
        arn = parse_arn(value)
        if arn is None or arn.service != "iam" or not is_account_id(arn.account):
            raise SelectionError(f"not an IAM user ARN: {quoted(value)}", where=option)
        if arn.resource == "root":
            raise SelectionError(
                "retire never touches the root user", where=option, hint=_ROOT_HINT
            )
        if not arn.resource.startswith("user/"):
            kind = arn.resource.split("/", 1)[0]
            # A resource type (role, group) as it is; anything else is quoted, in part.
            shown = (
                kind if kind.isascii() and kind.isalpha() and len(kind) <= 40 else quoted(kind, 40)
            )
            raise SelectionError(
                f"retire acts on IAM users and their keys, not on a {shown}: {quoted(value)}",
                where=option,
            )
        path, _, name = arn.resource[len("user") :].rpartition("/")
        if not USER_PATH.fullmatch(path + "/"):
            raise SelectionError(f"not a valid IAM path in {quoted(value)}", where=option)
        return UserRef(arn.account, _user_name(name, option))
    account, name = _split_account(value, option)
    return UserRef(account, _user_name(name, option))


def parse_key(text: str, option: str = "--access-key-id") -> KeyRef:
    """``AKIA…`` or ``ACCOUNT:AKIA…``."""
    account, key_id = _split_account(text, option)
    if not ACCESS_KEY_ID.fullmatch(key_id):
        raise SelectionError(
            f"not a long-term access key ID: {quoted(key_id)}",
            where=option,
            hint="Access key IDs are AKIA followed by 16 capital letters and digits.",
        )
    return KeyRef(account, key_id)


@dataclass(frozen=True, slots=True)
class Force:
    """What ``--force`` lets through despite recent use: keys by ID, users (for a
    console password used recently) by name."""

    keys: frozenset[str] = frozenset()
    users: frozenset[UserRef] = frozenset()

    @staticmethod
    def parse(values: Iterable[str]) -> Force:
        """Each value is a key ID (``AKIA…``) or a user (name, ``ACCOUNT:NAME``, ARN)."""
        keys: set[str] = set()
        users: set[UserRef] = set()
        for value in values:
            _, _, last = value.rpartition(":")
            if last.startswith("AKIA") and not value.startswith("arn:"):
                keys.add(parse_key(value, "--force").key_id)
            else:
                users.add(parse_user(value, "--force"))
        return Force(frozenset(keys), frozenset(users))

    def covers_key(self, key_id: str) -> bool:
        """True when ``--force`` names this key."""
        return key_id in self.keys

    def covers_user(self, account: str, name: str) -> bool:
        """True when ``--force`` names this user (with or without its account)."""
        return UserRef(account, name) in self.users or UserRef(None, name) in self.users

    def describe(self) -> list[str]:
        """The forced keys and users, sorted (for the journal's record of a run)."""
        return sorted([*self.keys, *(str(user) for user in self.users)])


@dataclass(frozen=True, slots=True)
class Selection:
    """The targets of a run, in the order they were given."""

    targets: tuple[Target, ...]

    @staticmethod
    def from_options(users: Iterable[str], keys: Iterable[str]) -> Selection:
        """``--user`` (the user, its keys, its console password) and ``--access-key-id``
        (that key only) values."""
        targets = [
            Target(ref.account, ref.name, None, True, f"--user {text}")
            for text in users
            for ref in (parse_user(text),)
        ]
        targets += [
            Target(ref.account, None, (ref.key_id,), False, f"--access-key-id {text}")
            for text in keys
            for ref in (parse_key(text),)
        ]
        return Selection(tuple(targets))

    @property
    def is_empty(self) -> bool:
        """True when nothing was selected."""
        return not self.targets

    def accounts(self) -> frozenset[str]:
        """The accounts the targets name."""
        return frozenset(t.account for t in self.targets if t.account is not None)

    def in_account(self, default: str | None) -> Selection:
        """Every target with an account: ``default`` (the account the credentials reach)
        for those that name none. With no default (an organization), a target without an
        account is an error: retire never guesses which account a name means."""
        targets = []
        for target in self.targets:
            if target.account is None:
                if default is None:
                    raise SelectionError(
                        f"{target.origin}: name the account in an organization",
                        hint="Write ACCOUNT:NAME, ACCOUNT:AKIA… or a user ARN with --org.",
                    )
                target = replace(target, account=default)
            targets.append(target)
        return Selection(tuple(targets))

    def describe(self) -> list[str]:
        """Where each target came from, sorted (for the journal's record of a run)."""
        return sorted(target.origin for target in self.targets)


_ROOT_HINT = "Root credentials are retired by the account owner (IAM > Security credentials)."


def _split_account(value: str, option: str) -> tuple[str | None, str]:
    account, separator, rest = value.partition(":")
    if not separator:
        return None, value
    if not is_account_id(account):
        raise SelectionError(
            f"not a 12-digit account ID before ':' in {quoted(value)}", where=option
        )
    return account, rest


def _user_name(name: str, option: str) -> str:
    if not USER_NAME.fullmatch(name):
        raise SelectionError(
            f"not a valid IAM user name: {quoted(name)}",
            where=option,
            hint="IAM user names are 1-64 letters, digits and +=,.@_- characters.",
        )
    return name
