"""The line edits of a GitHub workflow's rewrite, once :mod:`.github_fix` has decided
which jobs are rewritten: key inputs of configure-aws-credentials replaced by
``role-to-assume``, the credentials step inserted before the first step that needs AWS,
and a called workflow's key secrets declared optional. Each edit replaces whole lines,
written by ruamel.yaml's emitter (:mod:`.yamlout`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keyless.errors import quoted
from keyless.workflows.edits import Plan, entry_with_comments
from keyless.workflows.github import GithubAnalysis, KeyEnv, Site, describe_step
from keyless.workflows.github_insertion import (
    insertion_target,
    region_for,
    unseen_use,
    without_credentials,
)
from keyless.workflows.github_profile_steps import replaceable_steps
from keyless.workflows.model import FixOptions
from keyless.workflows.patch import Edit, block_end, dash_line, leading_comments_start
from keyless.workflows.yamldoc import is_map, item_position, own_items, value_position
from keyless.workflows.yamlout import item_lines, layout_of, mapping_lines

INSERTED_ACTION = "aws-actions/configure-aws-credentials@v4"


def env_sites(
    analysis: GithubAnalysis, name: str, workflow_env: KeyEnv | None, job: Any
) -> list[Site]:
    sites = [s for e in analysis.key_env if e.job == name for s in e.sites]
    if workflow_env is not None and "steps" in job:
        sites += list(workflow_env.sites)
    return sites


def rewrite_key_inputs(
    result: Plan, analysis: GithubAnalysis, name: str, role: str, options: FixOptions
) -> None:
    lines = analysis.document.lines
    for item in (k for k in analysis.key_inputs if k.job == name):
        inputs = item.inputs
        own = [k for k, _ in own_items(inputs)]
        for position, key in enumerate(k for k in item.keys if k in own):
            start, end, column = entry_with_comments(lines, inputs, key)
            new: dict[str, str] = {}
            if position == 0 and "role-to-assume" not in inputs:
                new["role-to-assume"] = role
                if "aws-region" not in inputs and options.region:
                    new["aws-region"] = options.region
            edits = tuple(mapping_lines(new, column, result.layout)) if new else ()
            result.edits.append(Edit(start, end, edits))


def insert_credentials_step(
    result: Plan,
    analysis: GithubAnalysis,
    name: str,
    job: Any,
    role: str,
    options: FixOptions,
    composites: Mapping[str, str | None],
) -> None:
    skipped = without_credentials(analysis, name, job)
    if skipped is not None:
        result.notes.append(skipped)
        return
    target = insertion_target(analysis, name, job, composites)
    if target is None:
        return
    unseen = unseen_use(analysis, name, job)
    if unseen is not None:
        result.notes.append(unseen)
    region = region_for(options, analysis.document.root, job, target)
    if region is None:  # find_blockers has left such a job; never reached for a rewrite
        return
    lines = analysis.document.lines
    root = analysis.document.root
    layout = layout_of(root, (root.get("jobs"), name))  # the job's own indentation
    line, column = item_position(job["steps"], target)
    dash, dash_column = dash_line(lines, line, column)
    start = leading_comments_start(lines, dash, dash_column)
    step = {
        "name": "Configure AWS credentials (OIDC)",
        "uses": INSERTED_ACTION,
        "with": {"role-to-assume": role, "aws-region": region},
    }
    result.edits.append(
        Edit(start, start, tuple(item_lines(step, dash_column, column, layout)), order=1)
    )


def remove_profile_steps(result: Plan, analysis: GithubAnalysis, name: str, job: Any) -> set[int]:
    """Remove the steps of job ``name`` that only wrote the key pair into the profile
    (:mod:`.github_profile_steps`): the credentials step inserted before them stands in.
    The ``id`` of each removed step's ``env:`` (its key entries go with it)."""
    lines = analysis.document.lines
    steps = job.get("steps")
    removed: set[int] = set()
    for profile in replaceable_steps(analysis, name, job):
        step = steps[profile.index]
        line, column = item_position(steps, profile.index)
        dash, dash_column = dash_line(lines, line, column)
        start = leading_comments_start(lines, dash, dash_column)
        result.edits.append(Edit(start, block_end(lines, dash, dash_column)))
        removed.add(id(step.get("env")))
        result.notes.append(
            f"job {quoted(name)}: {describe_step(profile.index, step)} wrote the key pair into "
            "the AWS CLI's profile; removed, the credentials step before it exports the role's "
            "credentials and region instead"
        )
    return removed


def optional_key_secrets(lines: Sequence[str], root: Any) -> list[Edit]:
    # A called workflow keeps declaring the key secrets (other callers may still pass
    # them; passing an undeclared secret is an error) but no longer requires them.
    on = root.get("on")
    call: Any = on.get("workflow_call") if is_map(on) else None
    secrets = call.get("secrets") if is_map(call) else None
    edits = []
    for name, spec in own_items(secrets):
        if is_map(spec) and spec.get("required") is True and _is_key_name(str(name)):
            line, column = value_position(spec, "required")
            text = lines[line]
            rest = text[column + len("true") :].rstrip("\r\n")
            edits.append(Edit(line, line + 1, (text[:column] + "false" + rest,)))
    return edits


def _is_key_name(name: str) -> bool:
    upper = name.upper()
    return "AWS" in upper and ("KEY" in upper or "TOKEN" in upper)
