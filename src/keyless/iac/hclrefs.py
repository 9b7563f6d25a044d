"""References in Terraform expressions: ``var.x``, ``local.y``, ``aws_iam_role.r.arn``.

An expression's names are not known to the evaluator itself: a reference is flattened to
its root and steps (:class:`Reference`) and handed to a :data:`Resolver`, which answers
for the root and as many leading steps as it can; the remaining steps are taken here,
inside the value found. This module holds that vocabulary and the evaluation of
identifiers and traversals, so the evaluator's dispatch stays apart from name resolution.
https://developer.hashicorp.com/terraform/language/expressions/references
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from keyless.errors import quoted
from keyless.iac.hcl import position_of
from keyless.iac.values import Attributes, Node, Position, Unknown, chosen_on_stand_in

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a reference after its root: ``.name`` or ``[index]``."""

    name: str | None = None
    index: Node | None = None

    def __str__(self) -> str:
        if self.name is not None:
            return f".{self.name}"
        assert self.index is not None
        value = self.index.value
        return f"[{quoted(value)}]" if isinstance(value, str | int) else "[…]"


@dataclass(frozen=True, slots=True)
class Reference:
    """``root.step.step[…]`` as written, with its position and source text."""

    root: str
    steps: tuple[Step, ...]
    position: Position
    text: str
    path: Path | None = None


#: Resolves a reference's root and leading steps: the node, and how many steps it used.
Resolver = Callable[[Reference], tuple[Node, int]]


def evaluate_identifier(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A bare name: an iteration variable in scope, or a reference to resolve."""
    return _reference(evaluator, tree, str(tree.children[0]), (), scope)


def evaluate_traversal(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``a.b[0].c``: resolved from its root, then stepped into."""
    root, steps, base = _flatten(evaluator, tree, scope)
    if root is not None:
        return _reference(evaluator, tree, root, tuple(steps), scope)
    if not steps or base is tree:
        return evaluator.unknown(tree, "only references to names are evaluated")
    # a step into a value that is no name: split("|", x)[0], (local.a)[1]
    node = evaluator.evaluate(base, scope)
    text, position = evaluator.source(tree), position_of(tree)
    for step in steps:
        node = _step(node, step, text, position)
    return node


def _flatten(
    evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]
) -> tuple[str | None, list[Step], Tree[Any]]:
    """``a.b[0].c`` as the root name and its steps; when the root is no name (a function
    call, an expression in parentheses), ``None``, the steps and the expression."""
    steps: list[Step] = []
    current = tree
    while True:
        if current.data == "expr_term":
            inner = evaluator.children(current)
            if len(inner) != 1:
                return None, steps, current
            current = inner[0]
            continue
        if current.data == "get_attr_expr_term":
            base, attr = evaluator.children(current)
            steps.insert(0, Step(name=_name(evaluator.children(attr)[0])))
            current = base
            continue
        if current.data == "index_expr_term":
            base, index = evaluator.children(current)
            if index.data == "short_index":
                key = Node(int(str(index.children[-1])), position_of(index))
            else:
                key = evaluator.evaluate(evaluator.children(index)[0], scope)
            steps.insert(0, Step(index=key))
            current = base
            continue
        if current.data == "identifier":
            return str(current.children[0]), steps, current
        return None, steps, current


def _reference(
    evaluator: Evaluator,
    tree: Tree[Any],
    root: str,
    steps: tuple[Step, ...],
    scope: Mapping[str, Node],
) -> Node:
    text = evaluator.source(tree)
    position = position_of(tree)
    if root in scope:
        node, used = scope[root], 0
    else:
        node, used = evaluator.resolve(Reference(root, steps, position, text, evaluator.path))
    for step in steps[used:]:
        node = _step(node, step, text, position)
    return node


def _name(tree: Tree[Any]) -> str:
    return "".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))


def _step(node: Node, step: Step, text: str, position: Position) -> Node:
    value = node.value
    if isinstance(value, Unknown):
        return node
    if step.name is not None and isinstance(value, Mapping):
        found = value.get(step.name)
        if found is not None:
            return found
        if isinstance(value, Attributes):
            return value.missing(step.name)
    if step.index is not None:
        # which element is taken is a choice: not on a value keyless stands in for
        guessed = chosen_on_stand_in(text, position, step.index)
        if guessed is not None:
            return guessed
        key = step.index.value
        if isinstance(value, tuple) and isinstance(key, int) and 0 <= key < len(value):
            return value[key]
        if isinstance(value, Mapping) and isinstance(key, str) and key in value:
            return value[key]
        if isinstance(key, Unknown):
            return step.index
    # Every part of a value built from the code is known here (an object, a list, a
    # variable's value, the instances of a resource with count or for_each), so a step it
    # lacks is an error at plan ("Invalid index", "Unsupported attribute"): try() moves on.
    # A resource's or data source's computed attributes are Attributes, answered above.
    return Node(Unknown(text, f"{step} is not in the value", position, fails=True), position)


def evaluate_splat(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``xs[*].a[0]`` and ``xs.*.a``: the steps taken in every element of ``xs``; a value
    that is no list is a list of itself, null an empty list.
    https://developer.hashicorp.com/terraform/language/expressions/splat"""
    base, splat = evaluator.children(tree)
    steps: list[Step] = []
    for part in evaluator.children(splat):
        if part.data == "get_attr":
            steps.append(Step(name=_name(evaluator.children(part)[0])))
        elif part.data == "braces_index":
            steps.append(Step(index=evaluator.evaluate(evaluator.children(part)[0], scope)))
        else:
            return evaluator.unknown(tree, f"{part.data} in a splat is not evaluated")
    node = evaluator.evaluate(base, scope)
    value = node.value
    if isinstance(value, Unknown):
        return node
    position = position_of(tree)
    if value is None:
        return Node((), position)
    items = value if isinstance(value, tuple) else (node,)
    text = evaluator.source(tree)
    results: list[Node] = []
    for item in items:
        for step in steps:
            item = _step(item, step, text, position)
        results.append(item)
    return Node(tuple(results), position)
