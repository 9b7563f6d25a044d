"""Why a GitHub job cannot be rewritten automatically.

A job is left as it is, with each reason, when its keys are not AWS's (an S3-compatible
store, a custom endpoint), when it holds two different key pairs, when a step needs the
key pair itself (another action's inputs, a script that writes a profile, an action that
drops the session token), when its keys go to a reusable workflow that is not rewritten
here, when its container or service containers get keys in their ``env:``, or when no
region is known for the step ``fix`` would insert. Keys written in one place that several
jobs share are then left too (:func:`shared_blockers`). Where the credentials step goes
and its region: :mod:`.github_insertion`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from keyless.errors import quoted, shown_pointer
from keyless.workflows.evidence import (
    DROPS_SESSION_TOKEN,
    unseen_endpoint_reason,
    unseen_endpoints,
)
from keyless.workflows.github import (
    GithubAnalysis,
    Site,
    describe_step,
    is_configure_action,
    jobs_of,
    route_of,
    shown_name,
    steps_of,
)
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.github_ecr_login import logs_in_to_ecr
from keyless.workflows.github_insertion import insertion_target, region_for
from keyless.workflows.github_other_stores import job_evidence, steps_elsewhere
from keyless.workflows.github_profile_steps import (
    PROFILE_REASON,
    replaceable_steps,
    replacement_problem,
)
from keyless.workflows.github_values import computed_secret_names, expression_bodies
from keyless.workflows.hardcoded import redact_key_id
from keyless.workflows.model import FixOptions
from keyless.workflows.pwn_request import untrusted_checkout
from keyless.workflows.subjects import job_environment
from keyless.workflows.yamldoc import is_flow, is_map, is_seq, parents

Blockers = dict[str, list[str]]
_LITERAL_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_CONTEXT_NAME = re.compile(r"(?<![\w.-])(?:secrets|vars)\.[A-Za-z_][A-Za-z0-9_-]{0,99}", re.ASCII)
# A role name as IAM allows it (no ARN, no expression): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
_ROLE_NAME = re.compile(r"(?:[\w+=,.@-]{1,512}/)*[\w+=,.@-]{1,64}", re.ASCII)
_ENV_REFERENCE = re.compile(r"\s*\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]{0,99})\s*\}\}\s*", re.ASCII)
_MATRIX_NAME = re.compile(r"(?<![\w.-])matrix\.([A-Za-z_][A-Za-z0-9_-]{0,99})", re.ASCII)
# configure-aws-credentials releases before v1.6.0, which added GitHub OIDC (and
# web-identity-token-file): given a role and no keys, they fail.
_BEFORE_OIDC = re.compile(r"@v?1\.[0-5](?:\.\d+)?\s*$")


def find_blockers(
    analysis: GithubAnalysis,
    options: FixOptions,
    callees: Mapping[str, Any],
    key_jobs: list[str],
    composites: Mapping[str, str | None],
) -> Blockers:
    """Per job of ``key_jobs``, the reasons it must be left to a person (absent: none)."""
    root = analysis.document.root
    jobs = dict(jobs_of(root))
    workflow_env = root.get("env") if is_map(root) else None
    found: Blockers = {}
    for name in key_jobs:
        job = jobs[name]
        reasons = list(_step_reasons(analysis, name, job, composites))
        if any(env.job == name for env in analysis.container_env):
            # The scan reports them; removing them could break what runs in the container.
            reasons.append("keys in the job's container/services env: rewrite by hand")
        reasons += [
            h.reason
            for h in analysis.env_handoffs
            if h.job == name or (h.level == "workflow" and "steps" in job)
        ]
        reasons += _call_reasons(analysis, name, callees)
        variables, texts = _variables(workflow_env, job), _texts(workflow_env, job)
        # As the scan judges the job's keys (github_other_stores): its env and the steps
        # that run with them, a step on a local emulator aside.
        evidence = job_evidence(workflow_env, job)
        unseen = unseen_endpoints(variables, texts)
        if evidence:
            reasons.append(
                "its keys do not look like AWS keys (" + "; ".join(evidence) + "): an AWS role "
                "cannot replace them, so they are left"
            )
        elif unseen:
            # As the scan says (github_checks): the endpoint may be AWS's or another store's.
            reasons.append(unseen_endpoint_reason(unseen))
        elsewhere = steps_elsewhere(workflow_env, job)
        if elsewhere:
            reasons.append(
                "a step sends its keys to another store ("
                + "; ".join(elsewhere)
                + ") while another calls AWS with them: a role would not serve that store; "
                "give that step its own keys and rewrite the job by hand"
            )
        pairs = _key_ids(workflow_env, job)
        if len(pairs) > 1:
            reasons.append(
                f"it uses {len(pairs)} different key pairs ({', '.join(sorted(pairs))}): one role "
                "cannot stand for both; split the job or rewrite it by hand"
            )
        chosen = _chosen_by_condition(_key_ids(workflow_env, job))
        if len(pairs) <= 1 and chosen and not _role_per_computed_environment(options, job):
            reasons.append(
                f"its key ID is chosen by a condition among {', '.join(chosen)}: each may be "
                "another IAM user, even of another account, and one role cannot stand for "
                "them all; give each its own role by hand (`role-to-assume: ${{ cond && "
                "vars.ROLE_A || vars.ROLE_B }}`), or run the job in an environment chosen by "
                "the same condition and fix with --role-arn-from vars.NAME, NAME set in each"
            )
        chosen_by = _matrix_names(_key_sources(workflow_env, job))
        if chosen_by and not _role_follows_environment(options, job):
            reasons.append(
                f"its keys are chosen by the matrix ({', '.join(chosen_by)}): each "
                "combination may be another IAM user, even of another account, and one role "
                "cannot stand for them all; give each combination its own role "
                "(`role-to-assume: ${{ matrix.role }}`) by hand"
            )
        computed = computed_secret_names(_key_sources(workflow_env, job))
        if computed and not _role_per_computed_environment(options, job):
            reasons.append(
                f"its keys are read from secrets named as it runs (from {', '.join(computed)}): "
                "each name may be another IAM user, even of another account, and one role "
                "cannot stand for them all; give each its own role by hand, or run the job in "
                "an environment named by the same value and fix with --role-arn-from "
                "vars.NAME, NAME set in each"
            )
        reasons += _role_name_reasons(job)
        reasons += _layout_reasons(analysis, name, job)
        checkout = untrusted_checkout(root, job)
        if checkout is not None:
            reasons.append(
                f"its {checkout}: with id-token: write, code from a fork could request the OIDC "
                "token and assume the role (workflow-untrusted-checkout-id-token), as it can "
                "read the keys now (rotate them); run the pull request's code in a job "
                "without credentials and rewrite it by hand"
            )
        target = insertion_target(analysis, name, job, composites)
        if target is not None and region_for(options, root, job, target) is None:
            reasons.append(
                "no AWS region for the credentials step: the workflow sets neither AWS_REGION "
                "nor AWS_DEFAULT_REGION for it; pass --region"
            )
        if reasons:
            found[name] = reasons
    return found


def shared_blockers(analysis: GithubAnalysis, key_jobs: list[str], blockers: Blockers) -> Blockers:
    """``blockers`` plus every job that shares a key site with a job left as it is:
    removing the shared keys would break the job left, and keeping them leaves the key
    in this one too. Jobs that share their steps (``steps: *steps``) share the step the
    rewrite inserts there as well."""
    root = analysis.document.root
    jobs = dict(jobs_of(root))
    index = parents(root)
    users: dict[Site, set[str]] = {}
    for name in key_jobs:
        for site in job_sites(analysis, name, jobs[name]):
            users.setdefault(site, set()).add(name)
        steps = jobs[name].get("steps")
        if is_seq(steps):
            users.setdefault(Site(steps, (), route_of(steps, index)), set()).add(name)
    out = {name: list(reasons) for name, reasons in blockers.items()}
    changed = True
    while changed:
        changed = False
        for site, names in users.items():
            stuck = sorted(n for n in names if n in out)
            route = shown_pointer(site.route)
            what = f"the keys written at {route}" if site.keys else f"its steps ({route})"
            for name in sorted(names - out.keys()) if stuck else ():
                out[name] = [
                    f"it shares {what} with job {quoted(stuck[0])}, which is left as it is"
                ]
                changed = True
    return out


def job_sites(analysis: GithubAnalysis, name: str, job: Any, *, handed: bool = True) -> list[Site]:
    """Every place the keys ``job`` uses are written: ``env:`` and configure-aws-credentials
    inputs and, when ``handed``, the inputs of another action and the secrets of a
    reusable workflow it gives them in (a mapping an alias may share with another job:
    ``with: *inputs``)."""
    sites = [s for e in analysis.key_env if e.job == name for s in e.sites]
    sites += [s for k in analysis.key_inputs if k.job == name for s in k.sites]
    workflow = next((e for e in analysis.key_env if e.level == "workflow"), None)
    if workflow is not None and "steps" in job:
        sites += list(workflow.sites)
    given = [(o.inputs, o.keys) for o in analysis.other_actions if o.job == name]
    given += [(c.secrets, c.keys) for c in analysis.calls if c.job == name and c.keys]
    if given and handed:
        index = parents(analysis.document.root)
        sites += [Site(node, keys, route_of(node, index)) for node, keys in given]
    return sites


def _needs_inserted_step(analysis: GithubAnalysis, name: str, job: Any) -> bool:
    if any(e.job == name for e in analysis.key_env) or replaceable_steps(analysis, name, job):
        return True
    return any(e.level == "workflow" for e in analysis.key_env) and "steps" in job


def _step_reasons(
    analysis: GithubAnalysis, name: str, job: Any, composites: Mapping[str, str | None]
) -> Iterator[str]:
    env_keys = _needs_inserted_step(analysis, name, job)
    for other in (o for o in analysis.other_actions if o.job == name):
        if logs_in_to_ecr(other):
            if is_flow(other.inputs):
                yield f"step {other.step_index + 1}'s with: is written in flow style"
            continue
        if other.action in composites:
            why = composites[other.action]
            if why is not None:
                yield (
                    f"step {other.step_index + 1} gives the local action "
                    f"{shown_name(other.action)} the keys, and {why}; keyless does not edit an "
                    "action other workflows share: rewrite it by hand"
                )
            elif is_flow(other.inputs):
                yield f"step {other.step_index + 1}'s with: is written in flow style"
            continue
        yield (
            f"step {other.step_index + 1} gives {shown_name(other.action)} the keys as inputs "
            f"({', '.join(map(shown_name, other.keys))}): keyless does not know how it takes "
            "temporary credentials; rewrite it by hand"
        )
    for index, step in steps_of(job):
        uses = step.get("uses")
        if is_configure_action(step) and isinstance(uses, str) and _BEFORE_OIDC.search(uses):
            yield (
                f"{describe_step(index, step)} pins {uses.strip()}, which predates OIDC "
                "(configure-aws-credentials supports it from v1.6.0: "
                "https://github.com/aws-actions/configure-aws-credentials/releases/tag/v1.6.0): "
                "move it to @v4 and run fix again"
            )
    root = analysis.document.root
    for script in (s for s in analysis.scripts if s.job == name):
        problem = None
        if script.at == "run" and script.reason.startswith(PROFILE_REASON):
            # Replaced by the credentials step when that is safe (github_profile_steps).
            problem = replacement_problem(script.step, job, root)
            if problem is None:
                continue
        yield (
            f"{describe_step(script.step_index, script.step)}: {script.reason}"
            + (f", and {problem}, so keyless does not replace it" if problem else "")
            + "; rewrite it by hand (a configure-aws-credentials step exports temporary "
            "credentials, session token included, to the steps after it)"
        )
    step_env = {e.step_index for e in analysis.key_env if e.job == name and e.level == "step"}
    for index, step in steps_of(job):
        uses = step.get("uses")
        action = uses.split("@")[0].strip() if isinstance(uses, str) else ""
        if action in DROPS_SESSION_TOKEN and (env_keys or index in step_env):
            yield (
                f"{describe_step(index, step)} uses {action}, which cannot use temporary "
                f"credentials ({DROPS_SESSION_TOKEN[action]}, dropping the session token): "
                "replace it (for example with `aws s3 sync` after configure-aws-credentials)"
            )


def _call_reasons(analysis: GithubAnalysis, name: str, callees: Mapping[str, Any]) -> list[str]:
    call = next((c for c in analysis.calls if c.job == name and c.keys), None)
    if call is None:
        return []
    if not call.is_local:
        return [
            f"it passes the keys to {shown_name(call.callee)}, a workflow in another "
            "repository: rewrite that workflow there to use OIDC, then grant this job "
            "`id-token: write` and stop passing the keys"
        ]
    outcome = callees.get(call.local_path)
    if outcome is None:
        return [
            f"it passes the keys to {shown_name(call.callee)}, which is not among the files "
            "read: run fix on the whole repository"
        ]
    if not outcome.rewritten:
        return [
            f"it passes the keys to {shown_name(call.callee)}, which is left as it is "
            "(see that file)"
        ]
    return []


def _role_name_reasons(job: Any) -> list[str]:
    """configure-aws-credentials given a role's name rather than its ARN (``role-to-assume:
    deploy``, as its README allows beside keys: "to assume a role in the same account as
    the static credentials, you can simply specify the role name") makes the ARN with the
    account of the credentials it is given. Without the keys it has none, and fails
    ("Source Account ID is needed if the Role Name is provided and not the Role Arn":
    aws-actions/configure-aws-credentials src/assumeRole.ts), unless it chains from
    credentials already in the environment (``role-chaining: true``)."""
    reasons = []
    for index, step in _running_steps(job):
        inputs = step.get("with")
        if not is_configure_action(step) or not is_map(inputs):
            continue
        role = inputs.get("role-to-assume")
        chaining = str(inputs.get("role-chaining", "")).strip().lower() == "true"
        if isinstance(role, str) and _ROLE_NAME.fullmatch(role.strip()) and not chaining:
            reasons.append(
                f"{describe_step(index, step)} assumes the role named {quoted(role.strip())}, "
                "which configure-aws-credentials turns into an ARN with the account of the "
                "keys it is given: without them it fails; write the role's ARN there "
                "(arn:aws:iam::ACCOUNT:role/NAME) and run fix again"
            )
    return reasons


def _layout_reasons(analysis: GithubAnalysis, name: str, job: Any) -> list[str]:
    reasons = [
        f"the keys at {shown_pointer(site.route)} are written in flow style ({{…}}): "
        "rewrite them in block style, or by hand"
        for site in job_sites(analysis, name, job, handed=False)
        if is_flow(site.node)
    ]
    if _needs_inserted_step(analysis, name, job):
        steps = job.get("steps")
        if is_seq(steps) and is_flow(steps):
            reasons.append("its steps are written in flow style ([…]): a step cannot be inserted")
    return list(dict.fromkeys(reasons))


def _mappings(workflow_env: Any, job: Any) -> Iterator[Any]:
    if is_map(workflow_env) and "steps" in job:
        yield workflow_env
    yield job.get("env")
    for _, step in _running_steps(job):
        yield step.get("env")
        yield step.get("with")


def _running_steps(job: Any) -> Iterator[tuple[int, Any]]:
    """The job's steps but those GitHub never runs (:mod:`.github_conditions`): an
    ``env.ACT`` step's keys and endpoint (LocalStack, for local runs) are not the job's."""
    return ((i, step) for i, step in steps_of(job) if not_on_github(step.get("if")) is None)


def _variables(workflow_env: Any, job: Any) -> list[tuple[str, str]]:
    return [
        (str(k), v)
        for mapping in _mappings(workflow_env, job)
        if is_map(mapping)
        for k, v in mapping.items()
        if isinstance(v, str)
    ]


def _texts(workflow_env: Any, job: Any) -> list[str]:
    texts = [value for _, value in _variables(workflow_env, job)]
    texts += [s["run"] for _, s in _running_steps(job) if isinstance(s.get("run"), str)]
    return texts


def _key_sources(workflow_env: Any, job: Any) -> list[str]:
    return [
        value
        for name, value in _variables(workflow_env, job)
        if name
        in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "aws-access-key-id",
            "aws-secret-access-key",
        )
    ]


def _matrix_names(sources: list[str]) -> list[str]:
    """The ``matrix.NAME`` the key expressions read (``${{ secrets[matrix.key] }}``,
    ``${{ secrets[format('KEY_{0}', matrix.stage)] }}``), each once."""
    names = (
        f"matrix.{m.group(1)}"
        for source in sources
        for expression in expression_bodies(source)
        for m in _MATRIX_NAME.finditer(expression)
    )
    return list(dict.fromkeys(names))


def _role_follows_environment(options: FixOptions, job: Any) -> bool:
    """Whether the role, taken from a variable or secret, can differ per combination:
    the job's environment is a matrix value, and an environment has its own variables
    and secrets."""
    environment = job_environment(job)
    return (
        options.role.reference is not None
        and environment is not None
        and bool(_matrix_names([environment]))
    )


def _role_per_computed_environment(options: FixOptions, job: Any) -> bool:
    """Whether the role, taken from a variable or secret, can differ as the keys did: the
    job's environment is an expression, and each environment has its own variables."""
    environment = job_environment(job)
    return options.role.reference is not None and environment is not None and "${{" in environment


def _chosen_by_condition(values: set[str]) -> list[str]:
    """The secrets and variables a key ID expression chooses among by a condition
    (``${{ github.ref == 'refs/heads/main' && secrets.PROD_KEY || secrets.DEV_KEY }}``),
    each once; none for one source, or a plain fallback (``secrets.KEY || vars.KEY``)."""
    found: list[str] = []
    for value in values:
        for expression in expression_bodies(value):
            names = list(dict.fromkeys(_CONTEXT_NAME.findall(expression)))
            if "&&" in expression and len(names) > 1:
                found += [n for n in names if n not in found]
    return found


def _key_ids(workflow_env: Any, job: Any) -> set[str]:
    values = []
    for _, step in _running_steps(job):
        inputs = step.get("with")
        if is_configure_action(step) and is_map(inputs):
            key_id = inputs.get("aws-access-key-id")
            values.append(_env_value(key_id, [step.get("env"), job.get("env"), workflow_env]))
    values += _seen_key_ids(workflow_env, job)
    # Literal key IDs are shown as AKIA…WXYZ, as everywhere else.
    return {
        _LITERAL_KEY.sub(lambda m: redact_key_id(m.group(0)), " ".join(v.split()))
        for v in values
        if isinstance(v, str)
    }


def _env_value(value: Any, scopes: list[Any]) -> Any:
    """``value``, or what it reads when it is only ``${{ env.NAME }}`` of a name the
    step's, job's or workflow's ``env:`` sets (the innermost wins: the same key pair as
    the one written there, not a second one)."""
    found = _ENV_REFERENCE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        return value
    for scope in scopes:
        if is_map(scope) and isinstance(scope.get(found.group(1)), str):
            return scope[found.group(1)]
    return value


def _seen_key_ids(workflow_env: Any, job: Any) -> list[Any]:
    """The ``AWS_ACCESS_KEY_ID`` each step of ``job`` that runs sees (and those its steps'
    ``with:`` give): its own ``env:``'s, else the job's, else the workflow's. GitHub uses
    the most specific of variables of one name: a step's overrides the job's and the
    workflow's, a job's the workflow's, while it runs
    (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#env),
    so a key the job's ``env:`` overrides is not a second key pair the job uses."""
    outer = [job.get("env")] + ([workflow_env] if "steps" in job else [])
    steps = [step for _, step in _running_steps(job)]
    values: list[Any] = []
    for scopes in [[s.get("env"), *outer] for s in steps] or [outer]:
        found = next((m for m in scopes if is_map(m) and "AWS_ACCESS_KEY_ID" in m), None)
        if found is not None:
            values.append(found["AWS_ACCESS_KEY_ID"])
    values += [s["with"].get("AWS_ACCESS_KEY_ID") for s in steps if is_map(s.get("with"))]
    return values
