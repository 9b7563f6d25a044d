"""GitHub Actions: keys meant for another store than AWS (Cloudflare R2, MinIO, an
endpoint off ``amazonaws.com``), as the scan judges them (:mod:`.github_checks` reports
no such keys) and ``fix`` leaves them (:mod:`.github_fix`): one rule for both, from a
step's or job's ``env:``, inputs and ``run:`` (:mod:`.evidence`)."""

from __future__ import annotations

import re
from typing import Any

from keyless.workflows.evidence import (
    endpoint_evidence,
    unseen_endpoint_note,
    unseen_endpoints,
)
from keyless.workflows.github import GithubAnalysis, KeyEnv, steps_of
from keyless.workflows.yamldoc import is_map, is_seq, scalar_text

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


def step_evidence(step: Any) -> tuple[str, ...]:
    """Why one step's keys are for an S3-compatible store or another endpoint, not AWS.
    An endpoint kept in a secret or variable (``S3_API_ENDPOINT: ${{ secrets.X }}``) is
    none: it may be AWS's as well (:func:`unseen_note`)."""
    variables, texts = _step_text(step)
    sources = [v for k, v in variables if _KEY_VALUE.fullmatch(k)]
    return endpoint_evidence(variables, texts, sources, unseen=False)


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
    them. A job's keys count only when the job holds one key pair and its own ``env:``
    says so."""
    if env.level == "step" and env.step_index is not None:
        step = step_at(analysis, env.job, env.step_index)
        return step is not None and bool(step_evidence(step))
    if env.level == "job" and env.job is not None:
        steps = job_steps(analysis, env.job)
        job = analysis.jobs[env.job]
        # Each key ID the job names, as text (a nested list never is: aliases ten deep).
        ids = [env.env.get("AWS_ACCESS_KEY_ID")]
        ids += [s["with"].get("aws-access-key-id") for s in steps.values() if is_map(s.get("with"))]
        pairs = {t for v in ids if v is not None and (t := scalar_text(v)) is not None}
        if len(pairs) > 1:
            return False
        # The job's own env must say so (an endpoint variable, a store's host, keys named
        # for a store): one step that talks to an emulator does not make the keys not AWS.
        return bool(step_evidence({"env": job.get("env")}))
    return False


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
        or (any(e.level == "workflow" for e in analysis.key_env) and "steps" in jobs[job])
        or any(e.job == job for e in analysis.container_env)  # reported, whatever the steps'
    ):
        return False
    envs = [e for e in analysis.key_env if e.job == job]
    others = [o for o in analysis.other_actions if o.job == job]
    if not envs and not others:
        return False
    steps = job_steps(analysis, job)
    return all(for_another_store(analysis, e) for e in envs) and all(
        o.step_index in steps and bool(step_evidence(steps[o.step_index])) for o in others
    )
