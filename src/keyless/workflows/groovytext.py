"""Groovy source (a Jenkinsfile) read as text: enough to find pipeline steps and their
named arguments without parsing Groovy.

:func:`read` blanks comments (``//`` to the end of the line, ``/* … */``) and the contents of
string literals (``'…'``, ``"…"``, ``'''…'''``, ``\"\"\"…\"\"\"``, with ``${…}`` inside
double-quoted ones), keeping every other character where it was: a pattern searched in
:attr:`GroovyText.code` can neither match inside a comment or a string, nor be hidden by
one. The literals are kept aside with their offsets. :func:`calls` then walks the code's
brackets once and yields every call ``name(…)`` and list or map ``[…]`` with its named
arguments (``credentialsId: 'x'``).

Not read: slashy (``/…/``) and dollar-slashy (``$/…/$``) strings are taken for code (a
``//`` inside one blanks the rest of its line), and nothing is evaluated: a value built at
run time is an expression, not a literal. A single-quoted or double-quoted string ends at
the end of its line, as Groovy requires, so one stray quote hides one line at most.

Every pass is linear in the text: regular expressions without nested quantifiers, no
recursion, compact arrays for offsets; brackets nested deeper than :data:`MAX_DEPTH` are
refused (:class:`TooDeep`) rather than followed.
"""

from __future__ import annotations

import io
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Brackets nested deeper than this are refused: a pipeline nests a few levels.
MAX_DEPTH = 200

_START = re.compile(r"//|/\*|'''|\"\"\"|'|\"")
_LINE_END = re.compile(r"\r\n|\r|\n")
_NEXT_LINE_END = re.compile(r"[\r\n]")
_NOT_LINE_END = re.compile(r"[^\r\n]")
_SINGLE = re.compile(r"\\.|'|[\r\n]", re.DOTALL)
_TRIPLE_SINGLE = re.compile(r"\\.|'''", re.DOTALL)
_DOUBLE = re.compile(r"\\.|\"|\$\{|\{|\}|[\r\n]", re.DOTALL)
_TRIPLE_DOUBLE = re.compile(r'\\.|"""|\$\{|\{|\}', re.DOTALL)
_SPACE = re.compile(r"\s*")
#: A call's name and its "(", a named argument's name and its ":", or a bracket.
_TOKEN = re.compile(
    r"(?<![\w$])(?P<name>\$?[A-Za-z_]\w*)\s*(?P<what>\(|:(?!:))"
    r"|(?P<open>[(\[])|(?P<close>[)\]])"
)


class TooDeep(ValueError):
    """Brackets nested deeper than :data:`MAX_DEPTH`, at ``offset``."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"brackets nested deeper than {MAX_DEPTH}")
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal: the offset of its opening quote and its contents' span."""

    start: int
    content_start: int
    content_end: int


@dataclass(frozen=True, slots=True)
class GroovyText:
    """A Jenkinsfile's text, its code (comments and literal contents blanked, same
    length), its text without comments, its literals and where its lines start."""

    text: str
    code: str
    uncommented: str
    _starts: array[int] = field(repr=False)
    _content_starts: array[int] = field(repr=False)
    _content_ends: array[int] = field(repr=False)
    _lines: array[int] = field(repr=False)

    def literal_at(self, offset: int) -> Literal | None:
        """The literal whose opening quote is at ``offset``, if one is."""
        index = bisect_left(self._starts, offset)
        if index < len(self._starts) and self._starts[index] == offset:
            return Literal(offset, self._content_starts[index], self._content_ends[index])
        return None

    def literals(self) -> Iterator[Literal]:
        """Every literal, in order."""
        for index, start in enumerate(self._starts):
            yield Literal(start, self._content_starts[index], self._content_ends[index])

    def value(self, literal: Literal) -> str:
        """The literal's contents as written (escapes not decoded)."""
        return self.text[literal.content_start : literal.content_end]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset``; lines end at LF, CRLF or CR, as editors
        and :func:`keyless.workflows.hardcoded.text_lines` count them."""
        line = bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def literal_after(self, offset: int) -> Literal | None:
        """The literal that starts at ``offset`` or after the blanks that follow it."""
        match = _SPACE.match(self.code, offset)
        return self.literal_at(match.end() if match else offset)


def read(text: str) -> GroovyText:
    """Split ``text`` into code, comments and literals (see the module docstring)."""
    code = io.StringIO()
    uncommented = io.StringIO()
    starts: array[int] = array("q")
    content_starts: array[int] = array("q")
    content_ends: array[int] = array("q")
    pos = 0
    size = len(text)
    while pos < size:
        found = _START.search(text, pos)
        if found is None:
            break
        begin, mark = found.start(), found.group()
        code.write(text[pos:begin])
        uncommented.write(text[pos:begin])
        if mark in ("//", "/*"):
            end = _comment_end(text, begin, mark)
            blank = _NOT_LINE_END.sub(" ", text[begin:end])
            code.write(blank)
            uncommented.write(blank)
        else:
            content_end, end = _literal_end(text, found.end(), mark)
            starts.append(begin)
            content_starts.append(found.end())
            content_ends.append(content_end)
            code.write(mark)
            code.write(_NOT_LINE_END.sub(" ", text[found.end() : content_end]))
            code.write(text[content_end:end])
            uncommented.write(text[begin:end])
        pos = end
    code.write(text[pos:])
    uncommented.write(text[pos:])
    lines: array[int] = array("q", [0])
    lines.extend(match.end() for match in _LINE_END.finditer(text))
    return GroovyText(
        text,
        code.getvalue(),
        uncommented.getvalue(),
        starts,
        content_starts,
        content_ends,
        lines,
    )


def _comment_end(text: str, begin: int, mark: str) -> int:
    if mark == "//":
        line_end = _NEXT_LINE_END.search(text, begin)
        return line_end.start() if line_end else len(text)
    close = text.find("*/", begin + 2)
    return len(text) if close < 0 else close + 2


def _literal_end(text: str, pos: int, quote: str) -> tuple[int, int]:
    """(end of the contents, end of the literal) of a literal whose contents start at
    ``pos``. An unterminated one ends at the end of its line (single-line quotes) or of
    the text."""
    pattern = {"'": _SINGLE, "'''": _TRIPLE_SINGLE, '"': _DOUBLE, '"""': _TRIPLE_DOUBLE}[quote]
    depth = 0  # inside "${ … }", where braces and quotes belong to the expression
    while True:
        found = pattern.search(text, pos)
        if found is None:
            return len(text), len(text)
        mark = found.group()
        pos = found.end()
        if mark.startswith("\\"):
            continue
        if mark in ("\r", "\n"):
            return found.start(), found.start()
        if mark == "${":
            depth += 1
        elif mark == "{":
            depth += 1 if depth else 0
        elif mark == "}":
            depth -= 1 if depth else 0
        elif depth == 0:  # the closing quote
            return found.start(), found.end()


@dataclass(frozen=True, slots=True)
class Argument:
    """A named argument: where its name is, and its value when that is a literal."""

    offset: int
    literal: Literal | None


@dataclass(frozen=True, slots=True)
class Call:
    """A call ``name(…)`` (``name`` set) or a list or map ``[…]`` (``name`` empty): the
    offset of its name (or of ``[``), the literal written first in it, if any, and its
    named arguments (the first of each name asked for)."""

    name: str
    offset: int
    first: Literal | None
    arguments: Mapping[str, Argument]


def calls(source: GroovyText, wanted: Collection[str]) -> Iterator[Call]:
    """Every call and list or map of ``source``'s code with its named arguments of the
    names in ``wanted``, each as soon as it closes (those left open at the end of the text
    last). Raises :class:`TooDeep` past :data:`MAX_DEPTH` nested brackets."""
    stack: list[_Open] = []
    for token in _TOKEN.finditer(source.code):
        name, what = token.group("name"), token.group("what")
        if name is not None and what == ":":
            if stack and name in wanted and name not in stack[-1].arguments:
                literal = source.literal_after(token.end())
                stack[-1].arguments[name] = Argument(token.start(), literal)
            continue
        bracket = "(" if name is not None else token.group()
        if bracket in "([":
            if len(stack) >= MAX_DEPTH:
                raise TooDeep(token.start())
            first = source.literal_after(token.end())
            stack.append(_Open(bracket, name or "", token.start(), first))
        elif stack and stack[-1].bracket == _OPENING[bracket]:
            yield stack.pop().call()
    while stack:
        yield stack.pop().call()


@dataclass(slots=True)
class _Open:
    """A bracket not yet closed, collecting its named arguments."""

    bracket: str
    name: str
    offset: int
    first: Literal | None
    arguments: dict[str, Argument] = field(default_factory=dict)

    def call(self) -> Call:
        return Call(self.name, self.offset, self.first, MappingProxyType(self.arguments))


_OPENING = {")": "(", "]": "["}


def check_depth(source: GroovyText) -> None:
    """Raise :class:`TooDeep` when ``source``'s brackets nest past :data:`MAX_DEPTH`."""
    for _ in calls(source, ()):
        pass
