"""The JSON Schema of ``keyless/snapshot/v1``, generated from the model dataclasses by
the same walk that converts them (:mod:`keyless.collect.offline.codec`), so the schema
cannot describe a field the snapshot does not write.

    python -m keyless.collect.offline.snapshot_schema > docs/schemas/snapshot-v1.schema.json

A test fails when the file in docs/schemas and this output differ.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import orjson

from keyless.collect.formats.names import name_schema
from keyless.collect.offline.codec import (
    MAX_STRING,
    fields_of,
    is_document,
    optional_inner,
)
from keyless.collect.offline.snapshot import SCHEMA
from keyless.model import Inventory

SCHEMA_ID = "https://github.com/keyless-dev/keyless/docs/schemas/snapshot-v1.schema.json"


def snapshot_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a snapshot document."""
    definitions: dict[str, Any] = {}
    envelope = _object(Inventory, definitions)
    del envelope["description"]
    envelope["properties"] = {"schema": {"const": SCHEMA}, **envelope["properties"]}
    envelope["required"] = ["schema", *envelope["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": SCHEMA,
        "description": (
            "A snapshot written by `keyless collect --out` (docs/snapshot.md). Generated"
            " from the model by keyless.collect.offline.snapshot_schema; do not edit."
        ),
        **envelope,
        "$defs": dict(sorted(definitions.items())),
    }


def _named(grammar: str, *, optional: bool, may_be_empty: bool) -> dict[str, Any]:
    schema = name_schema(grammar)
    if may_be_empty:
        schema = {"anyOf": [schema, {"const": "", "description": "not known"}]}
    return {"anyOf": [schema, {"type": "null"}]} if optional else schema


def _object(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    required = []
    for field in fields_of(cls):
        properties[field.key] = (
            _schema(field.hint, field.int_range, definitions)
            if field.grammar is None
            else _named(
                field.grammar,
                optional=optional_inner(field.hint) is not None,
                may_be_empty=field.may_be_empty,
            )
        )
        if field.required:
            required.append(field.key)
    # A field the reader does not know is refused (codec.refuse_unknown_fields).
    return {
        "type": "object",
        "description": _summary(cls),
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


def _summary(cls: type) -> str:
    return (inspect.getdoc(cls) or cls.__name__).split("\n\n")[0].replace("\n", " ")


def _schema(hint: Any, int_range: tuple[int, int], definitions: dict[str, Any]) -> Any:
    inner = optional_inner(hint)
    if inner is not None:
        return {"anyOf": [_schema(inner, int_range, definitions), {"type": "null"}]}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if hint.__name__ not in definitions:
            definitions[hint.__name__] = {}  # reserved before recursing
            definitions[hint.__name__] = _object(hint, definitions)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is str:
        return {"type": "string", "maxLength": MAX_STRING}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        low, high = int_range
        return {"type": "integer", "minimum": low, "maximum": high}
    if hint is datetime:
        return {"type": "string", "format": "date-time"}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"enum": [member.value for member in hint]}
    if is_document(hint):
        return {"type": "object", "description": "a policy document, as IAM returned it"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        return {"type": "array", "items": _schema(args[0], int_range, definitions)}
    if origin is frozenset:
        items = _schema(args[0], int_range, definitions)
        return {"type": "array", "items": items, "uniqueItems": True}
    if origin is Mapping:
        return {
            "type": "object",
            "propertyNames": _schema(args[0], int_range, definitions),
            "additionalProperties": _schema(args[1], int_range, definitions),
        }
    raise TypeError(f"no JSON Schema for {hint!r}")


def main() -> None:
    """Print the schema (the file in docs/schemas is this output)."""
    sys.stdout.buffer.write(orjson.dumps(snapshot_schema(), option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":
    main()
