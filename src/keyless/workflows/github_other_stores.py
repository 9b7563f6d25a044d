"""GitHub Actions: keys meant for another store than AWS (Cloudflare R2, MinIO, an
endpoint off ``amazonaws.com``), as the scan judges them (:mod:`.github_checks` reports
no such keys) and ``fix`` leaves them (:mod:`.github_fix`, :mod:`.github_blockers`): one
rule for both, from a step's or job's ``env:``, inputs and ``run:`` (:mod:`.evidence`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from keyless.workflows.evidence import (
    calls_aws,
    endpoint_evidence,
    unseen_endpoint_note,
    unseen_endpoints,
)
from keyless.workflows.github import GithubAnalysis, KeyEnv, steps_of
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.yamldoc import anchor_of, is_map, is_seq, scalar_text

_KEY_VALUE = re.compile(
    r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws[-_]access[-_]key[-_]id|aws[-_]secret[-_]access[-_]key",
    re.IGNORECASE,
)


def job_steps(analysis: GithubAnalysis, job: str | None) -> dict[int, Any]:
    """The steps of ``job`` by index (none for the workflow level, ``job`` None)."""
    node = analysis.jobs.get(job) if job is not None else None
    return dict(steps_of(node)) if node is not None else {}


def step_at(analysis: GithubAnalysis, job: str | None, index: int | None) -> Any:
    """Step ``index`` of ``job`` (a mapping), or None: looked up, not listed with the
    job's other steps (asked once per key site, thousands in a long job)."""
    node = analysis.jobs.get(job) if job is not None else None
    steps: Any = node.get("steps") if node is not None else None
    if index is None or not is_seq(steps) or not 0 <= index < len(steps):
        return None
    step = steps[index]
    return step if is_map(step) else None


def _step_text(step: Any) -> tuple[list[tuple[str, str]], list[str]]:
    variables = [
        (str(k), v)
        for mapping in (step.get("env"), step.get("with"))
        if is_map(mapping)
        for k, v in mapping.items()
        if isinstance(v, str)
    ]
    texts = [v for _, v in variables]
    if isinstance(step.get("run"), str):
        texts.append(step["run"])
    return variables, texts


def step_evidence(step: Any, *, emulators: bool = True) -> tuple[str, ...]:
    """Why one step's keys are for an S3-compatible store or another endpoint, not AWS.
    An endpoint kept in a secret or variable (``S3_API_ENDPOINT: ${{ secrets.X }}``) is
    none: it may be AWS's as well (:func:`unseen_note`); without ``emulators``, nor is a
    local emulator's (:func:`~keyless.workflows.evidence.endpoint_evidence`)."""
    variables, texts = _step_text(step)
    sources = [v for k, v in variables if _KEY_VALUE.fullmatch(k)]
    return endpoint_evidence(variables, texts, sources, unseen=False, emulators=emulators)


def job_evidence(workflow_env: Any, job: Any) -> tuple[str, ...]:
    """Why the keys a job gets from its own ``env:`` (or the workflow's) are another
    store's: that ``env:`` says so (an endpoint, a store's host, keys named for a store),
    or the steps that run with them talk to another store (an R2 host in a ``run:``, an
    endpoint off AWS in a step's ``env:`` or inputs) and none calls AWS itself
    (:func:`steps_elsewhere`). The one rule of the scan (:func:`for_another_store`) and
    ``fix`` (:mod:`.github_blockers`)."""
    found = list(_env_evidence(workflow_env, job))
    steps, plain = _steps_evidence(job)
    return tuple(dict.fromkeys(found if plain else [*found, *steps]))


def steps_elsewhere(workflow_env: Any, job: Any) -> tuple[str, ...]:
    """What steps that run with a job's ``env:`` keys show of another store, when another
    step calls AWS with them (``aws s3 sync …`` without an endpoint, an ``aws-actions/``
    action) and the ``env:`` itself says nothing: the keys are reported as AWS's, and
    ``fix`` leaves the job for a person, since a role would not serve the other store.

    A step that sets keys of its own does not run with the job's, nor one GitHub never
    runs (:mod:`.github_conditions`); a step that talks to a local emulator (LocalStack)
    says nothing: it takes any keys, AWS's too."""
    if _env_evidence(workflow_env, job):
        return ()
    steps, plain = _steps_evidence(job)
    return steps if plain else ()


def _env_evidence(workflow_env: Any, job: Any) -> tuple[str, ...]:
    found: list[str] = []
    if is_map(workflow_env) and "steps" in job:
        found += step_evidence({"env": workflow_env})
    found += step_evidence({"env": job.get("env")})
    return tuple(found)


def _steps_evidence(job: Any) -> tuple[tuple[str, ...], bool]:
    """(what the steps that run with the job's keys show of another store, whether one of
    them calls AWS plainly)."""
    found: list[str] = []
    plain = False
    for _, step in running_steps(job):
        if _sets_keys(step):
            continue
        shown = step_evidence(step, emulators=False)
        found += shown
        plain = plain or (not shown and _calls_aws(step))
    return tuple(dict.fromkeys(found)), plain


def _calls_aws(step: Any) -> bool:
    """Whether a step visibly calls AWS with the keys it runs with: an ``aws`` command
    with no endpoint of its own, or an ``aws-actions/`` action."""
    uses = step.get("uses")
    if isinstance(uses, str) and uses.lower().startswith("aws-actions/"):
        return True
    run = step.get("run")
    return isinstance(run, str) and calls_aws(run)


def running_steps(job: Any) -> Iterator[tuple[int, Any]]:
    """The job's steps but those GitHub never runs (:mod:`.github_conditions`): an
    ``env.ACT`` step's keys and endpoint (LocalStack, for local runs) are not the job's."""
    return ((i, step) for i, step in steps_of(job) if not_on_github(step.get("if")) is None)


def _sets_keys(step: Any) -> bool:
    """Whether a step gives its own keys (its ``env:`` or an action's inputs)."""
    return any(
        is_map(mapping) and any(_KEY_VALUE.fullmatch(str(k)) for k in mapping)
        for mapping in (step.get("env"), step.get("with"))
    )


def unseen_note(steps: list[Any]) -> str:
    """For keys reported beside an endpoint that names no host (a secret's, a
    variable's), what keyless cannot tell: AWS's endpoint or another store's. ``fix``
    leaves such a job for a person, saying the same (:mod:`.github_blockers`)."""
    found: list[str] = []
    for step in steps:
        if isinstance(step, dict):  # a step, or an env: wrapped as one
            found += [e for e in unseen_endpoints(*_step_text(step)) if e not in found]
    return unseen_endpoint_note(found)


def for_another_store(analysis: GithubAnalysis, env: KeyEnv) -> bool:
    """Keys in a step's or job's ``env:`` that serve an S3-compatible store or another
    endpoint (Cloudflare R2, MinIO…): not AWS credentials, and no AWS role can replace
    them. A job's keys count only when the job holds one key pair and its ``env:`` or the
    steps that run with them say so (:func:`job_evidence`), and so does every other job
    given the same keys through an anchor (``env: *aws``, ``<<: *aws``)."""
    if env.level == "step" and env.step_index is not None:
        step = step_at(analysis, env.job, env.step_index)
        return step is not None and bool(step_evidence(step))
    if env.level == "job" and env.job is not None:
        return all(
            other.level == "job" and _job_keys_elsewhere(analysis, other)
            for other in _sharing(analysis, env)
        )
    if env.level == "workflow":
        # Every job of steps runs with the workflow's env (a called workflow's does not).
        jobs = [name for name, job in analysis.jobs.items() if is_map(job) and "steps" in job]
        return bool(jobs) and all(
            _keys_elsewhere(analysis, name, env.env.get("AWS_ACCESS_KEY_ID")) for name in jobs
        )
    return False


def _sharing(analysis: GithubAnalysis, env: KeyEnv) -> list[KeyEnv]:
    """The envs given the keys ``env`` gets: itself, and those an anchor of its sites
    reaches (a site without an anchor is no one else's; others are looked for only then)."""
    shared = {id(site.node) for site in env.sites if anchor_of(site.node) is not None}
    if not shared:
        return [env]
    return [e for e in analysis.key_env if any(id(site.node) in shared for site in e.sites)]


def _job_keys_elsewhere(analysis: GithubAnalysis, env: KeyEnv) -> bool:
    """Whether the job of a job-level ``env:`` holds one key pair and sends it to
    another store (:func:`job_evidence`)."""
    if env.job is None:
        return False
    return _keys_elsewhere(analysis, env.job, env.env.get("AWS_ACCESS_KEY_ID"))


def _keys_elsewhere(analysis: GithubAnalysis, name: str, key_id: Any) -> bool:
    """Whether job ``name``, given the key ID ``key_id`` by an ``env:`` around it, holds
    one key pair and sends it to another store (:func:`job_evidence`)."""
    if name not in analysis.jobs:
        return False
    steps = job_steps(analysis, name)
    job = analysis.jobs[name]
    # Each key ID the job names, as text (a nested list never is: aliases ten deep).
    ids = [key_id]
    if is_map(job.get("env")):
        ids.append(job["env"].get("AWS_ACCESS_KEY_ID"))
    ids += [s["with"].get("aws-access-key-id") for s in steps.values() if is_map(s.get("with"))]
    pairs = {t for v in ids if v is not None and (t := scalar_text(v)) is not None}
    if len(pairs) > 1:
        return False
    root = analysis.document.root
    return bool(job_evidence(root.get("env") if is_map(root) else None, job))


def keys_for_another_store(analysis: GithubAnalysis, job: str) -> bool:
    """Every key ``job`` uses serves an S3-compatible store or another endpoint, as the
    scan judges it (and so reports none of them): ``workflows fix`` leaves such a job
    alone rather than listing it as work for a person."""
    jobs = analysis.jobs
    if job not in jobs:
        return False
    if (
        any(k.job == job for k in analysis.key_inputs)
        or any(s.job == job for s in analysis.scripts)
        or any(c.job == job and c.keys for c in analysis.calls)
        or any(h.job in (job, None) for h in analysis.env_handoffs)
        or any(e.job == job for e in analysis.container_env)  # reported, whatever the steps'
    ):
        return False
    around = [e for e in analysis.key_env if e.level == "workflow"] if "steps" in jobs[job] else []
    envs = [e for e in analysis.key_env if e.job == job] + around
    others = [o for o in analysis.other_actions if o.job == job]
    if not envs and not others:
        return False
    steps = job_steps(analysis, job)
    return all(for_another_store(analysis, e) for e in envs) and all(
        o.step_index in steps and bool(step_evidence(steps[o.step_index])) for o in others
    )
