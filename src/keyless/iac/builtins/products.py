"""``setproduct``: every combination of one element of each argument, as a list of lists.

Terraform converts each argument to a list or set of one element type first (``[1, "x"]``
holds ``"1"`` and ``"x"``, :mod:`keyless.iac.tfunify`); the first argument varies
slowest. When an argument is a set, Terraform's result is a set of the same pairs, which
it orders as a set: keyless holds sets as lists, so there the pairs may come in another
order (what they admit in a policy is the same).
https://developer.hashicorp.com/terraform/language/functions/setproduct
"""

from __future__ import annotations

import itertools

from keyless.iac.builtins.common import Fails, Function, check_size
from keyless.iac.tfunify import unified
from keyless.iac.values import Node, Position


def _setproduct(arguments: list[Node], position: Position) -> Node:
    if len(arguments) < 2:
        raise Fails("at least two arguments are required")
    columns: list[tuple[Node, ...]] = []
    size = 1
    for argument in arguments:
        if not isinstance(argument.value, tuple):
            raise TypeError("setproduct takes lists or sets")
        items = unified(argument.value, "setproduct") if argument.value else ()
        if isinstance(items, Node):
            raise TypeError("elements of mixed types")
        columns.append(items)
        size *= len(items)
        check_size(size * len(arguments))
    pairs = tuple(Node(tuple(pair), position) for pair in itertools.product(*columns))
    return Node(pairs, position)


FUNCTIONS: dict[str, Function] = {"setproduct": _setproduct}
