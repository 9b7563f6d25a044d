"""The reusable commands a CircleCI job runs (https://circleci.com/docs/reusing-config/#authoring-reusable-commands).

A job's step can be a command of the configuration's own ``commands:`` (``- aws-auth``,
or ``- aws-auth: {role: …}``), and an orb step's ``auth:`` parameter is a list of steps
too (``aws-s3/sync`` with ``auth: [aws-auth]``). A command that assumes a role
(``aws-cli/setup`` given ``role_arn``, a script writing ``$CIRCLE_OIDC_TOKEN`` to the web
identity token file) does so for the job that runs it: the job's own text does not show
it, the command's does. Commands run commands: which of them does so, itself or through
those it runs, is worked out once per file (each command's body read once), so a file of
thousands of jobs and commands costs no more than reading it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq


def commands_that(root: Any, holds: Callable[[Any], bool]) -> frozenset[str]:
    """The names of ``root``'s ``commands:`` whose body ``holds``, or that run (as a
    step, at any depth) a command that does."""
    commands: Any = root.get("commands") if is_map(root) else None
    if not is_map(commands):
        return frozenset()
    names = {str(k) for k in commands}
    callers: dict[str, set[str]] = {}
    found: set[str] = set()
    for name, body in commands.items():
        if not is_map(body):
            continue
        for callee in invoked(body, names):
            callers.setdefault(callee, set()).add(str(name))
        if holds(body):
            found.add(str(name))
    pending = list(found)
    while pending:
        for caller in callers.get(pending.pop(), ()):
            if caller not in found:
                found.add(caller)
                pending.append(caller)
    return frozenset(found)


def runs_any(node: Any, commands: frozenset[str]) -> bool:
    """Whether ``node`` (a job, its steps, an orb step's parameters) runs one of
    ``commands`` as a step."""
    return bool(commands) and bool(invoked(node, commands))


def invoked(node: Any, names: set[str] | frozenset[str]) -> set[str]:
    """The names among ``names`` invoked as steps anywhere under ``node`` (``- name`` or
    ``- name: {parameters}`` in any list, an orb's ``auth:`` included)."""
    found: set[str] = set()
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if is_seq(current):
            for item in current:
                if isinstance(item, str) and item in names:
                    found.add(item)
                elif is_map(item) and len(item) == 1:
                    key = str(next(iter(item)))
                    if key in names:
                        found.add(key)
                stack.append(item)
        elif is_map(current):
            stack.extend(current.values())
    return found
