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
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from lark import Token, Tree

from keyless.iac.hcl import position_of
from keyless.iac.hclfiles import NotReadable
from keyless.iac.hclrefs import Reference
from keyless.iac.hcltemplates import render_template
from keyless.iac.values import (
    MAX_WEIGHT,
    TOO_LARGE,
    Attributes,
    JsonText,
    Node,
    Position,
    Unknown,
    fails,
    mapping,
    notes,
    plain,
    unknowns,
)

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator


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
    function = _FUNCTIONS.get(name)
    if function is None:
        return evaluator.unknown(tree, f"the function {name}() is not evaluated")
    if name != "jsonencode" and not all(a.is_known for a in arguments):
        return evaluator.merge_unknown(arguments, tree)
    try:
        result = function(arguments, position_of(tree))
    except _TooLarge:
        return evaluator.unknown(tree, TOO_LARGE)
    except _Unsafe as error:
        return evaluator.unknown(tree, str(error))
    except _Fails as error:
        position = position_of(tree)
        failed = Unknown(evaluator.source(tree), f"{name}() fails: {error}", position, fails=True)
        return Node(failed, position)
    except (TypeError, ValueError, IndexError, KeyError, StopIteration, re.error):
        return evaluator.unknown(tree, f"{name}() could not be evaluated on these arguments")
    carried = tuple(dict.fromkeys(n for a in arguments for n in notes(a)))
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
    if not all(a.is_known for a in arguments):
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
            reason = f"{name}({written!r}) fails: {error}"
            return Node(Unknown(evaluator.source(tree), reason, position, fails=True), position)
        return evaluator.unknown(tree, f"{name}({written!r}): {error}")
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
    if not rendered.is_known:
        cause = next(unknowns(rendered), None)
        why = f" ({cause.expression}: {cause.reason})" if cause is not None else ""
        return evaluator.unknown(tree, f"the template {written!r} is not known{why}")
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


# ----- built-in functions -----------------------------------------------------------------------
# https://developer.hashicorp.com/terraform/language/functions (only pure ones; arguments are
# known when these run, except jsonencode's, which keeps its unknown parts in place).

Function = Callable[[list[Node], Position], Node]


class _TooLarge(ValueError):
    """The result would be larger than :data:`~keyless.iac.values.MAX_WEIGHT`: refused
    before it is built (a separator of 4 MiB joining a million items)."""


class _Unsafe(ValueError):
    """A regular expression keyless does not run (Python's backtracking engine could take
    exponential time where Terraform's RE2 takes linear)."""


def _check_size(size: int) -> None:
    if size > MAX_WEIGHT:
        raise _TooLarge


# A group repeated by a quantifier (`(a+)+`), or more than two quantifiers, can make a
# backtracking engine take exponential or high polynomial time on a crafted subject.
_ESCAPES_AND_CLASSES = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]")
_QUANTIFIED_GROUP = re.compile(r"\)(?:[*+?]|\{[0-9])")
_QUANTIFIER = re.compile(r"(?<!\()[*+?]|\{[0-9]")
_MAX_REGEX_SUBJECT = 4_096


def _check_regex(pattern: str, subject: str, name: str = "replace") -> None:
    bare = _ESCAPES_AND_CLASSES.sub("x", pattern)
    if (
        _QUANTIFIED_GROUP.search(bare)
        or len(_QUANTIFIER.findall(bare)) > 2
        or len(subject) > _MAX_REGEX_SUBJECT
    ):
        raise _Unsafe(
            f"{name}() with this regular expression is not evaluated (a repeated group, "
            f"more than two quantifiers or a subject over {_MAX_REGEX_SUBJECT:,} characters)"
        )


# What Python's re reads otherwise than RE2 (Terraform's engine,
# https://github.com/google/re2/wiki/Syntax): a backreference or octal escape (`\1`),
# `\Z`/`\z`, Python's `\u`/`\U`/`\N` escapes, a group other than `(?:`, `(?P<name>` and
# the flags i, m and s (`(?=`, `(?<name>`, `(?U)`, which is ungreedy in RE2), `{,n}` (a
# literal in RE2) and a POSIX class `[[:alpha:]]`.
_RE2_ESCAPES = re.compile(r"\\[0-9ZzuUNg]")
_RE2_GROUPS = re.compile(r"\(\?(?!:|P<|[ims-]*[:)])|\{,")


def _re2(pattern: str, subject: str, name: str) -> re.Pattern[str]:
    """``pattern`` compiled to match as RE2 does on ``subject``, or refused (unknown)."""
    escapes = re.sub(r"\\\\", "", pattern)  # an escaped backslash escapes nothing after it
    bare = _ESCAPES_AND_CLASSES.sub("x", pattern)
    if (
        _RE2_ESCAPES.search(escapes)
        or _RE2_GROUPS.search(bare)
        or "[:" in pattern
        or ("$" in bare and "\n" in subject)  # Python's $ also matches before a final \n
        or ("\\s" in escapes and "\v" in subject)  # RE2's \s leaves out \v
        or (re.search(r"\(\?[ms-]*i", pattern) and not (pattern + subject).isascii())
    ):
        raise _Unsafe(
            f"{name}() with this regular expression is not evaluated (Python's engine "
            "reads it otherwise than Terraform's RE2)"
        )
    _check_regex(pattern, subject, name)
    try:
        return re.compile(pattern, re.ASCII)  # RE2's \d, \w, \s and \b are ASCII
    except re.error as error:
        raise _Unsafe(f"{name}(): the regular expression is not evaluated ({error})") from error


class _Fails(ValueError):
    """Terraform fails on these arguments (its message), as opposed to keyless not
    evaluating them."""


def _jsonencode(arguments: list[Node], position: Position) -> Node:
    (value,) = arguments
    return Node(JsonText(value), position)


def _strings(node: Node) -> list[str]:
    value = plain(node)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of strings")
    return value


def _list(items: Sequence[Any], position: Position) -> Node:
    return Node(tuple(Node(item, position) for item in items), position)


def _concat(arguments: list[Node], position: Position) -> Node:
    items: list[Node] = []
    for argument in arguments:
        if not isinstance(argument.value, tuple):
            raise TypeError("concat takes lists")
        items.extend(argument.value)
        _check_size(len(items))
    return Node(tuple(items), position)


def _flatten(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    items: list[Node] = []
    stack = [argument]
    while stack:
        current = stack.pop()
        if isinstance(current.value, tuple):
            stack.extend(reversed(current.value))
        else:
            items.append(current)
            _check_size(len(items))
    return Node(tuple(items), position)


def _toset(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    values = plain(argument)
    if not isinstance(values, list):
        raise TypeError("toset takes a list")
    if all(isinstance(v, str) for v in values):
        values = sorted(set(values))  # Terraform orders a set of strings lexically
    return _list(values, position)


def _distinct(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    if not isinstance(argument.value, tuple):
        raise TypeError("distinct takes a list")
    seen: set[bytes] = set()
    kept: list[Node] = []
    for item in argument.value:
        key = orjson.dumps(plain(item), option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return Node(tuple(kept), position)


def _format(arguments: list[Node], position: Position) -> Node:
    template, *rest = [plain(a) for a in arguments]
    if not isinstance(template, str) or re.search(r"%(?![sd%])", template):
        raise ValueError("only %s, %d and %% are evaluated")
    values = iter(rest)
    rendered = re.sub(
        r"%([sd%])", lambda m: "%" if m.group(1) == "%" else str(next(values)), template
    )
    return Node(rendered, position)


def _join(arguments: list[Node], position: Position) -> Node:
    separator, items = str(plain(arguments[0])), _strings(arguments[1])
    _check_size(len(separator) * len(items) + sum(len(item) for item in items))
    return Node(separator.join(items), position)


def _formatlist(arguments: list[Node], position: Position) -> Node:
    template, items = plain(arguments[0]), _strings(arguments[1])
    if not isinstance(template, str):
        raise TypeError("formatlist takes a format string")
    _check_size((len(template) + 1) * len(items) + sum(len(item) for item in items))
    return _list(
        [plain(_format([Node(template, position), Node(i, position)], position)) for i in items],
        position,
    )


def _replace(arguments: list[Node], position: Position) -> Node:
    subject, search, replacement = (plain(a) for a in arguments)
    if not all(isinstance(v, str) for v in (subject, search, replacement)):
        raise TypeError("replace takes strings")
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        if "$" in replacement or "\\" in replacement:
            raise ValueError("capture references are not evaluated")
        compiled = _re2(search[1:-1], subject, "replace")
        _check_size(len(subject) + (len(subject) + 1) * len(replacement))
        pieces, done = [], 0
        for match in _go_matches(compiled, subject):
            pieces += [subject[done : match.start()], replacement]
            done = match.end()
        return Node("".join([*pieces, subject[done:]]), position)
    matches = subject.count(search)
    _check_size(len(subject) + matches * (len(replacement) - len(search)))
    return Node(subject.replace(search, replacement), position)


def _string_function(operation: Callable[..., str]) -> Function:
    def run(arguments: list[Node], position: Position) -> Node:
        values = [plain(a) for a in arguments]
        if not all(isinstance(v, str) for v in values):
            raise TypeError("takes strings")
        return Node(operation(*values), position)

    return run


def _merge(arguments: list[Node], position: Position) -> Node:
    members: dict[str, Node] = {}
    for argument in arguments:
        if not isinstance(argument.value, Mapping):
            raise TypeError("merge takes objects")
        members.update(argument.value)
    partial = next((a.value for a in arguments if isinstance(a.value, Attributes)), None)
    if partial is not None:  # an attribute missing from the result is still unknown
        return Node(Attributes(members, partial.address, position, partial.reason), position)
    return Node(mapping(members), position)


def _lookup(arguments: list[Node], position: Position) -> Node:
    table, key, *default = arguments
    if not isinstance(table.value, Mapping) or not isinstance(key.value, str):
        raise TypeError("lookup takes an object and a key")
    found = table.value.get(key.value)
    if found is not None:
        return found
    if isinstance(table.value, Attributes):
        raise ValueError("the object's other attributes are not known")
    if default:
        return default[0]
    raise _Fails(f"the map has no key {key.value!r} and no default is given")


def _element(arguments: list[Node], position: Position) -> Node:
    items, index = arguments
    if not isinstance(items.value, tuple) or not isinstance(index.value, int):
        raise TypeError("element takes a list and an index")
    if not items.value:
        raise _Fails("cannot use element() with an empty list")
    return items.value[index.value % len(items.value)]


def _coalesce(arguments: list[Node], position: Position) -> Node:
    for argument in arguments:
        if argument.value is not None and argument.value != "":
            return argument
    raise _Fails("no non-null, non-empty-string arguments")


def _key(node: Node) -> bytes:
    """A value's identity for set membership: its JSON text, keys sorted (so 1 and true,
    equal in Python, differ as in Terraform)."""
    return orjson.dumps(plain(node), option=orjson.OPT_SORT_KEYS)


def _same_kind(values: Sequence[Node]) -> None:
    """Terraform converts a collection's elements to one type (1 and "1" become "1"):
    keyless evaluates collections whose elements already share a kind."""
    kinds = {type(v.value) for v in values}
    if len(kinds) > 1 or kinds & {float}:
        raise TypeError("elements of different types are converted: not evaluated")


def _setunion(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setunion
    if not arguments or not all(isinstance(a.value, tuple) for a in arguments):
        raise TypeError("setunion takes sets")
    seen: set[bytes] = set()
    kept: list[Node] = []
    for argument in arguments:
        assert isinstance(argument.value, tuple)
        for item in argument.value:
            key = _key(item)
            if key not in seen:
                seen.add(key)
                kept.append(item)
    _same_kind(kept)
    if kept and not all(isinstance(item.value, str) for item in kept):
        raise TypeError("only a set of strings has a known order")
    return Node(tuple(sorted(kept, key=lambda item: str(item.value))), position)


def _contains(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/contains
    items, wanted = arguments
    if not isinstance(items.value, tuple) or isinstance(wanted.value, tuple | Mapping):
        raise TypeError("contains takes a list and a value")
    _same_kind([*items.value, wanted])
    key = _key(wanted)
    return Node(any(_key(item) == key for item in items.value), position)


def _substr(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/substr: offset and
    # length count grapheme clusters, which are characters in ASCII text only.
    text, offset, length = (plain(a) for a in arguments)
    if not isinstance(text, str) or not _integers(offset, length):
        raise TypeError("substr takes a string, an offset and a length")
    if not text.isascii():
        raise ValueError("characters of non-ASCII text are grapheme clusters: not evaluated")
    if offset < 0:
        if length == 0:
            raise ValueError("a length of 0 from the end is not evaluated")
        offset = max(0, offset + len(text))
    rest = text[offset:]
    return Node(rest if length < 0 else rest[:length], position)


def _integers(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _keys(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/keys: in lexical order
    (table,) = arguments
    if not isinstance(table.value, Mapping):
        raise TypeError("keys takes a map or an object")
    if isinstance(table.value, Attributes):
        raise ValueError("the object's other attributes are not known")
    return _list(sorted(table.value), position)


def _values(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/values: in key order
    (table,) = arguments
    if not isinstance(table.value, Mapping):
        raise TypeError("values takes a map or an object")
    if isinstance(table.value, Attributes):
        raise ValueError("the object's other attributes are not known")
    return Node(tuple(table.value[key] for key in sorted(table.value)), position)


def _coalescelist(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/coalescelist
    if not all(isinstance(a.value, tuple) for a in arguments):
        raise TypeError("coalescelist takes lists")
    for argument in arguments:
        if argument.value:
            return argument
    raise _Fails("no non-empty list arguments")


def _one(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/one
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("one takes a list or a set")
    if len(items.value) > 1:
        raise _Fails("must be a list, set, or tuple value with either zero or one elements")
    return items.value[0] if items.value else Node(None, position)


def _sort(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/sort: strings, lexically
    # (Go compares bytes: code points in order, as Python does for str)
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("sort takes a list")
    if any(item.value is None for item in items.value):
        raise _Fails("a null string cannot be sorted")
    if not all(isinstance(item.value, str) for item in items.value):
        raise TypeError("only lists of strings are evaluated")
    return Node(tuple(sorted(items.value, key=lambda item: str(item.value))), position)


def _affix(test: Callable[[str, str], bool]) -> Function:
    def run(arguments: list[Node], position: Position) -> Node:
        text, affix = (plain(a) for a in arguments)
        if not isinstance(text, str) or not isinstance(affix, str):
            raise TypeError("takes strings")
        return Node(test(text, affix), position)

    return run


def _jsondecode(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/jsondecode
    (text,) = arguments
    if isinstance(text.value, JsonText):
        return text.value.document
    if not isinstance(text.value, str):
        raise TypeError("jsondecode takes a string")
    try:
        decoded = orjson.loads(text.value)
    except orjson.JSONDecodeError as error:
        if "recursion" in str(error).lower():
            raise ValueError("nested too deeply") from error
        raise _Fails(f"the text is not JSON: {error}") from error
    return _decoded(decoded, position, 0)


_MAX_JSON_DEPTH = 100


def _decoded(value: Any, position: Position, depth: int) -> Node:
    if depth > _MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, list):
        return Node(tuple(_decoded(v, position, depth + 1) for v in value), position)
    if isinstance(value, dict):
        return Node(
            mapping({k: _decoded(v, position, depth + 1) for k, v in value.items()}), position
        )
    return Node(value, position)


def _regex_result(match: re.Match[str], position: Position) -> Node:
    """One match as Terraform's ``regex`` returns it: the matched text without capture
    groups, an object of named groups, or a list of unnamed ones (an unmatched group is
    null)."""
    groups = match.re.groups
    _check_size(groups)
    names = match.re.groupindex
    if not groups:
        return Node(match.group(0), position)
    if names:
        return Node(mapping({n: Node(match.group(n), position) for n in names}), position)
    return _list(match.groups(), position)


def _regex_arguments(arguments: list[Node], name: str) -> tuple[re.Pattern[str], str]:
    pattern, subject = (plain(a) for a in arguments)
    if not isinstance(pattern, str) or not isinstance(subject, str):
        raise TypeError(f"{name} takes a pattern and a string")
    compiled = _re2(pattern, subject, name)
    if compiled.groupindex and len(compiled.groupindex) != compiled.groups:
        raise _Fails("invalid pattern: cannot mix both named and unnamed capture groups")
    return compiled, subject


def _regex(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/regex
    compiled, subject = _regex_arguments(arguments, "regex")
    match = compiled.search(subject)
    if match is None:
        raise _Fails("pattern did not match any part of the given string")
    return _regex_result(match, position)


def _go_matches(compiled: re.Pattern[str], subject: str) -> list[re.Match[str]]:
    """Every match, as Go's regexp finds them for ``regexall`` and ``replace``: an empty
    match right after a match is not one, and after an empty match the search moves on one
    character (Python's finditer also tries a longer match there)."""
    found: list[re.Match[str]] = []
    position_in, previous_end = 0, -1
    while position_in <= len(subject):
        match = compiled.search(subject, position_in)
        if match is None:
            break
        start, end = match.span()
        accept = not (start == end and start == previous_end)
        position_in = end + 1 if start == end else end
        previous_end = end
        if accept:
            found.append(match)
            _check_size(len(found) * (compiled.groups + 1))
    return found


def _regexall(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/regexall
    compiled, subject = _regex_arguments(arguments, "regexall")
    matches = _go_matches(compiled, subject)
    return Node(tuple(_regex_result(m, position) for m in matches), position)


def _booleans(node: Node, name: str) -> list[bool]:
    if not isinstance(node.value, tuple) or not all(
        isinstance(item.value, bool) for item in node.value
    ):
        raise TypeError(f"{name} takes a list of booleans")
    return [bool(item.value) for item in node.value]


_MAX_RANGE = 1_024  # Terraform refuses to generate more values


def _range(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/range: integers only
    # (Terraform's fractions are arbitrary-precision); a step of 0 or against the direction
    # and more than 1,024 values are not evaluated
    values = [plain(a) for a in arguments]
    if not values or len(values) > 3 or not _integers(*values):
        raise TypeError("range takes one to three integers")
    if len(values) == 1:
        values = [0, values[0]]
    start, limit = values[0], values[1]
    step = values[2] if len(values) == 3 else (-1 if limit < start else 1)
    if step == 0 or (step > 0 and limit < start) or (step < 0 and limit > start):
        raise ValueError("a step of 0 or against the direction is not evaluated")
    if abs(limit - start) > _MAX_RANGE * abs(step):
        raise _TooLarge
    return _list(range(start, limit, step), position)


def _zipmap(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/zipmap
    keys, values = arguments
    names = _strings(keys)
    if not isinstance(values.value, tuple):
        raise TypeError("zipmap takes a list of keys and a list of values")
    if len(names) != len(values.value):
        raise _Fails(
            f"number of keys ({len(names)}) does not match number of values ({len(values.value)})"
        )
    return Node(mapping(dict(zip(names, values.value, strict=True))), position)


def _slice(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/slice
    items, start, end = arguments
    if not isinstance(items.value, tuple) or not _integers(start.value, end.value):
        raise TypeError("slice takes a list and two indices")
    first, last = int(start.value), int(end.value)  # type: ignore[arg-type]
    if first < 0 or last > len(items.value) or first > last:
        raise _Fails(f"the indices {first} and {last} are outside the list or out of order")
    return Node(items.value[first:last], position)


def _reverse(arguments: list[Node], position: Position) -> Node:
    (items,) = arguments
    if not isinstance(items.value, tuple):
        raise TypeError("reverse takes a list")
    return Node(tuple(reversed(items.value)), position)


def _index(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/index_function
    items, wanted = arguments
    if not isinstance(items.value, tuple) or isinstance(wanted.value, tuple | Mapping):
        raise TypeError("index takes a list and a value")
    _same_kind([*items.value, wanted])
    key = _key(wanted)
    for number, item in enumerate(items.value):
        if _key(item) == key:
            return Node(number, position)
    raise _Fails("item not found")


def _string_set(node: Node) -> list[Node]:
    """A set of strings (only those have a known order, lexical)."""
    if not isinstance(node.value, tuple) or not all(
        isinstance(item.value, str) for item in node.value
    ):
        raise TypeError("only sets of strings are evaluated")
    return list(node.value)


def _set_result(kept: list[Node], position: Position) -> Node:
    unique = {str(item.value): item for item in kept}
    return Node(tuple(unique[key] for key in sorted(unique)), position)


def _setintersection(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setintersection
    if not arguments:
        raise TypeError("setintersection takes sets")
    first, *rest = (_string_set(a) for a in arguments)
    common = [{str(item.value) for item in other} for other in rest]
    return _set_result([i for i in first if all(str(i.value) in c for c in common)], position)


def _setsubtract(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/setsubtract
    first, second = (_string_set(a) for a in arguments)
    removed = {str(item.value) for item in second}
    return _set_result([i for i in first if str(i.value) not in removed], position)


# Go's unicode.IsSpace (strings.TrimSpace), not Python's str.isspace (which takes \x1c-\x1f)
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _title(text: str) -> str:
    # Go's strings.Title: the first letter of each word in title case, the others as they
    # are (Python's str.title lowers them); words are ASCII-only here
    if not text.isascii():
        raise ValueError("word boundaries in non-ASCII text are not evaluated")
    letters = list(text)
    previous = " "
    for number, letter in enumerate(letters):
        if not (previous.isalnum() or previous == "_"):
            letters[number] = letter.upper()
        previous = letter
    return "".join(letters)


def _tonumber(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/tonumber
    (value,) = arguments
    if value.value is None or _integers(value.value):
        return value
    if isinstance(value.value, str):
        if re.fullmatch(r"-?[0-9]+", value.value, re.ASCII):
            return Node(int(value.value), position)
        if not re.search(r"[0-9]", value.value):
            raise _Fails(f"cannot convert {value.value!r} to number")
    raise ValueError("only integers are evaluated")


def _tobool(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/tobool
    (value,) = arguments
    if value.value is None or isinstance(value.value, bool):
        return value
    if value.value in ("true", "false"):
        return Node(value.value == "true", position)
    if isinstance(value.value, str) and value.value in ("1", "0"):
        raise ValueError("the conversion of 1 and 0 depends on Terraform's version")
    if isinstance(value.value, str | int | float):
        raise _Fails(f"cannot convert {value.value!r} to bool")
    raise TypeError("tobool takes a string or a boolean")


_FUNCTIONS: dict[str, Function] = {
    "jsonencode": _jsonencode,
    "concat": _concat,
    "flatten": _flatten,
    "toset": _toset,
    "tolist": lambda a, p: a[0],
    "tomap": lambda a, p: a[0],
    "tostring": lambda a, p: Node(_strings(_list([plain(a[0])], p))[0], p),
    "distinct": _distinct,
    "compact": lambda a, p: _list([s for s in _strings(a[0]) if s], p),
    "join": lambda a, p: _join(a, p),
    "split": lambda a, p: _list(str(plain(a[1])).split(str(plain(a[0]))), p),
    "format": _format,
    "formatlist": lambda a, p: _formatlist(a, p),
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "trimspace": _string_function(lambda text: text.strip(_GO_SPACE)),
    "trim": _string_function(str.strip),
    "title": _string_function(_title),
    "trimprefix": _string_function(str.removeprefix),
    "trimsuffix": _string_function(str.removesuffix),
    "replace": _replace,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "length": lambda a, p: Node(len(plain(a[0])), p),
    "coalesce": _coalesce,
    "jsondecode": _jsondecode,
    "setunion": _setunion,
    "contains": _contains,
    "substr": _substr,
    "keys": _keys,
    "values": _values,
    "coalescelist": _coalescelist,
    "one": _one,
    "sort": _sort,
    "startswith": _affix(str.startswith),
    "endswith": _affix(str.endswith),
    "regex": _regex,
    "regexall": _regexall,
    "alltrue": lambda a, p: Node(all(_booleans(a[0], "alltrue")), p),
    "anytrue": lambda a, p: Node(any(_booleans(a[0], "anytrue")), p),
    "range": _range,
    "zipmap": _zipmap,
    "slice": _slice,
    "reverse": _reverse,
    "index": _index,
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
    "tonumber": _tonumber,
    "tobool": _tobool,
}
