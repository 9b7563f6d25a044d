"""A key twice in one object: JSON parsed as keyless reads it, with the duplicate-key pass.

Every JSON reader keyless uses keeps one of the two copies silently (the last), and no
AWS document says which one IAM reads: a file with a key twice was edited, and judging
either copy could be wrong. :func:`parse_json` parses with orjson and refuses such a file
by the JSON pointer of the second key (:func:`refuse_duplicate_keys`); for a large file the
pass runs in a forked child meanwhile (:mod:`keyless.forked`). :func:`yaml_problem` keeps a
YAML parser's duplicate-key message from quoting the values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from keyless.encodings import archive_kind, as_utf8, undecodable_at
from keyless.errors import InputError
from keyless.forked import fork_call


def parse_json(data: bytes, what: str, where: str) -> Any:
    """``data`` parsed as JSON; a leading byte-order mark is dropped. Nesting deeper than
    orjson's limit (1,024 levels) is malformed JSON here, never a RecursionError. A key
    twice in one object is refused (:func:`refuse_duplicate_keys`)."""
    # Editors on Windows write a BOM, which JSON forbids; PowerShell writes UTF-16.
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else as_utf8(data, what, where)
    # A large file's duplicate-key pass runs in a child while orjson parses it here.
    pending = fork_call(lambda: _duplicate_answer(data)) if len(data) >= FORKED_PASS else None
    try:
        document = orjson.loads(data)
    except BaseException as error:
        # Whatever stopped the parse, the child's answer is not wanted: stop and reap it
        # (left alone, each malformed file left a process and a pipe behind).
        if pending is not None:
            pending.cancel()
        if isinstance(error, orjson.JSONDecodeError):
            bad = undecodable_at(data) if "UTF-8" in error.msg else None
            archive = archive_kind(data) if bad is not None else None
            if archive is not None:
                raise InputError(f"{what} is not JSON: it is {archive}", where=where) from None
            if bad is not None:
                line = data.count(b"\n", 0, bad) + 1
                raise InputError(
                    f"{what} is not UTF-8 text (line {line}, byte {bad})", where=where
                ) from None
            raise InputError(
                f"{what} is not valid JSON "
                f"(malformed JSON at line {error.lineno}, column {error.colno}: {error.msg})",
                where=where,
            ) from None
        raise
    answer = pending.result() if pending is not None else None
    refuse_duplicate_keys(data, what, where, answer=answer)
    return document


#: From this size (bytes) the duplicate-key pass over a JSON file runs in a forked child
#: while orjson parses the file (:mod:`keyless.forked`): a fork costs a few milliseconds.
FORKED_PASS = 4 << 20


def _duplicate_answer(data: bytes) -> bytes:
    """:func:`find_duplicate_key`'s answer as bytes, for the trip back from a child."""
    try:
        pointer = find_duplicate_key(data)
    except RecursionError:
        return b"deep"
    except InexactNumber as error:
        return b"wide" + f"{error.pointer}\0{error.text}".encode("utf-8", "surrogatepass")
    return b"none" if pointer is None else b"at" + pointer.encode("utf-8", "surrogatepass")


class InexactNumber(ValueError):
    """An integer past 64 bits in JSON orjson reads: it reads it as the nearest float
    (``123456789012345678901234567890`` as ``1.2345678901234568e+29``), so a policy's
    condition would compare another number than the one written, and a snapshot written
    from it would hold that other number. ``pointer`` locates it."""

    def __init__(self, pointer: str, text: str):
        super().__init__(f"{inexact_number(text)} (at {pointer[:300] or '/'})")
        self.pointer = pointer
        self.text = text


def inexact_number(text: str) -> str:
    """What is wrong with the integer ``text`` orjson reads inexactly."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    return (
        f"the number {shown} has more than 64 bits: keyless would read another number"
        " (write it as a string)"
    )


#: The integers orjson reads exactly: a signed 64-bit or an unsigned 64-bit integer.
_EXACT = range(-(1 << 63), 1 << 64)


class _WideInteger(Exception):
    """An integer orjson would read inexactly (the fast pass of :func:`find_duplicate_key`)."""


def _exact_int(text: str) -> int:
    # 20 digits and a sign at most (never int() of thousands of digits).
    if len(text) > 21 or (value := int(text)) not in _EXACT:
        raise _WideInteger
    return value


class _Wide(str):
    """An integer orjson would read inexactly, as written (the slow pass)."""


def _marked_int(text: str) -> int | _Wide:
    if len(text) > 21 or (value := int(text)) not in _EXACT:
        return _Wide(text)
    return value


#: The refusal of a key twice in one object, in every file keyless reads.
DUPLICATE_KEY = (
    "a key appears twice in one object: which one counts depends on the program reading it"
)


#: A key a YAML parser's duplicate-key message may name: a plain word, never a mapping
#: or a quoted value.
_PLAIN_KEY = re.compile(r"[^\s\"'{}\[\],:]{1,200}")


def yaml_problem(problem: str) -> str:
    """A YAML parser's ``problem`` as a message may show it. ruamel.yaml's duplicate-key
    problem quotes both values whole (``found duplicate key "Password" with value "x"
    (original value: "…")``): a hard-coded secret in a malformed file would be printed in
    the report, its JSON and SARIF. It is cut to the key, named only when it is a plain
    word; every other problem names no value of the document."""
    if not problem.startswith("found duplicate key"):
        return problem
    key = problem.removeprefix('found duplicate key "').split('" with value "', 1)[0]
    key = key.removesuffix('"')
    if _PLAIN_KEY.fullmatch(key):
        return f"found duplicate key {key!r}"
    return "found a duplicate key"


def refuse_duplicate_keys(
    data: bytes, what: str, where: str, *, prefix: str = "", answer: bytes | None = None
) -> None:
    """Raise an :class:`InputError` naming the JSON pointer (after ``prefix``) of the
    first key that appears twice in one object of ``data`` (valid JSON).

    Every JSON reader keyless uses keeps one of the two silently (the last), and no AWS
    document says which one IAM reads: the Terraform AWS provider refuses such policies for
    that reason (hashicorp/terraform-provider-aws#33026, #33570), and IAM Access Analyzer
    reports condition keys repeated with another case as an error
    (DUPLICATE_KEYS_WITH_DIFFERENT_CASE in
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
    Neither the AWS CLI nor keyless writes a
    key twice, so a file that has one was edited: judging either copy could be wrong.

    ``answer`` is :func:`_duplicate_answer`'s, computed elsewhere (None: compute it here)."""
    if answer is None:
        answer = _duplicate_answer(data)
    if answer == b"deep":
        raise InputError(f"{what} is nested too deeply", where=where)
    if answer.startswith(b"wide"):
        wide, _, text = answer[4:].decode("utf-8", "surrogatepass").partition("\0")
        raise InputError(
            f"{what}: {inexact_number(text)}",
            where=f"{where}#{prefix}{wide[:300]}",
            hint="A condition compares a number written as a string the same way, exactly.",
        )
    pointer = answer[2:].decode("utf-8", "surrogatepass") if answer.startswith(b"at") else None
    if pointer is not None:
        raise InputError(
            DUPLICATE_KEY,
            where=f"{where}#{prefix}{pointer[:300]}",
            hint="Keep one of the two: neither the AWS CLI nor keyless writes a key twice.",
        )


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, in order, duplicates kept."""


class _RepeatedKey(Exception):
    """A key twice in one object (the fast pass of :func:`find_duplicate_key`)."""


def _no_repeated_key(pairs: list[tuple[str, Any]]) -> None:
    # Builds nothing: the pass only looks for a repeat (the document is parsed elsewhere).
    if len(pairs) > 1 and len({key for key, _ in pairs}) != len(pairs):
        raise _RepeatedKey


def find_duplicate_key(data: bytes | str, *, read_by_orjson: bool = True) -> str | None:
    """The JSON pointer of the first key that appears twice in one object of ``data``
    (valid JSON: parse it with :func:`parse_json` first), or ``None``. JSON parsers keep
    one of the two silently (the last), so a reviewer reading the first value and keyless
    reading the second would disagree about the same document.
    Raises :class:`RecursionError` past Python's own nesting limit, and, when ``data`` is
    ``read_by_orjson``, :class:`InexactNumber` for an integer orjson reads inexactly (past
    64 bits) before any repeated key."""
    import json

    if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif isinstance(data, str) and data.startswith("\ufeff"):
        data = data[1:]
    # Python's json module reads every integer exactly (``int`` keeps its fast path).
    exact: Callable[[str], object] = _exact_int if read_by_orjson else int
    try:  # a first pass that keeps nothing (the standard library's C scanner)
        json.loads(data, object_pairs_hook=_no_repeated_key, parse_int=exact)
    except (_RepeatedKey, _WideInteger):
        pass
    else:
        return None
    marked: Callable[[str], object] = _marked_int if read_by_orjson else int
    tree = json.loads(data, object_pairs_hook=_Pairs, parse_int=marked)
    pending: list[tuple[Any, str]] = [(tree, "")]
    while pending:
        node, pointer = pending.pop()
        if isinstance(node, _Wide):
            raise InexactNumber(pointer, node)
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            children = []
            for key, value in node:
                here = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                if key in seen:
                    return here
                seen.add(key)
                children.append((value, here))
            pending.extend(reversed(children))  # depth first, in document order
        elif isinstance(node, list):
            pending.extend(reversed([(v, f"{pointer}/{i}") for i, v in enumerate(node)]))
    return None  # pragma: no cover - the first pass found one
