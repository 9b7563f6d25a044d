"""Terraform's built-in functions, the pure ones, by name.

https://developer.hashicorp.com/terraform/language/functions (only pure ones; arguments are
known when these run, except ``jsonencode``'s, which keeps its unknown parts in place).
:func:`keyless.iac.hclfunctions.evaluate_call` calls them, and evaluates ``file``,
``templatefile``, ``try`` and ``can`` itself: those need the evaluator.
"""

from __future__ import annotations

from keyless.iac.builtins import decoding, lists, products, regex, text
from keyless.iac.builtins.common import Fails, Function, NotEvaluated, TooLarge, Unsafe

FUNCTIONS: dict[str, Function] = {
    **decoding.FUNCTIONS,
    **lists.FUNCTIONS,
    **products.FUNCTIONS,
    **regex.FUNCTIONS,
    **text.FUNCTIONS,
}

__all__ = ["FUNCTIONS", "Fails", "Function", "NotEvaluated", "TooLarge", "Unsafe"]
