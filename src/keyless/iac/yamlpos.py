"""YAML read with positions, CloudFormation's short-form tags turned into their long form.

ruamel.yaml's round-trip loader keeps each key's and value's line and column and
constructs unknown tags (``!Ref``, ``!Sub``, ``!GetAtt``...) as tagged values; this module
builds :class:`~keyless.iac.values.Node` trees from them. A short form becomes the JSON
form CloudFormation documents (``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B`` is
``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub s`` is ``{"Fn::Sub": "s"}``):
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
Aliases are expanded under a budget, so an alias bomb is refused instead of exhausting
memory.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keyless.duplicate_keys import yaml_problem
from keyless.errors import quoted
from keyless.iac.values import Node, Position, Unknown, mapping

if TYPE_CHECKING:  # imported when first parsing (nothing at import time)
    from ruamel.yaml.composer import Composer as RuamelComposer

MAX_NODES = 2_000_000
MAX_DEPTH = 256


class YamlSyntaxError(ValueError):
    """Malformed YAML, with the position of the first error."""

    def __init__(self, message: str, position: Position):
        super().__init__(f"{message} at line {position.line}, column {position.column}")
        self.message = message
        self.position = position


def parse_yaml(text: str) -> Node:
    """``text`` (one YAML document) as a :class:`Node` tree. Raises
    :class:`YamlSyntaxError`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    loader = YAML(typ="rt", pure=True)
    loader.Constructor = _constructor()
    loader.Composer = _composer()
    # Quoted scalars come back as str subclasses: only a plain scalar is resolved by type.
    loader.preserve_quotes = True
    try:
        data = loader.load(text)
    except _TooDeep as error:
        raise YamlSyntaxError(_TOO_DEEP, error.position) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = yaml_problem(str(error.problem or error.context or "not valid YAML"))
        raise YamlSyntaxError(problem, position) from None
    except YAMLError as error:
        raise YamlSyntaxError(f"not valid YAML ({type(error).__name__})", Position(1, 1)) from None
    except RecursionError:
        raise YamlSyntaxError("nested too deeply", loader.composer.deepest_position) from None
    try:
        size = _expanded_size(data, {})
    except RecursionError:
        raise YamlSyntaxError("nested too deeply", loader.composer.deepest_position) from None
    if size > MAX_NODES:
        raise YamlSyntaxError(
            f"too many values ({size} once aliases are expanded; at most {MAX_NODES})",
            Position(1, 1),
        )
    escape = _SURROGATE_ESCAPE.search(text)
    # After the size check: the walk sees each value once per alias, at most MAX_NODES.
    try:
        surrogate = escape is not None and _holds_surrogate(data)
    except RecursionError:
        raise YamlSyntaxError("nested too deeply", loader.composer.deepest_position) from None
    if surrogate and escape is not None:
        line = text.count("\n", 0, escape.start()) + 1
        column = escape.start() - (text.rfind("\n", 0, escape.start()) + 1) + 1
        raise YamlSyntaxError(
            "an escape names a surrogate code point (U+D800-U+DFFF), which is no character",
            Position(line, column),
        )
    budget = [MAX_NODES]
    return _convert(data, Position(1, 1), budget, 0)


_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class _TooDeep(Exception):
    """A node composed deeper than :data:`MAX_DEPTH`, where it starts."""

    def __init__(self, position: Position):
        super().__init__(position)
        self.position = position


@functools.cache
def _composer() -> type[RuamelComposer]:
    """ruamel.yaml's composer, counting how deep the node it composes is. Composing and
    constructing recurse once per level: past :data:`MAX_DEPTH` it stops at the node where
    the depth is exceeded, before Python's stack runs out (``[`` 300 times did, reported
    at line 1, column 1); ``deepest_position`` is where the deepest node starts, for an
    error met past it."""
    from ruamel.yaml.composer import Composer as RuamelComposer

    class Composer(RuamelComposer):
        # not ruamel's own `depth` (0.19 counts it for its `max_depth`, off by default)
        nesting = 0
        deepest = 0
        deepest_position = Position(1, 1)

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.nesting += 1
            try:
                if self.nesting > self.deepest:
                    mark = self.parser.peek_event().start_mark
                    self.deepest = self.nesting
                    self.deepest_position = Position(mark.line + 1, mark.column + 1)
                # the root is at 1 here, at 0 where values are converted (_convert)
                if self.nesting > MAX_DEPTH + 1:
                    raise _TooDeep(self.deepest_position)
                return super().compose_node(parent, index)
            finally:
                self.nesting -= 1

    return Composer


#: What ruamel.yaml's resolver calls an integer but has no digit: a sign or a base prefix
#: and underscores only.
_NO_DIGITS = re.compile(r"[-+]?(?:0[box])?_*", re.ASCII)
#: Decimal integers longer than this are not read: Python's int() refuses more than 4,300
#: digits (a ValueError out of ruamel's constructor), and values stop at 1,000 digits.
MAX_DIGITS = 1000


@dataclass(frozen=True, slots=True)
class _LongInteger:
    """A plain decimal integer of more than :data:`MAX_DIGITS` digits, as written."""

    written: str


@functools.cache
def _constructor() -> type:
    """ruamel.yaml's round-trip constructor, reading a plain ``0`` as the integer 0: it
    reads ``0``, ``-0`` and ``+0`` alike (a zero-padded integer of width 1), which
    :func:`_plain_scalar` must not take for plain decimal, so ``!Select [0, …]`` was unknown."""
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        def construct_yaml_int(self, node: Any) -> Any:
            if node.value == "0":
                return 0
            if sum(char.isdigit() for char in node.value) > MAX_DIGITS and not re.match(
                r"[-+]?0[box]", node.value
            ):
                return _LongInteger(node.value)
            if _NO_DIGITS.fullmatch(node.value):
                # ruamel's resolver takes "+_" or "0x_" for an integer and its constructor
                # then fails (IndexError: a traceback); YAML 1.2 reads them as strings.
                return self.construct_scalar(node)
            return super().construct_yaml_int(node)

    Constructor.add_constructor("tag:yaml.org,2002:int", Constructor.construct_yaml_int)
    return Constructor


# YAML's \\uXXXX and \\UXXXXXXXX escapes; ruamel.yaml reads one naming a surrogate as that
# code point, which no output (JSON, SARIF) can hold and no Unicode text contains.
# https://yaml.org/spec/1.2.2/#57-escaped-characters
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(item) for item in value)
    inner = getattr(value, "value", None)  # a tagged scalar (!Sub "...")
    return isinstance(inner, str) and _holds_surrogate(inner)


def _expanded_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values ``value`` holds once aliases are expanded, counted once per shared
    object: an alias bomb is measured without being expanded."""
    if isinstance(value, dict | list):
        known = sizes.get(id(value))
        if known is None:
            children = value.values() if isinstance(value, dict) else value
            known = 1 + sum(_expanded_size(child, sizes) for child in children)
            sizes[id(value)] = known
        return known
    return 1


def _convert(value: Any, position: Position, budget: list[int], depth: int) -> Node:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    budget[0] -= 1
    if budget[0] < 0:
        raise YamlSyntaxError("too many values (an alias expanding without end?)", position)
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(_TOO_DEEP, position)
    tag = _tag(value, position)
    if isinstance(value, TaggedScalar):
        return _short_form(tag or "", Node(_scalar(value.value), position), position)
    if isinstance(value, CommentedMap):
        here = position if depth else _own_position(value, position)
        members: dict[str, Node] = {}
        for key, item in value.items():
            # A nested block is placed at its key (`Principal:`), a scalar at its value.
            nested = isinstance(item, CommentedMap | CommentedSeq)
            where = _child_position(value, key, here, is_key=nested)
            if not isinstance(key, str) or _is_yaml11_boolean(key):
                key_where = _child_position(value, key, here, is_key=True)
                raise YamlSyntaxError(_NOT_A_STRING_KEY.format(key=quoted(key)), key_where)
            # A quoted key is a str subclass (preserve_quotes): stored as the str it is.
            members[str(key)] = _convert(item, where, budget, depth + 1)
        node = Node(mapping(members), here)
        return _short_form(tag, node, here) if tag else node
    if isinstance(value, CommentedSeq):
        here = position if depth else _own_position(value, position)
        items = tuple(
            _convert(item, _item_position(value, index, here), budget, depth + 1)
            for index, item in enumerate(value)
        )
        node = Node(items, here)
        return _short_form(tag, node, here) if tag else node
    return _plain_scalar(value, position)


#: The short forms CloudFormation reads; any other tag (``!Include``,
#: ``!!python/object``) makes it refuse the template, so keyless does not guess its value.
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
SHORT_FORMS = frozenset(
    {
        "Ref", "Condition", "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue",
        "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
        "Length", "ToJsonString",
    }
)  # fmt: skip
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


def _tag(value: Any, position: Position) -> str | None:
    tag = getattr(value, "tag", None)
    text = getattr(tag, "value", None)
    if not isinstance(text, str) or text in _CORE_TAGS:
        return None
    if text.startswith("!") and text[1:] in SHORT_FORMS:
        return text
    raise YamlSyntaxError(
        f"the tag {text[:100]} is not one of CloudFormation's short forms (!Ref, !Sub,"
        " !GetAtt…): CloudFormation refuses the template",
        position,
    )


def _short_form(tag: str, node: Node, position: Position) -> Node:
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return Node(mapping({name: node}), position)
    if name == "GetAtt" and isinstance(node.value, str):
        resource, _, attribute = node.value.partition(".")
        node = Node((Node(resource, position), Node(attribute, position)), position)
    return Node(mapping({f"Fn::{name}": node}), position)


# YAML 1.1's booleans that YAML 1.2 (ruamel's reading) leaves strings. CloudFormation reads
# templates as YAML 1.1 ("CloudFormation supports the YAML Version 1.1 specification"):
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
# and turns an unquoted yes/no/on/off into a boolean (aws/aws-cli#5245, a tag written YES
# arrives as "true": ASFHyP3/hyp3#2061).
_YAML11_TRUE = frozenset({"yes", "Yes", "YES", "on", "On", "ON"})
_YAML11_FALSE = frozenset({"no", "No", "NO", "off", "Off", "OFF"})
# y and n are booleans in the YAML 1.1 type repository, strings to PyYAML and SnakeYAML:
# what CloudFormation makes of them is not documented.
_YAML11_UNSETTLED = frozenset({"y", "Y", "n", "N"})
# YAML 1.1's base-60 numbers (190:20:30), strings to YAML 1.2.
_SEXAGESIMAL = re.compile(
    r"[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
)


# CloudFormation refuses a template whose mapping key is not a string ("Template format
# error: [/Mappings/AccountMap] map keys must be strings; received numeric [123456789012]
# instead", aws-cloudformation/cfn-lint#292): an unquoted number, true/false, and in the
# YAML 1.1 CloudFormation reads also yes/no/on/off, which YAML 1.2 reads as strings.
_NOT_A_STRING_KEY = (
    "a key that is not a string: {key} (YAML 1.1, which CloudFormation reads, reads it as a "
    "number or a boolean, and CloudFormation refuses keys that are not strings: quote it)"
)


def _is_yaml11_boolean(key: str) -> bool:
    """An unquoted key YAML 1.1 reads as a boolean (quoted keys are str subclasses)."""
    return type(key) is str and (key in _YAML11_TRUE or key in _YAML11_FALSE)


def _plain_scalar(value: Any, position: Position) -> Node:
    """An untagged scalar as CloudFormation reads it (YAML 1.1) where keyless's YAML 1.2
    reading differs: ``yes``/``no``/``on``/``off`` are booleans; an integer with leading
    zeros is a string if it has an 8 or a 9 (``012345678901``, an account ID) and octal
    otherwise; what keyless cannot read exactly as CloudFormation does (``y``/``n``, base
    60, octal, hexadecimal, binary, underscores, ``-0``) is unknown, never a guess."""
    from ruamel.yaml.scalarint import BinaryInt, HexCapsInt, HexInt, OctalInt, ScalarInt

    if isinstance(value, _LongInteger):
        return _unread(value.written, f"an integer of more than {MAX_DIGITS} digits", position)
    if type(value) is str:  # a plain scalar (quoted and block ones are str subclasses)
        if value in _YAML11_TRUE or value in _YAML11_FALSE:
            return Node(value in _YAML11_TRUE, position)
        if value in _YAML11_UNSETTLED:
            return _unread(value, "a boolean in YAML 1.1, a string to common parsers", position)
        if _SEXAGESIMAL.fullmatch(value):
            return _unread(value, "a base-60 number in YAML 1.1, a string in YAML 1.2", position)
        return Node(value, position)
    if isinstance(value, ScalarInt) and not isinstance(value, bool):
        width = getattr(value, "_width", None)
        special = isinstance(value, BinaryInt | HexInt | HexCapsInt | OctalInt)
        if not special and getattr(value, "_underscore", None) is None and width and value > 0:
            written = str(int(value)).zfill(width)
            if written.startswith("0") and ("8" in written or "9" in written):
                return Node(written, position)  # no YAML 1.1 integer: the digits as written
        return _unread(
            f"the integer {int(value)}",
            "written other than in plain decimal (leading zeros, hexadecimal, octal, binary, "
            "underscores or -0): YAML 1.1, which CloudFormation reads, and YAML 1.2 read "
            "some of these differently",
            position,
        )
    return Node(_scalar(value), position)


def _unread(written: str, reason: str, position: Position) -> Node:
    return Node(Unknown(written[:100], f"a plain YAML scalar: {reason}", position), position)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.date):
        # CloudFormation reads `Version: 2012-10-17` as the string it looks like.
        return value.isoformat()
    return str(value)


def _own_position(value: Any, fallback: Position) -> Position:
    lc = getattr(value, "lc", None)
    line, column = getattr(lc, "line", None), getattr(lc, "col", None)
    if isinstance(line, int) and isinstance(column, int):
        return Position(line + 1, column + 1)
    return fallback


def _child_position(value: Any, key: Any, fallback: Position, *, is_key: bool) -> Position:
    data = getattr(getattr(value, "lc", None), "data", None)
    entry = data.get(key) if isinstance(data, dict) else None
    if entry and len(entry) >= 4:
        line, column = (entry[0], entry[1]) if is_key else (entry[2], entry[3])
        return Position(line + 1, column + 1)
    return fallback


def _item_position(value: Any, index: int, fallback: Position) -> Position:
    data = getattr(getattr(value, "lc", None), "data", None)
    entry = data.get(index) if isinstance(data, dict) else None
    if entry and len(entry) >= 2:
        return Position(entry[0] + 1, entry[1] + 1)
    return fallback
