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
    lists: list[tuple[Node, ...]] = []
    size = 1
    for argument in arguments:
        if not isinstance(argument.value, tuple):
            raise TypeError("setproduct takes lists or sets")
        # Sized before the elements are unified: unifying a list of 65,536 nested pairs
        # took a minute, for a product refused as too large once it was done.
        lists.append(argument.value)
        size *= len(argument.value)
        check_size(size * len(arguments))
    columns: list[tuple[Node, ...]] = []
    for values in lists:
        items = unified(values, "setproduct") if values else ()
        if isinstance(items, Node):
            raise TypeError("elements of mixed types")
        columns.append(items)
    pairs = tuple(Node(tuple(pair), position) for pair in itertools.product(*columns))
    return Node(pairs, position)


FUNCTIONS: dict[str, Function] = {"setproduct": _setproduct}
