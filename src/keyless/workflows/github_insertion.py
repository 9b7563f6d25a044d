"""Where ``fix`` inserts a GitHub job's credentials step, and the region it gives it.

The step goes before the first step given keys in its own ``env:`` (or a local composite
action given them), or before the first step that seems to call AWS when the job's or
workflow's ``env:`` holds them; none is inserted when configure-aws-credentials already
runs earlier or itself assumes a role. Steps GitHub never runs count for neither. Its
``aws-region`` is the one the job already names, else ``--region`` (:func:`region_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.workflows.github import GithubAnalysis, is_configure_action, steps_of
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.model import FixOptions
from keyless.workflows.values import is_context_expression, is_region
from keyless.workflows.yamldoc import is_map

_REGION_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION")
# Steps that never call AWS, so the credentials step can go after them.
_AWS_AGNOSTIC = ("actions/checkout@", "actions/setup-", "actions/cache@")


def region_for(options: FixOptions, root: Any, job: Any, target: int | None) -> str | None:
    """The region for an inserted credentials step before step ``target``: the step's own
    ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the job's or workflow's (as
    ``${{ env.NAME }}``), else the ``aws-region`` the job's configure-aws-credentials
    steps give, else one that every step setting it agrees on, else
    ``--region``; None when there is none. Values read from the workflow are used only
    when they are a region name or a plain ``${{ context.NAME }}`` lookup."""
    steps = dict(steps_of(job))
    if target is not None and target in steps:
        value = _region_value(steps[target].get("env"))
        if value is not None:
            return value
    scopes: list[Any] = [job.get("env"), root.get("env") if is_map(root) else None]
    for scope in scopes:
        for name in _REGION_NAMES if is_map(scope) else ():
            if name in scope:
                return f"${{{{ env.{name} }}}}"
    # The region the job's configure-aws-credentials steps already name (one they agree on).
    inputs = {
        _usable_region(step["with"].get("aws-region"))
        for step in steps.values()
        if is_configure_action(step) and is_map(step.get("with"))
    } - {None}
    if len(inputs) == 1:
        return inputs.pop()
    values = {_region_value(step.get("env")) for step in steps.values()} - {None}
    if len(values) == 1:
        return values.pop()
    return options.region


def _usable_region(value: Any) -> str | None:
    if isinstance(value, str) and (is_region(value) or is_context_expression(value)):
        return value
    return None


def _region_value(env: Any) -> str | None:
    if not is_map(env):
        return None
    for name in _REGION_NAMES:
        value = env.get(name)
        if isinstance(value, str) and (is_region(value) or is_context_expression(value)):
            return value
    return None


def insertion_target(
    analysis: GithubAnalysis, name: str, job: Any, composites: Mapping[str, str | None]
) -> int | None:
    """The step before which a credentials step goes, or None when none is needed: the
    first step given keys in its own env (or a local composite action given them as
    inputs), or the first step that seems to call AWS when the job's or workflow's env
    holds them; unless a configure-aws-credentials step already runs earlier."""
    targets = [
        e.step_index
        for e in analysis.key_env
        if e.job == name and e.level == "step" and e.step_index is not None
    ]
    targets += [
        o.step_index
        for o in analysis.other_actions
        if o.job == name and o.action in composites and composites[o.action] is None
    ]
    if any(e.level == "workflow" or (e.job == name and e.level == "job") for e in analysis.key_env):
        first = next((i for i, s in _running_steps(job) if needs_aws(s)), None)
        if first is not None:
            targets.append(first)
    if not targets or ("steps" not in job):
        return None
    target = min(targets)
    if any(
        i < target and is_configure_action(s) and is_map(s.get("with"))
        for i, s in _running_steps(job)
    ):
        return None
    # The step given the keys in its own env is configure-aws-credentials assuming a role
    # (role chaining from the keys): without them it assumes that role with the job's OIDC
    # token itself, so no step goes before it.
    step = dict(steps_of(job)).get(target)
    if step is not None and _assumes_a_role(step):
        return None
    return target


def _running_steps(job: Any) -> list[tuple[int, Any]]:
    """The job's steps but those GitHub never runs (``if: false``, ``env.ACT``:
    :mod:`.github_conditions`): a credentials step for local runs configures nothing on
    GitHub, so the inserted step still goes before the first step that runs and needs AWS."""
    return [(i, step) for i, step in steps_of(job) if not_on_github(step.get("if")) is None]


def _assumes_a_role(step: Any) -> bool:
    """configure-aws-credentials given a role and not told to chain from the credentials
    already in the environment (``role-chaining: true`` needs the step inserted before)."""
    inputs = step.get("with")
    return (
        is_configure_action(step)
        and is_map(inputs)
        and isinstance(inputs.get("role-to-assume"), str)
        and str(inputs.get("role-chaining", "")).lower() != "true"
    )


def needs_aws(step: Any) -> bool:
    """Whether a step may call AWS (anything but checkout, setup-* and cache)."""
    uses = step.get("uses")
    if isinstance(uses, str):
        return not uses.startswith(_AWS_AGNOSTIC) and not is_configure_action(step)
    return "run" in step
