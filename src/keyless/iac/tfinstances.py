"""``count`` and ``for_each``: the instances a resource, data source or module call expands to.

Each instance has a key (``[0]``, ``["name"]``) and a scope (``count.index``,
``each.key``, ``each.value``) its arguments are evaluated in. An expansion whose count or
collection is not known from the code, or is too large to expand, is an unknown value, so
the block is reported as not read rather than guessed at.
https://developer.hashicorp.com/terraform/language/meta-arguments/for_each
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from keyless.iac.hcl import Block
from keyless.iac.hcleval import Evaluator
from keyless.iac.values import Node, Unknown, mapping

_MAX_INSTANCES = 10_000


def instances_of(
    block: Block, evaluator: Evaluator
) -> dict[int | str | None, Mapping[str, Node]] | Node:
    """Instance keys and the scope of each (``count.index``, ``each.key/value``):
    ``{None: {}}`` for a single instance, an unknown node when it cannot be known.
    https://developer.hashicorp.com/terraform/language/meta-arguments/count"""
    count = block.body.attributes.get("count")
    for_each = block.body.attributes.get("for_each")
    if count is not None:
        value = evaluator.evaluate(count.expression)
        if isinstance(value.value, bool) or not isinstance(value.value, int):
            return _not_known(value, "count is not known")
        if value.value > _MAX_INSTANCES:
            reason = f"count above {_MAX_INSTANCES} is not expanded"
            return Node(Unknown("count", reason, value.position), value.position)
        return {
            i: {"count": Node(mapping({"index": Node(i, block.position)}), block.position)}
            for i in range(value.value)
        }
    if for_each is not None:
        value = evaluator.evaluate(for_each.expression)
        pairs: list[tuple[str, Node]]
        if isinstance(value.value, Mapping):
            pairs = list(value.value.items())
        elif isinstance(value.value, tuple) and all(
            isinstance(item.value, str) for item in value.value
        ):
            pairs = [(str(item.value), item) for item in value.value]
        else:
            return _not_known(value, "for_each is not known")
        return {
            key: {
                "each": Node(
                    mapping({"key": Node(key, item.position), "value": item}), block.position
                )
            }
            for key, item in pairs
        }
    return {None: {}}


def _not_known(value: Node, reason: str) -> Node:
    if isinstance(value.value, Unknown):
        return value
    return Node(Unknown("count/for_each", reason, value.position), value.position)


def instance_key(key: int | str | None) -> str:
    """Terraform's instance key syntax: ``[0]`` or ``["name"]``."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{orjson.dumps(key).decode()}]"
