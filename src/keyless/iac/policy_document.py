"""``data "aws_iam_policy_document"`` translated into the policy document it renders.

Follows the AWS provider's documentation
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
``statement`` blocks with ``sid``, ``effect`` (default ``Allow``), ``actions`` /
``not_actions``, ``resources`` / ``not_resources``, ``principals`` / ``not_principals``
(``type`` and ``identifiers``; ``type = "*"`` with ``identifiers = ["*"]`` renders
``"Principal": "*"``) and ``condition`` blocks (``test``, ``variable``, ``values``; blocks
with the same test and variable add their values together); ``source_policy_documents``
come first and ``override_policy_documents`` replace statements with the same ``sid``.
Every part keeps the position of the block or attribute it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lark import Tree

from keyless.iac.hcl import Block, Body
from keyless.iac.values import JsonText, Node, Position, Unknown, document, mapping

Evaluate = Callable[[Tree[Any]], Node]

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def translate(block: Block, evaluate: Evaluate) -> Node:
    """The document ``block`` renders, as a :class:`JsonText` node."""
    body = block.body
    if any(b.type == "dynamic" for b in body.blocks):
        dynamic = next(b for b in body.blocks if b.type == "dynamic")
        return _unknown("dynamic blocks are not evaluated", dynamic.position)
    members: dict[str, Node] = {}
    version = _attribute(body, "version", evaluate)
    members["Version"] = version or Node("2012-10-17", block.position)
    policy_id = _attribute(body, "policy_id", evaluate)
    if policy_id is not None:
        members["Id"] = policy_id
    statements = [_statement(s, evaluate) for s in body.blocks_of("statement")]
    sources = _attribute(body, "source_policy_documents", evaluate)
    overrides = _attribute(body, "override_policy_documents", evaluate)
    if sources is not None or overrides is not None:
        merged = _merge(sources, statements, overrides, block.position)
        if isinstance(merged, Node):
            return merged
        statements = merged
    members["Statement"] = Node(tuple(statements), block.position)
    return Node(JsonText(Node(mapping(members), block.position)), block.position)


def _unknown(reason: str, position: Position) -> Node:
    return Node(Unknown("data.aws_iam_policy_document", reason, position), position)


def _attribute(body: Body, name: str, evaluate: Evaluate) -> Node | None:
    attribute = body.attributes.get(name)
    return None if attribute is None else evaluate(attribute.expression)


def _statement(block: Block, evaluate: Evaluate) -> Node:
    body = block.body
    members: dict[str, Node] = {}
    sid = _attribute(body, "sid", evaluate)
    if sid is not None:
        members["Sid"] = sid
    members["Effect"] = _attribute(body, "effect", evaluate) or Node("Allow", block.position)
    for attribute, key in _LIST_KEYS.items():
        value = _attribute(body, attribute, evaluate)
        if value is not None:
            members[key] = _single_or_list(value)
    for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = body.blocks_of(block_type)
        if blocks:
            members[key] = _principals(blocks, evaluate)
    conditions = body.blocks_of("condition")
    if conditions:
        members["Condition"] = _conditions(conditions, evaluate)
    return Node(mapping(members), block.position)


def _single_or_list(node: Node) -> Node:
    """The provider renders a one-element list as a plain string."""
    value = node.value
    if isinstance(value, tuple) and len(value) == 1:
        return value[0]
    return node


def _principals(blocks: tuple[Block, ...], evaluate: Evaluate) -> Node:
    by_type: dict[str, list[Node]] = {}
    position = blocks[0].position
    for block in blocks:
        kind = _attribute(block.body, "type", evaluate)
        identifiers = _attribute(block.body, "identifiers", evaluate)
        if kind is None or identifiers is None:
            return _unknown("a principals block needs type and identifiers", block.position)
        if not isinstance(kind.value, str):
            return kind
        items = identifiers.value
        if isinstance(items, Unknown):
            return identifiers
        if not isinstance(items, tuple):
            return _unknown("identifiers must be a list", identifiers.position)
        by_type.setdefault(kind.value, []).extend(items)
    if set(by_type) == {"*"}:
        return Node("*", position)
    members = {
        kind: _single_or_list(Node(tuple(items), position)) for kind, items in by_type.items()
    }
    return Node(mapping(members), position)


def _conditions(blocks: tuple[Block, ...], evaluate: Evaluate) -> Node:
    tests: dict[str, dict[str, list[Node]]] = {}
    where: dict[str, Position] = {}
    for block in blocks:
        test = _attribute(block.body, "test", evaluate)
        variable = _attribute(block.body, "variable", evaluate)
        values = _attribute(block.body, "values", evaluate)
        if test is None or variable is None or values is None:
            return _unknown("a condition needs test, variable and values", block.position)
        for part in (test, variable, values):
            if isinstance(part.value, Unknown):
                return part
        if not isinstance(test.value, str) or not isinstance(variable.value, str):
            return _unknown("test and variable must be strings", block.position)
        items = values.value if isinstance(values.value, tuple) else (values,)
        tests.setdefault(test.value, {}).setdefault(variable.value, []).extend(items)
        where.setdefault(test.value, block.position)
    members = {
        test: Node(
            mapping(
                {
                    variable: _single_or_list(Node(tuple(items), items[0].position))
                    if items
                    else Node((), where[test])
                    for variable, items in variables.items()
                }
            ),
            where[test],
        )
        for test, variables in tests.items()
    }
    return Node(mapping(members), blocks[0].position)


def _merge(
    sources: Node | None, own: list[Node], overrides: Node | None, position: Position
) -> list[Node] | Node:
    """Statements of the source documents, then this document's, then the overrides',
    a later statement replacing an earlier one with the same ``Sid``."""
    groups: list[list[Node]] = []
    for documents in (sources, overrides):
        found = [] if documents is None else _documents(documents)
        if isinstance(found, Node):
            return found
        groups.append([s for d in found for s in _statements(d)])
    ordered: list[Node] = []
    for statement in (*groups[0], *own, *groups[1]):
        sid = _sid(statement)
        index = next((i for i, e in enumerate(ordered) if sid and _sid(e) == sid), None)
        if index is None:
            ordered.append(statement)
        else:
            ordered[index] = statement
    return ordered


def _documents(group: Node) -> list[Node] | Node:
    if isinstance(group.value, Unknown):
        return group
    if not isinstance(group.value, tuple):
        return _unknown("policy documents must be a list", group.position)
    found = []
    for item in group.value:
        if isinstance(item.value, Unknown):
            return item
        if not isinstance(item.value, JsonText):
            return _unknown(
                "only documents written in this configuration are merged", item.position
            )
        found.append(document(item))
    return found


def _statements(doc: Node) -> list[Node]:
    statement = doc.value.get("Statement") if isinstance(doc.value, Mapping) else None
    if statement is None:
        return []
    return list(statement.value) if isinstance(statement.value, tuple) else [statement]


def _sid(statement: Node) -> str | None:
    if not isinstance(statement.value, Mapping):
        return None
    sid = statement.value.get("Sid")
    return sid.value if sid is not None and isinstance(sid.value, str) else None
