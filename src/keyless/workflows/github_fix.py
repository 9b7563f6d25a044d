"""Rewriting a GitHub workflow from static AWS keys to OIDC, as targeted line edits.

For each job that receives keys: key inputs of configure-aws-credentials become
``role-to-assume``; key variables leave ``env:`` and a configure-aws-credentials step is
inserted before the first step that needs AWS (it exports temporary credentials to the
steps after it); the job is granted ``id-token: write`` with its other token permissions
unchanged (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
"""

from __future__ import annotations

from typing import Any

from keyless.errors import InputError
from keyless.workflows.edits import (
    Plan,
    entry_column,
    insert_before_first_key,
    key_block,
    remove_entries,
)
from keyless.workflows.github import (
    GithubAnalysis,
    KeyEnv,
    is_called_workflow,
    is_configure_action,
    jobs_of,
    steps_of,
)
from keyless.workflows.model import FixOptions, JobRewrite
from keyless.workflows.patch import Edit, dash_line, leading_comments_start
from keyless.workflows.subjects import github_subjects
from keyless.workflows.yamldoc import (
    is_flow,
    is_map,
    item_position,
    own_items,
    value_position,
)

INSERTED_ACTION = "aws-actions/configure-aws-credentials@v4"
# Steps that never call AWS, so the credentials step can go after them.
_AWS_AGNOSTIC = ("actions/checkout@", "actions/setup-", "actions/cache@")
# The GITHUB_TOKEN scopes, to expand `read-all` when a job needs one more permission:
# https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions
# `attestations` is left out: actionlint releases before 1.7 reject it.
_SCOPES = (
    "actions", "checks", "contents", "deployments", "discussions",
    "issues", "packages", "pages", "pull-requests", "repository-projects",
    "security-events", "statuses",
)  # fmt: skip
NARROW_PERMISSIONS_NOTE = (
    "the workflow declared no permissions, so the job now gets only `contents: read` "
    "and `id-token: write`; it may need more"
)


def role_expression(options: FixOptions) -> str:
    """The value of ``role-to-assume``: the ARN, or ``${{ vars.NAME }}`` / secrets."""
    if options.role.arn is not None:
        return options.role.arn
    reference = options.role.reference or ""
    if not reference.startswith(("vars.", "secrets.")):
        reference = f"vars.{reference}"
    return f"${{{{ {reference} }}}}"


def plan(
    analysis: GithubAnalysis,
    options: FixOptions,
    repository: str,
    fixed_callees: frozenset[str] = frozenset(),
) -> Plan:
    """Plan the rewrite of one workflow. ``fixed_callees`` are the ``./…`` paths of local
    reusable workflows that are being rewritten in the same run (their callers must grant
    ``id-token: write``: a called workflow cannot have more than its caller)."""
    result = Plan()
    root = analysis.document.root
    lines = analysis.document.lines
    local_calls = [c for c in analysis.calls if c.is_local and _norm(c.callee) in fixed_callees]
    if not analysis.has_static_keys and not local_calls:
        return result
    role = role_expression(options)
    workflow_env = next((e for e in analysis.key_env if e.level == "workflow"), None)
    affected: dict[str, Any] = {}
    for name, job in jobs_of(root):
        touched = (
            any(k.job == name for k in analysis.key_inputs)
            or any(e.job == name for e in analysis.key_env)
            or any(c.job == name for c in local_calls)
            or (workflow_env is not None and "steps" in job)
            or (analysis.broad_id_token and _uses_oidc(job))
        )
        if touched:
            affected[name] = job
    if workflow_env is not None:
        result.edits += _remove_env(lines, workflow_env, root)
    for name, job in affected.items():
        _rewrite_job(result, analysis, name, job, role, options, workflow_env)
    for call in analysis.calls:
        if call.keys and call in local_calls:
            result.edits += remove_entries(lines, call.secrets, call.keys, call.node, "secrets")
            result.notes.append(
                f"job '{call.job}' no longer passes {', '.join(call.keys)} to {call.callee}"
            )
        elif call.keys:
            result.notes.append(
                f"job '{call.job}' passes AWS keys to {call.callee}, which was not rewritten: "
                "rewrite that workflow, then stop passing the keys"
            )
    result.edits += _optional_key_secrets(lines, root)
    if analysis.broad_id_token:
        result.edits += _narrow_workflow_id_token(lines, root)
    for name, job in affected.items():
        subjects, pull_request = github_subjects(root, job, repository)
        notes = []
        if pull_request:
            notes.append(
                "pull requests can run this job: give its role no deploy rights, or move "
                "the deployment to a job that pull requests cannot trigger"
            )
        if is_called_workflow(root):
            notes.append("called workflow: the token's sub is that of the calling run")
        result.jobs.append(JobRewrite(name, subjects, pull_request, tuple(notes)))
    if not result.edits:
        result.notes.append("nothing could be rewritten automatically")
    return result


def _norm(callee: str) -> str:
    return callee.split("@")[0].removeprefix("./")


def _uses_oidc(job: Any) -> bool:
    return any(
        is_configure_action(step) and is_map(step.get("with")) and "role-to-assume" in step["with"]
        for _, step in steps_of(job)
    )


def _rewrite_job(
    result: Plan,
    analysis: GithubAnalysis,
    name: str,
    job: Any,
    role: str,
    options: FixOptions,
    workflow_env: KeyEnv | None,
) -> None:
    lines = analysis.document.lines
    root = analysis.document.root
    configured: list[int] = []
    for item in (k for k in analysis.key_inputs if k.job == name):
        configured.append(item.step_index)
        result.edits += _replace_key_inputs(lines, item.inputs, item.keys, role, options)
    for _, step in steps_of(job):
        if is_configure_action(step) and is_map(step.get("with")):
            configured.append(_index_of(job, step))
    env_steps = [e.step_index for e in analysis.key_env if e.job == name and e.level == "step"]
    for env in (e for e in analysis.key_env if e.job == name):
        parent = job if env.level == "job" else job["steps"][env.step_index]
        result.edits += _remove_env(lines, env, parent)
    needs_step = workflow_env is not None or any(
        e.job == name and e.level == "job" for e in analysis.key_env
    )
    target: int | None = None
    if env_steps:
        target = min(i for i in env_steps if i is not None)
    elif needs_step:
        target = next((i for i, s in steps_of(job) if _needs_aws(s)), None)
        if target is None and "steps" in job:
            result.notes.append(f"job '{name}': no step seems to call AWS; none inserted")
    if target is not None and not any(i < target for i in configured):
        region = _region(options, root, job, analysis.document.path)
        result.edits.append(_insert_step(lines, job, target, role, region))
    result.edits += _grant_id_token(result, lines, root, name, job)


def _index_of(job: Any, step: Any) -> int:
    return next(i for i, s in steps_of(job) if s is step)


def _needs_aws(step: Any) -> bool:
    uses = step.get("uses")
    if isinstance(uses, str):
        return not uses.startswith(_AWS_AGNOSTIC) and not is_configure_action(step)
    return "run" in step


def _region(options: FixOptions, root: Any, job: Any, path: Any) -> str:
    # The region the job already uses wins over --region: the rewrite changes how the
    # job authenticates, not where it works.
    for scope in (job.get("env"), root.get("env")):
        if is_map(scope):
            for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
                if name in scope:
                    return f"${{{{ env.{name} }}}}"
    if options.region:
        return options.region
    raise InputError(
        "no AWS region for the inserted credentials step",
        where=str(path),
        hint="Pass --region (for example --region us-east-1).",
    )


def _replace_key_inputs(
    lines: list[str], inputs: Any, keys: tuple[str, ...], role: str, options: FixOptions
) -> list[Edit]:
    if is_flow(inputs):
        raise InputError("flow-style `with:` cannot be rewritten; use block style")
    edits = []
    for position, key in enumerate(keys):
        start, end, column = key_block(lines, inputs, key)
        new: tuple[str, ...] = ()
        if position == 0 and "role-to-assume" not in inputs:
            new = (f"{' ' * column}role-to-assume: {role}",)
            if "aws-region" not in inputs and options.region:
                new += (f"{' ' * column}aws-region: {options.region}",)
        edits.append(Edit(start, end, new))
    return edits


def _remove_env(lines: list[str], env: KeyEnv, parent: Any) -> list[Edit]:
    if is_flow(env.env):
        raise InputError("flow-style `env:` with AWS keys cannot be rewritten; use block style")
    return remove_entries(lines, env.env, env.keys, parent, "env")


def _insert_step(lines: list[str], job: Any, index: int, role: str, region: str) -> Edit:
    line, column = item_position(job["steps"], index)
    dash, dash_column = dash_line(lines, line, column)
    start = leading_comments_start(lines, dash, dash_column)
    pad, inner = " " * dash_column, " " * column
    return Edit(
        start,
        start,
        (
            f"{pad}- name: Configure AWS credentials (OIDC)",
            f"{inner}uses: {INSERTED_ACTION}",
            f"{inner}with:",
            f"{inner}  role-to-assume: {role}",
            f"{inner}  aws-region: {region}",
        ),
        order=1,
    )


def _permission_lines(permissions: Any) -> list[tuple[str, str]]:
    if permissions == "read-all":
        return [(scope, "read") for scope in _SCOPES]
    if is_map(permissions):
        return [(str(k), str(v)) for k, v in permissions.items() if k != "id-token"]
    return []


def _grant_id_token(result: Plan, lines: list[str], root: Any, name: str, job: Any) -> list[Edit]:
    own = job.get("permissions")
    workflow = root.get("permissions")
    if own == "write-all" or (is_map(own) and own.get("id-token") == "write"):
        return []
    if is_map(own) and not is_flow(own) and len(own):
        if "id-token" in own:
            line, column = value_position(own, "id-token")
            text = lines[line]
            old = str(own["id-token"])
            return [
                Edit(
                    line,
                    line + 1,
                    (text[:column] + "write" + text[column + len(old) :].rstrip("\r\n"),),
                )
            ]
        column = entry_column(own)
        last = list(own)[-1]
        _, end, _ = key_block(lines, own, last)
        return [Edit(end, end, (f"{' ' * column}id-token: write",))]
    job_column = entry_column(job)
    if own is not None:
        entries = _permission_lines(own)
        start, end, _ = key_block(lines, job, "permissions")
        return [Edit(start, end, tuple(_permissions_block(job_column, entries)))]
    if workflow == "write-all":
        return []
    entries = _permission_lines(workflow)
    if workflow is None:
        entries = [("contents", "read")]
        result.notes.append(f"job '{name}': {NARROW_PERMISSIONS_NOTE}")
    return [insert_before_first_key(lines, job, _permissions_block(job_column, entries))]


def _permissions_block(column: int, entries: list[tuple[str, str]]) -> list[str]:
    pad = " " * column
    body = [f"{pad}  {k}: {v}" for k, v in entries] + [f"{pad}  id-token: write"]
    return [f"{pad}permissions:", *body]


def _narrow_workflow_id_token(lines: list[str], root: Any) -> list[Edit]:
    permissions = root.get("permissions")
    if not is_map(permissions) or is_flow(permissions):
        return []
    if [k for k, _ in own_items(permissions)] == ["id-token"]:
        start, end, column = key_block(lines, root, "permissions")
        return [Edit(start, end, (f"{' ' * column}permissions: {{}}",))]
    start, end, _ = key_block(lines, permissions, "id-token")
    return [Edit(start, end)]


def _optional_key_secrets(lines: list[str], root: Any) -> list[Edit]:
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
