"""What a local GitHub action does with the inputs its callers give it, and the workflow
steps that give it AWS keys under names that do not say so.

:mod:`.github_action` reads an action's metadata into an :class:`ActionAnalysis`: the
places it uses AWS keys (:class:`KeySink`) and, for each input that reaches one, what it
does with it (a :data:`Route`). A step that runs a local action (``uses: ./path``) and
gives such an input a secret or variable uses static keys itself, whatever the names say
(:func:`with_local_actions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check
from keyless.workflows.action_files import local_action
from keyless.workflows.github import (
    GithubAnalysis,
    OtherActionKeys,
    jobs_of,
    shown_name,
    steps_of,
)
from keyless.workflows.github_values import (
    is_expression,
    is_output,
)
from keyless.workflows.hardcoded import find_literals
from keyless.workflows.model import WorkflowFile
from keyless.workflows.yamldoc import Document, is_map

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# `inputs.name` or `inputs['name']` inside an expression (names are case-insensitive);
# not `github.event.inputs.name`, a dispatched workflow's inputs.
_INPUT_REF = re.compile(
    r"(?<![\w.])inputs\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])", re.IGNORECASE
)

#: What an action does with an input: a verb and the rest of the phrase, the input names
#: between them (``hands`` access_key ``to aws-actions/… in its step 1``).
Route = tuple[str, str]


@dataclass(frozen=True, slots=True)
class KeySink:
    """One place in a composite action where AWS keys are used: the check it falls
    under, where it is written (a mapping and its key), and the action's inputs that
    feed it."""

    check: Check
    node: Any
    key: str
    route: str
    message: str
    inputs: tuple[str, ...]
    #: The inputs among them that feed a session token (temporary credentials).
    session: tuple[str, ...] = ()
    #: The key names written there (``AWS_ACCESS_KEY_ID``, ``aws-session-token``…).
    keys: tuple[str, ...] = ()
    #: Why the step never runs on GitHub (its ``if:``, :mod:`.github_conditions`), or
    #: None when it may run.
    not_on_github: str | None = None


@dataclass(frozen=True, slots=True)
class ActionAnalysis:
    """What one action's metadata says about AWS keys: how it runs (``using``), where
    its steps use keys, and ``routes``: each input (lower case) that reaches one of
    those places → what the action does with it, as a verb and the rest of the phrase
    that names the inputs between them (``("hands", "to … in its step 1")``)."""

    document: Document
    using: str | None
    sinks: tuple[KeySink, ...]
    routes: Mapping[str, Route]
    #: The inputs (lower case) that feed a session token: given outputs of a step that
    #: obtained temporary credentials, the keys beside them are temporary too.
    session: frozenset[str] = frozenset()


def inputs_in(text: str) -> tuple[str, ...]:
    """The inputs the ``${{ … }}`` expressions of ``text`` read, as written there."""
    found = [
        m.group(1) or m.group(2)
        for expression in _EXPRESSION.findall(text)
        for m in _INPUT_REF.finditer(expression)
    ]
    return unique_inputs(found)


def unique_inputs(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` without repeats (input names are case-insensitive), first spelling kept."""
    seen: dict[str, str] = {}
    for item in names:
        seen.setdefault(item.lower(), item)
    return tuple(seen.values())


def holds_credential(value: Any) -> bool:
    """Whether an input's value can be a credential: an expression (a secret, variable,
    input or output) or a literal that looks like a key; a plain word is not one."""
    return is_expression(value) or (
        isinstance(value, str) and any(find_literals(f"aws secret: {value}"))
    )


def fed_by(values: Iterable[Any]) -> tuple[str, ...]:
    return unique_inputs(
        item for value in values if isinstance(value, str) for item in inputs_in(value)
    )


def action_key(path: Path) -> Path:
    """The key an action is known by: its resolved path (the path itself when it cannot
    be resolved)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def routed_inputs(
    file: WorkflowFile, uses: str, inputs: Any, others: Mapping[Path, ActionAnalysis]
) -> tuple[dict[str, Route], tuple[str, ...]]:
    """The inputs given to the local action ``uses`` that it routes into AWS keys, each
    with what it does with them (empty for any other action), and those of them that
    feed a session token."""
    if not uses.strip().startswith("./"):
        return {}, ()
    target = local_action(file.repository_root, uses.strip())
    action = others.get(action_key(target)) if isinstance(target, Path) else None
    if action is None or not action.routes:
        return {}, ()
    routed = {
        str(k): action.routes[str(k).lower()]
        for k, v in inputs.items()
        if str(k).lower() in action.routes and holds_credential(v)
    }
    return routed, tuple(k for k in routed if k.lower() in action.session)


def hands_on_temporary(inputs: Any, keys: Iterable[str], session: Iterable[str]) -> bool:
    """Whether the keys given are temporary credentials handed on: one feeds a session
    token and every one is another step's or job's output (as :func:`is_temporary`)."""
    return bool(tuple(session)) and all(is_output(inputs.get(k)) for k in keys)


def why_routed(routed: Mapping[str, Route], keys: Iterable[str], named: Iterable[str]) -> list[str]:
    """What the action does with the inputs keyless found by routing alone (those named
    for keys need no explanation): ``hands access_key, secret to … in its step 1``."""
    shown: dict[Route, list[str]] = {}
    for key in keys:
        if key in routed and key not in named:
            shown.setdefault(routed[key], []).append(shown_name(key))
    return [f"{verb} {', '.join(inputs)} {rest}" for (verb, rest), inputs in shown.items()]


def with_local_actions(
    analysis: GithubAnalysis, file: WorkflowFile, actions: Mapping[Path, ActionAnalysis]
) -> GithubAnalysis:
    """``analysis`` with the steps that give a local action keys under names that do not
    say so (``access_key: ${{ secrets.SCCACHE_KEY }}`` to an action that writes it into
    an AWS profile) added to its other actions given keys. A step already found by its
    names gains the routed inputs it lacked; it is never reported twice."""
    root = analysis.document.root
    others = list(analysis.other_actions)
    changed = False
    for job_name, job in jobs_of(root):
        for number, step in steps_of(job):
            uses, inputs = step.get("uses"), step.get("with")
            if not isinstance(uses, str) or not is_map(inputs):
                continue
            routed, session = routed_inputs(file, uses, inputs, actions)
            if not routed or hands_on_temporary(inputs, routed, session):
                continue
            at = next(
                (i for i, o in enumerate(others) if (o.job, o.step_index) == (job_name, number)),
                None,
            )
            named = others[at].keys if at is not None else ()
            keys = tuple(str(k) for k in inputs if str(k) in named or str(k) in routed)
            if keys == named:
                continue
            record = OtherActionKeys(
                job_name,
                number,
                uses,
                inputs,
                keys,
                tuple(why_routed(routed, keys, named)),
                tuple(k for k in session if k in keys),
            )
            if at is None:
                others.append(record)
            else:
                others[at] = record
            changed = True
    if not changed:
        return analysis
    return replace(analysis, other_actions=tuple(others))
