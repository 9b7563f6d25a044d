"""JSON read with the position of every value, for findings and SARIF locations.

The standard library and orjson return values without positions; this reader walks the
text once (strings through the standard library's own scanner, so escapes are decoded
exactly as :mod:`json` does) and builds :class:`~keyless.iac.values.Node` trees. It is
iterative, so a deeply nested hostile file cannot exhaust the stack, and it refuses
duplicate keys, which IAM and CloudFormation readers resolve differently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from keyless.errors import quoted
from keyless.iac.values import Node, Position, SourcedText, Unknown, mapping

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
MAX_DEPTH = 512
#: Integers longer than this are not read (Python's int() refuses past 4,300 digits with a
#: ValueError; the evaluator's number literals stop at the same length).
MAX_DIGITS = 1000
# Strings are decoded by the standard library (its C scanner): escapes exactly as json does.
_DECODER = json.JSONDecoder()
#: Strings up to this long are kept once per document however often they are written (keys,
#: `"Effect": "Allow"`, resource types), as the standard library's own decoder does for
#: keys: a string read again was a new object each time, a fifth of what a large template
#: kept in memory.
SHARED_LENGTH = 64
#: An escape of a surrogate code point: ``\ud800`` alone decodes to a lone surrogate, no
#: character at all (a pair of them is one character, and stays). No output keyless writes
#: (JSON, SARIF, a fingerprint) can hold one, and readers differ on it (RFC 8259 §8.2):
#: refused, as the YAML reader refuses it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


#: How deep a value may be for ``parse_json``'s ``defer`` to be asked about it.
DEFER_DEPTH = 8


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    if len(dict(pairs)) != len(pairs):
        raise ValueError("duplicate key")


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(name)  # NaN, Infinity: no JSON


def _unconverted(literal: str) -> str:
    return literal  # a number is read when its value is built (one too long is unknown)


# Checks a value well-formed at the C scanner's speed, building nothing kept: objects are
# dropped as they close, having been checked for a key twice.
_CHECKER = json.JSONDecoder(
    object_pairs_hook=_refuse_duplicates,
    parse_constant=_refuse_constant,
    parse_int=_unconverted,
    parse_float=_unconverted,
)


class DeferredJson(Unknown):
    """A JSON value checked well-formed (no key twice, no surrogate escape, no number too
    long, not too deep) but not built: :meth:`load` builds it with its positions, the
    same nodes reading it at once gives. To anything else it is an unknown value, never
    a guess."""

    __slots__ = ("_end", "_start", "_text")
    _text: str
    _start: int
    _end: int

    def __init__(self, text: str, start: int, end: int, position: Position):
        super().__init__(text[start : min(end, start + 20)], "not read yet", position)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_end", end)

    def holds_object(self) -> bool:
        """Whether the value is an object."""
        return self._text.startswith("{", self._start)

    def matches(self, pattern: re.Pattern[str]) -> bool:
        """Whether ``pattern`` is found in the value's text."""
        return pattern.search(self._text, self._start, self._end) is not None

    def load(self) -> Node:
        """The value with its positions."""
        return parse_json(self._text[self._start : self._end], origin=self.position)


class JsonSyntaxError(ValueError):
    """Malformed JSON, with the position of the first error."""

    def __init__(self, message: str, position: Position):
        super().__init__(f"{message} at line {position.line}, column {position.column}")
        self.message = message
        self.position = position


@dataclass(slots=True)
class _Open:
    """A container being read: its items so far and, for an object, the pending key."""

    start: Position
    is_object: bool
    items: list[Node] = field(default_factory=list)
    members: dict[str, Node] = field(default_factory=dict)
    key: str | None = None


class _Text:
    def __init__(
        self, text: str, origin: Position | None, pinned: Position | None, deferring: bool
    ):
        self.text = text
        self.sourced = text if isinstance(text, SourcedText) else None
        self.origin = origin or (self.sourced.origin if self.sourced else None)
        self.pinned = pinned
        self.seen: dict[str, str] = {}  # the short strings read so far (SHARED_LENGTH)
        # One search of the text: strings are checked for surrogates only when it has one.
        self.may_hold_surrogates = _SURROGATE_ESCAPE.search(text) is not None
        # Values are deferred only where loading them later gives what reading them now
        # would: positions in the file itself, no escape the C scanner reads otherwise.
        self.may_defer = (
            deferring
            and pinned is None
            and not isinstance(text, SourcedText)
            and not self.may_hold_surrogates
        )
        self.written = self.sourced.original if self.sourced else text
        # Positions are asked for in reading order: the lines between one and the next are
        # counted at C speed, and no table of every line's start is kept (a file of a
        # million lines spent a second building one).
        self._at = 0
        self._line = 1
        self._line_start = 0

    def position(self, offset: int) -> Position:
        if self.pinned is not None:
            return self.pinned
        if self.sourced is not None:
            offset = self.sourced.original_offset(offset)
        written = self.written
        if offset < self._at:  # an error's position, behind: counted again from the start
            self._at, self._line, self._line_start = 0, 1, 0
        breaks = written.count("\n", self._at, offset)
        if breaks:
            self._line += breaks
            self._line_start = written.rfind("\n", self._at, offset) + 1
        self._at = offset
        here = Position(self._line, offset - self._line_start + 1)
        return here.shifted(self.origin) if self.origin else here

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset


def parse_json(
    text: str,
    *,
    origin: Position | None = None,
    pinned: Position | None = None,
    defer: Callable[[tuple[str, ...]], bool] | None = None,
) -> Node:
    """``text`` as a :class:`Node` tree. ``origin`` is where the text starts in its file
    (a :class:`~keyless.iac.values.SourcedText` from a heredoc brings its own); with
    ``pinned``, every part is placed there (JSON inside a quoted string, whose escapes
    make inner columns meaningless). ``defer`` is asked, for a member of an object no
    deeper than :data:`DEFER_DEPTH`, the keys of the objects leading to it (the member's
    own last); when it says so, the value is checked but not built: a
    :class:`DeferredJson` (the file's unrelated parts cost no time building nodes, nor
    memory holding them). Raises :class:`JsonSyntaxError`, deferred parts included."""
    source = _Text(text, origin, pinned, defer is not None)
    stack: list[_Open] = []
    offset = source.skip(0)
    result: Node | None = None
    while True:
        if offset >= len(text):
            raise JsonSyntaxError("unexpected end of the document", source.position(offset))
        top = stack[-1] if stack else None
        if top is not None and top.is_object and top.key is None:
            offset = _object_key(source, top, offset)
            continue
        start = source.position(offset)
        char = text[offset]
        node: Node | None = None
        end = (
            _checked_end(source, offset, len(stack))
            if defer is not None
            and source.may_defer
            and top is not None
            and top.is_object
            and len(stack) <= DEFER_DEPTH
            and defer(tuple(o.key for o in stack if o.key is not None))
            else None
        )
        if end is not None:
            node = Node(DeferredJson(text, offset, end, start), start)
            offset = end
        elif char in "{[":
            if len(stack) >= MAX_DEPTH:
                raise JsonSyntaxError(f"nested deeper than {MAX_DEPTH} levels", start)
            opened = _Open(start, char == "{")
            offset = source.skip(offset + 1)
            closer = "}" if opened.is_object else "]"
            if offset < len(text) and text[offset] == closer:
                offset += 1
                node = _close(opened)
            else:
                stack.append(opened)
                continue
        elif char == '"':
            value, offset = _string(source, offset)
            node = Node(value, start)
        else:
            node, offset = _scalar(source, offset, start)
        # A value is complete: attach it to its container, closing those that end here.
        while True:
            if not stack:
                result = node
                break
            top = stack[-1]
            _attach(top, node)
            offset = source.skip(offset)
            closer = "}" if top.is_object else "]"
            if offset < len(text) and text[offset] == ",":
                offset = source.skip(offset + 1)
                if offset < len(text) and text[offset] == closer:
                    raise JsonSyntaxError("trailing comma", source.position(offset))
                break
            if offset < len(text) and text[offset] == closer:
                offset += 1
                node = _close(stack.pop())
                continue
            raise JsonSyntaxError(f"expected ',' or '{closer}'", source.position(offset))
        if result is not None:
            break
    offset = source.skip(offset)
    if offset != len(text):
        raise JsonSyntaxError("extra data after the document", source.position(offset))
    return result


def _checked_end(source: _Text, offset: int, depth: int) -> int | None:
    """Where the value at ``offset`` ends, if it is well-formed and no deeper than
    :data:`MAX_DEPTH` at ``depth``; None to read it with positions (which names what is
    wrong with it)."""
    text = source.text
    try:
        _, end = _CHECKER.raw_decode(text, offset)
    except (ValueError, RecursionError):
        return None
    # Each level opens a bracket: a count at C speed bounds the depth (from above).
    if depth + text.count("{", offset, end) + text.count("[", offset, end) > MAX_DEPTH:
        return None
    return int(end)


def _object_key(source: _Text, top: _Open, offset: int) -> int:
    text = source.text
    if text[offset] != '"':
        raise JsonSyntaxError("expected a string key", source.position(offset))
    start = offset  # placed only if it is a duplicate: a Position per key cost time
    key, offset = _string(source, offset)
    if key in top.members:
        raise JsonSyntaxError(f"duplicate key {quoted(key)}", source.position(start))
    offset = source.skip(offset)
    if offset >= len(text) or text[offset] != ":":
        raise JsonSyntaxError("expected ':'", source.position(offset))
    top.key = key
    return source.skip(offset + 1)


def _attach(top: _Open, node: Node) -> None:
    if top.is_object:
        assert top.key is not None
        top.members[top.key] = node
        top.key = None
    else:
        top.items.append(node)


def _close(opened: _Open) -> Node:
    if opened.is_object:
        return Node(mapping(opened.members), opened.start)
    return Node(tuple(opened.items), opened.start)


def _string(source: _Text, offset: int) -> tuple[str, int]:
    try:
        value, end = _DECODER.raw_decode(source.text, offset)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(error.msg.rstrip(" at"), source.position(error.pos)) from None
    text = str(value)
    if source.may_hold_surrogates and _SURROGATE.search(text):
        raise JsonSyntaxError(
            "an escape names a surrogate code point (U+D800-U+DFFF) that is no character",
            source.position(offset),
        )
    if len(text) <= SHARED_LENGTH:
        text = source.seen.setdefault(text, text)
    return text, end


def _scalar(source: _Text, offset: int, start: Position) -> tuple[Node, int]:
    text = source.text
    for word, value in _LITERALS.items():
        if text.startswith(word, offset):
            return Node(value, start), offset + len(word)
    match = _NUMBER.match(text, offset)
    if match is None or match.end() == offset:
        raise JsonSyntaxError("expected a value", start)
    literal = match.group()
    if match.group(1) or match.group(2):
        return Node(float(literal), start), match.end()
    if len(literal) > MAX_DIGITS:
        unknown = Unknown(f"{literal[:20]}…", f"a number of more than {MAX_DIGITS} digits", start)
        return Node(unknown, start), match.end()
    return Node(int(literal), start), match.end()
