"""What the built-in functions share: their signature, the ways they refuse, and the
conversions of their arguments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from keyless.iac.values import MAX_WEIGHT, Node, Position, plain

Function = Callable[[list[Node], Position], Node]
"""A built-in: its evaluated arguments (all known, but for ``jsonencode``) and the call's
position, to its result; raises to say Terraform fails or keyless does not evaluate."""


class TooLarge(ValueError):
    """The result would be larger than :data:`~keyless.iac.values.MAX_WEIGHT`: refused
    before it is built (a separator of 4 MiB joining a million items)."""


class NotEvaluated(ValueError):
    """keyless does not evaluate these arguments, for the reason its message gives."""


class Unsafe(NotEvaluated):
    """A regular expression keyless does not run (Python's backtracking engine could take
    exponential time where Terraform's RE2 takes linear)."""


class Fails(ValueError):
    """Terraform fails on these arguments (its message), as opposed to keyless not
    evaluating them."""


def check_size(size: int) -> None:
    """Refuse a result of ``size`` items or characters before building it."""
    if size > MAX_WEIGHT:
        raise TooLarge


def strings(node: Node) -> list[str]:
    """A list of strings, or :class:`TypeError`."""
    value = plain(node)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of strings")
    return value


def as_list(items: Sequence[Any], position: Position) -> Node:
    """Plain items as a Terraform list, every item at ``position``."""
    return Node(tuple(Node(item, position) for item in items), position)


def integers(*values: Any) -> bool:
    """Whether every value is a whole number (a boolean is not one)."""
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
