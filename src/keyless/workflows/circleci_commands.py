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


#: The parameters that give an AWS orb's command a role (``role-arn`` before aws-cli 4).
ROLE_KEYS = frozenset({"role_arn", "role-arn"})
#: aws-cli's ``role_arn_setup`` (``role-arn-setup`` before 4): it writes a profile that
#: assumes ``role_arn`` from ``source_profile``, the keys ``setup`` wrote
#: (https://github.com/CircleCI-Public/aws-cli-orb, src/scripts/role-arn-setup.sh), so
#: its role is chained from long-lived keys, not exchanged for the job's OIDC token.
_CHAINING_COMMANDS = frozenset({"role_arn_setup", "role-arn-setup"})


def gives_oidc_role(node: Any) -> bool:
    """Whether a mapping under ``node`` gives a role (``role_arn`` with a value) that an
    orb exchanges the job's OIDC token for: any but a ``role_arn_setup`` step's."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if not (is_map(current) or is_seq(current)) or id(current) in seen:
            continue
        seen.add(id(current))
        if is_seq(current):
            stack.extend(current)
            continue
        if len(current) == 1 and is_chaining(next(iter(current))):
            continue
        for key, value in current.items():
            if str(key) in ROLE_KEYS and value not in (None, ""):
                return True
            stack.append(value)
    return False


def is_chaining(name: Any) -> bool:
    """``aws-cli/role_arn_setup`` under any alias."""
    _, _, command = str(name).partition("/")
    return command in _CHAINING_COMMANDS
