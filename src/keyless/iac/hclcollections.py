"""Terraform collections: tuples, objects, and the ``for`` expressions that build them.

Each evaluated item keeps its own position, so a value found deep inside a collection
still points at the line that wrote it. ``for`` expressions are evaluated item by item
with the iteration variables in scope, up to a bound on the number of items; a
collection, key or ``if`` clause that is not known makes the whole expression unknown.
https://developer.hashicorp.com/terraform/language/expressions/types
https://developer.hashicorp.com/terraform/language/expressions/for
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from keyless.iac.hcl import position_of
from keyless.iac.hcltemplates import as_text
from keyless.iac.values import Attributes, Node, chosen_on_stand_in, mapping, partial_reason

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator

_MAX_ITEMS = 100_000


def evaluate_tuple(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``[a, b]``: each item evaluated."""
    items = tuple(evaluator.evaluate(c, scope) for c in evaluator.children(tree))
    return Node(items, position_of(tree))


def evaluate_object(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``{ key = value }``: unknown if a key is not known."""
    members: dict[str, Node] = {}
    for element in evaluator.children(tree):
        key_tree, value_tree = evaluator.children(element)
        key = _object_key(evaluator, key_tree, scope)
        if key is None:
            return evaluator.unknown(key_tree, "an object key that is not known")
        if isinstance(key, Node):
            return key
        members[key] = evaluator.evaluate(value_tree, scope)
    return Node(mapping(members), position_of(tree))


def _object_key(
    evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]
) -> str | Node | None:
    """The key's text; None when it is not known; an unknown node when it is a value
    keyless stands in for (which entry a later lookup finds would be a guess)."""
    children = evaluator.children(tree)
    if not children:  # a keyword used as a key
        return "".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))
    inner = children[0]
    # A bare identifier is the key itself; `(expr)` or a string is evaluated.
    bare = evaluator.children(inner)
    if inner.data == "expr_term" and len(bare) == 1 and bare[0].data == "identifier":
        return str(bare[0].children[0])
    value = evaluator.evaluate(inner, scope)
    guessed = _keyed_on_stand_in(evaluator, inner, value)
    return guessed if guessed is not None else as_text(value)


def _keyed_on_stand_in(evaluator: Evaluator, tree: Tree[Any], key: Node) -> Node | None:
    """An unknown node when ``key`` stands in for what the code does not decide (the
    deploying account): a lookup by a literal key would find, or miss, on the stand-in."""
    return chosen_on_stand_in(evaluator.source(tree), position_of(tree), key)


def evaluate_for_tuple(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``[for x in xs : body if cond]``."""
    parts = evaluator.children(tree)
    intro, body, condition = parts[0], parts[1], parts[2] if len(parts) > 2 else None
    iterations = _iterations(evaluator, intro, scope)
    if isinstance(iterations, Node):
        return iterations
    items: list[Node] = []
    for inner in iterations:
        if condition is not None:
            keep = evaluator.evaluate(evaluator.children(condition)[0], inner)
            if not isinstance(keep.value, bool):
                return evaluator.unknown(tree, "its if clause is not known")
            if not keep.value:
                continue
        items.append(evaluator.evaluate(body, inner))
    return Node(tuple(items), position_of(tree))


def evaluate_for_object(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``{for k, v in xs : key => value if cond}``; with ``...`` after the value, the
    values of each key are grouped into a tuple, in order
    (https://developer.hashicorp.com/terraform/language/expressions/for#grouping-results)."""
    parts = evaluator.children(tree)
    intro, key_tree, value_tree = parts[:3]
    condition = parts[3] if len(parts) > 3 else None
    grouping = any(
        (isinstance(c, Token) and c.type == "ELLIPSIS")
        or (isinstance(c, Tree) and c.data == "ellipsis")
        for c in tree.children
    )
    if grouping:
        condition = next((p for p in parts[3:] if p.data != "ellipsis"), None)
    iterations = _iterations(evaluator, intro, scope)
    if isinstance(iterations, Node):
        return iterations
    members: dict[str, Node] = {}
    groups: dict[str, list[Node]] = {}
    for inner in iterations:
        if condition is not None:
            keep = evaluator.evaluate(evaluator.children(condition)[0], inner)
            if not isinstance(keep.value, bool):
                return evaluator.unknown(tree, "its if clause is not known")
            if not keep.value:
                continue
        key_node = evaluator.evaluate(key_tree, inner)
        guessed = _keyed_on_stand_in(evaluator, key_tree, key_node)
        if guessed is not None:
            return guessed
        key = as_text(key_node)
        if key is None:
            return evaluator.unknown(tree, "a key that is not known")
        value = evaluator.evaluate(value_tree, inner)
        if grouping:
            groups.setdefault(key, []).append(value)
        else:
            members[key] = value
    for key, values in groups.items():
        members[key] = Node(tuple(values), values[0].position)
    return Node(mapping(members), position_of(tree))


def _iterations(
    evaluator: Evaluator, intro: Tree[Any], scope: Mapping[str, Node]
) -> list[Mapping[str, Node]] | Node:
    """The scopes of a ``for`` clause's iterations, or the unknown collection."""
    parts = evaluator.children(intro)
    names = [str(p.children[0]) for p in parts if p.data == "identifier"]
    collection_tree = parts[-1]
    collection = evaluator.evaluate(collection_tree, scope)
    pairs: list[tuple[Node, Node]]
    value = collection.value
    if isinstance(value, tuple):
        pairs = [(Node(i, item.position), item) for i, item in enumerate(value)]
    elif isinstance(value, Attributes) and not value.exact:
        # Terraform iterates every attribute: those keyless does not know too.
        return evaluator.unknown(intro, partial_reason(value))
    elif isinstance(value, Mapping):
        pairs = [(Node(k, item.position), item) for k, item in value.items()]
    else:
        return evaluator.merge_unknown([collection], intro)
    if len(pairs) > _MAX_ITEMS:
        return evaluator.unknown(intro, "too many items to evaluate")
    scopes: list[Mapping[str, Node]] = []
    for key, item in pairs:
        inner = dict(scope)
        if len(names) == 2:
            inner[names[0]], inner[names[1]] = key, item
        else:
            inner[names[0]] = item
        scopes.append(inner)
    return scopes
