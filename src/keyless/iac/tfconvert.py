"""Terraform's conversions between primitive types, where a variable's type asks for one.

A variable of type ``string`` whose value is ``5`` holds the string ``"5"`` (so
``jsonencode(var.x)`` is ``"5"``), a ``number`` given ``"5"`` holds ``5``, a ``bool`` given
``"true"`` holds ``true`` (the elements of a ``list(any)`` or ``map(any)``, converted to
the one type Terraform unifies them to, are :mod:`keyless.iac.tfunify`'s):
https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types
(compared with ``terraform console`` in ``tests/iac/test_type_conversions.py``).

keyless converts only what it can write exactly. A number becomes a string the way cty
writes it (``big.Float.Text('f', -1)`` of its 512-bit value): exact for a whole number,
which Python's ``int`` holds; a fraction (a Python ``float``, which has lost digits cty
keeps) is left unknown. ``"1"`` and ``"0"`` as a bool convert in some Terraform versions
only: unknown. A value that does not conform at all was refused before
(:mod:`keyless.iac.tfconform`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from keyless.iac.values import JsonText, Node, Unknown

# cty's string-to-number conversion reads a decimal number (big.Float.Parse, base 10)
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# Whole numbers past this many digits are left unknown (the evaluator's own bound).
_MAX_DIGITS = 1000


def converted(primitive: str, node: Node, address: str) -> Node:
    """``node`` converted to the primitive type ``primitive`` (``string``, ``number``,
    ``bool``; ``any`` and anything else leave it as it is)."""
    value = node.value
    if value is None or isinstance(value, Unknown | tuple | Mapping):
        return node
    result: object
    if primitive == "string":
        if isinstance(value, bool):
            result = "true" if value else "false"
        elif isinstance(value, int):
            result = str(value)
        elif isinstance(value, float):
            reason = "a fraction as a string: cty writes digits keyless lacks"
            return _unknown(node, address, reason)
        else:
            return node  # a string (or JSON text, a string too)
    elif primitive == "number":
        if isinstance(value, bool) or not isinstance(value, str):
            return node  # a number; a bool was refused (tfconform)
        number = number_of(value)
        if number is None:
            return _unknown(node, address, f"the string {value[:40]!r} as a number")
        result = number
    elif primitive == "bool":
        if value in ("true", "false"):
            result = value == "true"
        elif isinstance(value, str) and not isinstance(value, JsonText):
            return _unknown(
                node, address, f"the string {value[:40]!r} as a bool (Terraform versions differ)"
            )
        else:
            return node
    else:
        return node
    return Node(result, node.position, node.notes)


def number_of(text: str) -> int | float | None:
    """cty's number for a decimal string: a whole number as ``int``, ``-0`` as ``-0.0``,
    a fraction as ``float`` (as the evaluator reads a fraction literal); None for what
    keyless does not hold."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        decimal = Decimal(text)
    except InvalidOperation:
        return None
    if decimal.is_zero():
        return -0.0 if decimal.is_signed() else 0
    if decimal.adjusted() >= _MAX_DIGITS:
        return None
    if decimal == decimal.to_integral_value():
        return int(decimal)
    if decimal.adjusted() < -300:
        return None  # below what a float holds apart from zero
    return float(decimal)


def _unknown(node: Node, address: str, reason: str) -> Node:
    return Node(Unknown(address, reason, node.position), node.position, node.notes)
