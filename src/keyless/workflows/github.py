"""GitHub Actions: where a workflow hands long-lived AWS keys to a job.

One analysis walks the workflow once and records each place keys enter (inputs of
``aws-actions/configure-aws-credentials``, ``env:`` at each level, inputs of other
actions, secrets passed to reusable workflows) and a workflow-wide ``id-token: write``.
The scan turns these into findings; :mod:`.github_fix` turns the same records into edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.findings import Finding, Severity
from keyless.workflows.hardcoded import find_literals
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import Document, is_map, is_seq, key_position, own_items

CONFIGURE_ACTION = "aws-actions/configure-aws-credentials"
# The environment variables the AWS SDKs and CLI read static credentials from:
# https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
KEY_ENV_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# configure-aws-credentials' inputs for static keys:
# https://github.com/aws-actions/configure-aws-credentials#options
KEY_INPUTS = ("aws-access-key-id", "aws-secret-access-key", "aws-session-token")
_OTHER_KEY_INPUT = re.compile(
    r"^aws[-_]?(access[-_]?key[-_]?id|secret[-_]?access[-_]?key|secret[-_]?key|"
    r"session[-_]?token)$",
    re.IGNORECASE,
)
_KEY_NAME = re.compile(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)", re.IGNORECASE)
_EXPRESSION = re.compile(r"\$\{\{.*\}\}", re.DOTALL)
_DOCS = "https://github.com/aws-actions/configure-aws-credentials#oidc"

STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-static-aws-keys",
    title="configure-aws-credentials is given long-lived access keys",
    severity=Severity.HIGH,
    rationale=(
        "The job authenticates with an IAM user's access key stored as a secret. The key "
        "never expires, works from anywhere, and leaks with any step that can read secrets."
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
    title="Long-lived AWS keys are passed to steps through env, inputs or secrets",
    severity=Severity.HIGH,
    rationale=(
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in `env:` (or as inputs of another "
        "action, or secrets passed to a reusable workflow) give every step in scope an IAM "
        "user's permanent credentials." + "\n\n" + _DOCS
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
    title="id-token: write is granted to every job of the workflow",
    severity=Severity.MEDIUM,
    rationale=(
        "A workflow-level `id-token: write` lets every job mint OIDC tokens, so any job (and "
        "any action it runs) can assume the roles that trust this repository."
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


@dataclass(frozen=True, slots=True)
class KeyInputs:
    """A configure-aws-credentials step given key inputs."""

    job: str
    step_index: int
    step: Any
    inputs: Any
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KeyEnv:
    """An ``env:`` mapping that sets AWS key variables from expressions."""

    level: str  # "workflow", "job" or "step"
    job: str | None
    step_index: int | None
    env: Any
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OtherActionKeys:
    """Another action given AWS keys as inputs; only a person can rewrite it."""

    job: str
    step_index: int
    action: str
    inputs: Any
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReusableCall:
    """A job that calls a reusable workflow, and the AWS key secrets it passes."""

    job: str
    node: Any
    callee: str
    secrets: Any
    keys: tuple[str, ...]
    inherit: bool

    @property
    def is_local(self) -> bool:
        """A workflow of the same repository (``./.github/workflows/x.yml``)."""
        return self.callee.startswith("./")


@dataclass(frozen=True, slots=True)
class GithubAnalysis:
    """Everything the scan and the fix need to know about one workflow."""

    document: Document
    key_inputs: tuple[KeyInputs, ...]
    key_env: tuple[KeyEnv, ...]
    other_actions: tuple[OtherActionKeys, ...]
    calls: tuple[ReusableCall, ...]
    broad_id_token: bool

    @property
    def has_static_keys(self) -> bool:
        """Whether the fix has anything to rewrite here."""
        return bool(self.key_inputs or self.key_env or any(c.keys for c in self.calls))


def jobs_of(root: Any) -> Iterator[tuple[str, Any]]:
    """(name, mapping) of every job in a workflow."""
    jobs = root.get("jobs") if is_map(root) else None
    for name, job in own_items(jobs):
        if is_map(job):
            yield str(name), job


def steps_of(job: Any) -> Iterator[tuple[int, Any]]:
    """(index, mapping) of every step of a job."""
    steps = job.get("steps")
    if is_seq(steps):
        for index, step in enumerate(steps):
            if is_map(step):
                yield index, step


def is_configure_action(step: Any) -> bool:
    """Whether a step runs aws-actions/configure-aws-credentials (any version)."""
    uses = step.get("uses")
    return isinstance(uses, str) and uses.split("@")[0].strip() == CONFIGURE_ACTION


def is_called_workflow(root: Any) -> bool:
    """Whether a workflow is a reusable one (``on: workflow_call``)."""
    on: Any = root.get("on") if is_map(root) else None
    return (is_map(on) and "workflow_call" in on) or on == "workflow_call"


def is_expression(value: Any) -> bool:
    """Whether a value is (or contains) a ``${{ … }}`` expression."""
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def analyse(document: Document) -> GithubAnalysis:
    """Walk one workflow and record where AWS keys enter it."""
    root = document.root
    key_inputs: list[KeyInputs] = []
    key_env: list[KeyEnv] = []
    others: list[OtherActionKeys] = []
    calls: list[ReusableCall] = []
    if is_map(root):
        env = _key_env(root.get("env"))
        if env:
            key_env.append(KeyEnv("workflow", None, None, root["env"], env))
    for name, job in jobs_of(root):
        env = _key_env(job.get("env"))
        if env:
            key_env.append(KeyEnv("job", name, None, job["env"], env))
        call = _reusable_call(name, job)
        if call is not None:
            calls.append(call)
        for index, step in steps_of(job):
            env = _key_env(step.get("env"))
            if env:
                key_env.append(KeyEnv("step", name, index, step["env"], env))
            inputs = step.get("with")
            if not is_map(inputs):
                continue
            if is_configure_action(step):
                keys = tuple(k for k in KEY_INPUTS if k in inputs)
                if keys:
                    key_inputs.append(KeyInputs(name, index, step, inputs, keys))
            elif isinstance(step.get("uses"), str):
                keys = tuple(str(k) for k in inputs if _OTHER_KEY_INPUT.match(str(k)))
                if keys:
                    others.append(OtherActionKeys(name, index, step["uses"], inputs, keys))
    return GithubAnalysis(
        document=document,
        key_inputs=tuple(key_inputs),
        key_env=tuple(key_env),
        other_actions=tuple(others),
        calls=tuple(calls),
        broad_id_token=_grants_id_token(root.get("permissions") if is_map(root) else None),
    )


def _key_env(env: Any) -> tuple[str, ...]:
    # Only values that come from secrets, variables or inputs: a literal such as
    # `AWS_ACCESS_KEY_ID: test` (LocalStack, moto) is not a credential, and a literal that
    # looks like a real key is the hard-coded-key check's business.
    if not is_map(env):
        return ()
    return tuple(
        str(k)
        for k, v in env.items()
        if k in KEY_ENV_NAMES and (is_expression(v) or _is_literal_key(v))
    )


def _is_literal_key(value: Any) -> bool:
    return isinstance(value, str) and any(find_literals(f"aws secret: {value}"))


def _reusable_call(name: str, job: Any) -> ReusableCall | None:
    uses = job.get("uses")
    if not isinstance(uses, str):
        return None
    secrets = job.get("secrets")
    if secrets == "inherit":
        return ReusableCall(name, job, uses, secrets, (), inherit=True)
    keys: tuple[str, ...] = ()
    if is_map(secrets):
        keys = tuple(
            str(k)
            for k, v in secrets.items()
            if _KEY_NAME.search(str(k)) or (isinstance(v, str) and _KEY_NAME.search(v))
        )
    return ReusableCall(name, job, uses, secrets, keys, inherit=False)


def _grants_id_token(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return is_map(permissions) and permissions.get("id-token") == "write"


def findings(analysis: GithubAnalysis, file: WorkflowFile) -> list[Finding]:
    """The findings of one analysed workflow."""
    out: list[Finding] = []
    path = file.path

    def add(meta: Check, node: Any, key: Any, message: str, route: str) -> None:
        line, column = key_position(node, key)
        out.append(workflow_finding(meta, path, line + 1, column + 1, message, route))

    for item in analysis.key_inputs:
        route = f"jobs.{item.job}.steps[{item.step_index}].with"
        add(
            STATIC_AWS_KEYS,
            item.inputs,
            item.keys[0],
            f"job '{item.job}' step {item.step_index + 1} passes "
            f"{', '.join(item.keys)} to {CONFIGURE_ACTION}",
            f"{route}.{item.keys[0]}",
        )
    for env in analysis.key_env:
        route = {
            "workflow": "env",
            "job": f"jobs.{env.job}.env",
            "step": f"jobs.{env.job}.steps[{env.step_index}].env",
        }[env.level]
        scope = "workflow" if env.level == "workflow" else f"job '{env.job}'"
        if env.level == "step" and env.step_index is not None:
            scope = f"step {env.step_index + 1} of job '{env.job}'"
        add(
            STATIC_AWS_KEYS_ENV,
            env.env,
            env.keys[0],
            f"{', '.join(env.keys)} set in the env of the {scope}",
            f"{route}.{env.keys[0]}",
        )
    for other in analysis.other_actions:
        add(
            STATIC_AWS_KEYS_ENV,
            other.inputs,
            other.keys[0],
            f"job '{other.job}' step {other.step_index + 1} gives {other.action} AWS keys "
            f"as inputs ({', '.join(other.keys)}); rewrite it by hand",
            f"jobs.{other.job}.steps[{other.step_index}].with.{other.keys[0]}",
        )
    for call in analysis.calls:
        if call.keys:
            add(
                STATIC_AWS_KEYS_ENV,
                call.secrets,
                call.keys[0],
                f"job '{call.job}' passes {', '.join(call.keys)} to the reusable workflow "
                f"{call.callee}",
                f"jobs.{call.job}.secrets.{call.keys[0]}",
            )
    if analysis.broad_id_token:
        root = analysis.document.root
        permissions = root["permissions"]
        node, key = (permissions, "id-token") if is_map(permissions) else (root, "permissions")
        add(
            BROAD_ID_TOKEN,
            node,
            key,
            "every job of the workflow may request an OIDC token (id-token: write at "
            "workflow level)",
            "permissions.id-token" if is_map(permissions) else "permissions",
        )
    return out
