"""Text for the lines ``fix`` inserts, produced by ruamel.yaml's emitter.

``fix`` edits the original text (so comments and layout survive) but never builds YAML by
pasting values into strings: each inserted block is a small document dumped by ruamel.yaml,
which quotes what needs quoting, then indented to its place. Values YAML 1.1 would read as
something other than a string (``on``, ``no``, ``0x1``: GitLab's parser is YAML 1.1) are
single-quoted too, and every emitted block is read back to prove it says what was meant.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Plain scalars that a YAML 1.1 reader (Ruby's Psych, which GitLab uses) resolves to a
# boolean, null or number: https://yaml.org/type/bool.html, null.html, int.html, float.html
_YAML11_SPECIAL = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|~|null|Null|NULL|[-+]?\.?[0-9][0-9a-fA-FxXoObB_:.eE+-]*|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)|=|<<"
)


class Reference:
    """GitLab's ``!reference [NAME, KEY]``: the value of KEY in the top-level entry NAME.
    https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags"""

    def __init__(self, *path: str) -> None:
        self.path = path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reference) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)


@dataclass(frozen=True, slots=True)
class Layout:
    """How a file indents its blocks, which the lines ``fix`` inserts follow: a nested
    mapping's keys ``mapping`` columns right of its parent's key, a sequence's ``-``
    ``offset`` columns right of it and the item's content ``gap`` columns right of the
    ``-`` (ruamel.yaml's ``indent(mapping=, sequence=offset + gap, offset=)``)."""

    mapping: int = 2
    offset: int = 2
    gap: int = 2


#: GitHub's and GitLab's documented examples: two spaces, items indented.
DEFAULT_LAYOUT = Layout()
#: How many mappings of a file :func:`layout_of` looks at: the first few show the style.
_SAMPLED_MAPPINGS = 500


def layout_of(root: Any, within: tuple[Any, Any] | None = None) -> Layout:
    """The indentation a file's own blocks use most (:class:`Layout`), read from where the
    round-trip loader saw the keys and dashes of its first mappings. A file that shows no
    nested block keeps :data:`DEFAULT_LAYOUT`'s; one that shows mappings but no sequence
    indents its sequences as its mappings.

    ``within``, the entry being edited (``(jobs, "deploy")``: the mapping that holds it and
    its key), is read first: a file may indent its ``on:`` by two and its ``jobs:`` by four,
    and the lines inserted in a job follow that job. What the entry does not show (a job
    with no sequence) is the file's."""
    whole = _file_widths(root)
    mapping = _most_common(whole.mappings, DEFAULT_LAYOUT.mapping, 1)
    offset = _most_common(whole.offsets, mapping if whole.mappings else DEFAULT_LAYOUT.offset, 0)
    gap = _most_common(whole.gaps, DEFAULT_LAYOUT.gap, 2)
    if within is None:
        return Layout(mapping, offset, gap)
    block = _widths(*within)
    own_mapping = _most_common(block.mappings, mapping, 1)
    fallback = offset if whole.offsets or not block.mappings else own_mapping
    return Layout(
        own_mapping, _most_common(block.offsets, fallback, 0), _most_common(block.gaps, gap, 2)
    )


#: :func:`_widths` from a node: every entry of it, not one key.
_ALL = object()

#: The last file's :func:`_widths` (a weak reference to its root, and the widths):
#: ``fix`` asks :func:`layout_of` once per edit, and each time sampled up to
#: :data:`_SAMPLED_MAPPINGS` mappings of the whole file: minutes for a file of thousands
#: of jobs, each rewritten. A memo only: the answer is the same without it.
_last_file: list[tuple[weakref.ref[Any], _Widths]] = []


def _file_widths(root: Any) -> _Widths:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(root, CommentedMap | CommentedSeq):
        return _widths(root, _ALL)
    if _last_file and _last_file[0][0]() is root:
        return _last_file[0][1]
    found = _widths(root, _ALL)
    _last_file[:] = [(weakref.ref(root), found)]
    return found


@dataclass(frozen=True, slots=True)
class _Widths:
    """How often each width was written: a nested mapping's keys right of its parent's key,
    a sequence's dash right of its key, an item's content right of its dash."""

    mappings: Counter[int]
    offsets: Counter[int]
    gaps: Counter[int]


def _widths(node: Any, only: Any) -> _Widths:
    """The widths written under ``node`` (under its entry ``only`` alone, unless
    :data:`_ALL`), from the first :data:`_SAMPLED_MAPPINGS` mappings."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    found = _Widths(Counter(), Counter(), Counter())
    stack: list[tuple[Any, Any]] = [(node, only)]
    seen: set[int] = set()
    while stack and len(seen) < _SAMPLED_MAPPINGS:
        node, only = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CommentedSeq):
            children = [i for i in node if isinstance(i, CommentedMap | CommentedSeq)]
            stack.extend((child, _ALL) for child in reversed(children))
            continue
        if not isinstance(node, CommentedMap) or node.fa.flow_style():
            continue
        # The first entries only, or the one asked for, looked up: `fix` asks once per
        # edit, and listing every job of a file of thousands each time was quadratic. (A
        # merged entry has no position in `lc.data`, so it is skipped below either way.)
        if only is _ALL:
            items = list(itertools.islice(node.non_merged_items(), _SAMPLED_MAPPINGS))
        else:
            items = [(only, node[only])] if only in node else []
        for key, value in items:
            if not isinstance(value, CommentedMap | CommentedSeq) or value.fa.flow_style():
                continue
            written = node.lc.data.get(key) if isinstance(node.lc.data, dict) else None
            if not len(value) or value.lc.line is None or not written:
                continue
            line, column = written[0], written[1]
            if value.lc.line <= line:
                continue  # written on the key's line: `key: - a` is no block of its own
            if isinstance(value, CommentedMap):
                found.mappings[value.lc.col - column] += 1
            else:
                found.offsets[value.lc.col - column] += 1
                item_line, item_column = value.lc.item(0)
                if item_line == value.lc.line:
                    found.gaps[item_column - value.lc.col] += 1
            stack.append((value, _ALL))
    return found


def _most_common(counts: Counter[int], default: int, least: int) -> int:
    """The width written most (the smaller on a tie), if a sensible one (``least`` to 16)."""
    usable = [(-n, width) for width, n in counts.items() if least <= width <= 16]
    return min(usable)[1] if usable else default


def _yaml(layout: Layout = DEFAULT_LAYOUT) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1 << 16  # one value, one line
    yaml.indent(mapping=layout.mapping, sequence=layout.offset + layout.gap, offset=layout.offset)
    return yaml


def _node(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import SingleQuotedScalarString
    from ruamel.yaml.tag import Tag

    if isinstance(value, Reference):
        seq = CommentedSeq([_node(part) for part in value.path])
        seq.fa.set_flow_style()
        seq.yaml_set_ctag(Tag(suffix="!reference"))
        return seq
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[_node(str(key))] = _node(item)
        if not value:
            node.fa.set_flow_style()
        return node
    if isinstance(value, str):
        return SingleQuotedScalarString(value) if _YAML11_SPECIAL.fullmatch(value) else value
    if isinstance(value, Sequence):
        return CommentedSeq([_node(item) for item in value])
    raise TypeError(f"cannot emit a {type(value).__name__}")


def _plain(value: Any) -> Any:
    """What the emitted YAML must read back as."""
    if isinstance(value, Reference):
        return list(value.path)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return value
    return [_plain(item) for item in value]


def _read_back(node: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        return {str(k): _read_back(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_read_back(item) for item in node]
    return node if isinstance(node, str) else repr(node)


def _frozen(value: Any) -> Any:
    """A hashable form of ``value`` that :func:`_thawed` turns back into it, telling apart
    what :func:`_node` emits differently (a :class:`Reference` from a list, a mapping from
    a sequence, a ruamel.yaml string that keeps its own quoting from a plain one)."""
    if isinstance(value, Reference):
        return ("reference", value.path)
    if isinstance(value, Mapping):
        return ("map", tuple((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, str):
        return ("str", type(value), value)
    if isinstance(value, Sequence):
        return ("seq", tuple(_frozen(item) for item in value))
    raise TypeError(f"cannot emit a {type(value).__name__}")


def _thawed(frozen: Any) -> Any:
    kind = frozen[0]
    if kind == "reference":
        return Reference(*frozen[1])
    if kind == "map":
        return {key: _thawed(value) for key, value in frozen[1]}
    if kind == "str":
        return frozen[2]
    return [_thawed(item) for item in frozen[1]]


# A memo: ``fix`` of a file of thousands of jobs inserts the same few blocks (the ID
# token, the role's variables, the token line) into each, and emitting and reading back
# each one again took most of its time. The lines are the same either way; its
# ``cache_info()`` counts the blocks really emitted.
@functools.lru_cache(maxsize=512)
def _emit(frozen: Any, layout: Layout) -> tuple[str, ...]:
    """The entries ``frozen`` (:func:`_frozen`) emitted by ruamel.yaml at column 0, proved
    to read back as themselves."""
    entries = _thawed(frozen)
    yaml = _yaml(layout)
    buffer = io.StringIO()
    yaml.dump(_node(entries), buffer)
    lines = tuple(buffer.getvalue().splitlines())
    if _read_back(yaml.load("\n".join(lines))) != _plain(entries):
        raise ValueError("emitted YAML does not read back as the value")  # a bug, not input
    return lines


def mapping_lines(
    entries: Mapping[str, Any], indent: int, layout: Layout = DEFAULT_LAYOUT
) -> list[str]:
    """``entries`` as block-style YAML lines, each indented by ``indent`` spaces, nested
    blocks indented as ``layout`` says (the file's own: :func:`layout_of`)."""
    return [" " * indent + line for line in _emit(_frozen(entries), layout)]


def item_lines(
    entries: Mapping[str, Any],
    dash_column: int,
    content_column: int,
    layout: Layout = DEFAULT_LAYOUT,
) -> list[str]:
    """``entries`` as one block sequence item: ``-`` at ``dash_column``, keys at
    ``content_column`` (the layout of the sequence it joins), nested blocks as ``layout``
    says."""
    body = mapping_lines(entries, 0, layout)
    gap = max(content_column - dash_column - 1, 1)
    first = " " * dash_column + "-" + " " * gap + body[0]
    return [first, *(" " * (dash_column + 1 + gap) + line for line in body[1:])]


def scalar_item_lines(value: str | Reference, dash_column: int) -> list[str]:
    """One scalar sequence item (``- value``) at ``dash_column``."""
    (line,) = mapping_lines({"x": [value]}, 0)[1:]  # "  - value"
    return [" " * dash_column + line.lstrip()]


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar (plain when safe, quoted otherwise)."""
    (line,) = mapping_lines({"x": value}, 0)
    return line[len("x: ") :]
