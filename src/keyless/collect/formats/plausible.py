"""Dates that cannot be true, found in any model value by walking its dataclass fields.

A date later than the moment the data was collected cannot be real, and it is not
harmless: a key "created" in 2999 looks brand new, so ``key-not-rotated`` would stay
silent about it. Offline readers (exports, snapshots) refuse such data instead of
analysing it. The rules, documented in docs/export-format.md and docs/snapshot.md:

no date is later than the collection time plus :data:`CLOCK_SKEW` (clocks differ, and an
export's files are written minutes apart), except dates that are about the future by
nature (:data:`FUTURE_DATES`: a SAML provider's certificate expiry).

A key last used before the date the credential report gives for its creation is kept as
it is: the report's date is that of the slot's last rotation, and neither check that
reads these dates can be silenced by it (``key-not-rotated`` reads the creation date,
``key-unused`` the last use).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from keyless.dates import iso
from keyless.errors import quoted
from keyless.model import Account, Dataset, SamlProvider
from keyless.model.arn import parse_arn

CLOCK_SKEW = timedelta(days=1)

#: Dates that may lie after the collection: they say until when something is valid.
FUTURE_DATES: frozenset[tuple[type, str]] = frozenset({(SamlProvider, "valid_until")})


@dataclasses.dataclass(frozen=True, slots=True)
class Implausible:
    """One impossible date: where it is (a JSON pointer in the model's field names), the
    value that holds it (to name it: its ARN, name or ID) and why it cannot be."""

    pointer: str
    owner: object
    message: str

    @property
    def owner_label(self) -> str:
        for attribute in ("arn", "serial", "name", "id"):
            label = getattr(self.owner, attribute, None)
            if isinstance(label, str) and label:
                return label
        return type(self.owner).__name__


def find_implausible(value: object, collected_at: datetime) -> Implausible | None:
    """The first impossible date in ``value`` (a model dataclass) collected at
    ``collected_at``, or None."""
    return next(_walk(value, collected_at + CLOCK_SKEW, ""), None)


def _walk(value: object, latest: datetime, pointer: str) -> Iterator[Implausible]:
    cls: Any = type(value)
    for name, kind in _plan(cls):
        item = getattr(value, name)
        if item is None:
            continue
        here = f"{pointer}/{name}"
        if kind == "date":
            if item > latest and (cls, name) not in FUTURE_DATES:
                yield Implausible(
                    here, value, f"{name} {iso(item)} is after the data was collected"
                )
        elif kind == "one":
            yield from _walk(item, latest, here)
        elif kind == "many":
            for index, entry in enumerate(item):
                yield from _walk(entry, latest, f"{here}/{index}")
        else:  # a mapping of dataclasses
            for key, entry in item.items():
                yield from _walk(entry, latest, f"{here}/{key}")


@functools.cache
def _plan(cls: Any) -> tuple[tuple[str, str], ...]:
    """The fields of ``cls`` that hold dates, directly ("date") or in a nested dataclass
    ("one"), a tuple of them ("many") or a mapping to them ("map")."""
    plan = []
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        hint = _without_none(hints[field.name])
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is datetime:
            plan.append((field.name, "date"))
        elif _has_dates(hint):
            plan.append((field.name, "one"))
        elif origin in (tuple, frozenset) and args and _has_dates(args[0]):
            plan.append((field.name, "many"))
        elif origin is Mapping and _has_dates(args[1]):
            plan.append((field.name, "map"))
    return tuple(plan)


def _without_none(hint: Any) -> Any:
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, type(int | None)) and len(args) == 1:
        return args[0]
    return hint


def _has_dates(hint: Any) -> bool:
    return dataclasses.is_dataclass(hint) and isinstance(hint, type) and bool(_plan(hint))


# The ARNs of what an account holds, as AWS writes them: a partition ("aws" and
# dash-separated words), the service, no region for IAM (a global service) and a region
# for Roles Anywhere, the account (or "aws" for AWS managed policies), the resource in
# printable ASCII: IAM paths are \u0021-\u007F and names [\w+=,.@-]; an ARN is at most
# 2,048 characters. Paths and names are compared apart (find_misnamed_arn).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
# https://docs.aws.amazon.com/rolesanywhere/latest/userguide/security_iam_service-with-iam.html
_PARTITION = r"aws(?:-[a-z]+){0,3}"
_RESOURCE = r"/[!-~]+"
_IAM_ARNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("users", "a user", re.compile(rf"arn:{_PARTITION}:iam::[0-9]{{12}}:user{_RESOURCE}")),
    ("groups", "a group", re.compile(rf"arn:{_PARTITION}:iam::[0-9]{{12}}:group{_RESOURCE}")),
    ("roles", "a role", re.compile(rf"arn:{_PARTITION}:iam::[0-9]{{12}}:role{_RESOURCE}")),
    (
        "policies",
        "a managed policy",
        re.compile(rf"arn:{_PARTITION}:iam::(?:[0-9]{{12}}|aws):policy{_RESOURCE}"),
    ),
    (
        "trust_anchors",
        "a Roles Anywhere trust anchor",
        re.compile(
            rf"arn:{_PARTITION}:rolesanywhere:[a-z0-9-]{{1,32}}:[0-9]{{12}}:trust-anchor/[!-~]+"
        ),
    ),
    (
        "rolesanywhere_profiles",
        "a Roles Anywhere profile",
        re.compile(rf"arn:{_PARTITION}:rolesanywhere:[a-z0-9-]{{1,32}}:[0-9]{{12}}:profile/[!-~]+"),
    ),
)
_MAX_ARN = 2048


def find_arn_outside_grammar(account: Account) -> tuple[str, str] | None:
    """The pointer and description of the first user, group, role, managed policy or
    Roles Anywhere trust anchor or profile whose ARN is not an ARN of its kind
    (``arn:aws:iam::111122223333:role/…`` for a role), or None. AWS returns no other: a
    value that is not an ARN at all (``deploy``, ``arn:r``) was edited in; it names no
    account (:func:`find_foreign_arn` passes it by), no path (:func:`find_misnamed_arn`
    neither) and no principal a trust policy could match, so the readers refuse it.
    Identity providers' ARNs are held to their own grammar
    (:func:`keyless.collect.formats.providers.find_provider_outside_grammar`)."""
    for name, kind, grammar in _IAM_ARNS:
        entries: tuple[Any, ...] = getattr(account, name)
        for position, entry in enumerate(entries):
            arn: str = entry.arn
            if len(arn) > _MAX_ARN or grammar.fullmatch(arn) is None:
                return f"/{name}/{position}/arn", f"{quoted(arn)} is not the ARN of {kind}"
    return None


def find_foreign_arn(account: Account) -> tuple[str, str] | None:
    """The pointer and value of the first user, group, role, customer managed policy or
    identity provider whose ARN names another account than ``account.id`` (or a user's or
    role's ``account_id`` that does), as the export and snapshot readers refuse. AWS
    managed policies (``arn:…:iam::aws:policy/…``) are AWS's; the partition is not
    compared; a value that is not an ARN at all names no account and is left to
    :func:`find_arn_outside_grammar`."""
    kinds: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("users", account.users),
        ("groups", account.groups),
        ("roles", account.roles),
        ("policies", account.policies),
        ("oidc_providers", account.oidc_providers),
        ("saml_providers", account.saml_providers),
    )
    for name, entries in kinds:
        for position, entry in enumerate(entries):
            arn: str = entry.arn
            parsed = parse_arn(arn)
            # Not an ARN, or an AWS managed policy: no account of the customer's.
            aws_managed = name == "policies" and parsed is not None and parsed.account == "aws"
            if parsed is not None and not aws_managed and parsed.account != account.id:
                return f"/{name}/{position}/arn", arn
            owner = getattr(entry, "account_id", account.id)
            if owner != account.id:
                return f"/{name}/{position}/account_id", str(owner)
    return None


def find_misnamed_arn(account: Account) -> tuple[str, str] | None:
    """The pointer and description of the first user, group or role whose ARN does not
    end in its own path and name (``arn:aws:iam::111122223333:user/ci/deploy`` is the
    user ``deploy`` of path ``/ci/``), or None. IAM makes the ARN of the path and name
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns):
    another is an edited entry, whose findings (by ARN) and plans (by name) would name two
    different entities. The partition and account are judged apart
    (:func:`find_foreign_arn`); a value that is not an ARN names no path and is left to
    :func:`find_arn_outside_grammar`."""
    # Users built from the credential report alone (the authorization details unread)
    # have no path to compare: the report gives only the name and ARN.
    users = account.users if account.has(Dataset.AUTHORIZATION_DETAILS) else ()
    kinds: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
        ("users", "user", users),
        ("groups", "group", account.groups),
        ("roles", "role", account.roles),
    )
    for name, kind, entries in kinds:
        for position, entry in enumerate(entries):
            parsed = parse_arn(entry.arn)
            expected = f"{kind}{entry.path}{entry.name}"
            # A value that is not an ARN at all is find_arn_outside_grammar's to refuse.
            if parsed is not None and parsed.resource != expected:
                return f"/{name}/{position}/arn", (
                    f"the ARN {quoted(entry.arn)} is not that of the {kind} {quoted(entry.name)}"
                    f" of path {quoted(entry.path)} (IAM's is …:{expected})"
                )
    return None


def find_listed_twice(account: Account) -> tuple[str, str] | None:
    """The pointer and description of the first user, group or role whose name, or managed
    policy whose ARN, ``account`` lists twice (IAM keeps names unique ignoring case; AWS
    lists each once), identity provider whose ARN it lists twice, or access key slot of a
    user (or root) given twice, as the export reader refuses it
    (:func:`keyless.collect.formats.duplicates.first_duplicate`); None when each is listed once."""
    kinds: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("users", "user", tuple(user.name for user in account.users)),
        ("groups", "group", tuple(group.name for group in account.groups)),
        ("roles", "role", tuple(role.name for role in account.roles)),
        ("policies", "managed policy", tuple(policy.arn for policy in account.policies)),
    )
    for name, kind, values in kinds:
        seen: set[str] = set()
        for position, value in enumerate(values):
            if value.casefold() in seen:
                return f"/{name}/{position}", f"the {kind} {quoted(value)} is listed twice"
            seen.add(value.casefold())
    # An identity provider twice (by ARN, as IAM keeps one per ARN): the checks take the
    # first one's client IDs, whichever the file meant.
    providers: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("oidc_providers", "OIDC provider", tuple(p.arn for p in account.oidc_providers)),
        ("saml_providers", "SAML provider", tuple(p.arn for p in account.saml_providers)),
    )
    for name, kind, arns in providers:
        if len(set(arns)) != len(arns):
            position = next(i for i, arn in enumerate(arns) if arn in arns[:i])
            arn = arns[position]
            return f"/{name}/{position}", f"the {kind} {quoted(arn)} is listed twice"
    # A user has two access key slots, one key in each (the credential report's columns;
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a
    # third key or a slot given twice was counted, and named "slot 1, 1", as it was.
    owners: list[tuple[str, str, tuple[Any, ...]]] = [
        (f"/users/{index}", f"user {quoted(user.name)}", user.access_keys)
        for index, user in enumerate(account.users)
    ]
    if account.root is not None:
        owners.append(("/root", "the root user", account.root.access_keys))
    for pointer, owner, keys in owners:
        slots: set[int] = set()
        for position, key in enumerate(keys):
            if key.slot in slots:
                return (
                    f"{pointer}/access_keys/{position}/slot",
                    f"access key slot {key.slot} of {owner} is listed twice",
                )
            slots.add(key.slot)
    return None
