"""Rewriting a GitHub workflow from static AWS keys to OIDC, as targeted line edits.

For each job that receives keys: key inputs of configure-aws-credentials become
``role-to-assume``; key variables leave ``env:`` and a configure-aws-credentials step is
inserted before the first step that needs AWS (it exports temporary credentials to the
steps after it); the job is granted ``id-token: write`` and keeps the token permissions
its steps use (:mod:`.github_grants`; https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).

The job is the unit: a job is rewritten whole or left whole with the reasons
(:mod:`.github_blockers`), and keys written in one place that several jobs share (the
workflow's ``env:``, an anchor) are removed only when every job using them is rewritten.
A workflow with a ``<<`` merge key, which GitHub rejects, is left whole. The line edits
themselves are in :mod:`.github_edits`; jobs and steps GitHub never runs are set aside by
:mod:`.github_idle`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keyless.errors import quoted
from keyless.workflows import permissions as perms
from keyless.workflows.edits import (
    Plan,
    remove_entries,
)
from keyless.workflows.github import (
    GithubAnalysis,
    describe_step,
    is_called_workflow,
    is_configure_action,
    jobs_of,
    not_running_problem,
    shown_name,
    steps_of,
)
from keyless.workflows.github_blockers import find_blockers, shared_blockers
from keyless.workflows.github_callers import CallerInputs, inherited_elsewhere
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.github_ecr_login import logs_in_to_ecr
from keyless.workflows.github_edits import (
    env_sites,
    insert_credentials_step,
    optional_key_secrets,
    remove_profile_steps,
    rewrite_key_inputs,
)
from keyless.workflows.github_grants import (
    broad_grant_note,
    grant_permissions,
    narrow_workflow_id_token,
    refused_grant,
)
from keyless.workflows.github_idle import set_aside_idle
from keyless.workflows.github_insertion import insertion_target, without_credentials
from keyless.workflows.github_other_stores import keys_for_another_store
from keyless.workflows.matrix import expand
from keyless.workflows.model import (
    FixOptions,
    JobRewrite,
    Platform,
    Subject,
    SubjectOperator,
    Unfixed,
)
from keyless.workflows.oidc_use import may_use_oidc
from keyless.workflows.subjects import github_subjects
from keyless.workflows.values import role_account
from keyless.workflows.verdict import judge
from keyless.workflows.yamldoc import (
    is_map,
    is_seq,
    parents,
    scalar_texts,
)
from keyless.workflows.yamlout import layout_of

# Events whose runs never carry a branch ref of their own choosing.
_NOT_ON_BRANCHES = frozenset(
    {"pull_request", "pull_request_review", "pull_request_review_comment", "release"}
)


@dataclass(frozen=True, slots=True)
class CalleeOutcome:
    """What the rewrite of a local reusable workflow means for its callers: whether it
    was rewritten, and the token permissions its jobs need from the caller (a called
    workflow never has more than its caller grants)."""

    rewritten: bool
    permissions: Mapping[str, str]
    #: Its jobs' token uses keyless cannot tell the permissions of ("job 'deploy' step 2
    #: gives acme/notes the token"): a caller narrowed to ``permissions`` may lack them.
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GithubContext:
    """What one workflow's rewrite needs to know from outside the file."""

    repository: str
    default_branch: str = "main"
    callees: Mapping[str, CalleeOutcome] = field(default_factory=dict)
    #: ``uses: ./…`` of local composite actions given keys → None when the job may stop
    #: passing them (:mod:`.github_composite`), else why not.
    composites: Mapping[str, str | None] = field(default_factory=dict)
    #: The repository's root directory, where local reusable workflows are read.
    root: Path | None = None
    #: The jobs among the files read that call this workflow, with the inputs they give.
    callers: tuple[CallerInputs, ...] = ()


def role_expression(options: FixOptions) -> str:
    """The value of ``role-to-assume``: the ARN, or ``${{ vars.NAME }}`` / secrets."""
    if options.role.arn is not None:
        return options.role.arn
    reference = options.role.reference or ""
    if not reference.startswith(("vars.", "secrets.")):
        reference = f"vars.{reference}"
    return f"${{{{ {reference} }}}}"


def plan(
    analysis: GithubAnalysis, options: FixOptions, context: GithubContext
) -> tuple[Plan, CalleeOutcome]:
    """Plan the rewrite of one workflow; also say what it means for callers of it."""
    result = Plan(layout=layout_of(analysis.document.root))
    # Jobs and steps GitHub never runs are left as they are, listed with why.
    idle = set_aside_idle(analysis)
    analysis = idle.analysis
    result.unfixed += idle.unfixed
    root = analysis.document.root
    jobs = dict(jobs_of(root))
    workflow_env = next((e for e in analysis.key_env if e.level == "workflow"), None)
    key_jobs = [
        name
        for name, job in jobs.items()
        if analysis.uses_keys(name)
        or (workflow_env is not None and "steps" in job and name not in idle.idle_jobs)
        or any(e.job == name for e in analysis.container_env)  # left, with why
        or (
            any(h.level == "workflow" for h in analysis.env_handoffs)
            and "steps" in job
            and name not in idle.idle_jobs
        )
    ]
    # Keys for R2, MinIO…: not AWS's, not reported by the scan, nothing to rewrite.
    for name in [n for n in key_jobs if keys_for_another_store(analysis, n)]:
        key_jobs.remove(name)
        result.notes.append(
            f"job {quoted(name)}: its keys are for another endpoint or an S3-compatible store, "
            "not AWS; left as they are"
        )
    result.notes += inherited_elsewhere(analysis, context.repository)
    grant_callers = [
        c for c in analysis.calls
        if c.is_local and not c.keys and c.local_path in context.callees
        and context.callees[c.local_path].rewritten
    ]  # fmt: skip
    # A job GitHub never runs calls nothing there: it needs no `id-token: write`.
    for idle_job in [n for n in dict.fromkeys(c.job for c in grant_callers) if n in idle.idle_jobs]:
        _leave_idle(result, idle_job, jobs[idle_job])
    grant_callers = [c for c in grant_callers if c.job not in idle.idle_jobs]
    if not key_jobs and not grant_callers:
        return result, _outcome(analysis, set(), set())
    problem = not_running_problem(analysis.document)
    if problem is not None:
        # Not a rewrite to hand out: the file fails on GitHub before and after it.
        for name in dict.fromkeys([*key_jobs, *(c.job for c in grant_callers)]):
            result.unfixed.append(Unfixed(name, f"{problem}: rewrite it by hand"))
        return result, _outcome(analysis, set(key_jobs), set())
    blockers = find_blockers(analysis, options, context.callees, key_jobs, context.composites)
    blocked = shared_blockers(analysis, key_jobs, blockers)
    rewritten = [n for n in key_jobs if n not in blocked]
    for name in key_jobs:
        if name in blocked:
            for reason in blocked[name]:
                result.unfixed.append(Unfixed(name, reason))
    role = role_expression(options)
    lines = analysis.document.lines
    index = parents(root)
    grants: dict[str, dict[str, str]] = {}
    done: set[int] = set()
    for name in rewritten:
        job = jobs[name]
        if without_credentials(analysis, name, job) is None:
            grants[name] = {"id-token": "write"}
        removed = remove_profile_steps(result, analysis, name, job)
        for site in env_sites(analysis, name, workflow_env, job):
            if id(site.node) in removed:
                continue  # the env: of a step removed whole
            if id(site.node) not in done:
                done.add(id(site.node))
                parent, key = index.get(id(site.node), (None, None))
                result.edits += remove_entries(lines, site.node, site.keys, parent, key)
        rewrite_key_inputs(result, analysis, name, role, options)
        for other in (o for o in analysis.other_actions if o.job == name):
            # Where the inputs are written: an alias (`with: *inputs`) shares them.
            if id(other.inputs) not in done:
                done.add(id(other.inputs))
                parent, key = index.get(id(other.inputs), (None, None))
                result.edits += remove_entries(lines, other.inputs, other.keys, parent, key)
            then = (
                "it logs in to ECR with the credentials the configure-aws-credentials step "
                "before it exports"
                if logs_in_to_ecr(other)
                else "if the action declares them required: true, make them optional there"
            )
            result.notes.append(
                f"job {quoted(name)} no longer passes {', '.join(map(shown_name, other.keys))} to "
                f"{shown_name(other.action)}; {then}"
            )
        insert_credentials_step(result, analysis, name, job, role, options, context.composites)
        call = next((c for c in analysis.calls if c.job == name and c.keys), None)
        if call is not None:
            if id(call.secrets) not in done:
                done.add(id(call.secrets))
                parent, key = index.get(id(call.secrets), (None, None))
                result.edits += remove_entries(lines, call.secrets, call.keys, parent, key)
            grants[name] = perms.union(grants[name], context.callees[call.local_path].permissions)
            result.notes.append(
                f"job {quoted(name)} no longer passes {', '.join(call.keys)} to "
                f"{shown_name(call.callee)}, whose jobs assume the role (their subjects are "
                "listed with it)"
            )
    for call in grant_callers:
        refused = refused_grant(root, call.job, jobs[call.job], context.root)
        if refused is not None:
            result.unfixed.append(refused)
            continue
        grants[call.job] = perms.union(
            {"id-token": "write"}, context.callees[call.local_path].permissions
        )
    # Narrowed only along a rewrite: a file whose key jobs are all left keeps its
    # permissions as written (`scan` reports the broad grant), and fix changes nothing.
    if analysis.broad_id_token and grants:
        narrowed = narrow_workflow_id_token(lines, root, result.layout)
        result.edits += narrowed
        if not narrowed:
            result.notes.append(broad_grant_note(root, jobs, rewritten))
        for name, job in jobs.items():
            if name in grants or not (_uses_oidc(job) or may_use_oidc(job)):
                continue
            if name in idle.idle_jobs:
                _leave_idle(result, name, job)  # never runs: needs no token
            else:
                grants[name] = {"id-token": "write"}
    for name, extra in grants.items():
        call = next((c for c in analysis.calls if c.job == name and c.is_local), None)
        outcome = context.callees.get(call.local_path) if call is not None else None
        unknown = outcome.unknown if outcome is not None else ()
        result.edits += grant_permissions(result, lines, root, name, jobs[name], extra, unknown)
    if not blocked:
        result.edits += optional_key_secrets(lines, root)
    for name in rewritten:
        if isinstance(jobs[name].get("uses"), str):
            # A job calling a reusable workflow runs no step and requests no token: the
            # called workflow's jobs assume the role, with subjects of their own (their
            # environment's, not the caller's ref), listed with that workflow.
            continue
        if without_credentials(analysis, name, jobs[name]) is not None:
            continue  # the workflow's keys no longer reach it; it assumes no role (noted)
        result.jobs.append(_job_rewrite(analysis, name, jobs[name], role, options, context))
    return result, _outcome(analysis, set(key_jobs), set(rewritten))


def _leave_idle(result: Plan, name: str, job: Any) -> None:
    """List a job GitHub never runs as left, with why (once): it is granted nothing."""
    why = f"the job does not run on GitHub: {not_on_github(job.get('if'))}; left as it is"
    if not any(u.job == name and u.reason == why for u in result.unfixed):
        result.unfixed.append(Unfixed(name, why))


def _outcome(analysis: GithubAnalysis, key_jobs: set[str], rewritten: set[str]) -> CalleeOutcome:
    """For a called workflow: rewritten when no job was left; its jobs' token needs."""
    root = analysis.document.root
    needs: list[Mapping[str, str]] = []
    unknown: list[str] = []
    for name, job in jobs_of(root):
        own = job.get("permissions")
        if is_map(own):
            needs.append(perms.copied(perms.texts(own)))
        else:
            found = perms.job_needs((s for _, s in steps_of(job)), describe_step)
            needs.append(found.permissions)
            unknown += [f"job {quoted(name)} {use}" for use in found.unknown]
        if (name in rewritten and without_credentials(analysis, name, job) is None) or _uses_oidc(
            job
        ):
            needs.append({"id-token": "write"})
    return CalleeOutcome(
        rewritten=key_jobs <= rewritten, permissions=perms.union(*needs), unknown=tuple(unknown)
    )


def _uses_oidc(job: Any) -> bool:
    return any(
        is_configure_action(step) and is_map(step.get("with")) and "role-to-assume" in step["with"]
        for _, step in steps_of(job)
    )


def _job_rewrite(
    analysis: GithubAnalysis,
    name: str,
    job: Any,
    role: str,
    options: FixOptions,
    context: GithubContext,
) -> JobRewrite:
    root = analysis.document.root
    subjects, pull_request = github_subjects(
        root, job, context.repository, context.default_branch, context.callers
    )
    chained = next(
        (
            str(k.inputs["role-to-assume"])
            for k in analysis.key_inputs
            if k.job == name and isinstance(k.inputs.get("role-to-assume"), str)
        ),
        None,
    )
    if chained is None and insertion_target(analysis, name, job, context.composites) is None:
        # No step inserted: a credentials step of the job's own, which used the keys in the
        # environment to assume its role, now assumes it with the job's OIDC token. A step
        # GitHub never runs assumes nothing there.
        chained = next(
            (
                str(step["with"]["role-to-assume"])
                for _, step in steps_of(job)
                if not_on_github(step.get("if")) is None
                and is_configure_action(step)
                and is_map(step.get("with"))
                and isinstance(step["with"].get("role-to-assume"), str)
            ),
            None,
        )
    assumed = chained or role
    account = role_account(assumed)
    notes: list[str] = []
    if pull_request:
        notes.append(
            "pull requests can run this job: give its role no deploy rights, or move "
            "the deployment to a job that pull requests cannot trigger"
        )
    if is_called_workflow(root):
        notes.append(
            "called workflow: the token's sub is that of the calling run; every job that "
            "calls it must grant `id-token: write` (a called workflow gets no more than its "
            "caller's permissions): callers among the files read are given it, others you "
            "must edit"
        )
    if chained is not None:
        notes.append(
            f"the job keeps assuming {chained} (role chaining): that role's trust policy "
            "must now admit this job's OIDC tokens: add the statement shown"
        )
        roles = expand(chained, job) if "${{" in chained else None
        if roles and roles != (chained,):
            notes.append(
                f"{chained} is, per combination of the job's matrix, {', '.join(roles)}: "
                "each of them must admit the job's tokens (with its own account's OIDC "
                "provider in the statement)"
            )
    default = Subject(
        f"repo:{context.repository}:ref:refs/heads/{context.default_branch}",
        SubjectOperator.STRING_EQUALS,
        "the default branch",
    )
    verdict = judge(
        Platform.GITHUB,
        subjects,
        default_branch_subject=None if job.get("environment") else default,
        runs_on_branches=_runs_on_branches(root, subjects),
        computed_environment=any(s.value.endswith(":environment:*") for s in subjects),
    )
    return JobRewrite(
        job=name,
        subjects=subjects,
        pull_request=pull_request,
        notes=tuple(notes),
        trust_notes=verdict.notes,
        recommended=verdict.recommended,
        withheld=verdict.withheld,
        role=assumed,
        account=account,
        chained=chained is not None,
    )


def _runs_on_branches(root: Any, subjects: tuple[Subject, ...]) -> bool:
    """Whether the job can run on a branch, so that trusting the default branch is of use
    to it: one of its subjects is a branch ref (a push to a branch; a dispatch, schedule
    or call on the default branch) or an environment. A workflow run on tag pushes only is
    not proposed a branch its runs never carry."""
    on = root.get("on")
    events = set(scalar_texts(on)) if is_map(on) or is_seq(on) else {str(on)}
    return bool(events - _NOT_ON_BRANCHES) and any(
        ":ref:refs/heads/" in s.value or ":environment:" in s.value for s in subjects
    )
