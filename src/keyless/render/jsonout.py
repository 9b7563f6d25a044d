"""``keyless/scan/v1``: the scan's JSON document, built by explicit converters.

The schema is documented in docs/schemas/scan-v1.md; fields are only ever added.

A document can also be written piece by piece (:func:`dump_chunks`): an organization's
findings are then serialised one at a time as they are read, never all held as objects
or as one string, and the bytes are the same as :func:`dumps` would give.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson

from keyless import __version__
from keyless.dates import iso
from keyless.encodings import json_invisibles_escaped
from keyless.engine import CheckRun, ScanResult, Suppressed
from keyless.findings import Finding
from keyless.model import Account, Inventory, User
from keyless.render import RenderOptions
from keyless.render.ignores import unused_ignore_document
from keyless.render.summary import summarize

SCAN_SCHEMA = "keyless/scan/v1"


def dumps(document: Mapping[str, Any]) -> bytes:
    """Serialise a document: indented, keys in insertion order, trailing newline; its
    invisible characters (a bidirectional override in a workflow's text, a policy, a file
    name) escaped (:func:`keyless.encodings.json_invisibles_escaped`)."""
    return json_invisibles_escaped(
        orjson.dumps(
            document, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
        )
    )


class Streamed:
    """An array of a document that :func:`dump_chunks` writes item by item, reading
    ``items`` once, as it goes. A document holds each Streamed once."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


#: Pieces of about this many bytes are yielded (an item larger than this is one piece).
CHUNK_BYTES = 1 << 16

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def dump_chunks(document: Mapping[str, Any]) -> Iterator[bytes]:
    """What :func:`dumps` gives for ``document`` with each :class:`Streamed` a list of its
    items, byte for byte, in pieces: the streamed arrays' items are serialised one at a
    time, so only one of them is held at once.

    The rest of the document (its skeleton) is serialised first, with a placeholder string
    for each streamed array: a NUL character, a random token made for this call, and the
    array's number. orjson escapes a NUL as ``\\u0000`` and escapes every quote and
    backslash inside strings, so ``"\\u0000<token>:<n>"`` appears in the skeleton only
    where a placeholder is, unless a string of the document begins with a NUL and the
    token, which no one can know in advance; the placeholders are also counted."""
    token = secrets.token_hex(16)
    arrays: list[Iterable[Any]] = []

    def default(value: Any) -> Any:
        if isinstance(value, Streamed):
            arrays.append(value.items)
            return f"\x00{token}:{len(arrays) - 1}"
        return _default(value)

    skeleton = json_invisibles_escaped(orjson.dumps(document, default=default, option=_OPTIONS))
    placeholders = list(re.finditer(rb'"\\u0000' + token.encode() + rb':(\d+)"', skeleton))
    if [int(match[1]) for match in placeholders] != list(range(len(arrays))):
        raise RuntimeError("a streamed array's placeholder is missing or repeated")
    done = 0
    for match in placeholders:
        line = skeleton[skeleton.rfind(b"\n", 0, match.start()) + 1 : match.start()]
        depth = len(line) - len(line.lstrip(b" "))  # the spaces before the key (or the item)
        yield skeleton[done : match.start()]
        yield from _array(arrays[int(match[1])], depth)
        done = match.end()
    yield skeleton[done:]


def _array(items: Iterable[Any], depth: int) -> Iterator[bytes]:
    """``items`` as orjson indents a list whose line starts ``depth`` spaces in."""
    inner = b"\n" + b" " * (depth + 2)
    pieces: list[bytes] = []
    size = 0
    opening = b"["
    for item in items:
        # orjson escapes newlines inside strings: every newline it writes is indentation.
        piece = json_invisibles_escaped(
            orjson.dumps(item, default=_default, option=orjson.OPT_INDENT_2)
        )
        pieces += (opening, inner, piece.replace(b"\n", inner))
        opening = b","
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield b"".join(pieces)
            pieces, size = [], 0
    pieces.append(b"[]" if opening == b"[" else b"\n" + b" " * depth + b"]")
    yield b"".join(pieces)


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def scan_document(result: ScanResult) -> dict[str, Any]:
    """The ``keyless/scan/v1`` document for a scan result."""
    return _scan_document(result, list)


def scan_chunks(result: ScanResult, options: RenderOptions) -> Iterator[bytes]:
    """The ``keyless/scan/v1`` document as JSON, in pieces (see :func:`dump_chunks`): the
    accounts and the findings are serialised one at a time, as they are read."""
    return dump_chunks(_scan_document(result, Streamed))


def _scan_document(
    result: ScanResult, array: Callable[[Iterable[Any]], list[Any] | Streamed]
) -> dict[str, Any]:
    """The document, its long arrays (accounts, findings) made by ``array``: ``list``, or
    :class:`Streamed` to be written as they are read."""
    inventory = result.estate
    return {
        "schema": SCAN_SCHEMA,
        "keyless_version": __version__,
        "generated_at": iso(result.now),
        "now": iso(result.now),
        "now_basis": result.now_basis,
        "source": inventory.origin,
        "complete": inventory.is_complete,
        "fully_evaluated": result.is_fully_evaluated,
        "config": result.config_path,
        "organization": _organization(inventory),
        "accounts": array(map(account_document, inventory.accounts)),
        "summary": summarize(result).to_json(),
        "findings": array(map(finding_document, result.findings)),
        "check_runs": [check_run_document(r) for r in result.check_runs],
        "suppressed": [suppressed_document(s) for s in result.suppressed],
        "unused_ignores": [unused_ignore_document(i) for i in result.unused_ignores],
        "notes": list(result.notes),
    }


def suppressed_document(entry: Suppressed) -> dict[str, Any]:
    """An entry of ``suppressed[]``: the finding, the reason, and the rule that hid it."""
    rule = entry.ignore
    return {
        **finding_document(entry.finding),
        "reason": rule.reason,
        "ignore": {
            "file": rule.source or None,
            "rule": rule.index,
            "check": rule.check,
            "resource": rule.resource,
            "account": rule.account,
        },
    }


def account_document(account: Account) -> dict[str, Any]:
    """An entry of ``accounts[]``."""
    return {
        "id": account.id,
        "alias": account.alias,
        "name": account.name,
        "status": account.status.value,
        "error": account.error,
        "collected_at": iso(account.collected_at),
        "sources": {
            source.value: {"state": status.state.value, "reason": status.reason or None}
            for source, status in sorted(account.datasets.items())
        },
        "failed_calls": [
            {"service": c.service, "operation": c.operation, "code": c.code, "message": c.message}
            for c in account.failed_calls
        ],
        "notes": list(account.notes),
        "users": [user_document(user) for user in account.users],
    }


def user_document(user: User) -> dict[str, Any]:
    """An entry of ``accounts[].users[]``: identifiers, dates and flags (no secret), so
    that ``keyless diff`` can tell which users and keys came and went."""
    return {
        "name": user.name,
        "arn": user.arn,
        "console_access": user.has_console_access,
        "mfa_active": user.has_mfa,
        "access_keys": [
            {
                "slot": key.slot,
                "key_id": key.key_id,
                "active": key.active,
                "created": iso(key.created),
                "last_used": iso(key.last_used),
            }
            for key in user.access_keys
        ],
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    """An entry of ``findings[]``."""
    document: dict[str, Any] = {
        "check": finding.check,
        "severity": finding.severity.value,
        "account": finding.account,
        "resource": finding.resource,
        "message": finding.message,
        "remediation": finding.remediation,
        "evidence": dict(finding.evidence),
    }
    if finding.witness is not None:
        document["witness"] = dict(finding.witness)
    return document


def check_run_document(run: CheckRun) -> dict[str, Any]:
    """An entry of ``check_runs[]``: what a check evaluated, or why it could not."""
    return {
        "check": run.check.id,
        "title": run.check.title,
        "severity": run.check.severity.value,
        "status": run.status,
        "evaluated": run.evaluated,
        "findings": run.findings,
        "not_evaluated": [{"account": n.account, "reason": n.reason} for n in run.not_evaluated],
    }


def _organization(inventory: Inventory) -> dict[str, Any] | None:
    org = inventory.organization
    if org is None:
        return None
    center = org.identity_center
    return {
        "id": org.id,
        "management_account": org.management_account_id,
        "identity_center": {
            "state": org.identity_center_state.state.value,
            "reason": org.identity_center_state.reason or None,
            "instance_arn": center.instance_arn if center else None,
            "permission_sets": len(center.permission_sets) if center else 0,
            "assignments": len(center.assignments) if center else 0,
        },
    }


def scan_json(result: ScanResult, options: RenderOptions) -> str:
    """The ``keyless/scan/v1`` document as JSON text."""
    return dumps(scan_document(result)).decode()
