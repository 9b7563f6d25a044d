"""Model dataclasses to JSON values and back, driven by the dataclasses' own fields.

A converter is compiled once per type from ``dataclasses.fields`` and the type hints:
``str``, ``int``, ``bool``, ``None``, ``datetime`` (ISO 8601 in UTC with ``Z``, as
:mod:`keyless.dates` writes them), string enums, ``tuple[X, ...]``, ``frozenset[X]``,
``Mapping[str, Any]`` (a policy document: kept as the parsed object, never copied),
other ``Mapping[K, V]`` (read-only ``MappingProxyType``), unions with ``None`` and nested
dataclasses. A model field of any other type is refused when the converter is compiled,
so a new field cannot be silently left out of the snapshot: it is written, read back
and described in the JSON Schema by the same walk.

Reading is strict: every value must have its field's JSON type (a boolean is not a
number, ``"true"`` is not a boolean, ``1e30`` is not an integer), integers and strings
stay within :data:`INT_RANGES` / :data:`MAX_STRING`, and a failure is an :class:`Invalid`
carrying the JSON pointer of the value. Dates are checked against each other and the
collection time by the snapshot module, which knows that time.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from types import MappingProxyType, NoneType, UnionType
from typing import Any

import orjson

from keyless.collect.formats.dates import to_utc
from keyless.collect.formats.names import name_problem, tag_problem
from keyless.dates import iso
from keyless.errors import quoted
from keyless.model import (
    AccessKey,
    Account,
    AccountAssignment,
    Group,
    Inventory,
    Organization,
    Role,
    User,
)

#: JSON names that differ from the Python field names. The model renamed these fields;
#: the ``keyless/snapshot/v1`` documents keep the names they were written with.
JSON_NAMES: Mapping[tuple[type, str], str] = MappingProxyType(
    {(Account, "datasets"): "sources", (Inventory, "origin"): "source"}
)

#: Fields a v1 document may lack because they were added to the model after v1 was
#: first written; absent, they take the dataclass default. A field added to the model
#: without an entry here makes the fixtures written by older versions fail to load.
ADDED_AFTER_V1: frozenset[tuple[type, str]] = frozenset({(Account, "notes")})

#: Every integer of the model is a count, a slot or a duration.
DEFAULT_INT_RANGE = (0, 2**31 - 1)
INT_RANGES: Mapping[tuple[type, str], tuple[int, int]] = MappingProxyType(
    {
        # The credential report has two key slots; IAM allows two keys per user.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
        (AccessKey, "slot"): (1, 2),
        # One to twelve hours.
        # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
        (Role, "max_session_duration"): (3600, 43200),
    }
)

#: Strings with a grammar of their own (keyless.collect.formats.names): a snapshot holds
#: what AWS returned, whose names and paths are always in IAM's grammar.
NAME_GRAMMARS: Mapping[tuple[type, str], str] = MappingProxyType(
    {
        (User, "name"): "UserName",
        (Role, "name"): "RoleName",
        (Group, "name"): "GroupName",
        (User, "path"): "Path",
        (Role, "path"): "Path",
        (Group, "path"): "Path",
        (Account, "alias"): "AccountAlias",
        (Account, "name"): "AccountName",
        (Account, "id"): "AccountId",
        (Account, "email"): "AccountEmail",
        (Organization, "id"): "OrganizationId",
        (Organization, "management_account_id"): "AccountId",
        # An Identity Center assignment's account: 12 digits, as ListAccountAssignments
        # returns it (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignment.html).
        (AccountAssignment, "account_id"): "AccountId",
        # An access key's ID as ListAccessKeys returns it (null when not collected: the
        # credential report has none); plans carry it to `keyless retire`.
        (AccessKey, "key_id"): "AccessKeyId",
    }
)

#: Grammar fields that may also be empty: an export without ``organization.json`` is an
#: organization whose ID is not known, and ``DescribeOrganization`` may leave out the
#: management account.
EMPTY_WHEN_UNKNOWN: frozenset[tuple[type, str]] = frozenset(
    {(Organization, "id"), (Organization, "management_account_id")}
)

#: The longest string a snapshot may hold outside policy documents. IAM's own longest
#: (an ARN) is 2,048 characters; error messages and reasons are kept whole up to this.
MAX_STRING = 65536

Convert = Callable[[Any], Any]


class Invalid(ValueError):
    """A value that does not fit its field; ``pointer`` says where (RFC 6901)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self._path: list[str] = []

    def within(self, segment: str | int) -> Invalid:
        """Prefix the pointer with ``segment`` (the caller is one level up)."""
        self._path.append(str(segment).replace("~", "~0").replace("/", "~1"))
        return self

    @property
    def pointer(self) -> str:
        return "".join("/" + segment for segment in reversed(self._path))


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One dataclass field as the snapshot sees it."""

    attribute: str
    key: str
    hint: Any
    required: bool
    int_range: tuple[int, int]
    #: The IAM grammar the value follows (a key of keyless.collect.formats.names.GRAMMARS).
    grammar: str | None = None
    #: Whether ``""`` stands for a value not known (:data:`EMPTY_WHEN_UNKNOWN`).
    may_be_empty: bool = False


@functools.cache
def fields_of(cls: type) -> tuple[Field, ...]:
    """The fields of dataclass ``cls`` with their JSON names and resolved type hints."""
    hints = typing.get_type_hints(cls)
    return tuple(
        Field(
            attribute=field.name,
            key=JSON_NAMES.get((cls, field.name), field.name),
            hint=hints[field.name],
            required=(cls, field.name) not in ADDED_AFTER_V1,
            int_range=INT_RANGES.get((cls, field.name), DEFAULT_INT_RANGE),
            grammar=NAME_GRAMMARS.get((cls, field.name)),
            may_be_empty=(cls, field.name) in EMPTY_WHEN_UNKNOWN,
        )
        for field in dataclasses.fields(cls)
    )


def _kind(value: object) -> str:
    """A JSON value's type as JSON names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {quoted(value)}"
    if isinstance(value, str):
        return "a string" if len(value) > 40 else f"the string {value!r}"
    return "an array" if isinstance(value, list) else "an object"


def is_document(hint: Any) -> bool:
    """``Mapping[str, Any]``: a policy document, opaque to the snapshot."""
    return typing.get_origin(hint) is Mapping and typing.get_args(hint)[1] is Any


def optional_inner(hint: Any) -> Any | None:
    """``X`` for ``X | None``; None for anything else."""
    if typing.get_origin(hint) in (UnionType, typing.Union):
        others = [arg for arg in typing.get_args(hint) if arg is not NoneType]
        if len(others) == 1 and len(typing.get_args(hint)) == 2:
            return others[0]
    return None


# -- reading ---------------------------------------------------------------------------


def decoder(hint: Any, int_range: tuple[int, int] = DEFAULT_INT_RANGE) -> Convert:
    """The function that turns a parsed JSON value into a value of type ``hint``,
    raising :class:`Invalid` for anything else."""
    return _decoder(hint, int_range)


@functools.cache
def _decoder(hint: Any, int_range: tuple[int, int]) -> Convert:
    inner = optional_inner(hint)
    if inner is not None:
        convert = _decoder(inner, int_range)
        return lambda value: None if value is None else convert(value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    if hint is str:
        return _str
    if hint is bool:
        return _bool
    if hint is int:
        return _int_decoder(*int_range)
    if hint is datetime:
        return _date
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_decoder(hint)
    if is_document(hint):
        return _document
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence_decoder(_decoder(args[0], int_range), tuple)
    if origin is frozenset:
        return _sequence_decoder(_decoder(args[0], int_range), frozenset)
    if origin is Mapping:
        return _mapping_decoder(_decoder(args[0], int_range), _decoder(args[1], int_range))
    raise TypeError(f"the snapshot cannot convert {hint!r}: teach keyless.collect.offline.codec")


def _str(value: Any) -> str:
    if type(value) is str and len(value) <= MAX_STRING:
        return value
    if type(value) is str:
        raise Invalid(f"a string of {len(value):,} characters (at most {MAX_STRING:,})")
    raise Invalid(f"expected a string, found {_kind(value)}")


def _bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise Invalid(f"expected true or false, found {_kind(value)}")


def _int_decoder(low: int, high: int) -> Convert:
    def convert(value: Any) -> int:
        if type(value) is int and low <= value <= high:
            return value
        raise Invalid(f"expected a whole number from {low} to {high}, found {_kind(value)}")

    return convert


def _date(value: Any) -> datetime:
    if type(value) is not str:
        raise Invalid(f"expected an ISO 8601 date, found {_kind(value)}")
    try:
        moment = to_utc(value)
    except ValueError:
        moment = None
    if moment is None:
        raise Invalid(f"expected an ISO 8601 date, found {_kind(value)}")
    return moment


def _enum_decoder(enum: type[Enum]) -> Convert:
    members = {member.value: member for member in enum}
    allowed = ", ".join(repr(value) for value in members)

    def convert(value: Any) -> Enum:
        if type(value) is str and value in members:
            return members[value]
        raise Invalid(f"expected one of {allowed}, found {_kind(value)}")

    return convert


def _document(value: Any) -> Any:
    if type(value) is dict:
        return value
    raise Invalid(f"expected a policy document (a JSON object), found {_kind(value)}")


def _sequence_decoder(item: Convert, collection: Callable[[list[Any]], Any]) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not list:
            raise Invalid(f"expected an array, found {_kind(value)}")
        try:
            return collection([item(entry) for entry in value])
        except Invalid as error:
            # Find the entry again (only on failure) to name it in the pointer.
            index = next(i for i, entry in enumerate(value) if _fails(item, entry))
            raise error.within(index) from None

    return convert


def _fails(convert: Convert, value: Any) -> bool:
    try:
        convert(value)
    except Invalid:
        return True
    return False


_EMPTY: Mapping[Any, Any] = MappingProxyType({})


def _mapping_decoder(key: Convert, item: Convert) -> Convert:
    def convert(value: Any) -> Mapping[Any, Any]:
        if type(value) is not dict:
            raise Invalid(f"expected an object, found {_kind(value)}")
        if not value:
            return _EMPTY
        converted = {}
        for name, entry in value.items():
            try:
                converted[key(name)] = item(entry)
            except Invalid as error:
                raise error.within(name) from None
        if key is _str:
            _refuse_bad_tags(converted)
        return MappingProxyType(converted)

    return convert


def _refuse_bad_tags(mapping: Mapping[str, Any]) -> None:
    """Every string-keyed mapping of the model is a user's or role's tags: each must be one
    IAM can hold (:func:`keyless.collect.formats.names.tag_problem`), and IAM keeps
    one tag per key, ignoring case: an object with ``email`` and ``Email`` was edited, and
    which value a reader kept (a plan's email, an ``aws:PrincipalTag`` of its proof)
    would depend on the reader. Refused as the export reader refuses it (same folding).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating"""
    seen: dict[str, str] = {}
    for name, value in mapping.items():
        problem = tag_problem(name, value) if isinstance(value, str) else None
        if problem is not None:
            raise Invalid(problem).within(name)
        first = seen.setdefault(name.lower(), name)
        if first != name:
            raise Invalid(
                f"the tag key {quoted(name)} differs only in case from {quoted(first)}"
                " (IAM tag keys ignore case): AWS lists each once"
            ).within(name)


def _dataclass_decoder(cls: type) -> Convert:
    plan = [
        (
            field.attribute,
            field.key,
            _decoder(field.hint, field.int_range)
            if field.grammar is None
            else _grammar_decoder(
                field.grammar,
                optional=optional_inner(field.hint) is not None,
                may_be_empty=field.may_be_empty,
            ),
            field.required,
        )
        for field in fields_of(cls)
    ]

    known = frozenset(key for _, key, _, _ in plan)

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            raise Invalid(f"expected an object, found {_kind(value)}")
        arguments = {}
        for attribute, key, field_decoder, required in plan:
            if key not in value:
                if required:
                    raise Invalid(f"missing field {key!r}")
                continue
            try:
                arguments[attribute] = field_decoder(value[key])
            except Invalid as error:
                raise error.within(key) from None
        if len(arguments) != len(value):
            refuse_unknown_fields(value, known)
        return cls(**arguments)

    return convert


def refuse_unknown_fields(value: Mapping[str, Any], known: frozenset[str]) -> None:
    """An :class:`Invalid` at the first key of ``value`` not in ``known``. A field this
    keyless does not know was added by a newer keyless (docs/snapshot.md: adding an
    optional field keeps v1) or by an edit; either way what it says would be dropped, and
    what it says may change a verdict (a key's state, a boundary), so the snapshot is not
    read rather than read without it."""
    for key in value:
        if key not in known:
            raise Invalid(
                f"unknown field {quoted(key)}: not one this version of keyless reads (a"
                " snapshot of a newer keyless, or an edited one); read it with the keyless"
                " that wrote it"
            ).within(key)


def _grammar_decoder(what: str, optional: bool, may_be_empty: bool) -> Convert:
    def convert(value: Any) -> str | None:
        if value is None and optional:
            return None
        text = _str(value)
        if not text and may_be_empty:
            return text
        problem = name_problem(what, text)
        if problem is not None:
            raise Invalid(problem)
        return text

    return convert


# -- writing ---------------------------------------------------------------------------


def encoder(hint: Any) -> Convert | None:
    """The function that turns a value of type ``hint`` into a JSON value, or None when
    the value is one already (strings, numbers, booleans)."""
    return _encoder(hint)


@functools.cache
def _encoder(hint: Any) -> Convert | None:
    inner = optional_inner(hint)
    if inner is not None:
        convert = _encoder(inner)
        if convert is None:
            return None
        return lambda value: None if value is None else convert(value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_encoder(hint)
    if hint in (str, bool, int):
        return None
    if hint is datetime:
        return iso
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda value: value.value
    if is_document(hint):
        return _plain
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _encoder(args[0])
        return list if item is None else _list_encoder(item)
    if origin is frozenset:
        return _set_encoder(_encoder(args[0]) or _same)
    if origin is Mapping:
        return _mapping_encoder(_encoder(args[0]) or _same, _encoder(args[1]) or _same)
    raise TypeError(f"the snapshot cannot convert {hint!r}: teach keyless.collect.offline.codec")


def _same(value: Any) -> Any:
    return value


def _list_encoder(item: Convert) -> Convert:
    return lambda value: [item(entry) for entry in value]


def _set_encoder(item: Convert) -> Convert:
    # Sorted by their JSON text: the same set is always written the same way.
    return lambda value: sorted((item(entry) for entry in value), key=orjson.dumps)


def _mapping_encoder(key: Convert, item: Convert) -> Convert:
    return lambda value: {key(name): item(entry) for name, entry in value.items()}


def _plain(document: Mapping[str, Any]) -> Any:
    """Documents are parsed JSON objects (dicts); any other Mapping is copied to one."""
    return document if type(document) is dict else dict(document)


def _dataclass_encoder(cls: type) -> Convert:
    plan = [(field.attribute, field.key, _encoder(field.hint)) for field in fields_of(cls)]

    def convert(value: Any) -> dict[str, Any]:
        return {
            key: getattr(value, attribute)
            if field_encoder is None
            else field_encoder(getattr(value, attribute))
            for attribute, key, field_encoder in plan
        }

    return convert


def plain_json(value: object) -> object:
    """orjson's fallback for Mappings nested inside policy documents."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
