"""Value narrowing of trust policies of infrastructure code: a condition value no stand-in
can fill replaced by a sibling that can, where that only narrows what the policy allows
(:mod:`keyless.iac.roles` judges the result, never as whole).
"""

from __future__ import annotations

from collections.abc import Mapping

from keyless.iac.values import JsonText, Node, Unknown, mapping
from keyless.policy.document import escape_pointer

# Operators whose list of values is a union: a value fewer admits fewer requests (not the
# ``Not`` operators, where it admits more). With or without a set prefix or IfExists.
_UNION_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)


def _is_union_operator(name: str) -> bool:
    base = name.lower().removeprefix("foranyvalue:").removeprefix("forallvalues:")
    return base.removesuffix("ifexists") in _UNION_OPERATORS


def _fillable(node: Node) -> bool:
    value = node.value
    return isinstance(value, str) or (isinstance(value, Unknown) and value.stand_in is not None)


def with_known_siblings(trust: Node) -> tuple[Node, tuple[str, ...]]:
    """The trust policy with each condition value that no stand-in can fill replaced by a
    sibling that can, where that only narrows what the policy allows: in an ``Allow``
    statement, under an operator whose values are a union (``StringLike``,
    ``StringEquals``, ``ArnLike``…), in a list with such a sibling. The pointers of the
    values replaced (none: nothing could be)."""
    replaced: list[str] = []

    def conditions(block: Node, pointer: str) -> Node:
        if not isinstance(block.value, Mapping):
            return block
        operators = {}
        for operator, keys in block.value.items():
            here = f"{pointer}/{escape_pointer(operator)}"
            if not _is_union_operator(operator) or not isinstance(keys.value, Mapping):
                operators[operator] = keys
                continue
            values = {}
            for key, listed in keys.value.items():
                items = listed.value
                sibling = (
                    next((i for i in items if _fillable(i)), None)
                    if isinstance(items, tuple)
                    else None
                )
                if sibling is None:
                    values[key] = listed
                    continue
                assert isinstance(items, tuple)
                kept = []
                for index, item in enumerate(items):
                    if _fillable(item) or not isinstance(item.value, Unknown):
                        kept.append(item)
                        continue
                    replaced.append(f"{here}/{escape_pointer(key)}/{index}")
                    kept.append(Node(sibling.value, item.position, item.notes))
                values[key] = Node(tuple(kept), listed.position, listed.notes)
            operators[operator] = Node(mapping(values), keys.position, keys.notes)
        return Node(mapping(operators), block.position, block.notes)

    def statement(node: Node, pointer: str) -> Node:
        value = node.value
        if not isinstance(value, Mapping):
            return node
        effect = value.get("Effect")
        condition = value.get("Condition")
        if effect is None or effect.value != "Allow" or condition is None:
            return node
        changed = {**value, "Condition": conditions(condition, f"{pointer}/Condition")}
        return Node(mapping(changed), node.position, node.notes)

    def document(node: Node) -> Node:
        value = node.value
        if isinstance(value, JsonText):
            inner = document(value.document)
            return Node(JsonText(inner, value.by_jsonencode), node.position, node.notes)
        if not isinstance(value, Mapping) or "Statement" not in value:
            return node
        statements = value["Statement"]
        if isinstance(statements.value, tuple):
            rewritten = Node(
                tuple(
                    statement(item, f"/Statement/{index}")
                    for index, item in enumerate(statements.value)
                ),
                statements.position,
                statements.notes,
            )
        else:
            rewritten = statement(statements, "/Statement")
        return Node(mapping({**value, "Statement": rewritten}), node.position, node.notes)

    narrowed = document(trust)
    return narrowed, tuple(replaced)
