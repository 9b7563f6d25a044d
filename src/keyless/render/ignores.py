"""The configuration's ignores that accepted nothing (:attr:`ScanResult.unused_ignores`),
as every scan report shows them: a notice line each in text, an ``unused_ignores`` entry
each in JSON. Never an error, and never a change of the exit code."""

from __future__ import annotations

from typing import Any

from keyless.config import Ignore
from keyless.errors import quoted
from keyless.render.untrusted import printable


def unused_ignore_line(ignore: Ignore) -> str:
    """``notice: keyless.toml [[ignore]] #2 (check 'key-unused', resource 'x*') matched no
    finding``: one line, the rule's values quoted (a configuration is input too)."""
    scope = [f"check {quoted(ignore.check)}"]
    if ignore.resource != "*":
        scope.append(f"resource {quoted(ignore.resource)}")
    if ignore.account != "*":
        scope.append(f"account {quoted(ignore.account)}")
    return printable(f"notice: {ignore.where} ({', '.join(scope)}) matched no finding")


def unused_ignore_document(ignore: Ignore) -> dict[str, Any]:
    """An entry of ``unused_ignores[]``: the rule, as ``suppressed[].ignore`` names one."""
    return {
        "file": ignore.source or None,
        "rule": ignore.index,
        "check": ignore.check,
        "resource": ignore.resource,
        "account": ignore.account,
        "reason": ignore.reason,
    }
