"""Literal AWS credentials written into a CI file, on either platform.

Access key IDs have a documented shape: four letters naming the kind (``AKIA`` for an IAM
user's long-lived key, ``ASIA`` for a temporary one) and sixteen more characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
Secret access keys are 40 characters of base64; to avoid flagging commit SHAs and
digests, a candidate needs mixed case and a digit and must sit on a line that names a
secret or an AWS key. Nothing matched is ever printed in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.findings import Finding, Severity
from keyless.workflows.model import Coverage, WorkflowFile, platform_remedy, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    item_position,
    key_position,
    own_items,
)

HARDCODED_AWS_KEY = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-hardcoded-aws-key",
    title="An AWS access key is written into a CI file",
    severity=Severity.CRITICAL,
    rationale=(
        "Anyone who can read the repository (and its history, forks and clones) holds the "
        "credential. Removing it from the file does not revoke it."
        + "\n\n"
        + "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"
    ),
    remediation=(
        "Deactivate and delete the access key now (`aws iam update-access-key --status "
        "Inactive`, then `delete-access-key`), review CloudTrail for its use, and switch "
        "the pipeline to OIDC with `keyless workflows fix`."
    ),
)
_REVOKE = (
    "Deactivate and delete the access key now (`aws iam update-access-key --status "
    "Inactive`, then `delete-access-key`) and review CloudTrail for its use."
)

# The prefix first, then what may not precede it (as keyless.iac.literal_keys): a pattern
# that starts with a literal is searched for by it, where a lookbehind first was tried at
# every character (60x slower on a long line).
_KEY_ID = re.compile(r"(AKIA|ASIA)(?<![A-Z0-9]AKIA)(?<![A-Z0-9]ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# Not preceded by a base64 character; "=" is base64's padding, which only ends a string, so
# one before the candidate is an assignment (`AWS_SECRET_ACCESS_KEY=…` in a script, `--x=…`):
# excluded there too, such a secret was neither reported nor redacted in `fix`'s diff. One
# after it still is (the candidate is then the end of a longer, padded string).
_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_SECRET_CONTEXT = re.compile(r"secret|aws.*key|key.*aws|credential", re.IGNORECASE)
# A session token (hundreds of base64 characters, STS's `FwoGZXIvYXdz…`/`IQoJb3JpZ2lu…`) on a
# line that names one (`AWS_SESSION_TOKEN: …`, `--session-token …`): temporary, but a
# credential all the same, never shown whole in fix's diff.
_SESSION_TOKEN = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{100,}={0,2}(?![A-Za-z0-9/+=])")
_SESSION_CONTEXT = re.compile(r"session.?token", re.IGNORECASE)
#: A line with its end: lines end at LF, CRLF or CR only, as in editors, GitHub's file
#: view and YAML 1.2 (https://yaml.org/spec/1.2.2/#54-line-break-characters).
#: ``str.splitlines`` also ends them at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029,
#: which would put a key on a later line number than the one a reader is sent to.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


@dataclass(frozen=True, slots=True)
class Match:
    """A literal credential: 0-based line and column, what it is, and a redacted form."""

    line: int
    column: int
    kind: str
    redacted: str


def redact_key_id(key_id: str) -> str:
    """``AKIA…WXYZ``: the kind and the last four, enough to find the key in IAM."""
    return f"{key_id[:4]}…{key_id[-4:]}"


def is_documentation_example(value: str) -> bool:
    """AWS's documentation writes example credentials ending in ``EXAMPLE`` (key IDs such
    as ``AKIAIOSFODNN7EXAMPLE``) and ``EXAMPLEKEY`` (secrets); tests and emulators copy
    them. They were never credentials, so they are not reported.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds-programmatic-access.html"""
    return value.endswith(("EXAMPLE", "EXAMPLEKEY"))


def find_literals(text: str) -> Iterator[Match]:
    """Every literal access key ID and secret-key-shaped string in ``text`` (AWS's
    documentation examples excepted)."""
    for number, line in enumerate(text_lines(text)):
        for match in _KEY_ID.finditer(line):
            if is_documentation_example(match.group(0)):
                continue
            kind = "access key ID" if match.group(1) == "AKIA" else "temporary access key ID"
            yield Match(number, match.start(), kind, redact_key_id(match.group(0)))
        if not _SECRET_CONTEXT.search(line):
            continue
        for match in _SECRET.finditer(line):
            token = match.group(0)
            if _looks_like_secret(token) and not is_documentation_example(token):
                yield Match(number, match.start(), "secret access key", "[REDACTED]")


def text_lines(text: str) -> list[str]:
    """``text``'s lines, without their ends, split where a reader's lines end (LF, CRLF,
    CR): the Nth is the line an editor or GitHub shows as N + 1."""
    return [line.rstrip("\r\n") for line in _LINE.findall(text)]


def redact_text(text: str) -> str:
    """``text`` with every literal key ID shown as ``AKIA…WXYZ``, every secret-key-shaped
    string (on a line that names a secret or an AWS key) and every session-token-shaped one
    (on a line that names a session token) as ``[REDACTED]``."""
    out = []
    for line in _LINE.findall(text):
        line = _KEY_ID.sub(lambda m: redact_key_id(m.group(0)), line)
        if _SECRET_CONTEXT.search(line):
            line = _SECRET.sub(
                lambda m: "[REDACTED]" if _looks_like_secret(m.group(0)) else m.group(0), line
            )
        if _SESSION_CONTEXT.search(line):
            line = _SESSION_TOKEN.sub("[REDACTED]", line)
        out.append(line)
    return "".join(out)


def _looks_like_secret(token: str) -> bool:
    return (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c in "0123456789" for c in token)
        and not re.fullmatch(r"[0-9a-fA-F]+", token)
    )


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """One critical finding per literal credential in the file, on every platform: the
    text is read line by line, so a Jenkinsfile (Groovy) or a file that is not plain YAML
    is read as well. The route is the YAML route where there is a tree, else the line."""
    remediation = None
    if file.platform.coverage is not Coverage.FULL:
        remediation = f"{_REVOKE} Then {platform_remedy(file.platform)}."
    return [
        workflow_finding(
            HARDCODED_AWS_KEY,
            file.path,
            match.line + 1,
            match.column + 1,
            f"a literal {match.kind} ({match.redacted}) is written in the file",
            route_at_line(document.root, match.line) or f"line {match.line + 1}",
            remediation=remediation,
        )
        for match in find_literals(document.text)
    ]


def route_at_line(node: Any, line: int, prefix: str = "") -> str:
    """The dotted route of the innermost key or item that encloses 0-based ``line``."""
    chosen: Any = None
    if is_map(node):
        for key, _ in own_items(node):
            if key_position(node, key)[0] > line:
                break
            chosen = key
        if chosen is None:
            return prefix
        route = f"{prefix}.{chosen}" if prefix else str(chosen)
        return route_at_line(node[chosen], line, route)
    if is_seq(node):
        for index in range(len(node)):
            if item_position(node, index)[0] > line:
                break
            chosen = index
        if chosen is None:
            return prefix
        return route_at_line(node[chosen], line, f"{prefix}[{chosen}]")
    return prefix
