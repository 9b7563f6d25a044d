"""A small HCL (Terraform) writer: blocks, attributes and values, formatted as
``terraform fmt`` formats them, every string quoted with HCL's escapes.

Untrusted text only ever reaches the output through :func:`quote`: backslash, quote,
control and invisible characters escaped (a bidirectional override or isolate, a
zero-width space, a line separator: written raw, they reorder or hide what a reviewer
reads, https://trojansource.codes), and the template introducers ``${`` and ``%{``
doubled to ``$${`` / ``%%{`` so that no value can become an interpolation or a directive
(https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
Expressions (references, function calls) are built only from :class:`Ref`, whose parts
are checked against the identifier grammar, and :class:`Call` / :class:`Template` /
:class:`Matches` (whose pattern is quoted like any other string).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Unicode categories written as ``\\uNNNN``: controls, format characters (bidirectional
#: overrides and isolates, zero-width characters), line and paragraph separators,
#: surrogates, private-use and unassigned code points.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "endif", "endfor"})
INDENT = "  "


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference such as ``var.region`` or ``aws_iam_role.ci.arn``."""

    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.parts or not all(_IDENTIFIER.fullmatch(p) for p in self.parts):
            raise ValueError(f"not a Terraform reference: {self.parts!r}")

    def render(self) -> str:
        return ".".join(self.parts)


def ref(*parts: str) -> Ref:
    """``ref("var", "region")`` is ``var.region``."""
    return Ref(tuple(parts))


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted string mixing literal text and interpolated references:
    ``"arn:aws:iam::${var.account}:role/x"``."""

    parts: tuple[str | Ref, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """A function call with one argument, e.g. ``jsonencode({...})``."""

    function: str
    argument: Value

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.function):
            raise ValueError(f"not a function name: {self.function!r}")


@dataclass(frozen=True, slots=True)
class Matches:
    """A condition that ``subject`` matches the RE2 ``pattern`` whole (anchored here), or,
    with ``each``, that every item of the list ``subject`` does: a variable's
    ``validation`` condition, so a value that is no word of its grammar is refused at
    ``terraform plan``
    (https://developer.hashicorp.com/terraform/language/values/variables#custom-validation-rules)."""

    subject: Ref
    pattern: str
    each: bool = False

    def render(self) -> str:
        pattern = quote(f"^{self.pattern}$")
        if not self.each:
            return f"can(regex({pattern}, {self.subject.render()}))"
        return f"alltrue([for item in {self.subject.render()} : can(regex({pattern}, item))])"


#: What an attribute holds: scalars, expressions, lists and objects of them.
Value: TypeAlias = "str | int | float | bool | Ref | Template | Call | Matches | Sequence[Value] | Mapping[str, Value] | None"  # noqa: E501


@dataclass(frozen=True, slots=True)
class Attribute:
    """``name = value`` in a block body."""

    name: str
    value: Value


@dataclass(frozen=True, slots=True)
class Block:
    """``type "label" … { body }``."""

    type: str
    labels: tuple[str, ...]
    body: tuple[Attribute | Block | None, ...]  # None: a blank line


def quote_text(text: str) -> str:
    """``text`` as the inside of an HCL quoted template: nothing in it is interpreted."""
    out: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif unicodedata.category(char) in _ESCAPED_CATEGORIES:
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        elif char in "$%" and following == "{":
            out.append(char * 2)
        else:
            out.append(char)
    return "".join(out)


def quote(text: str) -> str:
    """``text`` as an HCL string literal."""
    return f'"{quote_text(text)}"'


def _key(name: str) -> str:
    if _IDENTIFIER.fullmatch(name) and name not in _KEYWORDS:
        return name
    return quote(name)


def render_value(value: Value, depth: int) -> str:
    """``value`` as HCL; nested objects and lists of objects span lines at ``depth``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Ref | Matches):
        return value.render()
    if isinstance(value, Template):
        inside = "".join(
            "${" + part.render() + "}" if isinstance(part, Ref) else quote_text(part)
            for part in value.parts
        )
        return f'"{inside}"'
    if isinstance(value, Call):
        return f"{value.function}({render_value(value.argument, depth)})"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        lines = _body_lines([Attribute(k, v) for k, v in value.items()], depth + 1, keys=True)
        return "{\n" + "".join(lines) + INDENT * depth + "}"
    items = list(value)
    if not items:
        return "[]"
    rendered = [render_value(item, depth + 1) for item in items]
    if not any(isinstance(item, Mapping) for item in items) and not any(
        "\n" in text for text in rendered
    ):
        return "[" + ", ".join(rendered) + "]"
    inner = INDENT * (depth + 1)
    return "[\n" + "".join(f"{inner}{text},\n" for text in rendered) + INDENT * depth + "]"


def _body_lines(
    items: Sequence[Attribute | Block | None], depth: int, *, keys: bool = False
) -> list[str]:
    """Lines of a body: runs of one-line attributes have their ``=`` aligned, as
    ``terraform fmt`` does; a multi-line attribute, a block or a blank line ends a run."""
    indent = INDENT * depth
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in run), default=0)
        lines.extend(f"{indent}{name.ljust(width)} = {text}\n" for name, text in run)
        run.clear()

    for item in items:
        if item is None:
            flush()
            lines.append("\n")
        elif isinstance(item, Block):
            flush()
            lines.extend(render_block(item, depth))
        else:
            name = _key(item.name) if keys else item.name
            if not keys and not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"not an attribute name: {name!r}")
            text = render_value(item.value, depth)
            if "\n" in text:
                flush()
                lines.append(f"{indent}{name} = {text}\n")
            else:
                run.append((name, text))
    flush()
    return lines


def render_block(block: Block, depth: int = 0) -> list[str]:
    """The lines of ``block`` at ``depth``."""
    if not _IDENTIFIER.fullmatch(block.type):
        raise ValueError(f"not a block type: {block.type!r}")
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    indent = INDENT * depth
    if not block.body:
        return [f"{indent}{head} {{\n", f"{indent}}}\n"]
    return [f"{indent}{head} {{\n", *_body_lines(block.body, depth + 1), f"{indent}}}\n"]


def render_file(blocks: Sequence[Block], header: Sequence[str] = ()) -> str:
    """A ``.tf`` file: ``#`` comment lines, then the blocks separated by blank lines."""
    parts = [f"# {line}\n" if line else "#\n" for line in header]
    chunks = ["".join(render_block(block)) for block in blocks]
    if parts and chunks:
        parts.append("\n")
    return "".join(parts) + "\n".join(chunks)
