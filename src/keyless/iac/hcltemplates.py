"""Terraform string templates: quoted strings with ``${ … }`` interpolations, and heredocs.

A template's value is text, so this module also owns :func:`as_text`, how any value
renders inside one (which the evaluator uses wherever Terraform converts a value to a
string, such as object keys). A heredoc's result is :class:`~keyless.iac.values.SourcedText`,
which remembers each substitution so that positions inside the text map back to the file.
Template directives (``%{ if }``, ``%{ for }``) are rendered by :mod:`keyless.iac.hcldirectives`;
the text of a heredoc with directives is plain text (its positions are the heredoc's).
https://developer.hashicorp.com/terraform/language/expressions/strings
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hcl2.utils import HEREDOC_PATTERN, HEREDOC_TRIM_PATTERN, process_escape_sequences
from lark import Token, Tree

from keyless.iac.hcl import parse_expression, parse_tree, position_of
from keyless.iac.hcldirectives import (
    NotUnderstood,
    Part,
    has_strip_marker,
    is_directive,
    nested,
    part_of,
    render,
    stripped,
)
from keyless.iac.hclholes import MarkedText
from keyless.iac.hclinterpolations import interpolations, unclosed
from keyless.iac.values import (
    JsonText,
    Node,
    Position,
    SourcedText,
    Unknown,
    ends_with_name,
    jsonencoded,
    notes,
    stand_in_text,
)

_P0 = Position(1, 1)

if TYPE_CHECKING:  # the evaluator dispatches to these handlers: no import cycle at runtime
    from keyless.iac.hcleval import Evaluator


def evaluate_string(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A quoted string, its ``${ … }`` interpolations substituted."""
    if any(
        isinstance(part, Tree)
        and isinstance(part.children[0], Tree)
        and (is_directive(part.children[0]) or has_strip_marker(part.children[0]))
        for part in tree.children
    ):
        return _with_directives(evaluator, tree, scope)
    only = _only_interpolation(tree)
    if only is not None:
        # "${x}" is x itself, not converted to a string (HCL's template unwrapping): a
        # policy document's json, a list, an object pass through unchanged.
        return evaluator.evaluate(only, scope)
    parts: list[str] = []
    pieces: list[str | Unknown] = []
    missing: list[Node] = []
    carried: list[str] = []
    for part in tree.children:
        if not isinstance(part, Tree):
            continue  # the quotes
        (inner,) = part.children
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                parts.append(process_escape_sequences(str(inner)))
            else:  # $${ and %%{ escape an interpolation or directive
                parts.append(str(inner)[1:])
            pieces.append(parts[-1])
        elif inner.data == "interpolation":
            value = evaluator.evaluate(evaluator.children(inner)[0], scope)
            rendered = as_text(value)
            carried.extend(notes(value))
            if rendered is None:
                missing.append(value)
                unknown = value.value
                pieces.append(unknown if isinstance(unknown, Unknown) else Unknown("", "", _P0))
            else:
                parts.append(rendered)
                pieces.append(rendered)
        else:
            return evaluator.unknown(tree, f"{inner.data} is not understood")
    if missing:
        merged = evaluator.merge_unknown(missing, tree)
        stand_in = stand_in_text(pieces)
        cause = merged.value
        if stand_in is not None and isinstance(cause, Unknown):
            with_stand_in = Unknown(
                cause.expression,
                cause.reason,
                cause.position,
                stand_in,
                open_ended=ends_with_name(pieces),
            )
            return Node(with_stand_in, merged.position)
        return merged
    return Node("".join(parts), position_of(tree), tuple(dict.fromkeys(carried)))


def evaluate_heredoc(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A heredoc (``<<EOT`` or ``<<-EOT``) as text that maps back to the file."""
    token = tree.children[0]
    trim = tree.data == "heredoc_template_trim"
    match = (HEREDOC_TRIM_PATTERN if trim else HEREDOC_PATTERN).match(str(token))
    if match is None:
        return evaluator.unknown(tree, "heredoc not understood")
    body = match.group(2)
    # The body starts on the line after the opening marker.
    origin = Position(position_of(token).line + 1, 1)
    return template_text(
        evaluator, body, origin, tree, scope, _indent(body) if trim else 0, heredoc=True
    )


def _only_interpolation(tree: Tree[Any]) -> Tree[Any] | None:
    """The expression of a quoted string that is one interpolation and nothing else."""
    parts = [part for part in tree.children if isinstance(part, Tree)]
    if len(parts) != 1 or len(parts[0].children) != 1:
        return None
    inner = parts[0].children[0]
    if not isinstance(inner, Tree) or inner.data != "interpolation":
        return None
    expressions = [c for c in inner.children if isinstance(c, Tree)]
    return expressions[0] if len(expressions) == 1 else None


def render_template(
    evaluator: Evaluator, text: str, tree: Tree[Any], variables: Mapping[str, Node]
) -> Node:
    """A template file's text (``templatefile``) rendered with ``variables`` as its only
    names (``${ name }`` interpolations, ``%{ if }`` and ``%{ for }`` directives)."""
    return template_text(evaluator, text, _P0, tree, variables, 0)


def template_text(
    evaluator: Evaluator,
    body: str,
    origin: Position,
    tree: Tree[Any],
    scope: Mapping[str, Node],
    cut: int,
    *,
    heredoc: bool = False,
) -> Node:
    """A heredoc body (or a template file's text, a ``.tf.json`` string) with ``cut``
    leading blanks removed from each line (``<<-``) and its ``${ … }`` interpolations
    substituted; every change is recorded so positions inside the result map back to the
    file, whose text starts at ``origin``."""
    events: list[tuple[int, int]] = [(start, end) for start, end in interpolations(body)]
    lines = _Lines(body, origin)
    never_closed = unclosed(body, events)
    if never_closed is not None:
        # Terraform refuses the template ("Unclosed template interpolation sequence"):
        # read as text, what follows would be judged as deployed.
        where = lines.position(never_closed)
        opened = body[never_closed : never_closed + 40].split("\n")[0]
        reason = "never closed: Terraform refuses the template (an unclosed interpolation)"
        return Node(Unknown(opened, reason, where), where)
    # a directive, or an interpolation with a strip marker (`${~ x ~}`), is read part by part
    if any(
        body.startswith(("%{", "${~"), start) or body[end - 2 : end] == "~}"
        for start, end in events
    ):
        last = body.rfind("\n") + 1
        if heredoc and not body[last:].strip(" \t"):  # the closing marker's indentation
            body = body[:last]
        return _raw_with_directives(evaluator, body, events, tree, scope, cut, lines)
    if cut:
        events.extend((m.start(), -1) for m in re.finditer(r"^", body, re.MULTILINE))
    events.sort()
    pieces: list[str] = []
    substitutions: list[tuple[int, int, int]] = []
    missing: list[Node] = []
    carried: list[str] = []
    # The same text with a marker for each value not known (keyless.iac.hclholes).
    marked = MarkedText()
    cursor = written = 0
    for start, end in events:
        if start < cursor:
            continue  # a line start inside an interpolation
        pieces.append(body[cursor:start])
        marked.text(body[cursor:start])
        written += start - cursor
        if end == -1:
            blanks = len(body[start : start + cut]) - len(body[start : start + cut].lstrip())
            substitutions.append((written, 0, blanks))
            marked.substituted("", blanks)
            cursor = start + blanks
            continue
        inner = body[start + 2 : end - 1]
        where = lines.position(start)
        expression = evaluator.expressions.parse(inner, Position(where.line, where.column + 2))
        if expression is None:
            missing.append(Node(Unknown(inner.strip(), "not understood", where), where))
            marked.hole(Unknown(inner.strip(), "not understood", where), end - start)
            cursor = end
            continue
        value = evaluator.evaluate(expression, scope)
        carried.extend(notes(value))
        rendered = as_text(value)
        if rendered is None:
            cause = value.value if isinstance(value.value, Unknown) else None
            reason = cause.reason if cause is not None else "not a string"
            missing.append(Node(Unknown(inner.strip(), reason, where), where))
            stand_in = cause.stand_in if cause is not None else None
            open_ended = cause.open_ended if cause is not None else False
            marked.hole(
                Unknown(inner.strip(), reason, where, stand_in, open_ended=open_ended), end - start
            )
        else:
            pieces.append(rendered)
            substitutions.append((written, len(rendered), end - start))
            marked.substituted(rendered, end - start)
            written += len(rendered)
        cursor = end
    pieces.append(body[cursor:])
    marked.text(body[cursor:])
    if missing:
        document = marked.document(origin, body, position_of(tree))
        return document if document is not None else evaluator.merge_unknown(missing, tree)
    text = "".join(pieces).replace("$${", "${").replace("%%{", "%{")
    sourced = SourcedText(text, origin, body, tuple(substitutions))
    return Node(sourced, position_of(tree), tuple(dict.fromkeys(carried)))


def _with_directives(evaluator: Evaluator, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
    """A quoted string with ``%{ if }`` or ``%{ for }`` directives, or strip markers
    (``${~ x ~}``), rendered."""
    parts: list[Part] = []
    for part in tree.children:
        if not isinstance(part, Tree):
            continue  # the quotes
        (inner,) = part.children
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                _add_text(parts, process_escape_sequences(str(inner)))
            else:  # $${ and %%{ escape an interpolation or directive
                _add_text(parts, str(inner)[1:])
        else:
            parts.append(part_of(inner))
    return _rendered(evaluator, parts, tree, scope)


def _raw_with_directives(
    evaluator: Evaluator,
    body: str,
    events: list[tuple[int, int]],
    tree: Tree[Any],
    scope: Mapping[str, Node],
    cut: int,
    lines: _Lines,
) -> Node:
    """A heredoc body or template file with directives, rendered. Its literal text is one
    token per line, as HCL scans it, so a strip marker takes the whitespace of the line
    beside it only; a ``<<-`` heredoc (``cut`` > 0) then loses the indentation HCL's flush
    rule finds over those tokens (:func:`_flushed`). ``lines`` places an offset of the body
    in its file (a part written several times is placed where it is first)."""
    parts: list[Part] = []
    read: dict[str, Part] = {}  # a directive written many times is parsed once
    cursor = 0
    try:
        for start, end in events:
            _add_lines(parts, body[cursor:start])
            written = body[start:end]
            if written not in read:
                where = lines.position(start)
                read[written] = _raw_part(written, Position(where.line, where.column + 2))
            parts.append(read[written])
            cursor = end
    except NotUnderstood as error:
        return evaluator.unknown(tree, str(error))
    _add_lines(parts, body[cursor:])
    parts = stripped(parts)
    if cut:
        parts = _flushed(parts)
    try:
        items = nested(parts)
    except NotUnderstood as error:
        return evaluator.unknown(tree, str(error))
    return render(evaluator, items, scope, tree, as_text)


def _add_lines(parts: list[Part], text: str) -> None:
    """Literal text as one token per line (each ending with its line break), ``$${`` and
    ``%%{`` unescaped."""
    text = text.replace("$${", "${").replace("%%{", "%{")
    lines = text.split("\n")
    parts.extend(Part("text", text=line + "\n") for line in lines[:-1])
    if lines[-1]:
        parts.append(Part("text", text=lines[-1]))


def _flushed(parts: list[Part]) -> list[Part]:
    """HCL's flush heredoc rule over the tokens (hclsyntax ``flushHeredocTemplateParts``,
    after strip markers): the fewest leading spaces of a token that starts a line (a
    directive or interpolation there counts as none, a blank line not at all) are removed
    from every line-starting token."""
    least: int | None = None
    adjust: list[int] = []
    line_start = True
    for index, part in enumerate(parts):
        if line_start:
            line_start = False
            if part.kind != "text":
                least = 0
            else:
                trimmed = part.text.lstrip()
                if trimmed or not part.text.endswith("\n"):
                    spaces = len(part.text) - len(trimmed)
                    least = spaces if least is None else min(least, spaces)
                    adjust.append(index)
        if part.kind == "text" and part.text.endswith("\n"):
            line_start = True
    result = list(parts)
    for index in adjust:
        result[index] = Part("text", text=result[index].text[least or 0 :])
    return result


def _rendered(
    evaluator: Evaluator, parts: list[Part], tree: Tree[Any], scope: Mapping[str, Node]
) -> Node:
    try:
        items = nested(stripped(parts))
    except NotUnderstood as error:
        return evaluator.unknown(tree, str(error))
    return render(evaluator, items, scope, tree, as_text)


def _add_text(parts: list[Part], text: str) -> None:
    """Literal text, joined to the literal text before it (a strip marker strips both)."""
    if parts and parts[-1].kind == "text":
        parts[-1] = Part("text", text=parts[-1].text + text)
    else:
        parts.append(Part("text", text=text))


def _raw_part(text: str, position: Position = _P0) -> Part:
    """A ``${ … }`` or ``%{ … }`` of a template's text, read by the HCL grammar."""
    if text.startswith("${"):
        inner = text[2:-1]
        before, after = inner.startswith("~"), inner.endswith("~") and len(inner) > 1
        inner = inner[1 if before else 0 : len(inner) - 1 if after else len(inner)]
        # its own text kept, so what it cannot know is quoted as written
        expression = parse_expression(inner, position)
        if expression is None:
            raise NotUnderstood(f"{text} is not understood")
        return Part(
            "interpolation",
            expression=expression,
            strip_before=before,
            strip_after=after,
        )
    written = text.replace("\n", " ").replace("\r", " ")
    try:
        parsed = parse_tree(f'x = "{written}"\n')
    except Exception as error:
        raise NotUnderstood(f"{' '.join(text.split())} is not understood") from error
    for found in parsed.find_data("string_part"):
        child = found.children[0]
        if isinstance(child, Tree) and is_directive(child):
            return part_of(child)
    raise NotUnderstood(f"{' '.join(text.split())} is not understood")


def as_text(node: Node) -> str | None:
    """How a value renders inside a string template, or None when it cannot."""
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, JsonText) and value.by_jsonencode:
        return jsonencoded(value.document)
    return None


class _Lines:
    """Where an offset of a template's text is in its file, whose text starts at
    ``origin``: the line starts are found once (counting them again for each of 20,000
    interpolations took seconds)."""

    __slots__ = ("origin", "starts")

    def __init__(self, body: str, origin: Position):
        self.origin = origin
        self.starts = [0, *(match.end() for match in re.finditer("\n", body))]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1).shifted(self.origin)


def _indent(body: str) -> int:
    """``<<-`` strips the smallest leading whitespace of the non-blank lines."""
    widths = [len(line) - len(line.lstrip(" \t")) for line in body.split("\n") if line.strip()]
    return min(widths, default=0)
