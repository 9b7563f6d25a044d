"""GitHub Actions: where a workflow hands long-lived AWS keys to a job.

One analysis walks the workflow once and records each place keys enter (inputs of
``aws-actions/configure-aws-credentials``, ``env:`` at each level, inputs of other
actions, ``run:`` scripts that take the keys or write them into a profile, secrets passed
to reusable workflows) and a workflow-wide ``id-token: write``. Keys merged in with
``<<: *anchor`` are followed to the mapping where they are written (a :class:`Site`), but
GitHub Actions rejects merge keys (:func:`merge_key_problem`): such a workflow does not run
as written, and only a person can rewrite it.
:mod:`.github_values` says what a value holds (long-lived keys or temporary credentials);
:mod:`.github_checks` turns the records into findings; :mod:`.github_fix` into edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from keyless.errors import quoted
from keyless.workflows.github_stores import vault_keys
from keyless.workflows.github_values import (
    env_names,
    grants_id_token,
    is_temporary,
    key_env_entries,
    other_action_keys,
    script_reason,
)
from keyless.workflows.handoffs import EnvHandOff, handed_on
from keyless.workflows.yamldoc import Document, is_map, is_seq, origin_of, own_items, parents

CONFIGURE_ACTION = "aws-actions/configure-aws-credentials"
# configure-aws-credentials' inputs for static keys:
# https://github.com/aws-actions/configure-aws-credentials#options
KEY_INPUTS = ("aws-access-key-id", "aws-secret-access-key", "aws-session-token")
_PLAIN_NAME = re.compile(r"[\w./@-]{1,100}", re.ASCII)
_KEY_NAME = re.compile(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Site:
    """A mapping in which AWS key entries are written (where a rewrite removes them),
    the keys written there, and its dotted route in the document. Compared by identity:
    two records of the same mapping are one site."""

    node: Any
    keys: tuple[str, ...]
    route: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Site) and other.node is self.node

    def __hash__(self) -> int:
        return id(self.node)


@dataclass(frozen=True, slots=True)
class KeyInputs:
    """A configure-aws-credentials step given key inputs."""

    job: str
    step_index: int
    step: Any
    inputs: Any
    keys: tuple[str, ...]
    sites: tuple[Site, ...]


@dataclass(frozen=True, slots=True)
class KeyEnv:
    """An ``env:`` mapping whose AWS key variables come from expressions or literals, and
    the sites they are written in (the mapping itself, or anchors merged into it)."""

    level: str  # "workflow", "job" or "step"
    job: str | None
    step_index: int | None
    env: Any
    keys: tuple[str, ...]
    sites: tuple[Site, ...]


@dataclass(frozen=True, slots=True)
class OtherActionKeys:
    """Another action given AWS keys as inputs; only a person can rewrite it."""

    job: str
    step_index: int
    action: str
    inputs: Any
    keys: tuple[str, ...]
    #: What a local composite action does with inputs not named for keys
    #: (:mod:`.github_action`): ``"writes access_key into AWS credentials in its step 1"``.
    routes: tuple[str, ...] = ()
    #: The inputs among ``keys`` that such an action routes into a session token.
    session: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScriptKeys:
    """A ``run:`` step that takes AWS keys straight from secrets, or writes them into a
    profile or credentials file, or a step that fetches them from a secret store for the
    steps after it; only a person can rewrite it."""

    job: str
    step_index: int
    step: Any
    reason: str
    #: Where in the step: its ``run``, or the input of an action that fetches the keys
    #: from a secret store (``with.secrets``: :mod:`.github_stores`).
    at: str = "run"


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

    @property
    def local_path(self) -> str:
        """``.github/workflows/x.yml`` for a local callee (no ``./``, no ``@ref``)."""
        return self.callee.split("@")[0].removeprefix("./")


@dataclass(frozen=True, slots=True)
class GithubAnalysis:
    """Everything the scan and the fix need to know about one workflow."""

    document: Document
    key_inputs: tuple[KeyInputs, ...]
    key_env: tuple[KeyEnv, ...]
    other_actions: tuple[OtherActionKeys, ...]
    scripts: tuple[ScriptKeys, ...]
    calls: tuple[ReusableCall, ...]
    broad_id_token: bool
    #: ``env:`` of a job's container or service containers with AWS keys (level "job").
    container_env: tuple[KeyEnv, ...] = ()
    #: ``env:`` entries that hand the keys on under other names (``TF_VAR_aws_access_key``).
    env_handoffs: tuple[EnvHandOff, ...] = ()
    #: Each job by name (:func:`jobs_of`), looked up once: checks ask per key site.
    jobs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def has_static_keys(self) -> bool:
        """Whether keys enter the workflow anywhere."""
        return bool(
            self.key_inputs
            or self.key_env
            or self.other_actions
            or self.scripts
            or any(c.keys for c in self.calls)
            or bool(self.env_handoffs)
        )

    def uses_keys(self, job: str) -> bool:
        """Whether keys reach ``job`` (workflow-level env reaches every job with steps)."""
        return (
            any(k.job == job for k in self.key_inputs)
            or any(e.job == job for e in self.key_env)
            or any(o.job == job for o in self.other_actions)
            or any(s.job == job for s in self.scripts)
            or any(c.job == job and c.keys for c in self.calls)
            or any(h.job == job for h in self.env_handoffs)
        )


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


def describe_step(index: int, step: Any) -> str:
    """``step 3 ('Deploy')``: a step named for a person (by its name or id, if any)."""
    label = step.get("name") or step.get("id")
    shown = f" ({quoted(label)})" if isinstance(label, str) and label else ""
    return f"step {index + 1}{shown}"


def is_configure_action(step: Any) -> bool:
    """Whether a step runs aws-actions/configure-aws-credentials (any version)."""
    uses = step.get("uses")
    return isinstance(uses, str) and uses.split("@")[0].strip() == CONFIGURE_ACTION


def is_called_workflow(root: Any) -> bool:
    """Whether a workflow is a reusable one (``on: workflow_call``)."""
    on: Any = root.get("on") if is_map(root) else None
    return (is_map(on) and "workflow_call" in on) or on == "workflow_call"


def merge_key_problem(document: Document, what: str = "workflow") -> str | None:
    """Why a workflow (or, ``what="action"``, an action's metadata file) does not run on
    GitHub as written, when it uses a ``<<`` merge key. GitHub Actions reads anchors and
    aliases (YAML 1.2) but not merge keys, a YAML 1.1
    type: https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#yaml-anchors-and-aliases
    documents no merge, and GitHub's staff said merge keys are not supported
    (https://github.com/actions/runner/issues/1182); the runner, which reads an action's
    metadata, refused even anchors there. The secrets it names are still configured, so
    its keys are reported all the same."""
    if not document.merge_key_lines:
        return None
    lines = document.merge_key_lines
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines[:5]))}"
    more = ", …" if len(lines) > 5 else ""
    return (
        f"the {what} does not run on GitHub as written: GitHub Actions does not accept "
        f"the YAML merge key (<<) on {where}{more}"
    )


def trigger_problem(root: Any) -> str | None:
    """Why a workflow never runs when it names no event: GitHub runs a workflow for the
    events its ``on`` defines
    (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#on)
    and refuses a file without them as invalid (actionlint: '"on" section is missing in
    workflow'), as when ``on:`` is commented out to switch a workflow off. None when it
    names some. Its secrets are still configured, so its keys are reported all the same."""
    if not is_map(root):
        return None
    on = root.get("on")
    blank = isinstance(on, str) and not on.strip()
    if not (on is None or blank or ((is_map(on) or is_seq(on)) and not len(on))):
        return None
    return (
        "the workflow does not run on GitHub as written: it names no event to run on (no "
        "`on:`), which GitHub refuses as invalid"
    )


def not_running_problem(document: Document, what: str = "workflow") -> str | None:
    """Why a workflow (or an action's metadata file, ``what="action"``) does not run on
    GitHub as written: a merge key (:func:`merge_key_problem`) or, for a workflow, no
    event (:func:`trigger_problem`). None when nothing says so."""
    problem = merge_key_problem(document, what)
    if problem is None and what == "workflow":
        problem = trigger_problem(document.root)
    return problem


def analyse(document: Document) -> GithubAnalysis:
    """Walk one workflow and record where AWS keys enter it."""
    root = document.root
    index = parents(root)
    key_inputs: list[KeyInputs] = []
    key_env: list[KeyEnv] = []
    others: list[OtherActionKeys] = []
    scripts: list[ScriptKeys] = []
    calls: list[ReusableCall] = []
    containers: list[KeyEnv] = []
    handoffs: list[EnvHandOff] = []

    def hand_offs(level: str, job: str | None, step_index: int | None, env: Any) -> None:
        names = handed_on(env)
        if names:
            handoffs.append(EnvHandOff(level, job, step_index, env, names, route_of(env, index)))

    if is_map(root):
        env = key_env_entries(root.get("env"))
        if env:
            key_env.append(
                KeyEnv("workflow", None, None, root["env"], env, _sites(root["env"], env, index))
            )
        hand_offs("workflow", None, None, root.get("env"))
    for name, job in jobs_of(root):
        env = key_env_entries(job.get("env"))
        if env:
            key_env.append(
                KeyEnv("job", name, None, job["env"], env, _sites(job["env"], env, index))
            )
        hand_offs("job", name, None, job.get("env"))
        containers.extend(_container_env(name, job, index))
        call = _reusable_call(name, job)
        if call is not None:
            calls.append(call)
        for step_index, step in steps_of(job):
            # A step's `env:` sees the workflow's and job's, and what earlier steps
            # exported; the workflow's and job's own `env:` cannot read `env` at all:
            # https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#context-availability
            outer = env_names(root.get("env"), job.get("env"))
            env = key_env_entries(step.get("env"), outer)
            if env:
                sites = _sites(step["env"], env, index)
                key_env.append(KeyEnv("step", name, step_index, step["env"], env, sites))
            hand_offs("step", name, step_index, step.get("env"))
            run = step.get("run")
            if isinstance(run, str):
                reason = script_reason(run)
                if reason:
                    scripts.append(ScriptKeys(name, step_index, step, reason))
            fetched = vault_keys(step)
            if fetched:
                scripts.append(ScriptKeys(name, step_index, step, fetched, "with.secrets"))
            inputs = step.get("with")
            if not is_map(inputs):
                continue
            written = env_names(root.get("env"), job.get("env"), step.get("env"))
            if is_configure_action(step):
                keys = tuple(k for k in KEY_INPUTS if k in inputs)
                if keys and not is_temporary(inputs, keys, written):
                    sites = _sites(inputs, keys, index)
                    key_inputs.append(KeyInputs(name, step_index, step, inputs, keys, sites))
            elif isinstance(step.get("uses"), str):
                keys = other_action_keys(inputs)
                if keys and not is_temporary(inputs, keys, written):
                    others.append(OtherActionKeys(name, step_index, step["uses"], inputs, keys))
    return GithubAnalysis(
        document=document,
        key_inputs=tuple(key_inputs),
        key_env=tuple(key_env),
        other_actions=tuple(others),
        scripts=tuple(scripts),
        calls=tuple(calls),
        broad_id_token=grants_id_token(root.get("permissions") if is_map(root) else None),
        container_env=tuple(containers),
        env_handoffs=tuple(handoffs),
        jobs=MappingProxyType(dict(jobs_of(root))),
    )


def shown_name(value: object) -> str:
    """A name from a workflow (an input, a key) as a message shows it: plain when it is a
    short name, else quoted in part (:func:`keyless.errors.quoted`): a file may hold a
    name of 100,000 characters."""
    text = str(value)
    return text if _PLAIN_NAME.fullmatch(text) else quoted(text)


def _container_env(name: str, job: Any, index: dict[int, tuple[Any, Any]]) -> Iterator[KeyEnv]:
    """AWS keys in the ``env:`` of the job's container (every ``run`` step executes in it)
    or of its service containers.
    https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idcontainerenv"""
    services = job.get("services")
    containers = [job.get("container"), *(services.values() if is_map(services) else ())]
    for container in containers:
        if not is_map(container):
            continue
        env = key_env_entries(container.get("env"))
        if env:
            yield KeyEnv(
                "job", name, None, container["env"], env, _sites(container["env"], env, index)
            )


def route_of(node: Any, index: dict[int, tuple[Any, Any]]) -> str:
    """The dotted route of a mapping or sequence (``jobs.deploy.env``)."""
    parts: list[str] = []
    seen: set[int] = set()
    current = node
    while id(current) in index and id(current) not in seen:
        seen.add(id(current))
        parent, key = index[id(current)]
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        current = parent
    return "".join(reversed(parts)).lstrip(".")


def _sites(
    mapping: Any, keys: tuple[str, ...], index: dict[int, tuple[Any, Any]]
) -> tuple[Site, ...]:
    by_origin: dict[int, tuple[Any, list[str]]] = {}
    for key in keys:
        origin = origin_of(mapping, key)
        if origin is not None:
            by_origin.setdefault(id(origin), (origin, []))[1].append(key)
    return tuple(
        Site(node, tuple(names), route_of(node, index)) for node, names in by_origin.values()
    )


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
