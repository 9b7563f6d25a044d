"""JSON written as a template with values keyless does not know (a heredoc trust policy
with ``"Federated": "${aws_iam_openid_connect_provider.tfc.arn}"``, the shape HashiCorp's
dynamic-credentials examples write): when every unknown value sits inside a JSON string,
the text is still JSON whatever the values are, so it is read as a document whose strings
holding them are unknown, each unknown alone keeping its stand-in (:mod:`keyless.iac.roles`
judges the rest). An unknown value outside a string (``"Statement": ${local.s}``) or in a
key leaves the whole text unknown, as before.

Like every stand-in, this takes a value for a plain string: a value holding ``"`` would
change the document Terraform writes.
https://developer.hashicorp.com/terraform/language/expressions/strings#interpolation
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.values import (
    MAX_LITERAL_DEPTH,
    JsonText,
    Node,
    Position,
    SourcedText,
    Unknown,
    deeper_than,
    ends_with_name,
    mapping,
    stand_in_text,
)

# Characters of Unicode's private use area: valid inside a JSON string, and no token
# outside one, so a hole outside a string makes the text not JSON.
_OPEN, _CLOSE = "\ue000", "\ue001"
_HOLE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def hole(index: int) -> str:
    """The marker written in the text in place of the unknown value ``index``."""
    return f"{_OPEN}{index}{_CLOSE}"


def holed_document(
    text: str,
    origin: Position,
    original: str,
    substitutions: tuple[tuple[int, int, int], ...],
    holes: Sequence[Unknown],
    position: Position,
) -> Node | None:
    """The JSON ``text`` (markers standing for ``holes``) as a document with its unknown
    strings, positioned as a heredoc's text is; None when it is not JSON so read."""
    if not text.lstrip().startswith("{") or _OPEN in original:
        return None
    try:
        parsed = parse_json(SourcedText(text, origin, original, substitutions))
    except JsonSyntaxError:
        return None
    if deeper_than(parsed, MAX_LITERAL_DEPTH):
        return None
    filled = _filled(parsed, holes)
    if filled is None:
        return None
    return Node(JsonText(filled), position)


def _filled(node: Node, holes: Sequence[Unknown]) -> Node | None:
    value = node.value
    if isinstance(value, str):
        return _string(node, value, holes) if _OPEN in value else node
    if isinstance(value, tuple):
        items = [_filled(item, holes) for item in value]
        if any(item is None for item in items):
            return None
        return Node(tuple(i for i in items if i is not None), node.position, node.notes)
    if isinstance(value, Mapping):
        members: dict[str, Node] = {}
        for key, item in value.items():
            done = _filled(item, holes)
            if _OPEN in key or done is None:
                return None  # a key the value decides: the document's shape is not known
            members[key] = done
        return Node(mapping(members), node.position, node.notes)
    return node


def _string(node: Node, value: str, holes: Sequence[Unknown]) -> Node | None:
    """A string holding unknown values: the value itself when it is the whole string,
    else unknown text with the stand-in its pieces make (:func:`stand_in_text`)."""
    pieces: list[str | Unknown] = []
    for index, chunk in enumerate(_HOLE.split(value)):
        if index % 2 == 0:
            if chunk:
                pieces.append(chunk)
        elif int(chunk) < len(holes):
            pieces.append(holes[int(chunk)])
        else:
            return None
    if len(pieces) == 1 and isinstance(pieces[0], Unknown):
        return Node(pieces[0], node.position)
    first = next(p for p in pieces if isinstance(p, Unknown))
    unknown = Unknown(
        first.expression,
        first.reason,
        first.position,
        stand_in_text(pieces),
        open_ended=ends_with_name(pieces),
    )
    return Node(unknown, node.position)


class MarkedText:
    """A template's text (:func:`keyless.iac.hcltemplates.template_text`) with a marker in
    place of each value not known, and the substitutions that map its offsets back to the
    file (as :class:`SourcedText`'s): built piece by piece beside the text itself."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._substitutions: list[tuple[int, int, int]] = []
        self._holes: list[Unknown] = []
        self._written = 0

    def text(self, written: str) -> None:
        """Text of the template as written."""
        self._pieces.append(written)
        self._written += len(written)

    def substituted(self, rendered: str, replaced: int) -> None:
        """``rendered`` in place of ``replaced`` characters of the template."""
        self._substitutions.append((self._written, len(rendered), replaced))
        self._pieces.append(rendered)
        self._written += len(rendered)

    def hole(self, unknown: Unknown, replaced: int) -> None:
        """A marker for ``unknown`` in place of its ``replaced`` characters."""
        self.substituted(hole(len(self._holes)), replaced)
        self._holes.append(unknown)

    def document(self, origin: Position, body: str, position: Position) -> Node | None:
        """The JSON document the text holds, its unknown strings unknown (None if none)."""
        if "$${" in body or "%%{" in body:
            return None  # escapes shift offsets the substitutions do not record
        text = "".join(self._pieces)
        return holed_document(text, origin, body, tuple(self._substitutions), self._holes, position)
