"""GitHub composite and Docker container actions (``action.yml``): where an action uses
long-lived AWS keys, and what it does with the inputs its callers give it.

An action's metadata file says how it runs
(https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions).
A composite action (``runs: using: composite``) runs its ``runs.steps`` inside the
caller's job, each a ``run:`` script or a ``uses:`` of another action, with ``env:`` and
``with:`` (https://docs.github.com/en/actions/sharing-automations/creating-actions/creating-a-composite-action).
It cannot read ``secrets``: keys reach it from its callers as inputs (``${{ inputs.X }}``).

Its steps are judged by the workflow checks' own rules (:mod:`.github`), under the same
check IDs: configure-aws-credentials given key inputs (``workflow-static-aws-keys``), AWS
key variables in a step's ``env:``, a script that writes the keys into a profile or
exports them, another action given them (``workflow-static-aws-keys-env``). An action has
no jobs, triggers or permissions, so the job- and trigger-level checks have nothing to
read in it. A Docker container action (``using: docker``) has no steps: it is judged by
the keys it hands its container from its inputs (``runs.env``, ``runs.args``); a
JavaScript action is read, with nothing to judge.

A workflow step (or a composite action's step) that runs a local action
(``uses: ./path``) and gives it a secret or variable as an input the action routes into
one of those places uses static keys itself, whatever the names say:
:func:`.github_action_routes.with_local_actions` adds such steps to the workflow's
analysis, where the scan reports them and ``fix`` judges them like any other action
given keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from keyless.checks.registry import Check
from keyless.findings import Finding, Severity
from keyless.workflows.action_files import local_action, local_steps
from keyless.workflows.github import (
    CONFIGURE_ACTION,
    KEY_INPUTS,
    describe_step,
    is_configure_action,
    route_of,
    shown_name,
)
from keyless.workflows.github_action_routes import (
    ActionAnalysis,
    KeySink,
    Route,
    action_key,
    fed_by,
    hands_on_temporary,
    inputs_in,
    routed_inputs,
    unique_inputs,
    why_routed,
)
from keyless.workflows.github_checks import (
    STATIC_AWS_KEYS,
    STATIC_AWS_KEYS_ENV,
    said_not_to_run,
)
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.github_other_stores import step_evidence
from keyless.workflows.github_values import (
    is_temporary,
    key_env_entries,
    other_action_keys,
    pasted_session,
    script_reason,
)
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import Document, is_map, is_seq, key_position, origin_of, parents

#: What to do about keys in an action: ``fix`` never edits one (every workflow that runs
#: it shares it), and a step inside it cannot be given a role by its callers' rewrite.
REMEDIATION = (
    "keyless does not edit actions, which every workflow that runs them shares: by hand, "
    "have the action's callers assume a role before it (configure-aws-credentials with "
    "`role-to-assume` and `id-token: write`: the credentials it exports reach the "
    "action's steps) and drop its key inputs, or give it a `role-to-assume` input instead."
)
# A script line that names an AWS key: a profile entry or an environment variable.
_KEY_WORD = re.compile(
    r"aws_(?:access_key_id|secret_access_key|session_token)|"
    r"AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)",
    re.IGNORECASE,
)
# `AWS_ACCESS_KEY_ID=…` (`export`, or a line appended to `$GITHUB_ENV`): the key set for
# the rest of the script or, through GITHUB_ENV, for the job's later steps.
_KEY_ASSIGNMENT = re.compile(r"(?<![\w$])(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)")
# An argument of a container action that names an AWS key (`--aws-access-key-id`,
# `AWS_SECRET_ACCESS_KEY=…`, `aws_session_token`).
_ARG_KEY = re.compile(
    r"aws[-_]?(?:access[-_]?key(?:[-_]?id)?|secret[-_]?(?:access[-_]?)?key|session[-_]?token)",
    re.IGNORECASE,
)


def analyse_actions(items: Iterable[tuple[WorkflowFile, Document]]) -> dict[Path, ActionAnalysis]:
    """Every action among ``items`` analysed, keyed by its resolved path. An action whose
    steps run local actions is analysed after them (what they do with their inputs is
    what it does with its own); a cycle is cut where it closes."""
    actions = {action_key(file.path): (file, document) for file, document in items if file.action}
    order: list[Path] = []
    state: dict[Path, bool] = {}  # False while its dependencies are visited, then True
    for start in actions:
        if start in state:
            continue
        state[start] = False
        stack = [(start, iter(_dependencies(*actions[start])))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = True
                order.append(node)
            elif child in actions and child not in state:
                state[child] = False
                stack.append((child, iter(_dependencies(*actions[child]))))
    done: dict[Path, ActionAnalysis] = {}
    for key in order:
        file, document = actions[key]
        done[key] = analyse(document, file, done)
    return done


def _dependencies(file: WorkflowFile, document: Document) -> Iterator[Path]:
    for uses, _ in local_steps(document.root):
        target = local_action(file.repository_root, uses)
        if isinstance(target, Path):
            yield action_key(target)


def analyse(
    document: Document, file: WorkflowFile, others: Mapping[Path, ActionAnalysis]
) -> ActionAnalysis:
    """Where one action's steps use AWS keys, and which of its inputs feed them;
    ``others``: the local actions already analysed, which its own steps may run."""
    root = document.root
    runs: Any = root.get("runs") if is_map(root) else None
    using = runs.get("using") if is_map(runs) else None
    if using not in ("composite", "docker"):
        return ActionAnalysis(document, using if isinstance(using, str) else None, (), {})
    steps = runs.get("steps")
    index = parents(root)
    sinks: list[KeySink] = []
    routes: dict[str, Route] = {}
    found = (
        _container_sinks(runs, index)
        if using == "docker"
        else (
            sink
            for number, step in enumerate(steps if is_seq(steps) else ())
            if is_map(step)
            for sink in _skipped(_step_sinks(number, step, file, others, index), step)
        )
    )
    for sink, what in found:
        sinks.append(sink)
        if sink.not_on_github is not None:
            continue  # on GitHub the action does nothing with these inputs
        for item in sink.inputs:
            routes.setdefault(item.lower(), what)
    session = frozenset(
        item.lower() for sink in sinks if sink.not_on_github is None for item in sink.session
    )
    return ActionAnalysis(document, using, tuple(sinks), MappingProxyType(routes), session)


def _container_sinks(
    runs: Any, index: dict[int, tuple[Any, Any]]
) -> Iterator[tuple[KeySink, Route]]:
    """The places a Docker container action gives its container AWS keys: ``runs.env``
    (the container's environment variables) and ``runs.args`` (the arguments of its
    ENTRYPOINT), each fed from the action's inputs
    (https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#runsenv,
    https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#runsargs).
    What the image does with them cannot be read; that it is handed the keys can."""
    env = runs.get("env")
    names = key_env_entries(env, frozenset())
    if names and not step_evidence({"env": env}):
        yield (
            _sink(
                STATIC_AWS_KEYS_ENV, env, names[0], index,
                f"{', '.join(names)} set in the env of the action's container",
                fed_by(env[n] for n in names),
                fed_by(env[n] for n in names if n == "AWS_SESSION_TOKEN"), names,
            ),
            ("sets", f"as {', '.join(names)} in the env of its container"),
        )  # fmt: skip
    args = runs.get("args")
    items = [a if isinstance(a, str) else "" for a in args] if is_seq(args) else []
    # An argument that names an AWS key and reads an input (`--aws-access-key-id=${{ … }}`),
    # or reads one right after an argument that names a key (`--aws-access-key-id`, `${{ … }}`).
    fed = unique_inputs(
        item
        for i, arg in enumerate(items)
        if _ARG_KEY.search(arg) or (i > 0 and _ARG_KEY.search(items[i - 1]))
        for item in inputs_in(arg)
    )
    if fed and not step_evidence({"env": env}):
        session = unique_inputs(
            item
            for i, arg in enumerate(items)
            if "session" in arg.lower() or (i > 0 and "session" in items[i - 1].lower())
            for item in inputs_in(arg)
        )
        yield (
            _sink(
                STATIC_AWS_KEYS_ENV, runs, "args", index,
                "the action passes AWS keys to its container in its args", fed,
                tuple(s for s in session if s in fed),
            ),
            ("passes", "to its container as AWS keys in its args"),
        )  # fmt: skip


def _skipped(found: Iterator[tuple[KeySink, Route]], step: Any) -> Iterator[tuple[KeySink, Route]]:
    """``found``, each marked with why its step never runs on GitHub, if it never does."""
    reason = not_on_github(step.get("if"))
    for sink, what in found:
        yield (sink if reason is None else replace(sink, not_on_github=reason)), what


def _step_sinks(
    number: int,
    step: Any,
    file: WorkflowFile,
    others: Mapping[Path, ActionAnalysis],
    index: dict[int, tuple[Any, Any]],
) -> Iterator[tuple[KeySink, Route]]:
    """The places one step of a composite action uses keys, each with what it does with
    the inputs that feed it."""
    label = describe_step(number, step)
    env = step.get("env")
    written = frozenset(str(k).upper() for k in env) if is_map(env) else frozenset()
    names = key_env_entries(env, frozenset())
    if names and not step_evidence(step):
        fed = fed_by(env[n] for n in names)
        yield (
            _sink(
                STATIC_AWS_KEYS_ENV, env, names[0], index,
                f"{', '.join(names)} set in the env of {label} of the action", fed,
                fed_by(env[n] for n in names if n == "AWS_SESSION_TOKEN"), names,
            ),
            ("sets", f"as {', '.join(names)} in the env of its {label}"),
        )  # fmt: skip
    run = step.get("run")
    if isinstance(run, str):
        fed = _script_inputs(run, env)
        exported = sorted({m.group(1) for m in _KEY_ASSIGNMENT.finditer(run)})
        if exported and fed and "AWS_SESSION_TOKEN=" not in run:
            reason: str | None = f"its script exports {', '.join(exported)} from its inputs"
        else:
            reason = script_reason(run)
        if reason is not None:
            yield (
                _sink(
                    STATIC_AWS_KEYS_ENV, step, "run", index,
                    f"{label} of the action: {reason}", fed,
                ),
                ("writes", f"into AWS credentials in its {label}"),
            )  # fmt: skip
    inputs = step.get("with")
    uses = step.get("uses")
    if not is_map(inputs) or not isinstance(uses, str):
        return
    if is_configure_action(step):
        keys = tuple(k for k in KEY_INPUTS if k in inputs)
        if keys and not is_temporary(inputs, keys, written):
            yield (
                _sink(
                    STATIC_AWS_KEYS, inputs, keys[0], index,
                    f"{label} of the action passes {', '.join(keys)} to {CONFIGURE_ACTION}",
                    fed_by(inputs[k] for k in keys),
                    fed_by(inputs[k] for k in keys if k == "aws-session-token"), keys,
                ),
                ("hands", f"to {CONFIGURE_ACTION} in its {label}"),
            )  # fmt: skip
        return
    named = other_action_keys(inputs)
    routed, session = routed_inputs(file, uses, inputs, others)
    keys = tuple(dict.fromkeys((*named, *routed)))
    session += tuple(k for k in named if "session" in k.lower())
    if (
        not keys
        or is_temporary(inputs, keys, written)
        or hands_on_temporary(inputs, keys, session)
        or step_evidence(step)
    ):
        return
    why = "; ".join(why_routed(routed, keys, named))
    why = f" ({shown_name(uses)} {why})" if why else ""
    yield (
        _sink(
            STATIC_AWS_KEYS_ENV, inputs, keys[0], index,
            f"{label} of the action gives {shown_name(uses)} AWS keys as inputs "
            f"({', '.join(map(shown_name, keys))}){why}",
            fed_by(inputs[k] for k in keys),
            fed_by(inputs[k] for k in session), keys,
        ),
        ("gives", f"to {shown_name(uses)} as AWS keys in its {label}"),
    )  # fmt: skip


def _sink(
    check: Check,
    node: Any,
    key: str,
    index: dict[int, tuple[Any, Any]],
    what: str,
    fed: tuple[str, ...],
    session: tuple[str, ...] = (),
    keys: tuple[str, ...] = (),
) -> KeySink:
    written = origin_of(node, key) if is_map(node) else None
    where = written if written is not None else node
    source = (
        f"; the action takes AWS keys as its inputs {', '.join(map(shown_name, fed))}: its "
        "callers hold them"
        if fed
        else ""
    )
    route = f"{route_of(where, index)}.{key}"
    return KeySink(check, where, key, route, what + source, fed, session, keys)


def _script_inputs(run: str, env: Any) -> tuple[str, ...]:
    """The inputs a script writes into a key: on a line that names an AWS key, read
    directly (``${{ inputs.key }}``) or through a variable of the step's ``env:`` set
    from an input (``KEY: ${{ inputs.key }}`` and ``$KEY``)."""
    through: dict[str, tuple[str, ...]] = {}
    if is_map(env):
        for variable, value in env.items():
            if isinstance(value, str):
                through[str(variable)] = inputs_in(value)
    found: list[str] = []
    for line in run.splitlines():
        if not _KEY_WORD.search(line):
            continue
        found += inputs_in(line)
        for variable in _VARIABLE.findall(line):
            found += through.get(variable, ())
    return unique_inputs(found)


def _session_keys(sink: KeySink) -> tuple[str, ...]:
    """The names written at ``sink`` that its inputs feeding a session token fill (an
    input routed into one, named as the caller's ``with:`` names it)."""
    node = sink.node
    if not is_map(node) or not sink.session:
        return ()
    return tuple(k for k in sink.keys if set(inputs_in(str(node.get(k) or ""))) & {*sink.session})


def _session_words(sink: KeySink) -> tuple[str, bool] | None:
    """What a sink's keys given with a session token are (:func:`pasted_session`). A
    container's ``args`` write no key names: the inputs that feed its session token
    (``--aws-session-token=${{ inputs.token }}``) stand for them."""
    if sink.keys:
        return pasted_session(sink.node, sink.keys, tokens=_session_keys(sink), action=True)
    inputs = dict.fromkeys(sink.session, "")
    return pasted_session(inputs, sink.session, tokens=sink.session, action=True)


def findings(analysis: ActionAnalysis, file: WorkflowFile) -> list[Finding]:
    """The findings of one analysed action: one per place its steps use keys."""
    out: list[Finding] = []
    reported: set[tuple[int, str]] = set()
    for sink in analysis.sinks:
        if (id(sink.node), sink.key) in reported:
            continue
        reported.add((id(sink.node), sink.key))
        line, column = key_position(sink.node, sink.key)
        where = (line + 1, column + 1)
        finding = workflow_finding(
            sink.check, file.path, *where, sink.message, sink.route, remediation=REMEDIATION
        )
        # Keys with a session token, or an ASIA… key ID: said as for a workflow's keys
        # (github_checks), medium when they are temporary for certain.
        words = _session_words(sink)
        if words is not None:
            finding = replace(
                finding,
                message=finding.message + words[0],
                severity=Severity.MEDIUM if words[1] else finding.severity,
            )
        if sink.not_on_github is not None:
            # The keys are still written in the action (and used where the step does
            # run, e.g. under nektos/act), but GitHub skips the step: low, with why.
            finding = replace(
                finding,
                severity=Severity.LOW,
                message=f"{finding.message}; the step does not run on GitHub: {sink.not_on_github}",
            )
        out.append(finding)
    return said_not_to_run(out, analysis.document, "action")
