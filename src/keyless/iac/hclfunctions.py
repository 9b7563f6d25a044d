"""Terraform's built-in functions, the pure ones, evaluated on known arguments.

A call to a function not listed here, a provider-defined function, or a call whose
arguments are not all known is unknown (``jsonencode`` excepted: it keeps its unknown
parts in place, so a policy document with one unknown ARN is still read). A function that
fails on its arguments is unknown too, never an error: Terraform would report it at plan.
Where Terraform itself fails (``lookup()`` of a missing key without a default, ``one()`` of
two items), the unknown says so, and ``try()`` takes its next argument, ``can()`` is false;
where keyless only does not evaluate, both stay unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from keyless.errors import quoted
from keyless.iac.builtins import FUNCTIONS, Fails, NotEvaluated, TooLarge
from keyless.iac.hcl import position_of
from keyless.iac.hclfiles import NotReadable
from keyless.iac.hclrefs import Reference
from keyless.iac.hcltemplates import render_template
from keyless.iac.values import (
    TOO_LARGE,
    JsonText,
    Node,
    StandIn,
    Unknown,
    chosen_on_stand_in,
    fails,
    notes,
    relocated,
    unknowns,
)

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator


#: The functions whose result is a choice made by comparing their arguments' values (an
#: element found or not, a key looked up, a pattern matched): not made on a value keyless
#: stands in for (:class:`~keyless.iac.values.StandIn`). Others carry the value along, as
#: AWS resolves it in the policy (``format("arn:aws:iam::%s:root", account_id)``).
_CHOOSING = frozenset(
    {
        "contains",
        "lookup",
        "index",
        "startswith",
        "endswith",
        "regex",
        "regexall",
        "matchkeys",
        "setintersection",
        "setsubtract",
        "strcontains",
    }
)


def evaluate_call(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """``name(arguments)``: a built-in function on known arguments."""
    parts = evaluator.children(tree)
    names = [p for p in parts if p.data == "identifier"]
    if len(names) != 1:
        return evaluator.unknown(tree, "provider-defined functions are not evaluated")
    name = str(names[0].children[0])
    arguments_tree = next((p for p in parts if p.data == "arguments"), None)
    arguments = (
        [evaluator.evaluate(a, scope) for a in evaluator.children(arguments_tree)]
        if arguments_tree is not None
        else []
    )
    if arguments_tree is not None and any(
        isinstance(t, Token) and t.type == "ELLIPSIS" for t in arguments_tree.children
    ):
        return evaluator.unknown(tree, "argument expansion (...) is not evaluated")
    if name in ("file", "templatefile"):
        return _read_file(evaluator, tree, name, arguments)
    if name in ("try", "can"):
        return _try(evaluator, tree, name, arguments)
    function = FUNCTIONS.get(name)
    if function is None:
        return evaluator.unknown(tree, f"the function {name}() is not evaluated")
    if name != "jsonencode" and not all(a.is_known for a in arguments):
        return evaluator.merge_unknown(arguments, tree)
    if name in _CHOOSING:
        guessed = chosen_on_stand_in(evaluator.source(tree), position_of(tree), *arguments)
        if guessed is not None:
            return guessed
    try:
        result = function(arguments, position_of(tree))
    except TooLarge:
        return evaluator.unknown(tree, TOO_LARGE)
    except NotEvaluated as error:  # a regular expression not run, a policy refused…
        return evaluator.unknown(tree, str(error))
    except Fails as error:
        position = position_of(tree)
        failed = Unknown(evaluator.source(tree), f"{name}() fails: {error}", position, fails=True)
        return Node(failed, position)
    except (TypeError, ValueError, IndexError, KeyError, StopIteration, re.error):
        return evaluator.unknown(tree, f"{name}() could not be evaluated on these arguments")
    carried = tuple(dict.fromkeys(n for a in arguments for n in notes(a)))
    if name == "length" and isinstance(arguments[0].value, tuple | Mapping):
        # how many items a collection holds does not depend on what a stand-in is
        carried = tuple(n for n in carried if not isinstance(n, StandIn))
    if carried and name != "jsonencode":
        return Node(result.value, result.position, tuple(dict.fromkeys(result.notes + carried)))
    return result


def _read_file(evaluator: Evaluator, tree: Tree[Any], name: str, arguments: list[Node]) -> Node:
    """``file(path)``: the file's text; ``templatefile(path, vars)``: the template rendered
    with ``vars`` (its interpolations; a directive, ``%{ if }``/``%{ for }``, is unknown).
    Read only inside the scanned directories (:mod:`keyless.iac.hclfiles`)."""
    expected = 1 if name == "file" else 2
    if len(arguments) != expected:
        return evaluator.unknown(tree, f"{name}() takes {expected} argument(s)")
    # templatefile's variables may hold values not known: the text around them is read
    # (a JSON document with unknown strings, keyless.iac.hclholes), else it is unknown
    needed = arguments if name == "file" else arguments[:1]
    if not all(a.is_known for a in needed) or isinstance(arguments[-1].value, Unknown):
        return evaluator.merge_unknown(arguments, tree)
    written = arguments[0].value
    if not isinstance(written, str):
        return evaluator.unknown(tree, f"{name}() takes a path")
    if evaluator.files is None:
        return evaluator.unknown(tree, f"{name}() is not read here")
    try:
        text = evaluator.files.read(written)
    except NotReadable as error:
        if error.fails:  # Terraform fails too: try() moves on
            position = position_of(tree)
            reason = f"{name}({quoted(written)}) fails: {error}"
            return Node(Unknown(evaluator.source(tree), reason, position, fails=True), position)
        return evaluator.unknown(tree, f"{name}({quoted(written)}): {error}")
    position = position_of(tree)
    if name == "file":
        return Node(text, position)
    variables = arguments[1].value
    if not isinstance(variables, Mapping):
        return evaluator.unknown(tree, "templatefile() takes an object of variables")
    # The template sees its variables only (no var., local., nor file functions), as
    # Terraform renders it; its text is quoted in messages, not this file's.
    inner = type(evaluator)(text, _template_reference)
    rendered = render_template(inner, text, tree, variables)
    if isinstance(rendered.value, JsonText):
        # The text is the template's, not this file's: placed at the call.
        document = relocated(rendered.value.document, position)
        return Node(JsonText(document), position, rendered.notes)
    if not rendered.is_known:
        cause = next(unknowns(rendered), None)
        why = f" ({cause.expression}: {cause.reason})" if cause is not None else ""
        return evaluator.unknown(tree, f"the template {quoted(written)} is not known{why}")
    # The text is the template's, not this file's: no positions inside it map here.
    return Node(str(rendered.value), position, rendered.notes)


def _template_reference(reference: Reference) -> tuple[Node, int]:
    reason = "a template sees only the variables templatefile() passes"
    return Node(Unknown(reference.text, reason, reference.position), reference.position), 0


def _try(evaluator: Evaluator, tree: Tree[Any], name: str, arguments: list[Node]) -> Node:
    """``try(a, b, …)``: the first argument Terraform evaluates without an error;
    ``can(a)``: whether it does. An argument keyless does not know could be an error or
    not, so from it on the result is unknown (as Terraform's is for an unknown argument).
    https://developer.hashicorp.com/terraform/language/functions/try
    """
    if name == "can" and len(arguments) != 1:
        return evaluator.unknown(tree, "can() takes one argument")
    for argument in arguments:
        if fails(argument):
            continue
        if argument.is_known:
            return Node(True, position_of(tree)) if name == "can" else argument
        if name == "try" and isinstance(argument.value, Unknown):
            return argument  # unknown as a whole: keeps what stands in for it
        cause = next(unknowns(argument))
        return evaluator.unknown(
            tree, f"{name}(): {cause.expression} is not known ({cause.reason})"
        )
    if name == "can" and arguments:
        return Node(False, position_of(tree))
    position = position_of(tree)
    reason = "try() fails: none of its arguments can be evaluated"
    return Node(Unknown(evaluator.source(tree), reason, position, fails=True), position)
