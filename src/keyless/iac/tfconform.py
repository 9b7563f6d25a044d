"""Whether a variable's ``default`` conforms to its ``type``: Terraform refuses a
configuration whose default it cannot convert to the declared type ("Invalid default
value for variable"), so keyless must not judge a trust policy from such a default.

Terraform converts a value to a type constraint before it refuses it
(https://developer.hashicorp.com/terraform/language/expressions/type-conversion): a
number or bool becomes a string, a string of a number a number, ``"true"``/``"false"`` a
bool, an object a map or another object (extra attributes dropped), a tuple a list, set
or tuple. Only what no conversion fixes is reported here: a collection where a primitive
is declared or the reverse, a string that is no number, a number or bool given for the
other, an object lacking an attribute the type requires, a tuple of the wrong length.
What keyless does not know or does not read (an unknown part, a type it cannot parse) is
not reported: the value is then judged, or not, as it is.
https://developer.hashicorp.com/terraform/language/values/variables#type-constraints
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lark import Tree

from keyless.errors import quoted
from keyless.iac.tftypes import call_of, object_attributes, primitive_of, tuple_items
from keyless.iac.values import Attributes, JsonText, Node, Unknown

# cty's string-to-number conversion reads a decimal number (big.Float.Parse, base 10)
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# "1" and "0" convert to bool in some Terraform versions only: not reported either way
_BOOL_TEXTS = frozenset({"true", "false", "1", "0"})
_MAX_DEPTH = 32


def mismatch(type_tree: Tree[Any], node: Node, path: str) -> str | None:
    """Why ``node`` cannot be converted to the type ``type_tree``, naming the part at
    fault from ``path``; None when it can, or when keyless cannot tell."""
    return _mismatch(type_tree, node, path, 0)


def _mismatch(type_tree: Tree[Any], node: Node, path: str, depth: int) -> str | None:
    value = node.value
    if value is None or isinstance(value, Unknown) or depth > _MAX_DEPTH:
        return None  # null fits every type; what is unknown is not decided here
    primitive = primitive_of(type_tree)
    if primitive is not None:
        return _primitive_mismatch(primitive, value, path)
    shape = call_of(type_tree)
    if shape is None or len(shape[1]) != 1:
        return None
    name, (argument,) = shape
    if name in ("list", "set", "tuple"):
        if not isinstance(value, tuple):
            return f"{path} is {_kind(value)}, not a {name}"
        if name == "tuple":
            elements = tuple_items(argument)
            if elements is None:
                return None
            if len(elements) != len(value):
                return f"{path} has {len(value)} elements, the tuple type {len(elements)}"
            pairs = list(zip(elements, value, strict=True))
        else:
            pairs = [(argument, item) for item in value]
        for index, (element, item) in enumerate(pairs):
            found = _mismatch(element, item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
        return None
    if name in ("map", "object"):
        if not isinstance(value, Mapping):
            return f"{path} is {_kind(value)}, not a{'n' if name == 'object' else ''} {name}"
        if name == "map":
            members = [(argument, key, item) for key, item in value.items()]
        else:
            attributes = object_attributes(argument)
            if attributes is None:
                return None
            for key, (_, optional) in attributes.items():
                if not optional and key not in value and not isinstance(value, Attributes):
                    return f"{path} lacks the attribute {quoted(key)} its type requires"
            members = [(attributes[k][0], k, item) for k, item in value.items() if k in attributes]
        for member_type, key, item in members:
            found = _mismatch(member_type, item, f"{path}.{key}", depth + 1)
            if found is not None:
                return found
        return None
    return None


def _primitive_mismatch(primitive: str, value: object, path: str) -> str | None:
    if primitive == "any":
        return None
    if isinstance(value, tuple | Mapping):
        return f"{path} is {_kind(value)}, not a {primitive}"
    if primitive == "number":
        if isinstance(value, bool):
            return f"{path} is a bool, not a number"
        if isinstance(value, str) and not _NUMBER.fullmatch(value):
            return f"{path} is the string {value[:40]!r}, not a number"
    if primitive == "bool":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{path} is a number, not a bool"
        if isinstance(value, str) and value not in _BOOL_TEXTS:
            return f"{path} is the string {value[:40]!r}, not a bool"
        if isinstance(value, JsonText):
            return f"{path} is JSON text, not a bool"
    if primitive == "number" and isinstance(value, JsonText):
        return f"{path} is JSON text, not a number"
    return None


def _kind(value: object) -> str:
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    return "a string"
