"""Terraform's collection functions: lists, sets, maps and objects.

Sets are ordered as Terraform's cty orders them: strings lexically, numbers by value, false
before true, and any other element (an object, a list) by the bytes cty hashes it to
(cty/set_internals.go, ``setRules.Less``). A collection whose elements Terraform would
first convert to one type is not evaluated.
https://developer.hashicorp.com/terraform/language/functions
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from keyless.errors import quoted
from keyless.iac.builtins.common import (
    Fails,
    Function,
    as_list,
    check_size,
    integers,
    strings,
)
from keyless.iac.values import Attributes, Node, Position, is_partial, mapping, plain


def _key(node: Node) -> bytes:
    """A value's identity for set membership: its JSON text, keys sorted (so 1 and true,
    equal in Python, differ as in Terraform)."""
    return orjson.dumps(plain(node), option=orjson.OPT_SORT_KEYS)


def _same_kind(values: Sequence[Node]) -> None:
    """Terraform converts a collection's elements to one type (1 and "1" become "1"):
    keyless evaluates collections whose elements already share a kind."""
    kinds = {type(v.value) for v in values}
    if len(kinds) > 1 or kinds & {float}:
        raise TypeError("elements of different types are converted: not evaluated")


# Go's %q escapes of the ASCII characters it does not write as themselves
_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def _go_quoted(text: str) -> str:
    """``text`` as Go's ``fmt.Sprintf("%q", …)`` writes it. A character outside ASCII is
    refused: Go's idea of which are printable follows its own Unicode tables."""
    if not text.isascii():
        raise TypeError("a set of objects holding text outside ASCII: not evaluated")
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _hash_text(value: Any, out: list[str]) -> None:
    """cty's set hash text of ``value`` (``appendSetHashBytes``), for values of one type.
    A list and a tuple are written alike, and an object's attributes as cty writes them:
    within a set every element has the same type, so the brackets never decide an order."""
    if value is None:
        out.append("~")
    elif isinstance(value, bool):
        out.append("T" if value else "F")
    elif isinstance(value, int):
        if abs(value) >= 10**10:  # big.Float.String() writes 10 digits, then an exponent
            raise TypeError("a set of objects holding large numbers: not evaluated")
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_go_quoted(value))
    elif isinstance(value, list):
        out.append("[")
        for item in value:
            _hash_text(item, out)
            out.append(";")
        out.append("]")
    elif isinstance(value, dict):
        out.append("<")
        for key in sorted(value):
            _hash_text(value[key], out)
            out.append(";")
        out.append(">")
    else:
        raise TypeError("a set of fractional numbers: not evaluated")


def _shape(value: Any) -> Any:
    """The type of a plain value as far as the order needs it; ``None`` for null."""
    if value is None:
        return None
    if isinstance(value, list):
        return ("list", _unify([_shape(item) for item in value]))
    if isinstance(value, dict):
        return ("object", tuple(sorted((key, _shape(item)) for key, item in value.items())))
    return type(value).__name__


def _unify(shapes: Sequence[Any]) -> Any:
    """The one shape of ``shapes`` (null fits any), or :class:`TypeError` where Terraform
    would convert the elements to another type first."""
    found: Any = None
    for shape in shapes:
        if shape is None or shape == found:
            continue
        if found is None:
            found = shape
        elif shape[0] == found[0] == "list":
            found = ("list", _unify([found[1], shape[1]]))
        elif shape[0] == found[0] == "object" and [k for k, _ in shape[1]] == [
            k for k, _ in found[1]
        ]:
            merged = [
                (k, _unify([a, b])) for (k, a), (_, b) in zip(found[1], shape[1], strict=True)
            ]
            found = ("object", tuple(merged))
        else:
            raise TypeError("elements of different types are converted: not evaluated")
    return found


def set_order(items: Sequence[Node]) -> list[Node]:
    """``items`` without repeats, in the order Terraform iterates a set of them."""
    seen: set[bytes] = set()
    kept: list[Node] = []
    for item in items:
        key = _key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    values = [plain(item) for item in kept]
    if any(value is None for value in values):
        raise TypeError("a set holding null: not evaluated")
    if _unify([_shape(value) for value in values]) == "float":
        raise TypeError("a set of fractional numbers: not evaluated")
    if all(isinstance(value, str) for value in values):
        return sorted(kept, key=lambda item: str(item.value))
    if all(integers(value) for value in values):
        return sorted(kept, key=lambda item: int(plain(item)))
    if all(isinstance(value, bool) for value in values):
        return sorted(kept, key=lambda item: bool(plain(item)))

    def text(item: Node) -> bytes:
        out: list[str] = []
        _hash_text(plain(item), out)
        return "".join(out).encode()

    return sorted(kept, key=text)


def _concat(arguments: list[Node], position: Position) -> Node:
    items: list[Node] = []
    for argument in arguments:
        if not isinstance(argument.value, tuple):
            raise TypeError("concat takes lists")
        items.extend(argument.value)
        check_size(len(items))
    return Node(tuple(items), position)


def _flatten(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    items: list[Node] = []
    stack = [argument]
    while stack:
        current = stack.pop()
        if isinstance(current.value, tuple):
            stack.extend(reversed(current.value))
        else:
            items.append(current)
            check_size(len(items))
    return Node(tuple(items), position)


def _toset(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    if not isinstance(argument.value, tuple):
        raise TypeError("toset takes a list")
    return Node(tuple(set_order(argument.value)), position)


def _distinct(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    if not isinstance(argument.value, tuple):
        raise TypeError("distinct takes a list")
    seen: set[bytes] = set()
    kept: list[Node] = []
    for item in argument.value:
        key = orjson.dumps(plain(item), option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return Node(tuple(kept), position)


def _merge(arguments: list[Node], position: Position) -> Node:
    members: dict[str, Node] = {}
    for argument in arguments:
        if not isinstance(argument.value, Mapping):
            raise TypeError("merge takes objects")
        members.update(argument.value)
    partial = next((a.value for a in arguments if is_partial(a.value)), None)
    if isinstance(partial, Attributes):  # an attribute missing from the result is still unknown
        return Node(Attributes(members, partial.address, position, partial.reason), position)
    return Node(mapping(members), position)


def _lookup(arguments: list[Node], position: Position) -> Node:
    table, key, *default = arguments
    if not isinstance(table.value, Mapping) or not isinstance(key.value, str):
        raise TypeError("lookup takes an object and a key")
    found = table.value.get(key.value)
    if found is not None:
        return found
    if is_partial(table.value):
        raise ValueError("the object's other attributes are not known")
    if default:
        return default[0]
    raise Fails(f"the map has no key {quoted(key.value)} and no default is given")


def _element(arguments: list[Node], position: Position) -> Node:
    items, index = arguments
    if not isinstance(items.value, tuple) or not isinstance(index.value, int):
        raise TypeError("element takes a list and an index")
    if not items.value:
        raise Fails("cannot use element() with an empty list")
    return items.value[index.value % len(items.value)]


def _coalesce(arguments: list[Node], position: Position) -> Node:
    for argument in arguments:
        if argument.value is not None and argument.value != "":
            return argument
    raise Fails("no non-null, non-empty-string arguments")


def _setunion(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setunion
    if not arguments or not all(isinstance(a.value, tuple) for a in arguments):
        raise TypeError("setunion takes sets")
    items: list[Node] = []
    for argument in arguments:
        assert isinstance(argument.value, tuple)
        items.extend(argument.value)
        check_size(len(items))
    return Node(tuple(set_order(items)), position)


def _contains(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/contains
    items, wanted = arguments
    if not isinstance(items.value, tuple) or isinstance(wanted.value, tuple | Mapping):
        raise TypeError("contains takes a list and a value")
    _same_kind([*items.value, wanted])
    key = _key(wanted)
    return Node(any(_key(item) == key for item in items.value), position)


def _keys(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/keys: in lexical order
    (table,) = arguments
    if not isinstance(table.value, Mapping):
        raise TypeError("keys takes a map or an object")
    if is_partial(table.value):
        raise ValueError("the object's other attributes are not known")
    return as_list(sorted(table.value), position)


def _values(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/values: in key order
    (table,) = arguments
    if not isinstance(table.value, Mapping):
        raise TypeError("values takes a map or an object")
    if is_partial(table.value):
        raise ValueError("the object's other attributes are not known")
    return Node(tuple(table.value[key] for key in sorted(table.value)), position)


def _coalescelist(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/coalescelist
    if not all(isinstance(a.value, tuple) for a in arguments):
        raise TypeError("coalescelist takes lists")
    for argument in arguments:
        if argument.value:
            return argument
    raise Fails("no non-empty list arguments")


def _one(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/one
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("one takes a list or a set")
    if len(items.value) > 1:
        raise Fails("must be a list, set, or tuple value with either zero or one elements")
    return items.value[0] if items.value else Node(None, position)


def _sort(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/sort: strings, lexically
    # (Go compares bytes: code points in order, as Python does for str)
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("sort takes a list")
    if any(item.value is None for item in items.value):
        raise Fails("a null string cannot be sorted")
    if not all(isinstance(item.value, str) for item in items.value):
        raise TypeError("only lists of strings are evaluated")
    return Node(tuple(sorted(items.value, key=lambda item: str(item.value))), position)


def _booleans(node: Node, name: str) -> list[bool]:
    if not isinstance(node.value, tuple) or not all(
        isinstance(item.value, bool) for item in node.value
    ):
        raise TypeError(f"{name} takes a list of booleans")
    return [bool(item.value) for item in node.value]


_MAX_RANGE = 1_024  # Terraform refuses to generate more values


def _range(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/range: integers only
    # (Terraform's fractions are arbitrary-precision); a step of 0 or against the direction
    # and more than 1,024 values are not evaluated
    values = [plain(a) for a in arguments]
    if not values or len(values) > 3 or not integers(*values):
        raise TypeError("range takes one to three integers")
    if len(values) == 1:
        values = [0, values[0]]
    start, limit = values[0], values[1]
    step = values[2] if len(values) == 3 else (-1 if limit < start else 1)
    if step == 0 or (step > 0 and limit < start) or (step < 0 and limit > start):
        raise ValueError("a step of 0 or against the direction is not evaluated")
    if abs(limit - start) > _MAX_RANGE * abs(step):
        # Terraform: "more than 1024 values were generated; either decrease the difference
        # between start and end or use a smaller step".
        raise Fails(f"more than {_MAX_RANGE:,} values would be generated")
    return as_list(range(start, limit, step), position)


def _zipmap(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/zipmap
    keys, values = arguments
    names = strings(keys)
    if not isinstance(values.value, tuple):
        raise TypeError("zipmap takes a list of keys and a list of values")
    if len(names) != len(values.value):
        raise Fails(
            f"number of keys ({len(names)}) does not match number of values ({len(values.value)})"
        )
    return Node(mapping(dict(zip(names, values.value, strict=True))), position)


def _slice(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/slice
    items, start, end = arguments
    if not isinstance(items.value, tuple) or not integers(start.value, end.value):
        raise TypeError("slice takes a list and two indices")
    first, last = int(start.value), int(end.value)  # type: ignore[arg-type]
    if first < 0 or last > len(items.value) or first > last:
        raise Fails(f"the indices {first} and {last} are outside the list or out of order")
    return Node(items.value[first:last], position)


def _reverse(arguments: list[Node], position: Position) -> Node:
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("reverse takes a list")
    return Node(tuple(reversed(items.value)), position)


def _index(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/index_function
    items, wanted = arguments
    if not isinstance(items.value, tuple) or isinstance(wanted.value, tuple | Mapping):
        raise TypeError("index takes a list and a value")
    _same_kind([*items.value, wanted])
    key = _key(wanted)
    for number, item in enumerate(items.value):
        if _key(item) == key:
            return Node(number, position)
    raise Fails("item not found")


def _string_set(node: Node) -> list[Node]:
    """A set of strings (only those have a known order, lexical)."""
    if not isinstance(node.value, tuple) or not all(
        isinstance(item.value, str) for item in node.value
    ):
        raise TypeError("only sets of strings are evaluated")
    return list(node.value)


def _set_result(kept: list[Node], position: Position) -> Node:
    unique = {str(item.value): item for item in kept}
    return Node(tuple(unique[key] for key in sorted(unique)), position)


def _setintersection(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setintersection
    if not arguments:
        raise TypeError("setintersection takes sets")
    first, *rest = (_string_set(a) for a in arguments)
    common = [{str(item.value) for item in other} for other in rest]
    return _set_result([i for i in first if all(str(i.value) in c for c in common)], position)


def _setsubtract(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setsubtract
    first, second = (_string_set(a) for a in arguments)
    removed = {str(item.value) for item in second}
    return _set_result([i for i in first if str(i.value) not in removed], position)


FUNCTIONS: dict[str, Function] = {
    "concat": _concat,
    "flatten": _flatten,
    "toset": _toset,
    "tolist": lambda a, p: a[0],
    "tomap": lambda a, p: a[0],
    "distinct": _distinct,
    "compact": lambda a, p: as_list([s for s in strings(a[0]) if s], p),
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "length": lambda a, p: Node(len(plain(a[0])), p),
    "coalesce": _coalesce,
    "setunion": _setunion,
    "contains": _contains,
    "keys": _keys,
    "values": _values,
    "coalescelist": _coalescelist,
    "one": _one,
    "sort": _sort,
    "alltrue": lambda a, p: Node(all(_booleans(a[0], "alltrue")), p),
    "anytrue": lambda a, p: Node(any(_booleans(a[0], "anytrue")), p),
    "range": _range,
    "zipmap": _zipmap,
    "slice": _slice,
    "reverse": _reverse,
    "index": _index,
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
}
