"""``yamldecode``: a YAML document as Terraform reads it, where keyless can be sure how.

Terraform's YAML library (go-cty-yaml) does not read plain scalars as YAML 1.2 does:
``terraform console`` gives ``yes``, ``on`` and ``y`` as true, a key ``n`` as
``"false"``, ``012345678901`` as the number 12345678901, ``0o12`` as 10 and a date as an
RFC 3339 timestamp. So only what both readings agree on is taken: quoted and block
strings, plain strings that are no boolean, null or number word, ``true``/``false``,
null, and whole numbers written plainly (``5``, not ``05``, ``+5``, ``1_000``). Any
other plain scalar is unknown (a key such as ``n`` or ``2024`` leaves its whole mapping
unknown), never a guess.
https://developer.hashicorp.com/terraform/language/functions/yamldecode
"""

from __future__ import annotations

import re
from typing import Any

from keyless.iac.builtins.common import Function, TooLarge
from keyless.iac.values import MAX_WEIGHT, Node, Position, Unknown, mapping, weight

# Plain scalars YAML 1.1 and 1.2 (and go-cty-yaml) may read as something else than a string.
_BOOLEAN_WORDS = frozenset(
    {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"}
    | {"on", "On", "ON", "off", "Off", "OFF"}
)
_TRUE, _FALSE = frozenset({"true", "True", "TRUE"}), frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_NUMBER_LIKE = re.compile(r"[-+.0-9]")
_WHOLE = re.compile(r"0|[1-9][0-9]{0,17}")
_MAX_DEPTH = 256
_REASON = (
    "a plain YAML scalar Terraform's yamldecode may read otherwise than YAML 1.2 "
    "(go-cty-yaml: yes, on and y are true, 012 is 12, dates are timestamps)"
)


def _yamldecode(arguments: list[Node], position: Position) -> Node:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    (source,) = arguments
    if not isinstance(source.value, str):
        raise TypeError("yamldecode takes a string")
    if flow_depth(source.value) > _MAX_DEPTH:
        # ruamel's scanner spent seconds on 1,000 nested `[` before a RecursionError:
        # such text is refused before it is parsed.
        raise TypeError("nested too deeply")
    loader = YAML(typ="rt", pure=True)
    loader.preserve_quotes = True  # a quoted scalar stays a str subclass
    try:
        data = loader.load(source.value)
    except (YAMLError, RecursionError) as error:
        raise TypeError("not YAML keyless reads") from error
    # An alias (*a) is the anchored object itself: it becomes one shared node, and the
    # value is measured as written out (values.weight), not built so. An alias bomb (ten
    # anchors of nine aliases each) took 4 million steps and half a minute to refuse.
    built: dict[int, tuple[Node, int]] = {}
    node, _ = _node(data, position, built, 0)
    if weight(node, MAX_WEIGHT) > MAX_WEIGHT:
        raise TooLarge
    return node


#: What the flow-depth scan stops on: brackets, and the starts of quoted scalars and
#: comments, whose brackets do not nest.
_FLOW_MARKS = re.compile(r"""[\[\]{}"'#]""")
_QUOTED = {'"': re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL), "'": re.compile(r"'(?:[^']|'')*'")}
_QUOTE_AFTER = frozenset(" \t\r\n[{,:-?")


def flow_depth(text: str) -> int:
    """How deeply ``text``'s flow collections (``[…]``, ``{…}``) nest, brackets inside
    quoted scalars and comments not counted: found in one pass before YAML is parsed.
    Brackets in plain or block scalars count (hundreds left open there refuse the text,
    whose value is then unknown, never guessed); a quote inside a plain scalar (``it's``)
    may hide brackets after it, and an unterminated one ends the scan (the parser then
    fails, or its own limit applies)."""
    depth = deepest = 0
    offset = 0
    while True:
        found = _FLOW_MARKS.search(text, offset)
        if found is None:
            return deepest
        mark, start = found.group(), found.start()
        offset = start + 1
        before = text[start - 1] if start else " "
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth = max(depth - 1, 0)
        elif mark == "#":
            if before in " \t\r\n":
                end = text.find("\n", start)
                offset = len(text) if end == -1 else end
        elif before in _QUOTE_AFTER:
            quoted = _QUOTED[mark].match(text, start)
            if quoted is None:
                return deepest
            offset = quoted.end()


def _node(
    value: Any, position: Position, built: dict[int, tuple[Node, int]], depth: int
) -> tuple[Node, int]:
    """``value`` at ``depth`` as a node, and how deep it nests (aliases written out)."""
    if depth > _MAX_DEPTH:
        raise TypeError("nested too deeply")
    if not isinstance(value, dict | list):
        return _leaf(value, position), 0
    known = built.get(id(value))
    if known is not None:
        if depth + known[1] > _MAX_DEPTH:  # an alias nests it deeper than where it was built
            raise TypeError("nested too deeply")
        return known
    if isinstance(value, dict):
        members: dict[str, Node] = {}
        height = 0
        for key, item in value.items():
            name = _scalar(key)
            if not isinstance(name, str):
                written = str(key)[:100]
                unknown = Unknown(f"yamldecode key {written!r}", _REASON, position)
                return Node(unknown, position), 0
            members[name], below = _node(item, position, built, depth + 1)
            height = max(height, below + 1)
        node = Node(mapping(members), position)
    else:
        items = [_node(item, position, built, depth + 1) for item in value]
        node = Node(tuple(item for item, _ in items), position)
        height = max((below + 1 for _, below in items), default=0)
    built[id(value)] = (node, height)  # the loaded document keeps value: its id stays its own
    return node, height


def _leaf(value: Any, position: Position) -> Node:
    scalar = _scalar(value)
    if isinstance(scalar, Unknown):
        return Node(Unknown(scalar.expression, scalar.reason, position), position)
    return Node(scalar, position)


def _scalar(value: Any) -> str | int | bool | Unknown | None:
    """A scalar as both readings agree, or an unknown saying why not."""
    if isinstance(value, str) and type(value) is not str:
        return str(value)  # quoted or block: a string to any reading
    written = str(value) if value is not None else ""
    if type(value) is str:
        if value in _BOOLEAN_WORDS or _NUMBER_LIKE.match(value) or value in _NULL:
            return Unknown(f"yamldecode scalar {value[:100]!r}", _REASON, Position(1, 1))
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and _WHOLE.fullmatch(str(int(value))) and _plain_int(value):
        return int(value)
    return Unknown(f"yamldecode scalar {written[:100]!r}", _REASON, Position(1, 1))


def _plain_int(value: Any) -> bool:
    """An integer written in plain decimal: no leading zero, sign, underscore or base."""
    from ruamel.yaml.scalarint import BinaryInt, HexCapsInt, HexInt, OctalInt, ScalarInt

    if isinstance(value, BinaryInt | HexInt | HexCapsInt | OctalInt):
        return False
    if not isinstance(value, ScalarInt):
        return True
    width = getattr(value, "_width", None)
    return getattr(value, "_underscore", None) is None and (
        width is None or width == len(str(int(value)))
    )


FUNCTIONS: dict[str, Function] = {"yamldecode": _yamldecode}
