"""A JSON Schema (draft 2020-12) from the ``TypedDict`` a converter returns, so that a
published schema is generated from the types mypy holds the converter to, not written a
second time by hand.

The hints it knows: ``str``, ``int``, ``bool``; ``Literal[...]``; a ``StrEnum`` (its
values); ``X | None``; ``list[X]``; ``dict[str, X]``; a nested ``TypedDict`` (in
``$defs``, named after the class, its docstring the description); and
``Annotated[X, Doc(...)]`` for a description, a ``format`` or a ``minimum``. Every key of
a ``TypedDict`` is required and no other is allowed: the converters write each one. A key
marked ``NotRequired[X]`` is not required: one added within a version, that documents of
earlier releases lack (read from the hint itself, as Python 3.11 does not record it in
``__optional_keys__`` under ``from __future__ import annotations``).
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import (
    Any,
    Literal,
    NotRequired,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)


@dataclass(frozen=True, slots=True)
class Doc:
    """What a field's type cannot say: its description, ``format`` (``date-time``) or
    ``minimum``."""

    description: str | None = None
    format: str | None = None
    minimum: int | None = None


_SIMPLE = {str: "string", int: "integer", bool: "boolean", type(None): "null"}


def typed_schema(root: type, *, title: str, schema_id: str, description: str) -> dict[str, Any]:
    """The schema of documents of the ``TypedDict`` ``root``."""
    definitions: dict[str, Any] = {}
    body = _object(root, definitions)
    del body["description"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        "description": description,
        **body,
        "$defs": dict(sorted(definitions.items())),
    }


def _object(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls, include_extras=True)
    optional = {key for key, hint in hints.items() if get_origin(hint) is NotRequired}
    return {
        "type": "object",
        "description": inspect.cleandoc(cls.__doc__ or ""),
        "additionalProperties": False,
        "required": [key for key in hints if key not in optional],
        "properties": {
            key: _schema(get_args(hint)[0] if key in optional else hint, definitions)
            for key, hint in hints.items()
        },
    }


def _schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin, args = get_origin(hint), get_args(hint)
    if origin is typing.Annotated:
        schema = _schema(args[0], definitions)
        for doc in (a for a in args[1:] if isinstance(a, Doc)):
            extra = {"description": doc.description, "format": doc.format, "minimum": doc.minimum}
            schema.update({k: v for k, v in extra.items() if v is not None})
        return schema
    if hint in _SIMPLE:
        return {"type": _SIMPLE[hint]}
    if origin is Literal:
        return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"enum": [member.value for member in hint]}
    if origin in (Union, types.UnionType):
        return _optional(args, definitions)
    if origin is list:
        return {"type": "array", "items": _schema(args[0], definitions)}
    if origin is dict and args[0] is str:
        return {"type": "object", "additionalProperties": _schema(args[1], definitions)}
    if is_typeddict(hint):
        if hint.__name__ not in definitions:
            definitions[hint.__name__] = {}  # a recursive type refers to itself
            definitions[hint.__name__] = _object(hint, definitions)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    raise TypeError(f"no JSON Schema for {hint!r}")


def _optional(args: tuple[Any, ...], definitions: dict[str, Any]) -> dict[str, Any]:
    """``X | None``: a simple type as ``["string", "null"]``, anything else one of the two."""
    others = [a for a in args if a is not type(None)]
    if len(others) != 1 or len(args) != 2:
        raise TypeError(f"no JSON Schema for a union of {args!r}")
    schema = _schema(others[0], definitions)
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"oneOf": [{"type": "null"}, schema]}
