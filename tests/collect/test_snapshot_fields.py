"""A model field the snapshot forgets makes these tests fail: an Inventory with every field
of every model dataclass set to a value other than its default (built from the fields
themselves, so a new field is covered the day it is added) survives a round trip, every
field appears in the written document, and the document validates against the
generated JSON Schema, which matches the file published in docs/schemas."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import MappingProxyType, NoneType, UnionType
from typing import Any

import jsonschema
import pytest

from keyless.collect.offline.codec import ADDED_AFTER_V1, INT_RANGES, NAME_GRAMMARS, fields_of
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.collect.offline.snapshot_schema import snapshot_schema
from keyless.model import (
    AccessKey,
    Account,
    AccountAssignment,
    Group,
    Inventory,
    ManagedPolicy,
    OidcProvider,
    Organization,
    Role,
    RolesAnywhereProfile,
    SamlProvider,
    TrustAnchor,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "docs" / "schemas" / "snapshot-v1.schema.json"
FIXTURES = Path(__file__).parent / "fixtures"
BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class Populate:
    """Builds a value of any model type with every field away from its default; all
    strings, numbers and dates differ, so a field swapped with another is seen too."""

    def __init__(self) -> None:
        self.counter = 0
        self.account_id = ""
        self.slots = 0

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def value(self, hint: Any, owner: type, name: str, default: Any) -> Any:
        args = typing.get_args(hint)
        if typing.get_origin(hint) in (UnionType, typing.Union):
            return self.value(next(a for a in args if a is not NoneType), owner, name, default)
        if dataclasses.is_dataclass(hint):
            return self.dataclass(hint)
        if hint is str and (owner, name) == (Account, "id"):
            self.account_id = f"{self.next():012d}"  # the reader refuses any other account ID
            return self.account_id
        if hint is str and (owner, name) in ((User, "account_id"), (Role, "account_id")):
            return self.account_id  # the reader refuses a user or role of another account
        if hint is str and (owner, name) in NAME_GRAMMARS:
            # The reader refuses a name or path outside IAM's (or AWS's) grammar.
            if owner is Account:
                return {
                    "alias": f"alias-{self.next()}",
                    "name": f"Account {self.next()}",
                    "email": f"aws+{self.next()}@example.com",
                }[name]
            if owner is Organization:
                return {
                    "id": f"o-{self.next():010d}",
                    "management_account_id": f"{self.next():012d}",
                }[name]
            if (owner, name) == (AccountAssignment, "account_id"):
                return f"{self.next():012d}"
            if (owner, name) == (AccessKey, "key_id"):
                return f"AKIA{self.next():016d}"
            return (
                f"/{owner.__name__}.{self.next()}/" if name == "path" else f"{name}.{self.next()}"
            )
        if hint is str:
            return f"{owner.__name__}.{name}.{self.next()}"
        if hint is bool:
            return default is not True
        if hint is int and (owner, name) == (AccessKey, "slot"):
            # A user's two keys are in slots 1 and 2 (the reader refuses a slot twice).
            self.slots += 1
            return 2 - self.slots % 2
        if hint is int:
            low, high = INT_RANGES.get((owner, name), (0, 2**31 - 1))
            return high if default != high else low
        if hint is datetime:
            return BASE + timedelta(minutes=self.next())  # all within the clock skew
        if isinstance(hint, type) and issubclass(hint, Enum):
            return next(member for member in reversed(list(hint)) if member != default)
        origin = typing.get_origin(hint)
        if origin is tuple:
            return (self.value(args[0], owner, name, None), self.value(args[0], owner, name, None))
        if origin is frozenset:
            return frozenset({self.value(args[0], owner, name, None)})
        if origin is Mapping and args[1] is Any:
            return {"Version": "2012-10-17", "Statement": [], "Id": f"{name}.{self.next()}"}
        if origin is Mapping:
            return MappingProxyType(
                {self.value(args[0], owner, name, None): self.value(args[1], owner, name, None)}
            )
        raise AssertionError(f"teach Populate about {hint!r}")

    def dataclass(self, cls: Any) -> Any:
        hints = typing.get_type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            default = field.default
            if field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            values[field.name] = self.value(hints[field.name], cls, field.name, default)
        values.update(self.arn(cls, values))
        return cls(**values)

    def arn(self, cls: Any, values: Mapping[str, Any]) -> dict[str, str]:
        """An ARN of its kind where the reader refuses any other: a user's, group's or
        role's names its path and name, a provider's its URL or name."""
        iam, number = f"arn:aws:iam::{self.account_id}", self.next()
        if cls in (User, Group, Role):
            return {"arn": f"{iam}:{cls.__name__.lower()}{values['path']}{values['name']}"}
        if cls is ManagedPolicy:
            return {"arn": f"{iam}:policy/ManagedPolicy.arn.{number}"}
        if cls is OidcProvider:
            host = f"oidc-{number}.example.com"
            return {"arn": f"{iam}:oidc-provider/{host}", "url": f"https://{host}"}
        if cls is SamlProvider:
            return {"arn": f"{iam}:saml-provider/saml-{number}", "name": f"saml-{number}"}
        where = f"arn:aws:rolesanywhere:us-east-1:{self.account_id}"
        if cls is TrustAnchor:
            return {"arn": f"{where}:trust-anchor/TrustAnchor.arn.{number}"}
        if cls is RolesAnywhereProfile:
            return {"arn": f"{where}:profile/RolesAnywhereProfile.arn.{number}"}
        return {}


def populated() -> Inventory:
    inventory = Populate().dataclass(Inventory)
    assert isinstance(inventory, Inventory)
    return inventory


def model_classes(cls: type = Inventory) -> Iterator[type]:
    """Every dataclass reachable from ``cls`` through field types."""
    seen: set[type] = set()
    pending = [cls]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for field in fields_of(current):
            pending.extend(_dataclasses_in(field.hint))


def _dataclasses_in(hint: Any) -> Iterator[type]:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        yield hint
    for arg in typing.get_args(hint):
        yield from _dataclasses_in(arg)


def test_every_field_is_away_from_its_default() -> None:
    # The builder is what makes the round trip meaningful: check it does what it says.
    for value in _instances(populated()):
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            assert current is not None, f"{type(value).__name__}.{field.name}"
            if field.default is not dataclasses.MISSING:
                assert current != field.default, f"{type(value).__name__}.{field.name}"


def _instances(value: Any) -> Iterator[Any]:
    if dataclasses.is_dataclass(value):
        yield value
        for field in dataclasses.fields(value):
            yield from _instances(getattr(value, field.name))
    elif isinstance(value, tuple | frozenset):
        for item in value:
            yield from _instances(item)
    elif isinstance(value, MappingProxyType):
        for item in value.values():
            yield from _instances(item)


def test_a_fully_populated_inventory_round_trips(tmp_path: Path) -> None:
    inventory = populated()
    write_snapshot(inventory, tmp_path / "s.json")
    assert load_snapshot(tmp_path / "s.json") == inventory


def test_every_model_field_appears_in_the_written_document(tmp_path: Path) -> None:
    write_snapshot(populated(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    carried: set[tuple[type, str]] = set()

    def visit(cls: type, obj: dict[str, Any]) -> None:
        for field in fields_of(cls):
            assert field.key in obj, f"{cls.__name__}.{field.attribute} is not written"
            carried.add((cls, field.attribute))
            follow(field.hint, obj[field.key])

    def follow(hint: Any, value: Any) -> None:
        """Walk ``value`` as the written form of ``hint``, visiting nested dataclasses."""
        args = typing.get_args(hint)
        if value is None:
            return
        if typing.get_origin(hint) in (UnionType, typing.Union):
            follow(next(a for a in args if a is not NoneType), value)
        elif dataclasses.is_dataclass(hint) and isinstance(hint, type):
            visit(hint, value)
        elif typing.get_origin(hint) in (tuple, frozenset):
            for item in value:
                follow(args[0], item)
        elif typing.get_origin(hint) is Mapping and args[1] is not Any:
            for item in value.values():
                follow(args[1], item)

    visit(Inventory, document)
    expected = {(cls, field.attribute) for cls in model_classes() for field in fields_of(cls)}
    assert carried == expected


def test_the_published_schema_is_the_generated_one() -> None:
    published = json.loads(PUBLISHED.read_text())
    assert published == snapshot_schema(), (
        "docs/schemas/snapshot-v1.schema.json is stale: run "
        "`python -m keyless.collect.offline.snapshot_schema > "
        "docs/schemas/snapshot-v1.schema.json`"
    )


def test_the_schema_module_prints_the_published_file() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "keyless.collect.offline.snapshot_schema"],
        capture_output=True,
        check=True,
    ).stdout
    assert printed == PUBLISHED.read_bytes()


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(snapshot_schema())


@pytest.mark.parametrize(
    "source",
    [
        "populated",
        "snapshot-v1-written-by-0.1.0.json",
        "snapshot-v1-org-written-by-0.1.0.json",
    ],
)
def test_written_snapshots_validate_against_the_schema(source: str, tmp_path: Path) -> None:
    inventory = populated() if source == "populated" else load_snapshot(FIXTURES / source)
    write_snapshot(inventory, tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    jsonschema.validate(document, snapshot_schema())


def test_the_schema_requires_every_field() -> None:
    schema = snapshot_schema()
    for cls in model_classes():
        if cls is Inventory:
            continue
        definition = schema["$defs"][cls.__name__]
        assert definition["required"] == [field.key for field in fields_of(cls) if field.required]
        # Only the fields added after v1 was first written may be absent.
        assert {(cls, f.attribute) for f in fields_of(cls) if not f.required} == {
            key for key in ADDED_AFTER_V1 if key[0] is cls
        }
