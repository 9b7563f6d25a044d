"""Evaluating Terraform expressions, as far as they can be known from the code alone.

Literals, strings with interpolations, heredocs, tuples, objects, ``for`` expressions,
conditionals, comparisons, indexing and a small set of pure built-in functions are
evaluated as Terraform does (https://developer.hashicorp.com/terraform/language/expressions).
References (``var.``, ``local.``, ``data.``, resources) are handed to a resolver. Whatever
is not evaluated becomes :class:`~keyless.iac.values.Unknown` naming the expression and
why, so a value is either exactly known or reported as unknown, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcl2.utils import HEREDOC_PATTERN, HEREDOC_TRIM_PATTERN, process_escape_sequences
from lark import Token, Tree

from keyless.iac.hcl import position_of
from keyless.iac.values import (
    Attributes,
    JsonText,
    Node,
    Position,
    SourcedText,
    Unknown,
    mapping,
    notes,
    plain,
    unknowns,
)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a reference after its root: ``.name`` or ``[index]``."""

    name: str | None = None
    index: Node | None = None

    def __str__(self) -> str:
        if self.name is not None:
            return f".{self.name}"
        assert self.index is not None
        value = self.index.value
        return f"[{value!r}]" if isinstance(value, str | int) else "[…]"


@dataclass(frozen=True, slots=True)
class Reference:
    """``root.step.step[…]`` as written, with its position and source text."""

    root: str
    steps: tuple[Step, ...]
    position: Position
    text: str
    path: Path | None = None


#: Resolves a reference's root and leading steps: the node, and how many steps it used.
Resolver = Callable[[Reference], tuple[Node, int]]

_MAX_DEPTH = 200
_MAX_ITEMS = 100_000


class Evaluator:
    """Evaluates the expressions of one file: ``text`` is the file (for error messages
    quoting an expression), ``resolve`` answers references, ``path`` names the file."""

    def __init__(self, text: str, resolve: Resolver, path: Path | None = None):
        self.text = text
        self.resolve = resolve
        self.path = path
        self._depth = 0

    # ----- entry point ---------------------------------------------------------------------

    def evaluate(self, tree: Tree[Any] | Token, scope: Mapping[str, Node] | None = None) -> Node:
        """The value of an expression; ``scope`` holds ``each``, ``count`` and ``for``
        iteration variables."""
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return self.unknown(tree, "nested too deeply to evaluate")
            return self._evaluate(tree, scope or {})
        finally:
            self._depth -= 1

    def source(self, tree: Tree[Any] | Token) -> str:
        """The expression as written (shortened for messages)."""
        if isinstance(tree, Token):
            written = str(tree)
        else:
            meta = tree.meta
            if getattr(meta, "empty", True):
                return "…"
            written = self.text[meta.start_pos : meta.end_pos]
        written = " ".join(written.split())
        return written if len(written) <= 80 else written[:77] + "..."

    def unknown(self, tree: Tree[Any] | Token, reason: str) -> Node:
        """An unknown value for ``tree``."""
        position = position_of(tree)
        return Node(Unknown(self.source(tree), reason, position), position)

    # ----- dispatch ------------------------------------------------------------------------

    def _evaluate(self, tree: Tree[Any] | Token, scope: Mapping[str, Node]) -> Node:
        if isinstance(tree, Token):
            return self.unknown(tree, "not an expression")
        kind = tree.data
        handler = _HANDLERS.get(str(kind))
        if handler is None:
            return self.unknown(tree, f"{kind} expressions are not evaluated")
        return handler(self, tree, scope)

    def _children(self, tree: Tree[Any]) -> list[Tree[Any]]:
        """The child trees that are not layout (new lines, comments)."""
        return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def _expr_term(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        inner = self._children(tree)
        if len(inner) != 1:
            return self.unknown(tree, "not an expression")
        return self.evaluate(inner[0], scope)

    def _literal(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        token = str(tree.children[0])
        value = {"true": True, "false": False, "null": None}[token]
        return Node(value, position_of(tree))

    def _int(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        return Node(int(str(tree.children[0])), position_of(tree))

    def _float(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        return Node(float(str(tree.children[0])), position_of(tree))

    def _string(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        parts: list[str] = []
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
            elif inner.data == "interpolation":
                value = self.evaluate(self._children(inner)[0], scope)
                rendered = _as_text(value)
                carried.extend(notes(value))
                if rendered is None:
                    missing.append(value)
                else:
                    parts.append(rendered)
            else:
                return self.unknown(tree, "template directives (%{ … }) are not evaluated")
        if missing:
            return _merge_unknown(missing, tree, self)
        return Node("".join(parts), position_of(tree), tuple(dict.fromkeys(carried)))

    def _heredoc(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        token = tree.children[0]
        trim = tree.data == "heredoc_template_trim"
        match = (HEREDOC_TRIM_PATTERN if trim else HEREDOC_PATTERN).match(str(token))
        if match is None:
            return self.unknown(tree, "heredoc not understood")
        body = match.group(2)
        # The body starts on the line after the opening marker.
        origin = Position(position_of(token).line + 1, 1)
        return self._template_text(body, origin, tree, scope, _indent(body) if trim else 0)

    def _template_text(
        self, body: str, origin: Position, tree: Tree[Any], scope: Mapping[str, Node], cut: int
    ) -> Node:
        """A heredoc body with ``cut`` leading blanks removed from each line (``<<-``) and
        its ``${ … }`` interpolations substituted; every change is recorded so positions
        inside the result map back to the file."""
        import hcl2

        events: list[tuple[int, int]] = [(start, end) for start, end in _interpolations(body)]
        if cut:
            events.extend((m.start(), -1) for m in re.finditer(r"^", body, re.MULTILINE))
        events.sort()
        pieces: list[str] = []
        substitutions: list[tuple[int, int, int]] = []
        missing: list[Node] = []
        carried: list[str] = []
        cursor = written = 0
        for start, end in events:
            if start < cursor:
                continue  # a line start inside an interpolation
            pieces.append(body[cursor:start])
            written += start - cursor
            if end == -1:
                blanks = len(body[start : start + cut]) - len(body[start : start + cut].lstrip())
                substitutions.append((written, 0, blanks))
                cursor = start + blanks
                continue
            if body.startswith("%{", start):
                return self.unknown(tree, "template directives (%{ … }) are not evaluated")
            inner = body[start + 2 : end - 1]
            where = _offset_position(body, start, origin)
            try:
                parsed = hcl2.parses_to_tree(f"x = {inner}")
                attribute = next(parsed.find_data("attribute"))
            except Exception:
                missing.append(Node(Unknown(inner.strip(), "not understood", where), where))
                cursor = end
                continue
            value = self.evaluate(attribute.children[-1], scope)
            carried.extend(notes(value))
            rendered = _as_text(value)
            if rendered is None:
                reason = value.value.reason if isinstance(value.value, Unknown) else "not a string"
                missing.append(Node(Unknown(inner.strip(), reason, where), where))
            else:
                pieces.append(rendered)
                substitutions.append((written, len(rendered), end - start))
                written += len(rendered)
            cursor = end
        pieces.append(body[cursor:])
        if missing:
            return _merge_unknown(missing, tree, self)
        text = "".join(pieces).replace("$${", "${").replace("%%{", "%{")
        sourced = SourcedText(text, origin, body, tuple(substitutions))
        return Node(sourced, position_of(tree), tuple(dict.fromkeys(carried)))

    def _tuple(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        items = tuple(self.evaluate(c, scope) for c in self._children(tree))
        return Node(items, position_of(tree))

    def _object(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        members: dict[str, Node] = {}
        for element in self._children(tree):
            key_tree, value_tree = self._children(element)
            key = self._object_key(key_tree, scope)
            if key is None:
                return self.unknown(key_tree, "an object key that is not known")
            members[key] = self.evaluate(value_tree, scope)
        return Node(mapping(members), position_of(tree))

    def _object_key(self, tree: Tree[Any], scope: Mapping[str, Node]) -> str | None:
        children = self._children(tree)
        if not children:  # a keyword used as a key
            return "".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))
        inner = children[0]
        # A bare identifier is the key itself; `(expr)` or a string is evaluated.
        bare = self._children(inner)
        if inner.data == "expr_term" and len(bare) == 1 and bare[0].data == "identifier":
            return str(bare[0].children[0])
        value = self.evaluate(inner, scope)
        return _as_text(value)

    def _identifier(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        return self._reference(tree, str(tree.children[0]), (), scope)

    def _traversal(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        root, steps = self._flatten(tree, scope)
        if root is None:
            return self.unknown(tree, "only references to names are evaluated")
        return self._reference(tree, root, tuple(steps), scope)

    def _flatten(self, tree: Tree[Any], scope: Mapping[str, Node]) -> tuple[str | None, list[Step]]:
        """``a.b[0].c`` as the root name and its steps."""
        steps: list[Step] = []
        current = tree
        while True:
            if current.data == "expr_term":
                inner = self._children(current)
                if len(inner) != 1:
                    return None, steps
                current = inner[0]
                continue
            if current.data == "get_attr_expr_term":
                base, attr = self._children(current)
                steps.insert(0, Step(name=_name(self._children(attr)[0])))
                current = base
                continue
            if current.data == "index_expr_term":
                base, index = self._children(current)
                if index.data == "short_index":
                    key = Node(int(str(index.children[-1])), position_of(index))
                else:
                    key = self.evaluate(self._children(index)[0], scope)
                steps.insert(0, Step(index=key))
                current = base
                continue
            if current.data == "identifier":
                return str(current.children[0]), steps
            return None, steps

    def _reference(
        self, tree: Tree[Any], root: str, steps: tuple[Step, ...], scope: Mapping[str, Node]
    ) -> Node:
        text = self.source(tree)
        position = position_of(tree)
        if root in scope:
            node, used = scope[root], 0
        else:
            node, used = self.resolve(Reference(root, steps, position, text, self.path))
        for step in steps[used:]:
            node = _step(node, step, text, position)
        return node

    def _conditional(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        condition, if_true, if_false = self._children(tree)
        test = self.evaluate(condition, scope)
        if isinstance(test.value, bool):
            return self.evaluate(if_true if test.value else if_false, scope)
        return self.unknown(tree, "its condition is not known")

    def _binary(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        left_tree, term = self._children(tree)[:2]
        operator_tree, right_tree = self._children(term)
        operator = str(operator_tree.children[0])
        left = self.evaluate(left_tree, scope)
        right = self.evaluate(right_tree, scope)
        if not (left.is_known and right.is_known):
            return _merge_unknown([left, right], tree, self)
        a, b = plain(left), plain(right)
        result: Any
        if operator == "==":
            result = a == b
        elif operator == "!=":
            result = a != b
        elif operator in ("&&", "||") and isinstance(a, bool) and isinstance(b, bool):
            result = (a and b) if operator == "&&" else (a or b)
        elif operator == "+" and _numbers(a, b):
            result = a + b
        elif operator == "-" and _numbers(a, b):
            result = a - b
        elif operator == "*" and _numbers(a, b):
            result = a * b
        else:
            return self.unknown(tree, f"operator {operator} is not evaluated here")
        return Node(result, position_of(tree))

    def _unary(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        operator = str(tree.children[0])
        value = self.evaluate(tree.children[1], scope)
        if operator == "!" and isinstance(value.value, bool):
            return Node(not value.value, position_of(tree))
        if operator == "-" and _numbers(value.value, 0):
            number = value.value
            assert isinstance(number, int | float)
            return Node(-number, position_of(tree))
        return self.unknown(tree, "its operand is not known")

    def _for_tuple(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        parts = self._children(tree)
        intro, body, condition = parts[0], parts[1], parts[2] if len(parts) > 2 else None
        iterations = self._iterations(intro, scope)
        if isinstance(iterations, Node):
            return iterations
        items: list[Node] = []
        for inner in iterations:
            if condition is not None:
                keep = self.evaluate(self._children(condition)[0], inner)
                if not isinstance(keep.value, bool):
                    return self.unknown(tree, "its if clause is not known")
                if not keep.value:
                    continue
            items.append(self.evaluate(body, inner))
        return Node(tuple(items), position_of(tree))

    def _for_object(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        parts = self._children(tree)
        intro, key_tree, value_tree = parts[:3]
        condition = parts[3] if len(parts) > 3 else None
        if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in tree.children):
            return self.unknown(tree, "grouping (...) is not evaluated")
        iterations = self._iterations(intro, scope)
        if isinstance(iterations, Node):
            return iterations
        members: dict[str, Node] = {}
        for inner in iterations:
            if condition is not None:
                keep = self.evaluate(self._children(condition)[0], inner)
                if not isinstance(keep.value, bool):
                    return self.unknown(tree, "its if clause is not known")
                if not keep.value:
                    continue
            key = _as_text(self.evaluate(key_tree, inner))
            if key is None:
                return self.unknown(tree, "a key that is not known")
            members[key] = self.evaluate(value_tree, inner)
        return Node(mapping(members), position_of(tree))

    def _iterations(
        self, intro: Tree[Any], scope: Mapping[str, Node]
    ) -> list[Mapping[str, Node]] | Node:
        """The scopes of a ``for`` clause's iterations, or the unknown collection."""
        parts = self._children(intro)
        names = [str(p.children[0]) for p in parts if p.data == "identifier"]
        collection_tree = parts[-1]
        collection = self.evaluate(collection_tree, scope)
        pairs: list[tuple[Node, Node]]
        value = collection.value
        if isinstance(value, tuple):
            pairs = [(Node(i, item.position), item) for i, item in enumerate(value)]
        elif isinstance(value, Mapping):
            pairs = [(Node(k, item.position), item) for k, item in value.items()]
        else:
            return _merge_unknown([collection], intro, self)
        if len(pairs) > _MAX_ITEMS:
            return self.unknown(intro, "too many items to evaluate")
        scopes: list[Mapping[str, Node]] = []
        for key, item in pairs:
            inner = dict(scope)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = key, item
            else:
                inner[names[0]] = item
            scopes.append(inner)
        return scopes

    def _call(self, tree: Tree[Any], scope: Mapping[str, Node]) -> Node:
        parts = self._children(tree)
        names = [p for p in parts if p.data == "identifier"]
        if len(names) != 1:
            return self.unknown(tree, "provider-defined functions are not evaluated")
        name = str(names[0].children[0])
        arguments_tree = next((p for p in parts if p.data == "arguments"), None)
        arguments = (
            [self.evaluate(a, scope) for a in self._children(arguments_tree)]
            if arguments_tree is not None
            else []
        )
        if arguments_tree is not None and any(
            isinstance(t, Token) and t.type == "ELLIPSIS" for t in arguments_tree.children
        ):
            return self.unknown(tree, "argument expansion (...) is not evaluated")
        function = _FUNCTIONS.get(name)
        if function is None:
            return self.unknown(tree, f"the function {name}() is not evaluated")
        if name != "jsonencode" and not all(a.is_known for a in arguments):
            return _merge_unknown(arguments, tree, self)
        try:
            result = function(arguments, position_of(tree))
        except (TypeError, ValueError, IndexError, KeyError, StopIteration, re.error):
            return self.unknown(tree, f"{name}() could not be evaluated on these arguments")
        carried = tuple(dict.fromkeys(n for a in arguments for n in notes(a)))
        if carried and name != "jsonencode":
            return Node(result.value, result.position, tuple(dict.fromkeys(result.notes + carried)))
        return result


def _name(tree: Tree[Any]) -> str:
    return "".join(str(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _as_text(node: Node) -> str | None:
    """How a value renders inside a string template, or None when it cannot."""
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    return None


def _merge_unknown(nodes: Sequence[Node], tree: Tree[Any], evaluator: Evaluator) -> Node:
    """An unknown value made of unknown parts: the first part's reason names the cause."""
    for node in nodes:
        if isinstance(node.value, Unknown):
            return node
    for node in nodes:
        if not node.is_known:
            first = next(unknowns(node))
            return Node(first, first.position)
    return evaluator.unknown(tree, "not a string")


def _step(node: Node, step: Step, text: str, position: Position) -> Node:
    value = node.value
    if isinstance(value, Unknown):
        return node
    if step.name is not None and isinstance(value, Mapping):
        found = value.get(step.name)
        if found is not None:
            return found
        if isinstance(value, Attributes):
            return value.missing(step.name)
    if step.index is not None:
        key = step.index.value
        if isinstance(value, tuple) and isinstance(key, int) and 0 <= key < len(value):
            return value[key]
        if isinstance(value, Mapping) and isinstance(key, str) and key in value:
            return value[key]
        if isinstance(key, Unknown):
            return step.index
    return Node(Unknown(text, f"{step} is not in the value", position), position)


def _interpolations(body: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``${ … }`` and ``%{ … }`` in a template (not ``$${``)."""
    found: list[tuple[int, int]] = []
    index = 0
    while True:
        match = re.compile(r"(?<![$%])[$%]\{").search(body, index)
        if match is None:
            return found
        depth, cursor, quote = 0, match.start() + 1, False
        while cursor < len(body):
            char = body[cursor]
            if quote:
                if char == "\\":
                    cursor += 1
                elif char == '"':
                    quote = False
            elif char == '"':
                quote = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            cursor += 1
        if cursor >= len(body):
            return found  # unterminated: left as text
        found.append((match.start(), cursor + 1))
        index = cursor + 1


def _offset_position(body: str, offset: int, origin: Position) -> Position:
    line = body.count("\n", 0, offset)
    column = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return Position(line + 1, column).shifted(origin)


def _indent(body: str) -> int:
    """``<<-`` strips the smallest leading whitespace of the non-blank lines."""
    widths = [len(line) - len(line.lstrip(" \t")) for line in body.split("\n") if line.strip()]
    return min(widths, default=0)


# ----- built-in functions -----------------------------------------------------------------------
# https://developer.hashicorp.com/terraform/language/functions (only pure ones; arguments are
# known when these run, except jsonencode's, which keeps its unknown parts in place).

Function = Callable[[list[Node], Position], Node]


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
    return Node(tuple(items), position)


def _flatten(arguments: list[Node], position: Position) -> Node:
    (argument,) = arguments
    items: list[Node] = []
    stack = [argument]
    while stack:
        current = stack.pop(0)
        if isinstance(current.value, tuple):
            stack[0:0] = list(current.value)
        else:
            items.append(current)
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
    seen: list[Any] = []
    kept: list[Node] = []
    for item in argument.value:
        if plain(item) not in seen:
            seen.append(plain(item))
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


def _replace(arguments: list[Node], position: Position) -> Node:
    subject, search, replacement = (plain(a) for a in arguments)
    if not all(isinstance(v, str) for v in (subject, search, replacement)):
        raise TypeError("replace takes strings")
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        if "$" in replacement or "\\" in replacement:
            raise ValueError("capture references are not evaluated")
        return Node(re.sub(search[1:-1], replacement, subject), position)
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
    return Node(mapping(members), position)


def _lookup(arguments: list[Node], position: Position) -> Node:
    table, key, *default = arguments
    if not isinstance(table.value, Mapping) or not isinstance(key.value, str):
        raise TypeError("lookup takes an object and a key")
    found = table.value.get(key.value)
    if found is not None:
        return found
    if default:
        return default[0]
    raise KeyError(key.value)


def _element(arguments: list[Node], position: Position) -> Node:
    items, index = arguments
    if not isinstance(items.value, tuple) or not isinstance(index.value, int) or not items.value:
        raise TypeError("element takes a list and an index")
    return items.value[index.value % len(items.value)]


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
    "join": lambda a, p: Node(str(plain(a[0])).join(_strings(a[1])), p),
    "split": lambda a, p: _list(str(plain(a[1])).split(str(plain(a[0]))), p),
    "format": _format,
    "formatlist": lambda a, p: _list(
        [plain(_format([Node(plain(a[0]), p), Node(item, p)], p)) for item in _strings(a[1])], p
    ),
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "trimspace": _string_function(str.strip),
    "trimprefix": _string_function(str.removeprefix),
    "trimsuffix": _string_function(str.removesuffix),
    "replace": _replace,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "length": lambda a, p: Node(len(plain(a[0])), p),
    "coalesce": lambda a, p: next(x for x in a if x.value not in (None, "")),
}

_HANDLERS: dict[str, Callable[[Evaluator, Tree[Any], Mapping[str, Node]], Node]] = {
    "expr_term": Evaluator._expr_term,
    "literal_value": Evaluator._literal,
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "string": Evaluator._string,
    "heredoc_template": Evaluator._heredoc,
    "heredoc_template_trim": Evaluator._heredoc,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "identifier": Evaluator._identifier,
    "get_attr_expr_term": Evaluator._traversal,
    "index_expr_term": Evaluator._traversal,
    "conditional": Evaluator._conditional,
    "binary_op": Evaluator._binary,
    "unary_op": Evaluator._unary,
    "for_tuple_expr": Evaluator._for_tuple,
    "for_object_expr": Evaluator._for_object,
    "function_call": Evaluator._call,
}
