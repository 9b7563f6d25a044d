"""A variable's value as its ``type`` constraint makes it, where that matters to keyless.

Terraform converts a variable's value to its type
(https://developer.hashicorp.com/terraform/language/expressions/type-constraints): an
``object({...})`` attribute written ``optional(T)`` or ``optional(T, default)`` that the
value lacks is filled (with null or the default, converted to ``T``), and one written
with a default that the value holds as null takes the default too (HCL's
``typeexpr.Defaults``). keyless fills ``optional(T)`` with null, as the conversion does,
and an attribute a default fills (missing, or null) with the default, converted to ``T``
(and its own optional attributes filled in turn); without an evaluator for the default,
such an attribute is unknown, never the "no such attribute" error that would make
``try()`` move on, nor null
(https://github.com/hashicorp/hcl/pull/549,
https://github.com/hashicorp/hcl/blob/main/ext/typeexpr/defaults.go).
A primitive type converts a primitive value (``5`` given to a ``string`` is ``"5"``,
:mod:`keyless.iac.tfconvert`).

The type is read by its grammar — ``string``, ``number``, ``bool``, ``any``,
``list(T)``, ``set(T)``, ``map(T)``, ``tuple([T, ...])``, ``object({name = T, ...})`` with
``optional(...)`` only as an attribute's type — so only the objects at a place whose type
has optional attributes are opened; a word "optional" elsewhere (an attribute named
``optional_tags``, a comment) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lark import Token, Tree

from keyless.iac.builtins.lists import set_order
from keyless.iac.tfconvert import converted
from keyless.iac.tfunify import unified
from keyless.iac.values import Attributes, Node, Unknown, mapping

#: Evaluates an expression of the module (a default written in a type constraint).
Evaluate = Callable[[Tree[Any]], Node]
OPTIONAL_REASON = "the variable's type may give it a default (optional attributes)"
# Deeper types than this (no module writes one) are read as "may have optional
# attributes anywhere" when they mention optional() at all: recursion stays bounded.
_MAX_DEPTH = 32
_WRAPPERS = frozenset({"expr_term", "expression", "paren_expr"})


def typed(
    type_tree: Tree[Any], value: Node, address: str, evaluate: Evaluate | None = None
) -> Node:
    """``value`` as a variable of type ``type_tree`` holds it (see the module's text);
    ``evaluate`` gives the value of an ``optional(T, default)``'s default (without it, an
    attribute the default would fill is unknown)."""
    return _typed(type_tree, value, address, 0, evaluate)


def _typed(
    type_tree: Tree[Any], node: Node, address: str, depth: int, evaluate: Evaluate | None
) -> Node:
    if depth > _MAX_DEPTH:
        return _unread(type_tree, node, address)
    shape = call_of(type_tree)
    if shape is None:
        # A primitive type converts a primitive value (5 as a string is "5"); any, or what
        # is no type constraint, leaves it as it is.
        primitive = primitive_of(type_tree)
        return converted(primitive, node, address) if primitive is not None else node
    name, arguments = shape
    value = node.value
    if len(arguments) != 1:
        return _unread(type_tree, node, address)
    (argument,) = arguments
    of_any = primitive_of(argument) == "any"
    if name in ("list", "set") and isinstance(value, tuple):
        items = tuple(
            _typed(argument, item, f"{address}[…]", depth + 1, evaluate) for item in value
        )
        if of_any:
            # One element type for all (keyless.iac.tfunify): mixed primitives become strings.
            one_type = unified(items, address)
            if isinstance(one_type, Node):
                return Node(one_type.value, node.position, node.notes)
            items = one_type
        if name == "set":
            items = _as_set(items)
        return Node(items, node.position, node.notes)
    if name == "tuple" and isinstance(value, tuple):
        elements = tuple_items(argument)
        if elements is None or len(elements) != len(value):
            return _unread(type_tree, node, address)
        items = tuple(
            _typed(element, item, f"{address}[{index}]", depth + 1, evaluate)
            for index, (element, item) in enumerate(zip(elements, value, strict=True))
        )
        return Node(items, node.position, node.notes)
    if name == "map" and isinstance(value, Mapping):
        members = {
            k: _typed(argument, v, f"{address}.{k}", depth + 1, evaluate) for k, v in value.items()
        }
        if of_any and not isinstance(value, Attributes):
            one_type = unified(tuple(members.values()), address)
            if isinstance(one_type, Node):
                return Node(one_type.value, node.position, node.notes)
            members = dict(zip(members, one_type, strict=True))
        return Node(_same_kind(value, members), node.position, node.notes)
    if name == "object" and isinstance(value, Mapping):
        attributes = object_attributes(argument)
        if attributes is None:
            return _unread(type_tree, node, address)
        # An attribute the type does not declare is discarded by the conversion: reading
        # it is an error (try() moves on), iterating the object does not meet it.
        # https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-complex-types
        members = {
            key: _typed(attributes[key][0], item, f"{address}.{key}", depth + 1, evaluate)
            for key, item in value.items()
            if key in attributes
        }
        defaults = _default_trees(argument)
        for key, (attribute_type, optional) in attributes.items():
            if not optional or isinstance(value, Attributes):
                continue
            absent = key not in value or value[key].value is None
            if key in defaults and absent and evaluate is not None:
                # optional(T, default): a missing or null attribute takes the default,
                # converted to T (typeexpr.Defaults, applied before the conversion).
                default = evaluate(defaults[key])
                where = f"{address}.{key}"
                members[key] = _typed(attribute_type, default, where, depth + 1, evaluate)
            elif key in defaults and key in value and value[key].value is None:
                # A null attribute takes the default too ("we will overwrite children
                # values with defaults if they are null"): not filled here, so unknown.
                unknown = Unknown(f"{address}.{key}", OPTIONAL_REASON, value[key].position)
                members[key] = Node(unknown, value[key].position)
            elif key not in defaults and key not in value:
                # optional(T) without a default: the conversion fills in null ("Any such
                # missing attributes will be replaced with a null value of the
                # appropriate type upon conversion", hashicorp/hcl#549).
                members[key] = Node(None, node.position)
        lacks_optional = evaluate is None and any(
            optional and key not in value and key in defaults
            for key, (_, optional) in attributes.items()
        )
        if lacks_optional:
            return Node(
                Attributes(members, address, node.position, OPTIONAL_REASON),
                node.position,
                node.notes,
            )
        return Node(_same_kind(value, members), node.position, node.notes)
    return _unread(type_tree, node, address)


def _as_set(items: tuple[Node, ...]) -> tuple[Node, ...]:
    """A ``set(T)``'s elements as Terraform holds them: without repeats, in the order it
    iterates a set (:func:`~keyless.iac.builtins.lists.set_order`); where keyless does not
    know that order (an unknown element, a fraction, null), as written."""
    if not all(item.is_known for item in items):
        return items
    try:
        return tuple(set_order(items))
    except (TypeError, ValueError):
        return items


def _unread(type_tree: Tree[Any], node: Node, address: str) -> Node:
    """A value whose type keyless does not follow (or that does not fit its type): its
    objects are open if the type has an optional attribute anywhere."""
    return open_objects(node, address) if _mentions_optional(type_tree) else node


def _same_kind(value: Mapping[str, Node], members: Mapping[str, Node]) -> Mapping[str, Node]:
    if isinstance(value, Attributes):
        return Attributes(members, value.address, value.position, value.reason)
    return mapping(members)


def open_objects(node: Node, address: str) -> Node:
    """``node`` with each object's missing attributes unknown."""
    value = node.value
    if isinstance(value, tuple):
        items = tuple(open_objects(item, f"{address}[…]") for item in value)
        return Node(items, node.position, node.notes)
    if isinstance(value, Mapping):
        members = {key: open_objects(item, f"{address}.{key}") for key, item in value.items()}
        attributes = Attributes(members, address, node.position, OPTIONAL_REASON)
        return Node(attributes, node.position, node.notes)
    return node


def _mentions_optional(tree: Tree[Any]) -> bool:
    return any(
        subtree.data == "function_call" and _name(subtree) == "optional"
        for subtree in tree.iter_subtrees()
    )


def _unwrapped(tree: Tree[Any]) -> Tree[Any]:
    while tree.data in _WRAPPERS:
        subtrees = [c for c in tree.children if isinstance(c, Tree)]
        if len(subtrees) != 1:
            break
        tree = subtrees[0]
    return tree


_PRIMITIVES = frozenset({"string", "number", "bool", "any"})


def primitive_of(tree: Tree[Any]) -> str | None:
    """``string``, ``number``, ``bool`` or ``any`` when the type is that keyword."""
    node = _unwrapped(tree)
    if node.data == "identifier" and len(node.children) == 1:
        name = str(node.children[0])
        return name if name in _PRIMITIVES else None
    return None


def _name(call: Tree[Any]) -> str | None:
    names = [c for c in call.children if isinstance(c, Tree) and c.data == "identifier"]
    if len(names) != 1 or not names[0].children:
        return None
    return str(names[0].children[0])


def call_of(tree: Tree[Any]) -> tuple[str, list[Tree[Any]]] | None:
    """(function name, argument trees) of ``name(arguments)``; None for anything else."""
    call = _unwrapped(tree)
    if call.data != "function_call":
        return None
    name = _name(call)
    if name is None:
        return None
    arguments = next(
        (c for c in call.children if isinstance(c, Tree) and c.data == "arguments"), None
    )
    trees = [c for c in arguments.children if isinstance(c, Tree)] if arguments else []
    return name, trees


def tuple_items(tree: Tree[Any]) -> list[Tree[Any]] | None:
    literal = _unwrapped(tree)
    if literal.data != "tuple":
        return None
    return [c for c in literal.children if isinstance(c, Tree)]


def object_attributes(tree: Tree[Any]) -> dict[str, tuple[Tree[Any], bool]] | None:
    """name → (type, whether optional) of ``{name = T, other = optional(T, default)}``."""
    literal = _unwrapped(tree)
    if literal.data != "object":
        return None
    attributes: dict[str, tuple[Tree[Any], bool]] = {}
    for element in literal.children:
        if not isinstance(element, Tree) or element.data != "object_elem":
            continue
        parts = [c for c in element.children if isinstance(c, Tree)]
        if len(parts) != 2:
            return None
        key = _key(parts[0])
        if key is None:
            return None
        attribute_type = parts[1]
        shape = call_of(attribute_type)
        if shape is not None and shape[0] == "optional" and shape[1]:
            attributes[key] = (shape[1][0], True)
        else:
            attributes[key] = (attribute_type, False)
    return attributes


def _default_trees(tree: Tree[Any]) -> dict[str, Tree[Any]]:
    """name → default expression of the attributes of an object type written
    ``optional(T, default)``."""
    literal = _unwrapped(tree)
    found: dict[str, Tree[Any]] = {}
    for element in literal.children if literal.data == "object" else ():
        if not isinstance(element, Tree) or element.data != "object_elem":
            continue
        parts = [c for c in element.children if isinstance(c, Tree)]
        shape = call_of(parts[1]) if len(parts) == 2 else None
        key = _key(parts[0]) if parts else None
        if key is not None and shape is not None and shape[0] == "optional" and len(shape[1]) > 1:
            found[key] = shape[1][1]
    return found


def _key(tree: Tree[Any]) -> str | None:
    """An object type's attribute name: ``name`` or ``"name"``."""
    node = _unwrapped(tree)
    if node.data == "object_elem_key":
        node = _unwrapped(next((c for c in node.children if isinstance(c, Tree)), node))
    if node.data == "identifier" and len(node.children) == 1:
        return str(node.children[0])
    parts = [c for c in node.children if isinstance(c, Tree)]
    if node.data == "string" and len(parts) == 1 and parts[0].data == "string_part":
        tokens = parts[0].children
        return str(tokens[0]) if len(tokens) == 1 and isinstance(tokens[0], Token) else None
    return None
