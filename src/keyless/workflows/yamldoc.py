"""Reading a CI file with ruamel.yaml's round-trip loader, which keeps the line and column
of every key and item: findings point at them and ``fix`` edits the text at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyless.errors import InputError
from keyless.files import read_bytes


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed CI file: its exact text, its lines (with line ends) and the YAML tree."""

    path: Path
    text: str
    root: Any

    @property
    def lines(self) -> list[str]:
        """The text split into lines, each keeping its line end."""
        return self.text.splitlines(keepends=True)


def load_text(text: str, path: Path) -> Document:
    """Parse ``text``; a YAML error becomes an :class:`InputError` naming file and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(
            f"malformed YAML: {problem}", where=where, hint="Fix the file and run again."
        ) from None
    except YAMLError as error:
        raise InputError(f"malformed YAML: {error}", where=str(path)) from None
    return Document(path=path, text=text, root=root)


def load(path: Path) -> Document:
    """Read and parse one file."""
    # Plain UTF-8 from the bytes: CRLF line ends and a byte-order mark stay in the text
    # (ruamel.yaml skips the mark), so a rewrite keeps them. keyless.files.read_text
    # would drop the mark.
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the file is not UTF-8 text (byte {error.start})", where=str(path)
        ) from None
    return load_text(text, path)


def is_map(node: Any) -> bool:
    """Whether ``node`` is a YAML mapping from the round-trip loader."""
    from ruamel.yaml.comments import CommentedMap

    return isinstance(node, CommentedMap)


def is_seq(node: Any) -> bool:
    """Whether ``node`` is a YAML sequence from the round-trip loader."""
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(node, CommentedSeq)


def own_items(node: Any) -> Iterator[tuple[Any, Any]]:
    """The entries written in this mapping itself, not those merged in with ``<<: *x``."""
    if not is_map(node):
        return iter(())
    return iter(node.non_merged_items())


def key_position(node: Any, key: Any) -> tuple[int, int]:
    """0-based (line, column) of ``key`` in mapping ``node``."""
    line, column = node.lc.key(key)
    return int(line), int(column)


def value_position(node: Any, key: Any) -> tuple[int, int]:
    """0-based (line, column) of the value of ``key`` in mapping ``node``."""
    line, column = node.lc.value(key)
    return int(line), int(column)


def item_position(node: Any, index: int) -> tuple[int, int]:
    """0-based (line, column) of item ``index`` of sequence ``node`` (after its dash)."""
    line, column = node.lc.item(index)
    return int(line), int(column)


def is_flow(node: Any) -> bool:
    """Whether a mapping or sequence is written in flow style (``{…}`` / ``[…]``)."""
    return bool(node.fa.flow_style()) if hasattr(node, "fa") else False
