"""Expressions written in Terraform's JSON syntax, evaluated as HCL's JSON mapping says.

A ``.tf.json`` file's attribute values are JSON values read with positions
(:mod:`keyless.iac.jsonpos`), wrapped in a tree of kind ``json_expression`` (or
``json_literal`` where Terraform takes the value literally: a variable's ``default``, a
module's ``source``) so that the one evaluator (:mod:`keyless.iac.hcleval`) evaluates them
beside native expressions. A string is a string template (``"${aws_iam_role.r.arn}"``,
``"arn:aws:iam::${var.account}:root"``), read by the same template code as a native quoted
string; a string that is only one interpolation is that expression's value, unconverted
(HCL's template unwrapping). An array is a tuple, an object an object whose keys are
templates too; numbers, booleans and null are themselves.
https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping
https://github.com/hashicorp/hcl/blob/main/json/spec.md
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lark import Tree

from keyless.iac.hclinterpolations import interpolations
from keyless.iac.hcltemplates import as_text, template_text
from keyless.iac.jsonpos import DeferredJson
from keyless.iac.values import MAX_LITERAL_DEPTH, Node, Position, SourcedText, deeper_than, mapping

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator

#: The tree kinds this module evaluates.
EXPRESSION = "json_expression"
LITERAL = "json_literal"


def json_tree(node: Node, kind: str = EXPRESSION) -> Tree[Any]:
    """``node`` (a JSON value with its position) as a tree the evaluator dispatches."""
    tree: Tree[Any] = Tree(kind, [node])
    tree.meta.line = node.position.line
    tree.meta.column = node.position.column
    tree.meta.empty = False
    return tree


def json_node(tree: Tree[Any]) -> Node | None:
    """The JSON value a ``json_expression`` or ``json_literal`` tree holds (else None); a
    value whose reading was deferred (:class:`~keyless.iac.jsonpos.DeferredJson`) is read
    now, once."""
    if tree.data in (EXPRESSION, LITERAL) and tree.children and isinstance(tree.children[0], Node):
        node = tree.children[0]
        if isinstance(node.value, DeferredJson):
            node = tree.children[0] = node.value.load()
        return node
    return None


def written(tree: Tree[Any]) -> str:
    """The value as written, for messages: a string's text, a collection shortened."""
    node = json_node(tree)
    if node is None:
        return "…"
    value = node.value
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "[…]" if value else "[]"
    if isinstance(value, Mapping):
        return "{…}" if value else "{}"
    return json.dumps(value)


def evaluate_json(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A JSON value read as an expression (strings are templates)."""
    node = json_node(tree)
    if node is None:
        return evaluator.unknown(tree, "not an expression")
    value = node.value
    if isinstance(value, str):
        return _template(evaluator, value, node.position, tree, scope)
    if isinstance(value, tuple):
        items = tuple(evaluator.evaluate(json_tree(item), scope) for item in value)
        return Node(items, node.position)
    if isinstance(value, Mapping):
        members: dict[str, Node] = {}
        for key, item in value.items():
            name = _template(evaluator, key, item.position, tree, scope)
            text = as_text(name)
            if text is None:
                return evaluator.unknown(tree, "an object key that is not known")
            if text in members:  # two templates rendering the same key: Terraform refuses
                return evaluator.unknown(tree, f"the object key {text!r} is given twice")
            members[text] = evaluator.evaluate(json_tree(item), scope)
        return Node(mapping(members), node.position)
    return _scalar(node)


def evaluate_literal(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A JSON value Terraform takes literally: strings are not templates."""
    node = json_node(tree)
    if node is None:
        return evaluator.unknown(tree, "not a value")
    if deeper_than(node, MAX_LITERAL_DEPTH):
        # as deep as the evaluator goes in an expression (hcleval), and no deeper: what
        # reads a value walks it recursively
        return evaluator.unknown(tree, "nested too deeply to evaluate")
    return _literal(node)


def _literal(node: Node) -> Node:
    value = node.value
    if isinstance(value, tuple):
        # map, not a generator: one Python frame per level
        return Node(tuple(map(_literal, value)), node.position)
    if isinstance(value, Mapping):
        return Node(
            mapping(dict(zip(value, map(_literal, value.values()), strict=True))), node.position
        )
    return _scalar(node)


def _scalar(node: Node) -> Node:
    # cty holds a number exactly: a whole one written 1.0 or 1e3 is that integer, as the
    # native syntax's number literals are (hcleval.Evaluator._float).
    value = node.value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return Node(int(value), node.position)
    return node


def single_interpolation(text: str) -> str | None:
    """The expression of a template that is one ``${ … }`` and nothing else (no strip
    marker), which HCL evaluates to that expression's value, unconverted."""
    found = interpolations(text)
    if len(found) != 1 or found[0] != (0, len(text)) or not text.startswith("${"):
        return None
    inner = text[2:-1]
    if inner.startswith("~") or inner.endswith("~"):
        return None
    return inner


def _template(
    evaluator: Evaluator,
    text: str,
    position: Position,
    tree: Tree[Any],
    scope: Mapping[str, Node],
) -> Node:
    """``text`` read as a string template. Terraform parses it from just after the opening
    quote; a JSON string holds no line break, so every part of it is on that line (its
    columns drift by the escapes the JSON decoder removed, as Terraform's own do)."""
    if "${" not in text and "%{" not in text:
        return Node(text, position)
    origin = Position(position.line, position.column + 1)
    inner = single_interpolation(text)
    if inner is not None:
        expression = evaluator.expressions.parse(inner, Position(origin.line, origin.column + 2))
        if expression is None:
            return evaluator.unknown(tree, "an interpolation that is not understood")
        return evaluator.evaluate(expression, scope)
    rendered = template_text(evaluator, text, origin, tree, scope, 0)
    if isinstance(rendered.value, SourcedText):
        # Its line breaks were escapes on one line of the file: a JSON document in it is
        # placed on the string (tfobjects.trust_document), not on lines past it.
        return Node(str(rendered.value), position, rendered.notes)
    return rendered
