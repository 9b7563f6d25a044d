"""The GitHub Actions checks (metadata beside the detector) and the findings of one
analysed workflow (:mod:`.github`)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
from keyless.findings import FileLocation, Finding, Severity
from keyless.workflows.github import (
    CONFIGURE_ACTION,
    GithubAnalysis,
    KeyEnv,
    OtherActionKeys,
    not_running_problem,
    shown_name,
)
from keyless.workflows.github_composite import composite_verdict
from keyless.workflows.github_conditions import lowered_if_never_run
from keyless.workflows.github_ecr_login import logs_in_to_ecr
from keyless.workflows.github_other_stores import (
    for_another_store,
    job_steps,
    step_at,
    step_evidence,
    unseen_note,
)
from keyless.workflows.github_values import pasted_session
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.oidc_use import needless_id_token_jobs
from keyless.workflows.yamldoc import (
    Document,
    anchor_of,
    is_map,
    key_position,
    parents,
)

_DOCS = "https://github.com/aws-actions/configure-aws-credentials#oidc"
# What a finding's message may say instead of "long-lived", and why it is still one.
_TEMPORARY = (
    "Keys given with a session token, or an ASIA… key ID, are temporary credentials "
    "copied in by hand (AWS Academy style): they expire within hours and are pasted again, "
    "so the message says so (medium for an ASIA… key ID). Keys beside an endpoint keyless "
    "cannot read (a secret's) may be another store's: medium, the message says so. A role "
    "the job assumes with its OIDC token replaces them all."
)

STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-static-aws-keys",
    title="configure-aws-credentials is given static access keys",
    severity=Severity.HIGH,
    rationale=(
        "The job authenticates with access keys stored as secrets. An IAM user's key never "
        "expires, works from anywhere, and leaks with any step that can read secrets. "
        + _TEMPORARY
        + "\n\n"
        + _DOCS
    ),
    remediation=(
        "Create an IAM role that trusts GitHub's OIDC provider for this repository, grant "
        "the job `id-token: write`, and pass `role-to-assume` instead of the key inputs "
        "(`keyless workflows fix` does the rewrite)."
    ),
)

STATIC_AWS_KEYS_ENV = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-static-aws-keys-env",
    title="Static AWS keys are passed to steps through env, inputs or secrets",
    severity=Severity.HIGH,
    rationale=(
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in `env:` (or as inputs of another "
        "action, or secrets passed to a reusable workflow) give every step in scope the "
        "keys: an IAM user's permanent credentials, as a rule. " + _TEMPORARY + "\n\n" + _DOCS
    ),
    remediation=(
        "Remove the keys from `env:` and add a configure-aws-credentials step with "
        "`role-to-assume` before the first step that calls AWS; it exports temporary "
        "credentials to the steps after it."
    ),
)

BROAD_ID_TOKEN = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-broad-id-token",
    title="id-token: write is granted to jobs that do not use it",
    severity=Severity.MEDIUM,
    rationale=(
        "A workflow-level `id-token: write` lets every job without its own `permissions:` "
        "mint OIDC tokens, so a job that has no use for one (and any action it runs) can "
        "still assume the roles that trust this repository. Reported when at least one "
        "such job uses no OIDC token."
        + "\n\n"
        + "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token"
    ),
    remediation=(
        "Remove `id-token: write` from the workflow's `permissions:` and grant it only to "
        "the jobs that assume a role. See https://docs.github.com/en/actions/security-for-"
        "github-actions/security-hardening-your-deployments/about-security-hardening-with-"
        "openid-connect#adding-permissions-settings"
    ),
)


def _steps_in_scope(analysis: GithubAnalysis, env: KeyEnv) -> list[Any]:
    """The steps ``env``'s keys reach, and its own mapping as a step's ``env:``."""
    if env.level == "step" and env.step_index is not None:
        return [step_at(analysis, env.job, env.step_index)]
    jobs = [env.job] if env.level == "job" else list(analysis.jobs)
    return [{"env": env.env}] + [s for j in jobs for s in job_steps(analysis, j).values()]


def _scope(env: KeyEnv) -> str:
    if env.level == "step" and env.step_index is not None:
        return f"step {env.step_index + 1} of job {quoted(env.job)}"
    return "workflow" if env.level == "workflow" else f"job {quoted(env.job)}"


def _how_to_rewrite(file: WorkflowFile, other: OtherActionKeys) -> str:
    """A local action that only hands the keys to configure-aws-credentials, or
    docker/login-action logging in to ECR with them: ``fix`` can stop passing them
    (:mod:`.github_composite`, :mod:`.github_ecr_login`); any other action is a person's
    job."""
    action, keys = other.action, other.keys
    if logs_in_to_ecr(other):
        return (
            "`keyless workflows fix` can rewrite it (given no keys, the action logs in to ECR "
            f"with the credentials {CONFIGURE_ACTION} exports)"
        )
    if (
        action.strip().startswith("./")
        and composite_verdict(file.repository_root, action.strip(), keys) is None
    ):
        return (
            "`keyless workflows fix` can rewrite it (the action only hands them to "
            f"{CONFIGURE_ACTION})"
        )
    return "rewrite it by hand"


# A configuration variable read in an expression: `vars.NAME` (not `secrets.vars.x`).
_VARIABLE = re.compile(r"(?<![\w.])vars\s*\.\s*([A-Za-z_][A-Za-z0-9_]{0,99})", re.ASCII)


def _unmasked(mapping: Any, keys: tuple[str, ...]) -> str:
    """What to add when the secret key comes from a configuration variable: GitHub stores
    it in plain text and shows it unmasked in the logs
    (https://docs.github.com/en/actions/concepts/workflows-and-actions/variables), so it
    is exposed already, not only long-lived."""
    for key in (k for k in keys if "secret" in k.lower()):
        value = mapping.get(key) if is_map(mapping) else None
        found = _VARIABLE.search(value[:2000]) if isinstance(value, str) else None
        if found is not None:
            return (
                f"; the secret key is the configuration variable vars.{found.group(1)}, "
                "which GitHub keeps in plain text and shows unmasked in logs: treat the key "
                "as exposed and rotate it"
            )
    return ""


def findings(analysis: GithubAnalysis, file: WorkflowFile) -> list[Finding]:
    """The findings of one analysed workflow: one per place keys are written. Keys that
    reach several jobs from that one place (merged in with ``<<: *anchor``, or the whole
    mapping or step repeated with ``*anchor``) are reported once, where they are written
    and where ``fix`` removes them, and the message names every job they reach."""
    out: list[Finding] = []
    path = file.path
    # (node, key) → (the finding's position, its node, who gets the keys written there)
    reported: dict[tuple[int, str], tuple[int, Any, list[str]]] = {}

    def add(
        meta: Check,
        node: Any,
        key: Any,
        message: str,
        route: str,
        who: str = "",
        keys: tuple[str, ...] = (),
        beside: list[Any] | None = None,
        tokens: tuple[str, ...] = (),
    ) -> None:
        seen = reported.get((id(node), str(key)))
        if seen is not None:
            seen[2].append(who)
            return
        reported[(id(node), str(key))] = (len(out), node, [who])
        line, column = key_position(node, key)
        found = workflow_finding(meta, path, line + 1, column + 1, message, route)
        # Keys given with a session token, or an ASIA… key ID: temporary credentials
        # copied in by hand, said so (and medium when they are so for certain).
        session = pasted_session(node, keys, tokens=tokens) if keys else None
        if session is not None:
            words, temporary = session
            found = replace(
                found,
                message=found.message + words,
                severity=Severity.MEDIUM if temporary else found.severity,
            )
        # Beside an endpoint kept in a secret: maybe another store's keys (medium).
        unseen = unseen_note(beside or [])
        if unseen:
            found = replace(found, message=found.message + unseen, severity=Severity.MEDIUM)
        out.append(found)

    for item in analysis.key_inputs:
        site = item.sites[0]
        add(
            STATIC_AWS_KEYS,
            site.node,
            site.keys[0],
            f"job {quoted(item.job)} step {item.step_index + 1} passes "
            f"{', '.join(item.keys)} to {CONFIGURE_ACTION}{_unmasked(item.inputs, item.keys)}",
            f"{site.route}.{site.keys[0]}",
            f"job {quoted(item.job)} step {item.step_index + 1}",
            item.keys,
        )
    # Each env that gets a site's keys: the one it is written in, those that repeat it
    # with an alias (the same mapping) and those that merge it in (another mapping).
    users: dict[int, list[tuple[str, bool]]] = {}
    for env in analysis.key_env:
        for site in env.sites:
            users.setdefault(id(site.node), []).append((_scope(env), env.env is not site.node))
    for env in analysis.key_env:
        if for_another_store(analysis, env):
            continue
        for site in env.sites:
            first = users[id(site.node)][0][0]
            merged = [s for s, by_merge in users[id(site.node)] if by_merge and s != first]
            also = f" (merged into the {', '.join(merged)} too)" if merged else ""
            add(
                STATIC_AWS_KEYS_ENV,
                site.node,
                site.keys[0],
                f"{', '.join(site.keys)} set in the env of the {first}{also}"
                + _unmasked(site.node, site.keys),
                f"{site.route}.{site.keys[0]}",
                "" if env.env is not site.node else f"the {_scope(env)}",
                site.keys,
                _steps_in_scope(analysis, env),
            )
    for env in analysis.container_env:
        for site in env.sites:
            add(
                STATIC_AWS_KEYS_ENV,
                site.node,
                site.keys[0],
                f"{', '.join(site.keys)} set in the env of a container of job {quoted(env.job)}; "
                "rewrite it by hand",
                f"{site.route}.{site.keys[0]}",
                f"a container of job {quoted(env.job)}",
            )
    for other in analysis.other_actions:
        step = step_at(analysis, other.job, other.step_index)
        if step is not None and step_evidence(step):
            continue
        routes = f": the action {'; '.join(other.routes)}" if other.routes else ""
        add(
            STATIC_AWS_KEYS_ENV,
            other.inputs,
            other.keys[0],
            f"job {quoted(other.job)} step {other.step_index + 1} gives "
            f"{shown_name(other.action)} AWS keys as inputs "
            f"({', '.join(map(shown_name, other.keys))}){routes}; "
            f"{_how_to_rewrite(file, other)}",
            f"jobs.{other.job}.steps[{other.step_index}].with.{other.keys[0]}",
            f"job {quoted(other.job)} step {other.step_index + 1}",
            other.keys,
            [step],
            other.session,
        )
    for handoff in analysis.env_handoffs:
        if step_evidence({"env": handoff.env}):  # an endpoint or store named beside them
            continue
        add(
            STATIC_AWS_KEYS_ENV,
            handoff.env,
            handoff.names[0],
            f"{', '.join(handoff.names)} set from {handoff.sources} named for AWS keys in the "
            f"env of the {handoff.scope}: the keys handed on under other names",
            f"{handoff.route}.{handoff.names[0]}",
            f"the {handoff.scope}",
        )
    for script in analysis.scripts:
        node, key = (script.step["with"], "secrets") if script.at != "run" else (script.step, "run")
        add(
            STATIC_AWS_KEYS_ENV,
            node,
            key,
            f"job {quoted(script.job)} step {script.step_index + 1}: {script.reason}",
            f"jobs.{script.job}.steps[{script.step_index}].{script.at}",
            f"job {quoted(script.job)} step {script.step_index + 1}",
        )
    for call in analysis.calls:
        if call.keys:
            add(
                STATIC_AWS_KEYS_ENV,
                call.secrets,
                call.keys[0],
                f"job {quoted(call.job)} passes {', '.join(call.keys)} to the reusable workflow "
                f"{shown_name(call.callee)}",
                f"jobs.{call.job}.secrets.{call.keys[0]}",
                f"job {quoted(call.job)}",
            )
    needless = needless_id_token_jobs(analysis.document.root)
    if needless:
        root = analysis.document.root
        permissions = root["permissions"]
        node, key = (permissions, "id-token") if is_map(permissions) else (root, "permissions")
        names = ", ".join(quoted(n) for n in needless)
        noun = "job" if len(needless) == 1 else "jobs"
        add(
            BROAD_ID_TOKEN,
            node,
            key,
            f"{noun} {names} may request an OIDC token without using one (id-token: write "
            "at workflow level)",
            "permissions.id-token" if is_map(permissions) else "permissions",
        )
    shared = [entry for entry in reported.values() if len(entry[2]) > 1]
    # Keys shared by several jobs or steps run where any of them runs: judged as they are.
    alone = {position for position, _, who in reported.values() if len(who) == 1}
    out = [
        lowered_if_never_run(f, analysis.document.root, _route(f)) if i in alone else f
        for i, f in enumerate(out)
    ]
    named = _name_aliases(out, analysis, shared) if shared else out
    return said_not_to_run(named, analysis.document)


def _route(finding: Finding) -> str:
    location = finding.location
    return location.route if isinstance(location, FileLocation) else ""


def said_not_to_run(
    found: list[Finding], document: Document, what: str = "workflow"
) -> list[Finding]:
    """``found``, each message saying the file does not run on GitHub as written when it
    uses a ``<<`` merge key or names no event (:func:`.github.not_running_problem`)."""
    problem = not_running_problem(document, what)
    if problem is None:
        return found
    return [replace(f, message=f"{f.message}; {problem}") for f in found]


def _name_aliases(
    out: list[Finding], analysis: GithubAnalysis, shared: list[tuple[int, Any, list[str]]]
) -> list[Finding]:
    """Each finding whose keys an alias (``*anchor``) repeats in other jobs, steps or
    containers, naming them too: an alias is the anchored node itself, so they get the
    same keys (https://yaml.org/spec/1.2.2/#3222-anchors-and-aliases)."""
    index = parents(analysis.document.root)
    result = list(out)
    for position, node, who in shared:
        others = [w for w in dict.fromkeys(who[1:]) if w and w != who[0]]
        if not others:
            continue
        anchor = _anchor_above(node, index)
        named = f"the alias *{shown_name(anchor)}" if anchor is not None else "a YAML alias"
        finding = result[position]
        result[position] = replace(
            finding, message=f"{finding.message} (given to {', '.join(others)} too, by {named})"
        )
    return result


def _anchor_above(node: Any, index: dict[int, tuple[Any, Any]]) -> str | None:
    """The anchor on ``node`` or on the nearest mapping or sequence it is written in
    (a whole job or step may be the one repeated)."""
    seen: set[int] = set()
    current = node
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        anchor = anchor_of(current)
        if anchor is not None:
            return anchor
        current = index.get(id(current), (None, None))[0]
    return None
