"""Text for the lines ``fix`` inserts, produced by ruamel.yaml's emitter.

``fix`` edits the original text (so comments and layout survive) but never builds YAML by
pasting values into strings: each inserted block is a small document dumped by ruamel.yaml,
which quotes what needs quoting, then indented to its place. Values YAML 1.1 would read as
something other than a string (``on``, ``no``, ``0x1``: GitLab's parser is YAML 1.1) are
single-quoted too, and every emitted block is read back to prove it says what was meant.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
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


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1 << 16  # one value, one line
    yaml.indent(mapping=2, sequence=4, offset=2)
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


def mapping_lines(entries: Mapping[str, Any], indent: int) -> list[str]:
    """``entries`` as block-style YAML lines, each indented by ``indent`` spaces."""
    yaml = _yaml()
    buffer = io.StringIO()
    yaml.dump(_node(entries), buffer)
    lines = buffer.getvalue().splitlines()
    if _read_back(yaml.load("\n".join(lines))) != _plain(entries):
        raise ValueError("emitted YAML does not read back as the value")  # a bug, not input
    return [" " * indent + line for line in lines]


def item_lines(entries: Mapping[str, Any], dash_column: int, content_column: int) -> list[str]:
    """``entries`` as one block sequence item: ``-`` at ``dash_column``, keys at
    ``content_column`` (the layout of the sequence it joins)."""
    body = mapping_lines(entries, 0)
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
