"""Rewriting a GitLab CI file from static AWS keys to an ID token, as targeted line edits.

The job gets an ID token for STS (``id_tokens:`` with ``aud: sts.amazonaws.com``), writes
it to the file named by ``AWS_WEB_IDENTITY_TOKEN_FILE`` and names the role in
``AWS_ROLE_ARN``; the AWS CLI and SDKs then call AssumeRoleWithWebIdentity themselves
(https://docs.gitlab.com/ci/cloud_services/aws/,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html).
"""

from __future__ import annotations

from typing import Any

from keyless.errors import InputError
from keyless.workflows.edits import Plan, entry_column, insert_before_first_key, key_block
from keyless.workflows.gitlab import GitlabAnalysis, jobs_of
from keyless.workflows.model import FixOptions, JobRewrite
from keyless.workflows.patch import Edit, block_end, dash_line
from keyless.workflows.subjects import gitlab_subjects
from keyless.workflows.yamldoc import is_flow, is_map, is_seq, item_position, own_items

TOKEN_VARIABLE = "GITLAB_OIDC_TOKEN"  # noqa: S105 - a variable name, not a secret
# Outside the project directory so that `artifacts: paths` can never pick the token up.
TOKEN_FILE = "/tmp/gitlab-oidc-token"  # noqa: S105, S108
WRITE_TOKEN = f'printf \'%s\' "${TOKEN_VARIABLE}" > "$AWS_WEB_IDENTITY_TOKEN_FILE"'


def role_value(options: FixOptions) -> str:
    """``AWS_ROLE_ARN``'s value: the ARN, or ``$NAME`` for a CI/CD variable."""
    if options.role.arn is not None:
        return options.role.arn
    return "$" + (options.role.reference or "").split(".")[-1]


def plan(analysis: GitlabAnalysis, options: FixOptions, project: str) -> Plan:
    """Plan the rewrite of one GitLab CI file."""
    result = Plan()
    if not analysis.has_static_keys:
        return result
    lines = analysis.document.lines
    root = analysis.document.root
    wiring = _wiring(options)
    global_keys = any(v.job is None for v in analysis.variables) or any(
        e.job in (None, "default") for e in analysis.exports
    )
    for item in analysis.variables:
        result.edits += _replace_variables(lines, item.variables, item.keys, wiring)
    for export in analysis.exports:
        for index in export.indices:
            line, column = item_position(export.script, index)
            dash, dash_column = dash_line(lines, line, column)
            result.edits.append(Edit(dash, block_end(lines, dash, dash_column)))
    job_vars = {v.job for v in analysis.variables if v.job}
    job_exports = {e.job for e in analysis.exports if e.job not in (None, "default")}
    for name, job in jobs_of(root):
        if not (name in job_vars or name in job_exports or (global_keys and "script" in job)):
            continue
        own = dict(own_items(job))
        if "id_tokens" not in own:
            result.edits.append(
                insert_before_first_key(
                    lines,
                    job,
                    [
                        f"{' ' * entry_column(job)}id_tokens:",
                        f"{' ' * entry_column(job)}  {TOKEN_VARIABLE}:",
                        f"{' ' * entry_column(job)}    aud: sts.amazonaws.com",
                    ],
                )
            )
        if name not in job_vars and not any(v.job is None for v in analysis.variables):
            result.edits.append(_add_variables(lines, job, own, wiring))
        result.edits.append(_write_token(lines, job, own, analysis, name))
        subjects, merge_request = gitlab_subjects(job, project)
        notes = []
        if merge_request:
            notes.append("merge request pipelines can run this job: give its role no deploy rights")
        if name.startswith("."):
            notes.append("hidden template: jobs that override before_script must keep its line")
        result.jobs.append(JobRewrite(name, subjects, merge_request, tuple(notes)))
    return result


def _wiring(options: FixOptions) -> list[str]:
    wiring = [f"AWS_ROLE_ARN: {role_value(options)}", f"AWS_WEB_IDENTITY_TOKEN_FILE: {TOKEN_FILE}"]
    if options.region:
        wiring.append(f"AWS_DEFAULT_REGION: {options.region}")
    return wiring


def _replace_variables(
    lines: list[str], variables: Any, keys: tuple[str, ...], wiring: list[str]
) -> list[Edit]:
    if is_flow(variables):
        raise InputError("flow-style `variables:` with AWS keys cannot be rewritten")
    present = {str(k) for k, _ in own_items(variables)}
    new = [w for w in wiring if w.split(":")[0] not in present]
    edits = []
    for position, key in enumerate(keys):
        start, end, column = key_block(lines, variables, key)
        lines_new = tuple(f"{' ' * column}{w}" for w in new) if position == 0 else ()
        edits.append(Edit(start, end, lines_new))
    return edits


def _add_variables(lines: list[str], job: Any, own: dict[Any, Any], wiring: list[str]) -> Edit:
    column = entry_column(job)
    variables: Any = own.get("variables")
    if is_map(variables) and len(variables) and not is_flow(variables):
        _, end, _ = key_block(lines, variables, list(variables)[-1])
        inner = entry_column(variables)
        present = {str(k) for k in variables}
        new = [f"{' ' * inner}{w}" for w in wiring if w.split(":")[0] not in present]
        return Edit(end, end, tuple(new))
    block = [f"{' ' * column}variables:", *(f"{' ' * column}  {w}" for w in wiring)]
    return insert_before_first_key(lines, job, block, order=1)


def _write_token(
    lines: list[str], job: Any, own: dict[Any, Any], analysis: GitlabAnalysis, name: str
) -> Edit:
    sections = [e.section for e in analysis.exports if e.job == name]
    hidden = name.startswith(".")
    preferred = sections[0] if sections else ("before_script" if hidden else "script")
    for section in (preferred, "script", "before_script"):
        script: Any = own.get(section)
        if is_seq(script) and len(script) and not is_flow(script):
            line, column = item_position(script, 0)
            dash, dash_column = dash_line(lines, line, column)
            return Edit(dash, dash, (f"{' ' * dash_column}- {WRITE_TOKEN}",), order=2)
    column = entry_column(job)
    block = [f"{' ' * column}before_script:", f"{' ' * column}  - {WRITE_TOKEN}"]
    return insert_before_first_key(lines, job, block, order=2)
