"""The elements of a ``list(any)``, ``set(any)`` or ``map(any)`` as Terraform holds them.

Such a collection has one element type, which Terraform finds by unifying the types of
the elements it is given (cty's ``convert.UnifyUnsafe``), then converts every element to
it (https://developer.hashicorp.com/terraform/language/expressions/type-constraints#dynamic-types-the-any-constraint).
What reaches a policy is the primitives: a number or bool whose unified type is
``string`` is written as a string. The rules, checked with ``terraform console`` (1.11) in
``tests/iac/test_type_unification.py``:

* primitives of one type stay; mixed with a string they all become strings; a number
  beside a bool (no string) is refused ("all list elements must have the same type");
* null stays null beside primitives, and is refused beside a list or object;
* lists of one length unify position by position (``[[1, true], ["x", false]]`` holds
  ``[["1", true], ["x", false]]``), of different lengths as one list type (every element
  of every list unified: ``[[1, "a"], [2]]`` holds ``[["1", "a"], ["2"]]``);
* objects with the same attributes unify attribute by attribute, with different ones as
  one map type (every attribute unified);
* a list beside an object or a primitive is refused.

An element keyless does not know leaves the others unknown, unless every primitive of
the others is a string already (no conversion can change them).
"""

from __future__ import annotations

from collections.abc import Mapping

from keyless.iac.tfconvert import converted
from keyless.iac.values import Attributes, Node, Unknown, mapping

# A value's type, as unification sees it: ("null",), ("unknown",), ("primitive", name),
# ("tuple", (types…)), ("object", ((name, type)…)); unification gives ("list", type) and
# ("map", type) too.
Type = tuple[object, ...]
_NULL: Type = ("null",)
_UNKNOWN: Type = ("unknown",)
# Types deeper than this are not followed (the whole value is unknown): recursion bounded.
_MAX_DEPTH = 64
_REFUSED = (
    "elements of mixed types Terraform cannot unify: it refuses the value "
    "(all elements must have the same type)"
)
_UNDECIDED = "elements of mixed types: Terraform converts them to one type keyless does not"


class _Refused(ValueError):
    """Terraform cannot unify the types: the value is refused."""


class _Undecided(ValueError):
    """An unknown element decides the type."""


def unified(items: tuple[Node, ...], address: str) -> tuple[Node, ...] | Node:
    """``items`` converted to the one type Terraform unifies them to (see the module's
    text), or one unknown node for the whole value when that type is refused or not known."""
    try:
        one_type = _unify([_type_of(item, 0) for item in items])
    except _Undecided:
        if all(_all_strings(item, 0) for item in items):
            return items
        return _whole_unknown(items, address, _UNDECIDED)
    except _Refused:
        return _whole_unknown(items, address, _REFUSED)
    return tuple(_converted(item, one_type, address) for item in items)


def _type_of(node: Node, depth: int) -> Type:
    value = node.value
    if value is None:
        return _NULL
    if isinstance(value, Unknown | Attributes) or depth > _MAX_DEPTH:
        # An object whose other attributes are unknown has an unknown type.
        return _UNKNOWN
    if isinstance(value, tuple):
        return ("tuple", tuple(_type_of(item, depth + 1) for item in value))
    if isinstance(value, Mapping):
        return ("object", tuple(sorted((k, _type_of(v, depth + 1)) for k, v in value.items())))
    if isinstance(value, bool):
        return ("primitive", "bool")
    if isinstance(value, int | float):
        return ("primitive", "number")
    return ("primitive", "string")


def _unify(types: list[Type]) -> Type:
    if any(t == _UNKNOWN for t in types):
        raise _Undecided
    known = [t for t in types if t != _NULL]
    if not known:
        return _NULL
    if len(set(known)) == 1 and (len(known) == len(types) or known[0][0] == "primitive"):
        return known[0]
    kinds = {t[0] for t in known}
    if len(kinds) != 1 or (len(known) < len(types) and kinds != {"primitive"}):
        raise _Refused
    (kind,) = kinds
    if kind == "primitive":
        primitives = {t[1] for t in known}
        if "string" in primitives:
            return ("primitive", "string")
        raise _Refused  # a number beside a bool
    if kind == "tuple":
        shapes = [_members(t) for t in known]
        if len({len(shape) for shape in shapes}) == 1:
            columns = zip(*(list(shape) for shape in shapes), strict=True)
            return ("tuple", tuple(_unify(list(column)) for column in columns))
        return ("list", _unify([member for shape in shapes for member in shape]))
    objects = [dict(_attributes(t)) for t in known]
    if len({frozenset(o) for o in objects}) == 1:
        keys = sorted(objects[0])
        return ("object", tuple((key, _unify([o[key] for o in objects])) for key in keys))
    return ("map", _unify([member for o in objects for member in o.values()]))


def _members(type_: Type) -> tuple[Type, ...]:
    members = type_[1]
    assert isinstance(members, tuple)
    return members


def _attributes(type_: Type) -> tuple[tuple[str, Type], ...]:
    attributes = type_[1]
    assert isinstance(attributes, tuple)
    return attributes


def _converted(node: Node, type_: Type, address: str) -> Node:
    """``node`` converted to ``type_`` (a type unification gave)."""
    value = node.value
    kind = type_[0]
    if value is None or isinstance(value, Unknown) or type_ in (_NULL, _UNKNOWN):
        return node
    if kind == "primitive":
        return converted(str(type_[1]), node, address)
    if isinstance(value, tuple):
        if kind == "tuple":
            parts = _members(type_)
            items = tuple(
                _converted(item, part, f"{address}[{i}]")
                for i, (item, part) in enumerate(zip(value, parts, strict=True))
            )
        else:
            (element,) = type_[1:]
            assert isinstance(element, tuple)
            items = tuple(_converted(item, element, f"{address}[…]") for item in value)
        return Node(items, node.position, node.notes)
    if isinstance(value, Mapping):
        if kind == "object":
            attributes = dict(_attributes(type_))
            members = {k: _converted(v, attributes[k], f"{address}.{k}") for k, v in value.items()}
        else:
            (element,) = type_[1:]
            assert isinstance(element, tuple)
            members = {k: _converted(v, element, f"{address}.{k}") for k, v in value.items()}
        return Node(mapping(members), node.position, node.notes)
    return node


def _all_strings(node: Node, depth: int) -> bool:
    """Whether no conversion changes ``node``: every primitive in it is a string, null, or
    not known."""
    value = node.value
    if depth > _MAX_DEPTH or isinstance(value, Attributes):
        return False
    if isinstance(value, tuple):
        return all(_all_strings(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return all(_all_strings(item, depth + 1) for item in value.values())
    return value is None or isinstance(value, str | Unknown)


def _whole_unknown(items: tuple[Node, ...], address: str, reason: str) -> Node:
    position = items[0].position
    return Node(Unknown(address, reason, position), position)
