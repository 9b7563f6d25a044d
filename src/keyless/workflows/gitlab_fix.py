"""Rewriting a GitLab pipeline from static AWS keys to an ID token, as targeted line edits.

The job gets an ID token for STS (``id_tokens:`` with ``aud: sts.amazonaws.com``), writes
it to the file named by ``AWS_WEB_IDENTITY_TOKEN_FILE`` and names the role in
``AWS_ROLE_ARN``; the AWS CLI and SDKs then call AssumeRoleWithWebIdentity themselves
(https://docs.gitlab.com/ci/cloud_services/aws/,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html).

The job that uses the keys is what gets edited: its own ``id_tokens:``, and the token
line at the top of its own first script section; when that section comes from a template,
the job gets its own ``before_script`` that runs the token line and then the template's
(``!reference [TEMPLATE, before_script]``), so the template other jobs share stays as it
is. Keys written in a shared place (top-level variables, a template, an anchor) are
replaced only when every job that gets them is rewritten; trigger jobs are never edited.
Why a job is left for a person: :mod:`.gitlab_blockers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keyless.errors import quoted
from keyless.workflows.edits import (
    Plan,
    entry_column,
    entry_with_comments,
    insert_before_first_key,
    key_block,
)
from keyless.workflows.gitlab_blockers import (
    blockers,
    first_section,
    key_usage,
    keys_not_reported,
    referenced_key_sites,
    shared_blockers,
)
from keyless.workflows.gitlab_id_tokens import declare_token, token_blocker
from keyless.workflows.gitlab_jwt_fix import TOKEN_VARIABLE, plan_token_fixes
from keyless.workflows.gitlab_keys import (
    WORKFLOW_RULES_LEFT,
    ScriptsBeside,
    rule_keys,
    variable_value,
)
from keyless.workflows.gitlab_pipeline import Job, Pipeline, Section
from keyless.workflows.gitlab_reach import Reach
from keyless.workflows.model import (
    FixOptions,
    JobRewrite,
    Platform,
    Subject,
    SubjectOperator,
    Unfixed,
)
from keyless.workflows.patch import Edit, block_end, dash_line
from keyless.workflows.subjects import gitlab_subjects
from keyless.workflows.values import role_account
from keyless.workflows.verdict import judge
from keyless.workflows.yamldoc import (
    Document,
    has_own,
    is_flow,
    is_map,
    is_seq,
    item_position,
    parents,
)
from keyless.workflows.yamlout import (
    Layout,
    Reference,
    layout_of,
    mapping_lines,
    scalar_item_lines,
)

# Outside the project directory so that `artifacts: paths` can never pick the token up.
TOKEN_FILE = "/tmp/gitlab-oidc-token"  # noqa: S105, S108
WRITE_TOKEN = f'printf \'%s\' "${TOKEN_VARIABLE}" > "$AWS_WEB_IDENTITY_TOKEN_FILE"'
SETTINGS_NOTE = (
    "if AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is also set in the project's or a "
    "group's CI/CD settings, delete it there: those settings outrank this file, and the "
    "AWS SDKs use such keys before the ID token"
)
_REGIONS = ("AWS_REGION", "AWS_DEFAULT_REGION")


def role_value(options: FixOptions) -> str:
    """``AWS_ROLE_ARN``'s value: the ARN, or ``$NAME`` for a CI/CD variable."""
    if options.role.arn is not None:
        return options.role.arn
    return "$" + (options.role.reference or "").split(".")[-1]


def plan(
    pipeline: Pipeline,
    options: FixOptions,
    project: str,
    default_branch: str,
    *,
    complete: bool = False,
) -> dict[Path, Plan]:
    """Plan the rewrite of one repository's pipeline: a plan per file. ``complete``: every
    include of the pipeline was read (:func:`~.gitlab_reach.is_complete`); only then do
    the jobs read clear keys as another store's (:class:`~.gitlab_reach.Reach`)."""
    plans: dict[Path, Plan] = {}

    def plan_of(document: Document) -> Plan:
        if document.path not in plans:
            plans[document.path] = Plan(layout=layout_of(document.root))
        return plans[document.path]

    jobs = list(pipeline.jobs())
    usage = {job.name: key_usage(job) for job in jobs}
    for job in jobs:
        if job.is_trigger and usage[job.name].uses_keys:
            plan_of(job.entry.document).unfixed.append(
                Unfixed(
                    job.name,
                    "a trigger job: it runs no script and cannot take id_tokens, so it is never "
                    "edited. Its downstream pipeline no longer receives the keys once the rest is "
                    "rewritten: give that pipeline's jobs that call AWS their own id_tokens (run "
                    "fix on it)",
                )
            )
    workflow = pipeline.workflow
    workflow_keys = [
        k
        for _, _, keys in rule_keys(workflow.node.get("rules") if workflow is not None else None)
        for k in keys
    ]
    if workflow is not None and workflow_keys:
        # Global variables for every job: a job rewritten would still get these keys,
        # which the AWS SDKs use before the ID token.
        plan_of(workflow.document).unfixed.append(
            Unfixed(
                None,
                f"{WORKFLOW_RULES_LEFT}{', '.join(dict.fromkeys(workflow_keys))} for every job "
                "when they match (workflow:rules:variables): no job is rewritten; rewrite "
                "it by hand",
            )
        )
        return plans
    keyed = [j.name for j in jobs if usage[j.name].uses_keys]
    for token_fix in plan_token_fixes(jobs, keyed):
        target = plan_of(token_fix.job.entry.document)
        target.edits += token_fix.edits
        target.notes.append(token_fix.note)
    key_jobs = [j for j in jobs if usage[j.name].uses_keys and not j.is_trigger]
    documents = {id(e.document): e.document for e in pipeline.entries.values()}
    beside = ScriptsBeside(d.root for d in documents.values())
    reach = Reach(pipeline, complete, jobs)
    for job in [j for j in key_jobs if keys_not_reported(j, usage[j.name], beside, reach)]:
        # Keys for MinIO, R2… (or a test value): the scan reports none, nothing to rewrite.
        key_jobs.remove(job)
        plan_of(job.entry.document).notes.append(
            f"job {quoted(job.name)}: its keys are for another endpoint or an S3-compatible store, "
            "not AWS; left as they are"
        )
    if not key_jobs:
        return plans
    referenced = referenced_key_sites(pipeline)
    blocked = {
        j.name: reasons
        for j in key_jobs
        if (reasons := [*blockers(j, usage[j.name], referenced), *_token_blockers(j, pipeline)])
    }
    blocked = shared_blockers(key_jobs, usage, blocked)
    for job in key_jobs:
        for reason in blocked.get(job.name, ()):
            plan_of(job.entry.document).unfixed.append(Unfixed(job.name, reason))
    rewritten = [j for j in key_jobs if j.name not in blocked]
    wiring = _wiring(options)
    done_sites: set[int] = set()
    sections: dict[int, tuple[Section, set[int]]] = {}
    sources: set[str] = set()
    for job in rewritten:
        job_usage = usage[job.name]
        for key, (site, names, document) in job_usage.variables.items():
            sources |= _sources(site, names)
            if key not in done_sites:
                done_sites.add(key)
                present = {str(k) for k in site}
                extra = {k: v for k, v in wiring.items() if k not in present}
                if options.region and not any(r in present for r in _REGIONS):
                    extra["AWS_DEFAULT_REGION"] = options.region
                target = plan_of(document)
                target.edits += _replace_keys(document.lines, site, names, extra, target.layout)
        for section, index in job_usage.exports:
            sections.setdefault(id(section.script), (section, set()))[1].add(index)
        document = job.entry.document
        target = plan_of(document)
        lines = document.lines
        # The lines inserted in the job follow its own indentation, the file's elsewhere.
        layout = layout_of(document.root, (document.root, job.entry.name))
        if not job_usage.variables:
            target.edits.append(_add_variables(lines, job, wiring, options, layout))
        declared = declare_token(lines, job)
        if declared is not None:
            target.edits.append(declared)
        target.edits.append(_token_line(lines, job, layout))
        target.jobs.append(_job_rewrite(job, project, default_branch, options))
    hosts = {id(f.script) for j in rewritten if (f := first_section(j)) is not None and f.own}
    for key, (section, indices) in sections.items():
        target = plan_of(section.document)
        target.edits += _remove_exports(section, indices, key in hosts, target.layout)
    if rewritten:
        root_document = rewritten[0].entry.document
        plan_of(root_document).notes.append(SETTINGS_NOTE)
        if sources:
            plan_of(root_document).notes.append(
                "the keys came from the CI/CD variables " + ", ".join(sorted(sources)) + ": delete "
                "them from the project's or group's settings once the role works"
            )
    return plans


def _token_blockers(job: Job, pipeline: Pipeline) -> list[str]:
    reason = token_blocker(job, pipeline)
    return [] if reason is None else [reason]


def _wiring(options: FixOptions) -> dict[str, str]:
    return {"AWS_ROLE_ARN": role_value(options), "AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_FILE}


def _sources(site: Any, names: list[str]) -> set[str]:
    found = set()
    for name in names:
        value = variable_value(site.get(name))
        if isinstance(value, str) and value.startswith("$"):
            found.add(value.strip("${}"))
    return {f for f in found if f.replace("_", "").isalnum()}


def _replace_keys(
    lines: Sequence[str], site: Any, names: list[str], extra: dict[str, str], layout: Layout
) -> list[Edit]:
    edits = []
    own = [n for n in names if has_own(site, n)]
    for position, name in enumerate(own):
        start, end, column = entry_with_comments(lines, site, name)
        new = tuple(mapping_lines(extra, column, layout)) if position == 0 and extra else ()
        edits.append(Edit(start, end, new))
    return edits


def _remove_exports(
    section: Section, indices: set[int], keeps_token: bool, layout: Layout
) -> list[Edit]:
    """Edits removing export lines; a section left empty becomes ``key: []`` (GitLab
    refuses a null script) unless the token line goes there."""
    lines = section.document.lines
    script = section.script
    if indices >= set(range(len(script))) and not keeps_token:
        parent, key = parents(section.document.root).get(id(script), (None, None))
        if is_map(parent):
            start, end, column = key_block(lines, parent, key)
            return [Edit(start, end, tuple(mapping_lines({str(key): []}, column, layout)))]
    edits = []
    for index in sorted(indices):
        line, column = item_position(script, index)
        dash, dash_column = dash_line(lines, line, column)
        edits.append(Edit(dash, block_end(lines, dash, dash_column)))
    return edits


def _add_variables(
    lines: Sequence[str], job: Job, wiring: dict[str, str], options: FixOptions, layout: Layout
) -> Edit:
    node = job.entry.node
    extra = dict(wiring)
    if options.region and not any(r in job.variables for r in _REGIONS):
        extra["AWS_DEFAULT_REGION"] = options.region
    variables: Any = node.get("variables") if has_own(node, "variables") else None
    if is_map(variables) and len(variables) and not is_flow(variables):
        _, end, _ = key_block(lines, variables, list(variables)[-1])
        present = {str(k) for k in variables}
        entries = {k: v for k, v in extra.items() if k not in present}
        return Edit(end, end, tuple(mapping_lines(entries, entry_column(variables), layout)))
    if has_own(node, "variables") and (variables is None or is_map(variables)):
        # `variables:` with nothing (or `{}`) of its own: written over, not beside, which
        # would be a second `variables` key (the blockers leave a `null` over templates').
        start, end, column = key_block(lines, node, "variables")
        block = mapping_lines({"variables": extra}, column, layout)
        return Edit(start, end, tuple(block), order=1)
    return insert_before_first_key(
        lines, node, mapping_lines({"variables": extra}, entry_column(node), layout), order=1
    )


def _token_line(lines: Sequence[str], job: Job, layout: Layout) -> Edit:
    node = job.entry.node
    column = entry_column(node)
    first = first_section(job)
    if first is not None and first.own and is_seq(first.script) and len(first.script):
        line, item_column = item_position(first.script, 0)
        dash, dash_column = dash_line(lines, line, item_column)
        return Edit(dash, dash, tuple(scalar_item_lines(WRITE_TOKEN, dash_column)), order=2)
    if first is not None and first.name == "before_script" and first.entry is not None:
        body: list[str | Reference] = [WRITE_TOKEN, Reference(first.entry.name, "before_script")]
        block = mapping_lines({"before_script": body}, column, layout)
    else:
        block = mapping_lines({"before_script": [WRITE_TOKEN]}, column, layout)
    return insert_before_first_key(lines, node, block, order=2)


def _job_rewrite(job: Job, project: str, default_branch: str, options: FixOptions) -> JobRewrite:
    subjects, merge_request = gitlab_subjects(job.keys, project, default_branch)
    notes = []
    if merge_request:
        notes.append("merge request pipelines can run this job: give its role no deploy rights")
    role = role_value(options)
    default = Subject(
        f"project_path:{project}:ref_type:branch:ref:{default_branch}",
        SubjectOperator.STRING_EQUALS,
        "the default branch",
    )
    verdict = judge(
        Platform.GITLAB, subjects, default_branch_subject=default, runs_on_branches=True
    )
    return JobRewrite(
        job=job.name,
        subjects=subjects,
        pull_request=merge_request,
        notes=tuple(notes),
        recommended=verdict.recommended,
        withheld=verdict.withheld,
        role=role,
        account=role_account(role),
        trust_notes=verdict.notes,
        environment=_environment(job),
    )


def _environment(job: Job) -> str | None:
    """The environment the job deploys to (``environment: NAME`` or ``name:``), as written
    (https://docs.gitlab.com/ci/yaml/#environment)."""
    environment: Any = job.keys.get("environment")
    if is_map(environment):
        environment = environment.get("name")
    return environment if isinstance(environment, str) and environment else None
