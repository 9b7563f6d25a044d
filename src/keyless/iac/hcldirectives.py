"""Template directives: ``%{ if }…%{ else }…%{ endif }`` and ``%{ for x in xs }…%{ endfor }``.

A template with directives is read as a sequence of parts (literal text, ``${ … }``
interpolations, directives), the strip markers (``%{~``, ``~}``) applied to the adjacent
literal text as HCL applies them when it parses, then nested and rendered on known values.
A condition or collection keyless does not know leaves the whole template unknown; the
text rendered is bounded by :data:`~keyless.iac.values.MAX_WEIGHT` like every value, and the
iterations of its loops by :data:`MAX_ITERATIONS`.
https://developer.hashicorp.com/terraform/language/expressions/strings#directives
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from keyless.iac.hcl import position_of
from keyless.iac.hclstrip import GO_SPACE
from keyless.iac.values import MAX_WEIGHT, TOO_LARGE, Node, Unknown, is_partial, notes

if TYPE_CHECKING:
    from keyless.iac.hcleval import Evaluator

#: the most iterations of %{ for } a template renders (nested loops multiply): a template
#: of policy text needs a few dozen
MAX_ITERATIONS = 65_536
#: the deepest nesting of directives read (each level is a Python call)
MAX_NESTING = 64

#: what each directive (or interpolation) tree of the HCL grammar is
_KINDS = {
    "interpolation": "interpolation",
    "template_if_start": "if",
    "template_else": "else",
    "template_endif": "endif",
    "template_for_start": "for",
    "template_endfor": "endfor",
}


#: the tokens that open a directive or interpolation, and its strip marker
_OPENINGS = ("DIRECTIVE_START", "INTERP_START", "STRIP_MARKER")


class NotUnderstood(ValueError):
    """Directives that do not nest (an ``%{ else }`` outside an ``%{ if }``, an ``%{ if }``
    never closed): Terraform refuses the template."""


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a template as written."""

    kind: str  # text, interpolation, if, else, endif, for, endfor
    text: str = ""
    expression: Tree[Any] | None = None
    names: tuple[str, ...] = ()  # a for directive's key and value names (or value only)
    strip_before: bool = False
    strip_after: bool = False


def is_directive(tree: Tree[Any]) -> bool:
    """Whether a string part of the HCL grammar is a directive."""
    return str(tree.data) in _KINDS and tree.data != "interpolation"


def has_strip_marker(tree: Tree[Any]) -> bool:
    """Whether a directive or interpolation tree of the HCL grammar has a strip marker."""
    return any(isinstance(c, Token) and c.type == "STRIP_MARKER" for c in tree.children)


def part_of(tree: Tree[Any]) -> Part:
    """The part a directive or interpolation tree of the HCL grammar stands for."""
    kind = _KINDS[str(tree.data)]
    children = list(tree.children)
    markers = [
        i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "STRIP_MARKER"
    ]
    # the keyword (if, else, for…), or an interpolation's expression: a marker before it
    # strips before, one after it after
    keyword = next(
        (i for i, c in enumerate(children) if not (isinstance(c, Token) and c.type in _OPENINGS)),
        len(children),
    )
    trees = [c for c in children if isinstance(c, Tree)]
    names = tuple(str(c.children[0]) for c in trees if c.data == "identifier")
    expressions = [c for c in trees if c.data != "identifier"]
    return Part(
        kind,
        expression=expressions[0] if expressions else None,
        names=names,
        strip_before=any(i < keyword for i in markers),
        strip_after=any(i > keyword for i in markers),
    )


def stripped(parts: Sequence[Part]) -> list[Part]:
    """``parts`` with each strip marker's white space (Go's, :data:`GO_SPACE`) removed from
    the adjacent text."""
    result = list(parts)
    for index, part in enumerate(result):
        if part.kind == "text":
            continue
        if part.strip_before and index > 0 and result[index - 1].kind == "text":
            before = result[index - 1].text.rstrip(GO_SPACE)
            result[index - 1] = replace(result[index - 1], text=before)
        if part.strip_after and index + 1 < len(result) and result[index + 1].kind == "text":
            after = result[index + 1].text.lstrip(GO_SPACE)
            result[index + 1] = replace(result[index + 1], text=after)
    return result


# A nested template: text and interpolations as parts, an if as (part, then, else), a for
# as (part, body).
Item = Part | tuple[Part, "list[Item]", "list[Item]"] | tuple[Part, "list[Item]"]


def nested(parts: Sequence[Part]) -> list[Item]:
    """``parts`` as a tree of ifs and fors, or :class:`NotUnderstood`."""
    items, end = _nest(parts, 0, ())
    if end != len(parts):
        raise NotUnderstood(f"%{{ {parts[end].kind} }} without its opening directive")
    return items


def _nest(
    parts: Sequence[Part], index: int, closers: tuple[str, ...], depth: int = 0
) -> tuple[list[Item], int]:
    if depth > MAX_NESTING:
        raise NotUnderstood(f"directives nested more than {MAX_NESTING} deep")
    items: list[Item] = []
    while index < len(parts):
        part = parts[index]
        if part.kind in closers:
            return items, index
        if part.kind in ("else", "endif", "endfor"):
            return items, index  # the caller reports the stray directive
        if part.kind == "if":
            then, index = _nest(parts, index + 1, ("else", "endif"), depth + 1)
            otherwise: list[Item] = []
            if index < len(parts) and parts[index].kind == "else":
                otherwise, index = _nest(parts, index + 1, ("endif",), depth + 1)
            if index >= len(parts) or parts[index].kind != "endif":
                raise NotUnderstood("%{ if } without its %{ endif }")
            items.append((part, then, otherwise))
        elif part.kind == "for":
            body, index = _nest(parts, index + 1, ("endfor",), depth + 1)
            if index >= len(parts) or parts[index].kind != "endfor":
                raise NotUnderstood("%{ for } without its %{ endfor }")
            items.append((part, body))
        else:
            items.append(part)
        index += 1
    if closers:
        raise NotUnderstood(f"a directive without its %{{ {closers[-1]} }}")
    return items, index


class _TooLarge(ValueError):
    pass


@dataclass(slots=True)
class Rendering:
    """What a template rendered to: its text pieces, the values it could not render (the
    template is then unknown), the notes of the values it used."""

    pieces: list[str]
    missing: list[Node]
    carried: list[str]
    size: int = 0
    iterations: int = 0

    def add(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_WEIGHT:
            raise _TooLarge(TOO_LARGE)
        self.pieces.append(text)

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise _TooLarge(f"more than {MAX_ITERATIONS:,} iterations of %{{ for }}")


def render(
    evaluator: Evaluator,
    items: Sequence[Item],
    scope: Mapping[str, Node],
    tree: Tree[Any],
    as_text: Callable[[Node], str | None],
) -> Node:
    """The text of a nested template, or the unknown value that stops it."""
    rendering = Rendering([], [], [])
    try:
        _render(evaluator, items, scope, rendering, as_text)
    except _TooLarge as error:
        return evaluator.unknown(tree, str(error))
    if rendering.missing:
        return evaluator.merge_unknown(rendering.missing, tree)
    return Node(
        "".join(rendering.pieces), position_of(tree), tuple(dict.fromkeys(rendering.carried))
    )


def _render(
    evaluator: Evaluator,
    items: Sequence[Item],
    scope: Mapping[str, Node],
    rendering: Rendering,
    as_text: Callable[[Node], str | None],
) -> None:
    for item in items:
        if rendering.missing:
            return  # the template is unknown: no need to render the rest
        if isinstance(item, Part):
            if item.kind == "text":
                rendering.add(item.text)
                continue
            assert item.expression is not None
            value = evaluator.evaluate(item.expression, scope)
            text = as_text(value)
            rendering.carried.extend(notes(value))
            if text is None:
                rendering.missing.append(_not_text(evaluator, value, item.expression))
            else:
                rendering.add(text)
        elif len(item) == 3:
            part, then, otherwise = item
            assert part.expression is not None
            condition = evaluator.evaluate(part.expression, scope)
            chosen = _truth(condition.value)
            if chosen is None:
                rendering.missing.append(_not_bool(evaluator, condition, part.expression))
                return
            rendering.carried.extend(notes(condition))
            _render(evaluator, then if chosen else otherwise, scope, rendering, as_text)
        else:
            part, body = item
            assert part.expression is not None
            collection = evaluator.evaluate(part.expression, scope)
            pairs = _pairs(collection)
            if pairs is None:
                rendering.missing.append(_not_collection(evaluator, collection, part.expression))
                return
            for key, element in pairs:
                names = part.names
                inner = dict(scope)
                if len(names) == 2:
                    inner[names[0]], inner[names[1]] = key, element
                else:
                    inner[names[0]] = element
                rendering.iterate()
                _render(evaluator, body, inner, rendering, as_text)


def _truth(value: Any) -> bool | None:
    """A condition's value as Terraform converts it to bool, or None."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    return None


def _pairs(collection: Node) -> list[tuple[Node, Node]] | None:
    """A for directive's keys and elements: a list's indices, a map's keys in lexical
    order (as Terraform iterates them)."""
    value = collection.value
    position = collection.position
    if isinstance(value, tuple):
        return [(Node(index, position), item) for index, item in enumerate(value)]
    if isinstance(value, Mapping) and not is_partial(value):
        return [(Node(key, position), value[key]) for key in sorted(value)]
    return None


def _not_text(evaluator: Evaluator, value: Node, expression: Tree[Any]) -> Node:
    if isinstance(value.value, Unknown) or not value.is_known:
        return value
    return evaluator.unknown(expression, "not a string")


def _not_bool(evaluator: Evaluator, value: Node, expression: Tree[Any]) -> Node:
    if isinstance(value.value, Unknown) or not value.is_known:
        return value
    return evaluator.unknown(expression, "an %{ if } condition that is not a bool")


def _not_collection(evaluator: Evaluator, value: Node, expression: Tree[Any]) -> Node:
    if isinstance(value.value, Unknown) or not value.is_known:
        return value
    return evaluator.unknown(expression, "an %{ for } over what is not a list or map")
