"""Evaluating Terraform expressions, as far as they can be known from the code alone.

Literals, strings with interpolations, heredocs, tuples, objects, ``for`` expressions,
conditionals, comparisons, indexing and a small set of pure built-in functions are
evaluated as Terraform does (https://developer.hashicorp.com/terraform/language/expressions).
References (``var.``, ``local.``, ``data.``, resources) are handed to a resolver. Whatever
is not evaluated becomes :class:`~keyless.iac.values.Unknown` naming the expression and
why, so a value is either exactly known or reported as unknown, never guessed.

This module is the dispatch (one handler per kind of expression), with literals and
operators; the other kinds are evaluated beside what they hold: strings and heredocs in
:mod:`~keyless.iac.hcltemplates`, collections and ``for`` in
:mod:`~keyless.iac.hclcollections`, references in :mod:`~keyless.iac.hclrefs`, function
calls in :mod:`~keyless.iac.hclfunctions`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from operator import ge, gt, le, lt
from pathlib import Path
from typing import Any

from lark import Token, Tree

from keyless.iac.hcl import WRITTEN, ParsedExpressions, position_of
from keyless.iac.hclcollections import (
    evaluate_for_object,
    evaluate_for_tuple,
    evaluate_object,
    evaluate_tuple,
)
from keyless.iac.hclfiles import FileAccess
from keyless.iac.hclfunctions import evaluate_call
from keyless.iac.hcljson import EXPRESSION, LITERAL, evaluate_json, evaluate_literal, written
from keyless.iac.hclrefs import Resolver, evaluate_identifier, evaluate_splat, evaluate_traversal
from keyless.iac.hcltemplates import evaluate_heredoc, evaluate_string
from keyless.iac.values import (
    MAX_WEIGHT,
    TOO_LARGE,
    Node,
    Unknown,
    chosen_on_stand_in,
    plain,
    unknowns,
    weight,
)

_MAX_DEPTH = 200
_TOO_DEEP = "nested too deeply to evaluate"
_MAX_DIGITS = 1000
_MAX_BITS = 256


class Evaluator:
    """Evaluates the expressions of one file: ``text`` is the file (for error messages
    quoting an expression), ``resolve`` answers references, ``path`` names the file,
    ``files`` says which files ``file()`` and ``templatefile()`` may read (None: none)."""

    def __init__(
        self,
        text: str,
        resolve: Resolver,
        path: Path | None = None,
        files: FileAccess | None = None,
    ):
        self.text = text
        self.resolve = resolve
        self.path = path
        self.files = files
        #: the expressions written inside this file's templates, each text parsed once
        self.expressions = ParsedExpressions()
        self._depth = 0

    # ----- entry point ---------------------------------------------------------------------

    def evaluate(self, tree: Tree[Any] | Token, scope: Mapping[str, Node] | None = None) -> Node:
        """The value of an expression; ``scope`` holds ``each``, ``count`` and ``for``
        iteration variables."""
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return self.unknown(tree, _TOO_DEEP)
            return self._evaluate(tree, scope or {})
        except RecursionError:
            # The bound above counts this file's expressions; references chain files and
            # modules (a local of a local…, a module's output of its module's output…),
            # each hop a dozen Python frames: a chain of 100 locals exhausted the stack.
            # Whichever expression meets the end of the stack is unknown, never a traceback.
            return self.unknown(tree, _TOO_DEEP)
        finally:
            self._depth -= 1

    def source(self, tree: Tree[Any] | Token) -> str:
        """The expression as written (shortened for messages)."""
        if isinstance(tree, Token):
            shown = str(tree)
        elif tree.data in (EXPRESSION, LITERAL):
            shown = written(tree)
        else:
            meta = tree.meta
            if getattr(meta, "empty", True):
                return "…"
            # a tree parsed from a string of a .tf.json file carries its own text
            shown = getattr(meta, WRITTEN, None) or self.text[meta.start_pos : meta.end_pos]
        shown = " ".join(shown.split())
        return shown if len(shown) <= 80 else shown[:77] + "..."

    def unknown(self, tree: Tree[Any] | Token, reason: str) -> Node:
        """An unknown value for ``tree``."""
        position = position_of(tree)
        return Node(Unknown(self.source(tree), reason, position), position)

    # ----- dispatch ------------------------------------------------------------------------

    def _evaluate(self, tree: Tree[Any] | Token, scope: Mapping[str, Node]) -> Node:
        if isinstance(tree, Token):
            return self.unknown(tree, "not an expression")
        kind = tree.data
        handler = _HANDLERS.get(str(kind))
        if handler is None:
            return self.unknown(tree, f"{kind} expressions are not evaluated")
        result = handler(self, tree, scope)
        # Values grow only where they are built: a value past the limit (forty locals each
        # `concat(local.l, local.l)`, a string doubled sixty times) is unknown before
        # anything walks, encodes or compares it, which would take 2⁴⁰ steps.
        if kind in _BUILDERS and weight(result, MAX_WEIGHT) > MAX_WEIGHT:
            return self.unknown(tree, TOO_LARGE)
        return result

    def children(self, tree: Tree[Any]) -> list[Tree[Any]]:
        """The child trees that are not layout (new lines, comments)."""
        return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def merge_unknown(self, nodes: Sequence[Node], tree: Tree[Any]) -> Node:
        """An unknown value made of unknown parts: the first part's reason names the cause."""
        for node in nodes:
            if isinstance(node.value, Unknown):
                return node
        for node in nodes:
            if not node.is_known:
                first = next(unknowns(node))
                return Node(first, first.position)
        return self.unknown(tree, "not a string")

    def _expr_term(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        inner = self.children(tree)
        if len(inner) != 1:
            return self.unknown(tree, "not an expression")
        return self.evaluate(inner[0], scope)

    def _literal(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        token = str(tree.children[0])
        value = {"true": True, "false": False, "null": None}[token]
        return Node(value, position_of(tree))

    def _int(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        written = str(tree.children[0])
        if len(written) > _MAX_DIGITS:  # int() refuses over 4,300 digits (a ValueError)
            return self.unknown(tree, f"a number of more than {_MAX_DIGITS} digits")
        return Node(int(written), position_of(tree))

    def _float(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        # cty holds a number literal exactly (512-bit big.Float): one that is a whole
        # number (1e20, 2.0) is that int, written "100000000000000000000" as a string and
        # by jsonencode; a fraction is a float, whose digits keyless does not claim.
        written = str(tree.children[0])
        try:
            decimal = Decimal(written)
        except InvalidOperation:
            return self.unknown(tree, "a number keyless does not read")
        if decimal.is_finite() and decimal == decimal.to_integral_value():
            if decimal.adjusted() >= _MAX_DIGITS:
                return self.unknown(tree, f"a number of more than {_MAX_DIGITS} digits")
            return Node(int(decimal), position_of(tree))
        return Node(float(written), position_of(tree))

    def _conditional(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        condition, if_true, if_false = self.children(tree)
        test = self.evaluate(condition, scope)
        guessed = chosen_on_stand_in(self.source(condition), position_of(condition), test)
        if guessed is not None:
            return self._conditional_unknown(tree, guessed)
        if isinstance(test.value, bool):
            return self.evaluate(if_true if test.value else if_false, scope)
        return self._conditional_unknown(tree, test)

    def _conditional_unknown(self, tree: Tree[Any], test: Node) -> Node:
        cause = next(unknowns(test), None)
        why = f" ({cause.expression}: {cause.reason})" if cause is not None else ""
        return self.unknown(tree, f"its condition is not known{why}")

    def _binary(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        left_tree, term = self.children(tree)[:2]
        operator_tree, right_tree = self.children(term)
        operator = str(operator_tree.children[0])
        left = self.evaluate(left_tree, scope)
        right = self.evaluate(right_tree, scope)
        if not (left.is_known and right.is_known):
            return self.merge_unknown([left, right], tree)
        if operator in _CHOICES:
            # a comparison decides: not on a value keyless stands in for
            guessed = chosen_on_stand_in(self.source(tree), position_of(tree), left, right)
            if guessed is not None:
                return guessed
        try:
            a, b = plain(left), plain(right)
        except ValueError as error:  # JSON text keyless cannot write as Terraform does
            return self.unknown(tree, str(error))
        result: Any
        if operator == "==":
            result = a == b
        elif operator == "!=":
            result = a != b
        elif operator in ("&&", "||") and isinstance(a, bool) and isinstance(b, bool):
            result = (a and b) if operator == "&&" else (a or b)
        elif operator == "+" and _numbers(a, b):
            result = a + b
        elif operator == "-" and _numbers(a, b):
            result = a - b
        elif operator == "*" and _numbers(a, b):
            result = a * b
            if result == 0 and isinstance(result, int) and (a < 0 or b < 0):
                result = -0.0  # cty's zero product keeps the sign: 0 * -1 is -0
        elif operator == "/" and _numbers(a, b) and b != 0:
            result = a / b
        elif operator == "%" and _numbers(a, b):
            result = _remainder(a, b)
            if result is None:
                return self.unknown(tree, "a remainder of numbers cty rounds (past 500 bits)")
        elif operator in _COMPARISONS and _numbers(a, b):
            result = _COMPARISONS[operator](a, b)
        else:
            return self.unknown(tree, f"operator {operator} is not evaluated here")
        if isinstance(result, int) and result.bit_length() > _MAX_BITS:
            # forty locals each squaring the last would take Python hours and gigabytes
            return self.unknown(tree, f"a number of more than {_MAX_BITS} bits")
        return Node(result, position_of(tree))

    def _unary(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        operator = str(tree.children[0])
        value = self.evaluate(tree.children[1], scope)
        if operator == "!" and isinstance(value.value, bool):
            return Node(not value.value, position_of(tree))
        if operator == "-" and _numbers(value.value, 0):
            number = value.value
            assert isinstance(number, int | float)
            # -0 is cty's negative zero (written "-0"), which no Python int holds.
            return Node(-float(number) if number == 0 else -number, position_of(tree))
        return self.unknown(tree, "its operand is not known")


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": lt,
    "<=": le,
    ">": gt,
    ">=": ge,
}
#: The operators whose result chooses (a bool from comparing values).
_CHOICES = frozenset({"==", "!=", *_COMPARISONS})


def _remainder(a: float, b: float) -> float | None:
    """cty's ``a % b`` (``Value.Modulo``): ``a`` less ``b`` times the quotient truncated
    toward zero, so the remainder has the dividend's sign (``-7 % 3`` is ``-1`` where
    Python's floored ``%`` gives ``2``); ``a % 0`` is ``a``; a zero remainder is ``0``,
    ``-0`` only when ``a`` is ``-0`` (Go's ``big.Float`` subtraction). cty divides with
    512-bit floats, which round a quotient of larger numbers: None there. Compared with
    ``terraform console`` in ``tests/iac/test_remainder.py``.
    https://github.com/zclconf/go-cty/blob/main/cty/value_ops.go"""
    if b == 0:
        return a
    if isinstance(a, int) and isinstance(b, int):
        if max(a.bit_length(), b.bit_length()) > 500:
            return None
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    found = math.fmod(a, b)
    if found == 0:
        return -0.0 if a == 0 and math.copysign(1.0, a) < 0 else 0
    return found


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


#: The kinds of expression that build a value larger than their parts.
_BUILDERS = frozenset(
    {
        "string",
        "heredoc_template",
        "heredoc_template_trim",
        "tuple",
        "object",
        "binary_op",
        "for_tuple_expr",
        "for_object_expr",
        "function_call",
        EXPRESSION,
    }
)

_HANDLERS: dict[str, Callable[[Evaluator, Tree[Any], Mapping[str, Node]], Node]] = {
    "expr_term": Evaluator._expr_term,
    "literal_value": Evaluator._literal,
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "string": evaluate_string,
    "heredoc_template": evaluate_heredoc,
    "heredoc_template_trim": evaluate_heredoc,
    "tuple": evaluate_tuple,
    "object": evaluate_object,
    "identifier": evaluate_identifier,
    "get_attr_expr_term": evaluate_traversal,
    "index_expr_term": evaluate_traversal,
    "full_splat_expr_term": evaluate_splat,
    "attr_splat_expr_term": evaluate_splat,
    "conditional": Evaluator._conditional,
    "binary_op": Evaluator._binary,
    "unary_op": Evaluator._unary,
    "for_tuple_expr": evaluate_for_tuple,
    "for_object_expr": evaluate_for_object,
    "function_call": evaluate_call,
    EXPRESSION: evaluate_json,
    LITERAL: evaluate_literal,
}
