"""The reusable commands a CircleCI job runs (https://circleci.com/docs/reusing-config/#authoring-reusable-commands).

A job's step can be a command of the configuration's own ``commands:`` (``- aws-auth``,
or ``- aws-auth: {role: …}``), and an orb step's ``auth:`` parameter is a list of steps
too (``aws-s3/sync`` with ``auth: [aws-auth]``). A command that assumes a role
(``aws-cli/setup`` given ``role_arn``, a script writing ``$CIRCLE_OIDC_TOKEN`` to the web
identity token file) does so for the job that runs it: the job's own text does not show
it, the command's does. Commands run commands; each is followed once, so a cycle ends.
"""

from __future__ import annotations

from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq

#: How many commands deep a job's steps are followed (CircleCI has no documented limit).
MAX_DEPTH = 50


def with_commands(root: Any, node: Any) -> list[Any]:
    """``node`` (a job, a step or its parameters) and the bodies of the commands of
    ``root``'s ``commands:`` it runs, directly or through other commands, each once."""
    commands: Any = root.get("commands") if is_map(root) else None
    if not is_map(commands):
        return [node]
    out = [node]
    seen: set[str] = set()
    pending = [(node, 0)]
    while pending:
        current, depth = pending.pop()
        for name in _invoked(current, commands):
            body = commands.get(name)
            if name in seen or not is_map(body) or depth >= MAX_DEPTH:
                continue
            seen.add(name)
            out.append(body)
            pending.append((body, depth + 1))
    return out


def _invoked(node: Any, commands: Any) -> list[str]:
    """The names of commands invoked as steps anywhere under ``node`` (``- name`` or
    ``- name: {parameters}`` in any list of steps, an orb's ``auth:`` included)."""
    found: list[str] = []
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if is_seq(current):
            for item in current:
                if isinstance(item, str) and item in commands:
                    found.append(item)
                elif is_map(item) and len(item) == 1:
                    key = str(next(iter(item)))
                    if key in commands:
                        found.append(key)
                stack.append(item)
        elif is_map(current):
            stack.extend(current.values())
    return found
