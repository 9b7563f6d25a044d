"""Jobs and steps GitHub never runs, set aside before a workflow is rewritten.

A job or step whose ``if:`` is false on GitHub as written (``false``, ``env.ACT``:
:mod:`.github_conditions`) never uses its keys there: the scan reports them ``low``. ``fix``
leaves such a job or step as it is and lists it, with the reason, among what it left:
rewriting it would change code that only runs elsewhere (under nektos/act, on a developer's
machine, where no OIDC token exists), and a job that never runs needs no role. Keys written
once for several jobs or steps (an alias) reach where any of them runs: they are set aside
only when every place that uses them never runs, as the scan judges them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from keyless.workflows.github import (
    GithubAnalysis,
    KeyEnv,
    KeyInputs,
    OtherActionKeys,
    ReusableCall,
    describe_step,
    jobs_of,
    steps_of,
)
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.handoffs import EnvHandOff
from keyless.workflows.model import Unfixed


@dataclass(frozen=True, slots=True)
class IdleSetAside:
    """The analysis without what never runs, the jobs that never run, and what was left."""

    analysis: GithubAnalysis
    idle_jobs: frozenset[str]
    unfixed: tuple[Unfixed, ...]


def set_aside_idle(analysis: GithubAnalysis) -> IdleSetAside:
    """``analysis`` without the key uses of jobs and steps GitHub never runs (each listed as
    left, with why), unless their keys are written where something that runs uses them."""
    root = analysis.document.root
    jobs: dict[str, str] = {}
    steps: dict[tuple[str, int], tuple[str, Any]] = {}
    for name, job in jobs_of(root):
        reason = not_on_github(job.get("if"))
        if reason is not None:
            jobs[name] = reason
            continue
        for index, step in steps_of(job):
            why = not_on_github(step.get("if"))
            if why is not None:
                steps[(name, index)] = (why, step)

    def idle(job: str | None, step: int | None) -> bool:
        return job in jobs or (job is not None and step is not None and (job, step) in steps)

    found: tuple[Any, ...] = (
        *analysis.key_inputs,
        *analysis.key_env,
        *analysis.other_actions,
        *analysis.scripts,
        *analysis.calls,
        *analysis.container_env,
        *analysis.env_handoffs,
    )
    # A call that passes no keys is no key use to set aside.
    found = tuple(i for i in found if not isinstance(i, ReusableCall) or i.keys)
    items = [
        (item, idle(item.job, getattr(item, "step_index", None)), _nodes(item)) for item in found
    ]
    # Keys an alias shares with something that runs stay, and with them whatever shares
    # them: repeated until nothing more is kept.
    aside = {id(item) for item, never, _ in items if never}
    changed = True
    while changed:
        kept = {node for item, _, nodes in items if id(item) not in aside for node in nodes}
        shared = {id(item) for item, _, nodes in items if id(item) in aside and kept & set(nodes)}
        changed = bool(shared)
        aside -= shared
    unfixed: dict[tuple[str, int | None], Unfixed] = {}
    workflow_keys = any(e.level == "workflow" for e in analysis.key_env) or any(
        h.level == "workflow" for h in analysis.env_handoffs
    )
    with_steps = [name for name, job in jobs_of(root) if "steps" in job]
    if workflow_keys and with_steps and all(name in jobs for name in with_steps):
        # The workflow's keys reach only jobs that never run: nothing rewrites them.
        for name in with_steps:
            why = f"the job does not run on GitHub: {jobs[name]}; left as it is"
            unfixed[(name, None)] = Unfixed(name, why)
    for item, _, _ in items:
        if id(item) not in aside:
            continue
        name = item.job
        if name in jobs:
            why = f"the job does not run on GitHub: {jobs[name]}; left as it is"
            unfixed.setdefault((name, None), Unfixed(name, why))
            continue
        index = item.step_index
        reason, step = steps[(name, index)]
        why = f"{describe_step(index, step)} does not run on GitHub: {reason}; left as it is"
        unfixed.setdefault((name, index), Unfixed(name, why))

    def keep(found: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(item for item in found if id(item) not in aside)

    remaining = replace(
        analysis,
        key_inputs=keep(analysis.key_inputs),
        key_env=keep(analysis.key_env),
        other_actions=keep(analysis.other_actions),
        scripts=keep(analysis.scripts),
        calls=tuple(call for call in analysis.calls if id(call) not in aside),
        container_env=keep(analysis.container_env),
        env_handoffs=keep(analysis.env_handoffs),
    )
    return IdleSetAside(remaining, frozenset(jobs), tuple(unfixed.values()))


def _nodes(item: Any) -> tuple[int, ...]:
    """The mappings (by identity) where ``item``'s keys are written."""
    if isinstance(item, KeyInputs | KeyEnv):
        return tuple(id(site.node) for site in item.sites)
    if isinstance(item, OtherActionKeys):
        return (id(item.inputs),)
    if isinstance(item, ReusableCall):
        return (id(item.secrets),)
    if isinstance(item, EnvHandOff):
        return (id(item.env),)
    return ()
