"""What the CircleCI and Bitbucket Pipelines readers share: where long-lived AWS keys show
in a job's text, whether a job exchanges an OIDC token instead, and a walk over every
mapping of a document with its dotted route.

Keys in those platforms usually live in the project's settings (CircleCI contexts and
project environment variables, Bitbucket repository variables): the file shows them only
where it uses them (``$AWS_ACCESS_KEY_ID``, ``aws configure set aws_access_key_id``) or
hands them to an orb or a pipe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from keyless.workflows.hardcoded import find_literals
from keyless.workflows.yamldoc import Document, is_map, is_seq, own_items

KEY_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")

# A script that reads the key pair from the environment or writes it into a profile.
KEY_USE = re.compile(
    r"\$\{?(?:AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)\b"
    r"|aws\s+configure\s+set\s+(?:[\w.-]+\.)?aws_(?:access_key_id|secret_access_key)\b"
)
# Signs that a job obtains temporary credentials itself: an OIDC token exchanged with
# STS, a role assumed, a session token written beside the keys.
TEMPORARY = re.compile(
    r"assume-role-with-web-identity|\bsts\s+assume-role\b|AWS_WEB_IDENTITY_TOKEN_FILE"
    r"|CIRCLE_OIDC_TOKEN|BITBUCKET_STEP_OIDC_TOKEN|aws_session_token|AWS_SESSION_TOKEN",
)
# A shell comment: a line that is one, or the rest of a line after a `#` that follows a
# blank (`${x#y}` and `a#b` are no comments).
_SHELL_COMMENT = re.compile(r"(?:^|(?<=\s))#[^\n]*", re.MULTILINE)


def shows_temporary(text: str) -> bool:
    """Whether a script (or any text of a job) shows :data:`TEMPORARY` credentials outside
    its shell comments: ``# no aws_session_token here`` is no sign of a role."""
    return TEMPORARY.search(text) is not None and (
        TEMPORARY.search(_SHELL_COMMENT.sub("", text)) is not None
    )


def is_credential(value: Any) -> bool:
    """A key variable's value that can hold a credential: a reference to another variable
    (``$NAME``, ``${NAME}``, CircleCI's ``<< parameters.x >>``) or a literal that looks
    like a real key. A placeholder such as ``test`` (moto, LocalStack) is not one."""
    if not isinstance(value, str) or not value.strip():
        return False
    return (
        "$" in value
        or "<<" in value
        or is_store_reference(value)
        or any(find_literals(f"aws secret: {value}"))
    )


def is_store_reference(value: Any) -> bool:
    """A 1Password secret reference (``op://vault/item/field``), which
    ``1password/load-secrets-action`` and ``op run`` replace with the secret as the job
    runs: the key is kept in 1Password, and is no less long-lived for it.
    https://developer.1password.com/docs/cli/secret-reference-syntax/"""
    return isinstance(value, str) and value.strip().startswith("op://")


def strings(node: Any) -> Iterator[str]:
    """Every string scalar under ``node`` (keys too), each node once."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            yield current
        elif (is_map(current) or is_seq(current)) and id(current) not in seen:
            seen.add(id(current))
            if is_map(current):
                for key, value in current.items():
                    stack.extend((key, value))
            else:
                stack.extend(current)


def has_key(node: Any, names: frozenset[str]) -> bool:
    """Whether a mapping under ``node`` has one of ``names`` with a non-empty value."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if not (is_map(current) or is_seq(current)) or id(current) in seen:
            continue
        seen.add(id(current))
        if is_map(current):
            for key, value in current.items():
                if str(key) in names and value not in (None, ""):
                    return True
                stack.append(value)
        else:
            stack.extend(current)
    return False


def mappings(root: Any) -> Iterator[tuple[str, Any]]:
    """(dotted route, mapping) of every mapping written in the document, each once (an
    alias is reached where its anchor is written)."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        route, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if is_map(node):
            yield route, node
            children = [(f"{route}.{k}" if route else str(k), v) for k, v in own_items(node)]
        elif is_seq(node):
            children = [(f"{route}[{i}]", v) for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed([(r, v) for r, v in children if is_map(v) or is_seq(v)]))


def locate(document: Document, start: tuple[int, int], text: str) -> tuple[int, int]:
    """1-based (line, column) of the first key use (:data:`KEY_USE`) in the file at or
    after 0-based ``start``, searching as many lines as the scalar ``text`` has (plus
    its indicator line); ``start`` itself when it cannot be found there."""
    lines = document.lines
    first = start[0]
    for number in range(first, min(len(lines), first + text.count("\n") + 2)):
        found = KEY_USE.search(lines[number])
        if found is not None:
            return number + 1, found.start() + 1
    return first + 1, start[1] + 1
