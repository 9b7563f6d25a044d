"""Reading a CI file with ruamel.yaml's round-trip loader, which keeps the line and column
of every key and item: findings point at them and ``fix`` edits the text at them.

Hostile files are refused with an :class:`InputError` naming the file, never a traceback
or a hang: anything but a regular file (a FIFO would block), files over
:data:`MAX_FILE_BYTES`, text that is not UTF-8, and documents nested deeper than
:data:`MAX_DEPTH`. Merge keys (``<<: *x``) are resolved, including the repeated ``<<``
keys GitLab's YAML 1.1 reader accepts (ruamel.yaml alone refuses them).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keyless.duplicate_keys import yaml_problem
from keyless.errors import InputError
from keyless.files import describe_size, read_bytes

#: The largest CI file keyless reads. GitLab refuses configurations over 2 MB of parsed
#: memory (https://docs.gitlab.com/administration/instance_limits/#maximum-size-and-depth-of-cicd-configuration-yaml-files);
#: real workflows are a few kilobytes. The round-trip parser needs seconds per megabyte.
MAX_FILE_BYTES = 1 << 20
#: The deepest nesting keyless reads: GitLab's own default limit is 100 levels.
MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed CI file: its exact text, its lines (with line ends) and the YAML tree."""

    path: Path
    text: str
    root: Any
    #: The 1-based lines where a ``<<`` merge key is written, in order (GitHub Actions
    #: rejects them; GitLab, CircleCI and Bitbucket read them).
    merge_key_lines: tuple[int, ...] = ()
    #: The text split into lines, each keeping its line end: split once, here (``fix``
    #: asks for them once per job edited; a file of 8,000 jobs split its 1 MB 8,000 times).
    lines: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.text.splitlines(keepends=True)))


def _constructor() -> Any:
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    merge_tag = "tag:yaml.org,2002:merge"

    class MergingConstructor(RoundTripConstructor):
        """Reads repeated ``<<`` keys as Ruby's Psych (GitLab) does: each one merges in
        turn, a later one winning over an earlier one; keys written in the mapping win
        over every merge. They become one ``<<: [later, …, earlier]`` sequence, which the
        YAML merge rules read the same way (https://yaml.org/type/merge.html). The lines
        of the merge keys are kept in ``merge_key_lines``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.merge_key_lines: set[int] = set()

        def construct_yaml_int(self, node: Any) -> Any:
            # ruamel's resolver takes "+_" or "0x_" (a sign or base prefix and underscores,
            # no digit) for an integer and its constructor then fails with an IndexError (a
            # traceback); YAML 1.2 reads them as strings.
            if re.fullmatch(r"[-+]?(?:0[box])?_*", node.value, re.ASCII):
                return self.construct_scalar(node)
            try:
                return super().construct_yaml_int(node)
            except ValueError:
                # More digits than Python's int() converts (4,300, CVE-2020-10735): a
                # ValueError and a traceback. No CI file holds such a number.
                raise ConstructorError(
                    problem=f"an integer of {len(node.value):,} characters, more than"
                    f" keyless reads ({sys.get_int_max_str_digits():,} digits)",
                    problem_mark=node.start_mark,
                ) from None

        def flatten_mapping(self, node: Any) -> Any:
            merges = [(k, v) for k, v in node.value if k.tag == merge_tag]
            self.merge_key_lines.update(k.start_mark.line + 1 for k, _ in merges)
            if len(merges) > 1:
                sources: list[Any] = []
                for _, value in reversed(merges):
                    items = value.value if isinstance(value, SequenceNode) else [value]
                    sources.extend(items)
                if all(isinstance(s, MappingNode) for s in sources):
                    first_key, first_value = merges[0]
                    combined = SequenceNode(
                        "tag:yaml.org,2002:seq",
                        sources,
                        first_value.start_mark,
                        first_value.end_mark,
                        flow_style=True,
                    )
                    rest = [(k, v) for k, v in node.value if k.tag != merge_tag]
                    position = next(i for i, (k, _) in enumerate(node.value) if k is first_key)
                    rest.insert(position, (first_key, combined))
                    node.value = rest
            return super().flatten_mapping(node)

    MergingConstructor.add_constructor(
        "tag:yaml.org,2002:int", MergingConstructor.construct_yaml_int
    )
    return MergingConstructor


def _reader() -> Any:
    """ruamel.yaml's round-trip reader (mappings that know where each key is written,
    anchors, merge keys, tags) with :func:`_constructor`, but the plain scanner, which
    skips comments: keyless never dumps a document it read (``fix`` edits the text:
    :mod:`.patch`), and the round-trip scanner's gathering of every comment for a dump was
    a fifth of reading a file, the largest cost of ``fix`` reading a large rewrite again
    (``benchmarks/bench_yaml_read.py``). Node positions are the same."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scanner import Scanner

    yaml = YAML(typ="rt")
    yaml.Constructor = _constructor()
    yaml.Scanner = Scanner
    return yaml


def load_text(text: str, path: Path, *, gitlab_header: bool = False) -> Document:
    """Parse ``text``; a YAML error becomes an :class:`InputError` naming file and line.

    A file is one YAML document. With ``gitlab_header`` (a GitLab file), a first document
    that holds only ``spec:`` is GitLab's inputs header and the configuration is the
    second (:func:`_after_header`). Elsewhere a second document is refused: GitHub reads
    a workflow or an action's metadata as one document and refuses the file otherwise
    (the runner's ``YamlObjectReader.ValidateEnd`` expects the stream to end after the
    first document; GitHub's workflow parser, ``actions/languageservices``, reports
    ``parseDocument``'s "Source contains multiple documents" error), so reading the
    first document alone would judge a workflow that never runs."""
    from ruamel.yaml.composer import ComposerError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = _reader()
    try:
        root = yaml.load(text)
        merge_key_lines = tuple(sorted(yaml.constructor.merge_key_lines))
    except ComposerError as error:
        if error.problem != "but found another document":
            raise _malformed(error, path) from None
        if not gitlab_header:
            raise InputError(
                "malformed YAML: several documents in one file (a CI file is one YAML "
                "document; only GitLab reads a `spec:` header document before it)",
                where=f"{path}:{error.problem_mark.line + 1}"
                if error.problem_mark is not None
                else str(path),
                hint="Fix the file and run again.",
            ) from None
        root, merge_key_lines = _after_header(text, path)
    except MarkedYAMLError as error:
        raise _malformed(error, path) from None
    except YAMLError as error:
        # A reader error (a NUL or another character YAML forbids) says where as a
        # character offset on a second line: one line here, at the line it is on.
        position = getattr(error, "position", None)
        where = (
            f"{path}:{text.count(chr(10), 0, position) + 1}"
            if isinstance(position, int)
            else str(path)
        )
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(
            f"malformed YAML: {reason}", where=where, hint="Fix the file and run again."
        ) from None
    except RecursionError:
        raise _too_deep(path) from None
    if depth(root, MAX_DEPTH + 1) > MAX_DEPTH:
        raise _too_deep(path)
    return Document(path=path, text=text, root=root, merge_key_lines=merge_key_lines)


def _malformed(error: Any, path: Path) -> InputError:
    mark = error.problem_mark or error.context_mark
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    problem = yaml_problem(error.problem or error.context or "invalid YAML")
    return InputError(f"malformed YAML: {problem}", where=where, hint="Fix the file and run again.")


def _after_header(text: str, path: Path) -> tuple[Any, tuple[int, ...]]:
    """The configuration of a GitLab file that declares its inputs in a header document
    (``spec: inputs: …``, then ``---``: https://docs.gitlab.com/ci/inputs/), with its
    merge key lines. Any other GitLab file of several documents is malformed YAML here."""
    from ruamel.yaml.error import MarkedYAMLError

    yaml = _reader()
    try:
        documents = list(itertools.islice(yaml.load_all(text), 3))
    except MarkedYAMLError as error:
        raise _malformed(error, path) from None
    header: Any = documents[0] if documents else None
    if len(documents) != 2 or not is_map(header) or [str(k) for k in header] != ["spec"]:
        raise InputError(
            "malformed YAML: several documents in one file (only GitLab's `spec:` header "
            "may come before the configuration)",
            where=str(path),
            hint="Fix the file and run again.",
        )
    return documents[1], tuple(sorted(yaml.constructor.merge_key_lines))


def _too_deep(path: Path) -> InputError:
    return InputError(
        f"the YAML is nested more than {MAX_DEPTH} levels deep; keyless does not read it",
        where=str(path),
        hint="A CI file is never nested this deeply (GitLab refuses more than 100 levels).",
    )


def depth(root: Any, limit: int) -> int:
    """How deeply mappings and sequences nest in ``root`` (a scalar is 0), counting at
    most to ``limit``. Iterative, and each node once: aliases never multiply the work."""
    deepest = 0
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, level = stack.pop()
        if not (is_map(node) or is_seq(node)) or id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, level + 1)
        if deepest >= limit:
            return deepest
        children = node.values() if is_map(node) else node
        stack.extend((child, level + 1) for child in children)
    return deepest


def load(path: Path, *, gitlab_header: bool = False) -> Document:
    """Read and parse one file: a regular file (never a FIFO, which would block) of at
    most :data:`MAX_FILE_BYTES`, refused before it is loaded when larger.
    ``gitlab_header`` as in :func:`load_text`."""
    data = read_bytes(path, "the file", limit=MAX_FILE_BYTES)
    return load_bytes(data, path, gitlab_header=gitlab_header)


def load_bytes(data: bytes, path: Path, *, gitlab_header: bool = False) -> Document:
    """Parse a CI file's bytes: UTF-8 text of at most :data:`MAX_FILE_BYTES`, YAML that
    nests at most :data:`MAX_DEPTH` deep. Anything else is an :class:`InputError`.
    ``gitlab_header`` as in :func:`load_text`."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"the file is larger than the {describe_size(MAX_FILE_BYTES)} keyless reads",
            where=str(path),
        )
    # Plain UTF-8 from the bytes: CRLF line ends and a byte-order mark stay in the text
    # (ruamel.yaml skips the mark), so a rewrite keeps them. keyless.files.read_text
    # would drop the mark.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the file is not UTF-8 text (byte {error.start})", where=str(path)
        ) from None
    return load_text(text, path, gitlab_header=gitlab_header)


def is_map(node: Any) -> bool:
    """Whether ``node`` is a YAML mapping from the round-trip loader."""
    from ruamel.yaml.comments import CommentedMap

    return isinstance(node, CommentedMap)


def is_seq(node: Any) -> bool:
    """Whether ``node`` is a YAML sequence from the round-trip loader."""
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(node, CommentedSeq)


def scalar_text(value: Any) -> str | None:
    """A scalar's text (``2024`` → ``"2024"``), or None for a mapping or sequence: never
    the text of a whole structure, which aliases nested ten deep make a billion values
    long."""
    return None if is_map(value) or is_seq(value) else str(value)


def scalar_texts(values: Any) -> list[str]:
    """The texts of the scalars of a sequence (or the keys of a mapping), in order;
    nested mappings and sequences are left out (:func:`scalar_text`)."""
    return [t for v in values if (t := scalar_text(v)) is not None]


def own_items(node: Any) -> Iterator[tuple[Any, Any]]:
    """The entries written in this mapping itself, not those merged in with ``<<: *x``."""
    if not is_map(node):
        return iter(())
    return iter(node.non_merged_items())


def has_own(node: Any, key: Any) -> bool:
    """Whether ``key`` is written in mapping ``node`` itself (not merged in)."""
    return any(k == key for k, _ in own_items(node))


def origin_of(node: Any, key: Any) -> Any:
    """The mapping in which the entry ``key`` of ``node`` is written: ``node`` itself, or
    the mapping a ``<<`` merge key brought it from (the one that wins). None if absent."""
    seen: set[int] = set()
    current = node
    while is_map(current) and id(current) not in seen:
        seen.add(id(current))
        if has_own(current, key):
            return current
        current = next((m for m in getattr(current, "merge", ()) if key in m), None)
    return None


def parents(root: Any) -> dict[int, tuple[Any, Any]]:
    """``id(node) → (parent, key or index)`` for every mapping and sequence written in
    the document (merged entries are reached where they are written). A node reached
    again through an alias (``env: *keys``) keeps the place its anchor is written: the
    walk is in document order, and YAML writes an anchor before its aliases
    (https://yaml.org/spec/1.2.2/#71-alias-nodes)."""
    index: dict[int, tuple[Any, Any]] = {}
    stack: list[tuple[Any, Any, Any]] = [(root, None, None)]
    seen: set[int] = set()
    while stack:
        node, parent, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if parent is not None:
            index[id(node)] = (parent, key)
        children = (
            list(own_items(node)) if is_map(node) else list(enumerate(node)) if is_seq(node) else []
        )
        nested = [(c, node, k) for k, c in children if is_map(c) or is_seq(c)]
        stack.extend(reversed(nested))
    return index


def anchor_of(node: Any) -> str | None:
    """The anchor (``&name``) written on a mapping or sequence, if any."""
    anchor = getattr(node, "anchor", None)
    value = getattr(anchor, "value", None) if anchor is not None else None
    return str(value) if value else None


def key_position(node: Any, key: Any) -> tuple[int, int]:
    """0-based (line, column) of ``key`` in mapping ``node``, or where a ``<<`` merge key
    brought it from (ruamel records positions of the entries written in a mapping only)."""
    line, column = _written_in(node, key).lc.key(key)
    return int(line), int(column)


def value_position(node: Any, key: Any) -> tuple[int, int]:
    """0-based (line, column) of the value of ``key`` in mapping ``node``, or where a
    ``<<`` merge key brought it from."""
    line, column = _written_in(node, key).lc.value(key)
    return int(line), int(column)


def _written_in(node: Any, key: Any) -> Any:
    data = getattr(getattr(node, "lc", None), "data", None)
    if data is not None and key in data:
        return node
    return origin_of(node, key) or node


def item_position(node: Any, index: int) -> tuple[int, int]:
    """0-based (line, column) of item ``index`` of sequence ``node`` (after its dash)."""
    line, column = node.lc.item(index)
    return int(line), int(column)


def is_flow(node: Any) -> bool:
    """Whether a mapping or sequence is written in flow style (``{…}`` / ``[…]``)."""
    return bool(node.fa.flow_style()) if hasattr(node, "fa") else False
