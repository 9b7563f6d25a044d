"""Terraform's string and encoding functions, with Go's semantics where Python's differ
(white space, title case, number and boolean conversions).
https://developer.hashicorp.com/terraform/language/functions
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from keyless.errors import quoted
from keyless.iac.builtins.common import (
    Fails,
    Function,
    NotEvaluated,
    as_list,
    check_size,
    integers,
    strings,
)
from keyless.iac.hclstrip import GO_SPACE
from keyless.iac.tfconvert import converted, number_of
from keyless.iac.values import (
    JsonText,
    Node,
    Position,
    Unknown,
    mapping,
    partial_part,
    partial_reason,
    plain,
)


def _jsonencode(arguments: list[Node], position: Position) -> Node:
    (value,) = arguments
    partial = partial_part(value)
    if partial is not None:
        # Terraform writes every attribute of the object, those keyless does not know too.
        unknown = Unknown(partial.address, partial_reason(partial), position)
        return Node(unknown, position)
    return Node(JsonText(value, by_jsonencode=True), position)


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
        raise Fails(f"the text is not JSON: {error}") from error
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


def _format(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/format: %s converts
    # its value to a string, %d to a whole number, as tostring() and tonumber() do (true
    # is "true", "12" is 12); what Terraform refuses (a list, null, a fraction as %d) or
    # writes otherwise than keyless would (a fraction's digits) is unknown.
    template, *rest = arguments
    written = plain(template)
    if not isinstance(written, str) or re.search(r"%(?![sd%])", written):
        raise ValueError("only %s, %d and %% are evaluated")
    values = iter(rest)
    rendered = re.sub(
        r"%([sd%])", lambda m: "%" if m.group(1) == "%" else _formatted(m[1], next(values)), written
    )
    return Node(rendered, position)


def _formatted(verb: str, node: Node) -> str:
    """One value as format()'s ``%s`` or ``%d`` writes it. Raises ``ValueError``."""
    if isinstance(node.value, JsonText):
        if verb == "s":
            return str(plain(node))  # JSON text is a string
        raise ValueError("%d of JSON text")
    if node.value is None or isinstance(node.value, tuple | Mapping):
        raise ValueError(f"%{verb} of a value format() does not write")
    if verb == "s":
        text = converted("string", node, "format(…)").value
        if not isinstance(text, str):
            raise ValueError("%s of a value keyless cannot write as Terraform does")
        return text
    number = converted("number", node, "format(…)").value
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError("%d of a value that is no whole number")
    return str(number)


def _join(arguments: list[Node], position: Position) -> Node:
    separator = str(plain(arguments[0]))
    lone = _lone_json_text(separator, arguments[1])
    if lone is not None:
        return Node(lone, position)
    items = strings(arguments[1])
    check_size(len(separator) * len(items) + sum(len(item) for item in items))
    return Node(separator.join(items), position)


def _lone_json_text(separator: str, items: Node) -> JsonText | None:
    """The JSON text ``join`` writes, kept as the document it encodes: the only item, with
    nothing but JSON whitespace after it (``join("", data.aws_iam_policy_document.x.*.json)``,
    the splat of a data source without ``count`` being a list of its one ``json``;
    ``join("\\n", [doc, ""])``): JSON parsers, the AWS provider's among them, read the same
    document. None when the join writes anything else. Raises ``NotEvaluated`` when it writes
    whitespace before the text: the AWS provider refuses such a policy ("leading space
    characters are not allowed", ``verify.ValidIAMPolicyJSON``)."""
    if not isinstance(items.value, tuple):
        return None
    texts = [index for index, item in enumerate(items.value) if isinstance(item.value, JsonText)]
    if len(texts) != 1:
        return None
    (at,) = texts
    rest = [item.value for index, item in enumerate(items.value) if index != at]
    if not all(isinstance(v, str) and _JSON_SPACE.fullmatch(v) for v in rest):
        return None
    if rest and not _JSON_SPACE.fullmatch(separator):
        return None
    if (at and separator) or any(rest[:at]):
        raise NotEvaluated(
            "join() writes whitespace before the JSON text, which the AWS provider refuses "
            "in a policy (leading space characters are not allowed)"
        )
    found = items.value[at].value
    assert isinstance(found, JsonText)
    return found


#: JSON's whitespace (RFC 8259, section 2): what a JSON parser skips around a value.
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _formatlist(arguments: list[Node], position: Position) -> Node:
    template, items = plain(arguments[0]), strings(arguments[1])
    if not isinstance(template, str):
        raise TypeError("formatlist takes a format string")
    check_size((len(template) + 1) * len(items) + sum(len(item) for item in items))
    return as_list(
        [plain(_format([Node(template, position), Node(i, position)], position)) for i in items],
        position,
    )


def _string_function(operation: Callable[..., str]) -> Function:
    def run(arguments: list[Node], position: Position) -> Node:
        values = [plain(a) for a in arguments]
        if not all(isinstance(v, str) for v in values):
            raise TypeError("takes strings")
        return Node(operation(*values), position)

    return run


def _substr(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/substr: offset and
    # length count grapheme clusters, which are characters in ASCII text only.
    text, offset, length = (plain(a) for a in arguments)
    if not isinstance(text, str) or not integers(offset, length):
        raise TypeError("substr takes a string, an offset and a length")
    if not text.isascii():
        raise ValueError("characters of non-ASCII text are grapheme clusters: not evaluated")
    if offset < 0:
        if length == 0:
            raise ValueError("a length of 0 from the end is not evaluated")
        offset = max(0, offset + len(text))
    rest = text[offset:]
    return Node(rest if length < 0 else rest[:length], position)


def _affix(test: Callable[[str, str], bool]) -> Function:
    def run(arguments: list[Node], position: Position) -> Node:
        text, affix = (plain(a) for a in arguments)
        if not isinstance(text, str) or not isinstance(affix, str):
            raise TypeError("takes strings")
        return Node(test(text, affix), position)

    return run


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
    if value.value is None or integers(value.value):
        return value
    if isinstance(value.value, str):
        # A decimal string converts as a variable of type number does (tfconvert): a whole
        # number ("1.5e3", "+7") exactly, a fraction as the evaluator reads one.
        number = number_of(value.value)
        if number is not None:
            return Node(number, position)
        if not re.search(r"[0-9]", value.value):
            raise Fails(f"cannot convert {quoted(value.value)} to number")
    raise ValueError("only decimal numbers are evaluated")


def _tostring(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/tostring: a number or
    # bool becomes its text, as a variable of type string does (tfconvert).
    (value,) = arguments
    if isinstance(value.value, JsonText):
        return value  # JSON text is a string
    if isinstance(value.value, tuple | Mapping):
        raise Fails("tostring takes a primitive value")
    text = converted("string", value, "tostring(…)")
    if isinstance(text.value, Unknown):
        raise ValueError(text.value.reason)
    if text.value is not None and not isinstance(text.value, str):
        raise TypeError("tostring takes a primitive value")
    return Node(text.value, position)


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
        raise Fails(f"cannot convert {quoted(value.value)} to bool")
    raise TypeError("tobool takes a string or a boolean")


FUNCTIONS: dict[str, Function] = {
    "jsonencode": _jsonencode,
    "tostring": _tostring,
    "join": lambda a, p: _join(a, p),
    "split": lambda a, p: as_list(str(plain(a[1])).split(str(plain(a[0]))), p),
    "format": _format,
    "formatlist": lambda a, p: _formatlist(a, p),
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "trimspace": _string_function(lambda text: text.strip(GO_SPACE)),
    "trim": _string_function(str.strip),
    "title": _string_function(_title),
    "trimprefix": _string_function(str.removeprefix),
    "trimsuffix": _string_function(str.removesuffix),
    "jsondecode": _jsondecode,
    "substr": _substr,
    "startswith": _affix(str.startswith),
    "endswith": _affix(str.endswith),
    "tonumber": _tonumber,
    "tobool": _tobool,
}
