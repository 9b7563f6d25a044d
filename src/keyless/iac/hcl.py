"""HCL (Terraform's native syntax) parsed with positions.

python-hcl2's parser (``hcl2.parses_to_tree``, a Lark LALR grammar built with
``propagate_positions``) gives a concrete syntax tree whose every node knows its line and
column; this module turns its top level into blocks and attributes, and leaves each
attribute's expression as a tree for :mod:`keyless.iac.hcleval` to evaluate in its scope.
https://developer.hashicorp.com/terraform/language/syntax/configuration
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from keyless.errors import quoted
from keyless.files import describe_size
from keyless.iac.hclstrip import marked, without_strip_markers
from keyless.iac.values import Position

#: The largest text handed to the HCL parser at once (one top-level block, or a variables
#: file): real blocks are kilobytes; parsing costs about 250 times the text in memory.
MAX_PARSED = 1 << 20


class HclSyntaxError(ValueError):
    """Malformed HCL, with the position of the first error."""

    def __init__(self, message: str, position: Position):
        super().__init__(f"{message} at line {position.line}, column {position.column}")
        self.message = message
        self.position = position


class HclTooLargeError(HclSyntaxError):
    """HCL too large to parse (see :data:`MAX_PARSED`) or nested too deeply to read (see
    :data:`MAX_BLOCK_DEPTH`): not malformed, refused."""


#: The deepest blocks inside blocks read: Terraform's run a few levels deep (a dynamic
#: block's content); 500 levels exhausted Python's stack while the file was read.
MAX_BLOCK_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Attribute:
    """``name = expression``: the expression unevaluated, the position of its name."""

    name: str
    expression: Tree[Any]
    position: Position


class Block:
    """``type "label" ... { body }``. The body of a top-level block may be parsed only
    when first read (:func:`keyless.iac.hclsplit.parse_terraform`): reading it then raises
    :class:`HclSyntaxError` if it is malformed."""

    __slots__ = ("_body", "_load", "labels", "position", "type")

    def __init__(
        self,
        type: str,
        labels: tuple[str, ...],
        body: Body | Callable[[], Body],
        position: Position,
    ):
        self.type = type
        self.labels = labels
        self.position = position
        self._body = body if isinstance(body, Body) else None
        self._load = None if isinstance(body, Body) else body

    @property
    def body(self) -> Body:
        """The block's attributes and nested blocks."""
        if self._body is None:
            assert self._load is not None
            self._body = self._load()
        return self._body


@dataclass(frozen=True, slots=True)
class Body:
    """A block's (or a file's) attributes by name and nested blocks in order."""

    attributes: Mapping[str, Attribute]
    blocks: tuple[Block, ...]

    def blocks_of(self, block_type: str) -> tuple[Block, ...]:
        """The nested blocks of one type, in order."""
        return tuple(b for b in self.blocks if b.type == block_type)


def position_of(node: Tree[Any] | Token) -> Position:
    """Where a tree or token starts (1-based)."""
    if isinstance(node, Token):
        return Position(node.line or 1, node.column or 1)
    meta = node.meta
    if getattr(meta, "empty", True):
        return Position(1, 1)
    return Position(meta.line, meta.column)


def parse_hcl(text: str) -> Body:
    """Parse ``text``. Raises :class:`HclSyntaxError` naming the first bad position."""
    body = parse_tree(text).children[0]
    assert isinstance(body, Tree)
    return _body(body)


def parse_tree(text: str) -> Tree[Any]:
    """python-hcl2's syntax tree of ``text`` (``start`` → ``body``), with positions.
    Raises :class:`HclSyntaxError` naming the first bad position."""
    import hcl2

    if len(text) > MAX_PARSED:
        # Lark's lexer matches a string, heredoc or comment with a regular expression that
        # keeps ~250 bytes per character on Python's regex stack: 50 MB of heredoc took
        # 12 GB. A block larger than this is refused, not parsed.
        raise HclTooLargeError(
            f"too large to parse ({describe_size(len(text))} in one block; keyless parses "
            f"HCL {describe_size(MAX_PARSED)} at a time)",
            Position(1, 1),
        )
    text, strip_markers = without_strip_markers(text)
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        position = Position(max(error.line, 1), max(error.column, 1))
        raise HclSyntaxError(_describe(error), position) from None
    except LarkError as error:
        raise HclSyntaxError(f"not valid HCL ({type(error).__name__})", Position(1, 1)) from None
    except RecursionError:
        raise HclSyntaxError("nested too deeply", deepest_bracket(text)) from None
    marked(tree, strip_markers)
    return tree


#: The attribute of a tree's ``meta`` holding its text as written, for a tree parsed from
#: a piece of text rather than from its file (:func:`parse_expression`): the file's text
#: at its offsets is something else (:meth:`keyless.iac.hcleval.Evaluator.source`).
WRITTEN = "keyless_written"


def parse_expression(text: str, position: Position) -> Tree[Any] | None:
    """One expression written inside something else (an interpolation of a heredoc or of
    a ``.tf.json`` string, a variable's ``type`` in JSON) parsed, placed where it starts in
    its file (``position``), each part carrying its own text; None if it is malformed."""
    unplaced = _unplaced_expression(text)
    return None if unplaced is None else _placed_copy(unplaced, position)


class ParsedExpressions:
    """Expressions written inside the text of one file, each distinct text parsed once:
    a template may repeat ``${var.org}`` thousands of times and parsing is what costs
    (20,000 interpolations took 10 s). Every use gets its own copy of the tree, placed
    where it is written, exactly as :func:`parse_expression` places it."""

    __slots__ = ("_unplaced",)

    #: Only short texts are kept (repeated interpolations are short), and at most this
    #: many: a parsed tree costs about 50 bytes per character of its text.
    MAX_KEPT = 2048
    MAX_KEPT_LENGTH = 256

    def __init__(self) -> None:
        self._unplaced: dict[str, Tree[Any] | None] = {}

    def parse(self, text: str, position: Position) -> Tree[Any] | None:
        """:func:`parse_expression`, parsing ``text`` only the first time it is seen."""
        if text in self._unplaced:
            unplaced = self._unplaced[text]
        else:
            unplaced = _unplaced_expression(text)
            if len(text) <= self.MAX_KEPT_LENGTH:
                if len(self._unplaced) >= self.MAX_KEPT:
                    del self._unplaced[next(iter(self._unplaced))]  # the oldest
                self._unplaced[text] = unplaced
        return None if unplaced is None else _placed_copy(unplaced, position)


def _unplaced_expression(text: str) -> Tree[Any] | None:
    """``text`` parsed as the value of ``x = text`` (positions in that line), each part
    carrying its own text; None if it is malformed. Never changed once made: uses get
    placed copies."""
    written = f"x = {text}\n"
    try:
        parsed = parse_tree(written)
    except HclSyntaxError:
        return None
    attributes = list(parsed.find_data("attribute"))
    if len(attributes) != 1 or not isinstance(attributes[0].children[-1], Tree):
        return None
    expression: Tree[Any] = attributes[0].children[-1]
    for subtree in expression.iter_subtrees():
        meta = subtree.meta
        if not getattr(meta, "empty", True):
            setattr(meta, WRITTEN, written[meta.start_pos : meta.end_pos])
    return expression


def _placed_copy(unplaced: Tree[Any], origin: Position) -> Tree[Any]:
    """A copy of an expression of ``x = <text>`` with its lines and columns moved to where
    ``text`` starts in its file (iterative: a deeply nested expression is no recursion)."""
    copies: dict[int, Tree[Any]] = {}
    for subtree in unplaced.iter_subtrees():
        meta = copy.copy(subtree.meta)
        if not getattr(meta, "empty", True):
            meta.line, meta.column = _placed(meta.line, meta.column, origin)
        copies[id(subtree)] = Tree(subtree.data, list(subtree.children), meta)
    for placed in copies.values():
        placed.children = [_placed_child(child, copies, origin) for child in placed.children]
    return copies[id(unplaced)]


def _placed_child(child: Any, copies: Mapping[int, Tree[Any]], origin: Position) -> Any:
    if isinstance(child, Tree):
        return copies[id(child)]
    if isinstance(child, Token):
        token = Token.new_borrow_pos(child.type, child.value, child)
        if token.line is not None:
            token.line, token.column = _placed(token.line, token.column or 1, origin)
        return token
    return child


def _placed(line: int, column: int, origin: Position) -> tuple[int, int]:
    """A position in ``x = <text>`` moved to where ``text`` starts in its file."""
    if line == 1:
        return origin.line, origin.column + max(column - 5, 0)
    return origin.line + line - 1, column


def block_of(tree: Tree[Any]) -> Block:
    """A ``block`` tree as a :class:`Block`."""
    return _block(tree)


def _describe(error: UnexpectedInput) -> str:
    token = getattr(error, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return "unexpected end of file"
    if token is not None and str(token)[:1] in ("\n", "\r"):
        return "unexpected end of line"
    if token is not None:
        return f"unexpected {str(token).strip()[:40]!r}"
    char = getattr(error, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return "not valid HCL"


def deepest_bracket(text: str) -> Position:
    """Where ``text`` nests deepest: the first ``{``, ``[`` or ``(`` opened at the greatest
    depth, counted across strings and comments alike (where a parser ran out of stack,
    as near as a scan tells)."""
    depth = deepest = 0
    line, column = 1, 0
    found = Position(1, 1)
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        elif char in "{[(":
            depth += 1
            if depth > deepest:
                deepest, found = depth, Position(line, column)
        elif char in "}])":
            depth -= 1
    return found


def _body(tree: Tree[Any], depth: int = 0) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _name(child.children[0])
            if name in attributes:
                raise HclSyntaxError(
                    f"attribute {quoted(name)} is defined twice", position_of(child.children[0])
                )
            attributes[name] = Attribute(name, child.children[-1], position_of(child))
        elif child.data == "block":
            blocks.append(_block(child, depth + 1))
    return Body(MappingProxyType(attributes), tuple(blocks))


def _block(tree: Tree[Any], depth: int = 1) -> Block:
    if depth > MAX_BLOCK_DEPTH:
        reason = f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels are not read"
        raise HclTooLargeError(reason, position_of(tree))
    parts = [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
    head, body = parts[:-1], parts[-1]
    labels = tuple(_label(p) for p in head[1:])
    return Block(_name(head[0]), labels, _body(body, depth), position_of(tree))


def _name(tree: Tree[Any] | Token) -> str:
    """An identifier, keyword or literal used as a name."""
    if isinstance(tree, Token):
        return str(tree)
    tokens = list(tree.scan_values(lambda v: isinstance(v, Token)))
    return "".join(str(t) for t in tokens)


def _label(tree: Tree[Any]) -> str:
    if tree.data == "string":
        return "".join(
            str(t)
            for part in tree.children
            if isinstance(part, Tree)
            for t in part.children
            if isinstance(t, Token)
        )
    return _name(tree)
