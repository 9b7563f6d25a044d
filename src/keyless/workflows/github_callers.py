"""What the callers among the files read give a local reusable workflow's inputs, and
what keyless cannot read of the reusable workflows of other repositories they call.

A job that calls a workflow of its repository (``uses: ./.github/workflows/x.yml``)
gives its inputs with ``with:``; the called workflow reads them as ``${{ inputs.NAME }}``,
its ``environment:`` included
(https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#using-inputs-and-secrets-in-a-reusable-workflow).
An input a caller does not give takes the default the called workflow declares under
``on.workflow_call.inputs``. Only literal values (or a value of the caller's own matrix)
are known; anything else is unknown, never guessed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from keyless.errors import quoted
from keyless.workflows.github import GithubAnalysis, jobs_of, shown_name
from keyless.workflows.matrix import expand
from keyless.workflows.yamldoc import is_map

_INPUT = re.compile(r"\$\{\{\s*inputs\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}", re.ASCII)
#: The most values one templated name expands to from its callers' inputs.
MAX_VALUES = 256


@dataclass(frozen=True, slots=True)
class CallerInputs:
    """One job that calls a local reusable workflow: who it is (``.github/workflows/
    deploy.yml job 'prod'``) and the values it gives each input (lower-case name →
    values; several when its matrix gives several, None when keyless cannot tell)."""

    caller: str
    values: Mapping[str, tuple[str, ...] | None]


def caller_inputs(workflows: Iterable[tuple[str, Any]]) -> dict[str, tuple[CallerInputs, ...]]:
    """``.github/workflows/x.yml`` → the jobs among ``workflows`` (each its path relative
    to the repository and its YAML root) that call it, with the inputs they give."""
    found: dict[str, list[CallerInputs]] = {}
    for path, root in workflows:
        for name, job in jobs_of(root):
            uses = job.get("uses")
            if not isinstance(uses, str) or not uses.startswith("./"):
                continue
            given = job.get("with")
            values = (
                {str(k).lower(): _values(v, job) for k, v in given.items()} if is_map(given) else {}
            )
            caller = CallerInputs(f"{path} job {quoted(name)}", MappingProxyType(values))
            found.setdefault(uses.split("@")[0].removeprefix("./"), []).append(caller)
    return {callee: tuple(callers) for callee, callers in found.items()}


def _values(value: Any, job: Any) -> tuple[str, ...] | None:
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, int | float):
        return (str(value),)
    if isinstance(value, str):
        return expand(value, job)
    return None


def from_callers(
    template: str, workflow: Any, callers: Sequence[CallerInputs]
) -> tuple[tuple[str, str], ...] | None:
    """Each value ``template`` (``${{ inputs.environment }}``, ``deploy-${{ inputs.stage
    }}``) takes as ``callers`` call the workflow, with the callers that give it; None
    when there are no callers, another expression is in it, or a value is unknown."""
    if not callers or "${{" in _INPUT.sub("", template):
        return None
    names = list(dict.fromkeys(m.group(1).lower() for m in _INPUT.finditer(template)))
    if not names:
        return None
    defaults = _defaults(workflow)
    results: dict[str, list[str]] = {}
    for caller in callers:
        choices: list[tuple[str, ...]] = []
        for name in names:
            values = caller.values[name] if name in caller.values else defaults.get(name)
            if values is None:
                return None
            choices.append(values)
        if math.prod(len(c) for c in choices) > MAX_VALUES:
            return None
        for combination in itertools.product(*choices):
            value = _substitute(template, dict(zip(names, combination, strict=True)))
            results.setdefault(value, []).append(caller.caller)
            if len(results) > MAX_VALUES:
                return None
    return tuple((value, _named(who)) for value, who in results.items())


def _named(callers: list[str], most: int = 3) -> str:
    unique = list(dict.fromkeys(callers))
    more = f" and {len(unique) - most} more" if len(unique) > most else ""
    return ", ".join(unique[:most]) + more


def _substitute(template: str, given: Mapping[str, str]) -> str:
    return _INPUT.sub(lambda m: given[m.group(1).lower()], template)


def _defaults(workflow: Any) -> dict[str, tuple[str, ...] | None]:
    """The declared default of each input of ``on.workflow_call`` (lower-case names)."""
    on: Any = workflow.get("on") if is_map(workflow) else None
    call: Any = on.get("workflow_call") if is_map(on) else None
    inputs: Any = call.get("inputs") if is_map(call) else None
    out: dict[str, tuple[str, ...] | None] = {}
    for name, spec in inputs.items() if is_map(inputs) else ():
        default = spec.get("default") if is_map(spec) else None
        if isinstance(default, bool):
            out[str(name).lower()] = ("true" if default else "false",)
        elif isinstance(default, int | float | str) and "${{" not in str(default):
            out[str(name).lower()] = (str(default),)
        else:
            out[str(name).lower()] = None
    return out


def inherited_elsewhere(analysis: GithubAnalysis, repository: str) -> list[str]:
    """A note for each job that gives every secret (``secrets: inherit``) to a reusable
    workflow of another repository, which keyless does not read: the caller's AWS key
    secrets, if it holds any, reach it, and it keeps using them whatever this rewrite
    does (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idsecretsinherit)."""
    notes = []
    for call in analysis.calls:
        owner_repo = "/".join(call.callee.split("/")[:2]).lower()
        if not call.inherit or call.is_local or owner_repo == repository.lower():
            continue
        notes.append(
            f"job {quoted(call.job)} passes every secret of this repository (`secrets: "
            f"inherit`) to {shown_name(call.callee)}, a workflow of another repository "
            "keyless does not read: it cannot tell whether that workflow uses AWS key "
            "secrets. If it does, it keeps using the long-lived keys after this rewrite: "
            "move it to OIDC in its own repository before the keys are retired, and pass it "
            "only the secrets it needs"
        )
    return notes
