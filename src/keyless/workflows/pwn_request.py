"""A "pwn request": a GitHub job that runs with the base repository's privileges
(``pull_request_target``, ``workflow_run``), checks out the pull request's code and can
request an OIDC token.

``pull_request_target`` and ``workflow_run`` runs get the base repository's secrets and
permissions, and their OIDC token carries the *base* branch as its subject
(``repo:O/R:ref:refs/heads/main``), not ``pull_request``. A job that checks out the pull
request's head and then builds or tests it runs code anyone can propose from a fork, and
with ``id-token: write`` that code can mint the token and assume every AWS role that
trusts the default branch. https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import InputError, quoted
from keyless.findings import Finding, Severity
from keyless.workflows.github import grants_id_token, jobs_of, steps_of
from keyless.workflows.github_checks import said_not_to_run
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    key_position,
    load,
    own_items,
    scalar_texts,
)

PWN_REQUEST_ID_TOKEN = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="workflow-untrusted-checkout-id-token",
    title="A privileged pull request job checks out the pull request's code with id-token: write",
    severity=Severity.HIGH,
    rationale=(
        "A job triggered by `pull_request_target` or `workflow_run` runs with the base "
        "repository's permissions, and its OIDC token names the base branch "
        "(`repo:O/R:ref:refs/heads/main`), not `pull_request`. When it checks out the pull "
        "request's head (`ref: ${{ github.event.pull_request.head.sha }}`, `head.ref`, "
        "`github.head_ref`, `workflow_run.head_sha`), or fetches it in a `run:` script "
        "(`gh pr checkout`, `git fetch origin pull/N/head`, `git checkout "
        "${{ github.event.pull_request.head.sha }}`), or passes it to a reusable workflow "
        "(`with: ref: ...`) or through an environment variable (`env: SHA: ...`, then "
        '`git checkout "$SHA"`), and builds or tests it, code from any fork runs with '
        "`id-token: write`: it can request the token and assume every AWS role that trusts "
        'the default branch (a "pwn request").'
        + "\n\n"
        + "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/"
    ),
    remediation=(
        "Run the pull request's code in a `pull_request` workflow, which gets no secrets and "
        "whose token says `pull_request` (a role trusting the default branch refuses it), "
        "and keep `id-token: write` in jobs that check out only the base repository's code. "
        "If the job must run on `pull_request_target`, remove `id-token: write` from it, or "
        "restrict it to pull requests from the repository itself (`if: "
        "github.event.pull_request.head.repo.full_name == github.repository`)."
    ),
)

_PRIVILEGED_EVENTS = ("pull_request_target", "workflow_run")
# The pull request's (or the triggering run's) code, as a checkout's `ref` or `repository`.
_HEAD = re.compile(
    r"github\.event\.pull_request\.(?:head\.(?:sha|ref|repo\.full_name)|merge_commit_sha)"
    r"|github\.head_ref"
    r"|github\.event\.workflow_run\.head_(?:sha|branch|repository\.full_name)"
    r"|refs/pull/",
    re.IGNORECASE,
)
# A job condition that admits only pull requests from the repository itself.
_SAME_REPOSITORY = re.compile(
    r"head\.repo\.full_name\s*==\s*github\.repository"
    r"|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name"
    r"|head\.repo\.fork\s*(?:==\s*false|!=\s*true)"
    r"|!\s*github\.event\.pull_request\.head\.repo\.fork"
    r"|head_repository\.full_name\s*==\s*github\.repository",
    re.IGNORECASE,
)


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """One finding per checkout of untrusted code in a privileged job with the token;
    each says so when a merge key keeps the workflow from running on GitHub as written."""
    return said_not_to_run(_findings(document.root, file), document)


def _findings(root: Any, file: WorkflowFile) -> list[Finding]:
    if not is_map(root) or not _privileged(root.get("on")):
        return []
    out: list[Finding] = []
    workflow_permissions = root.get("permissions")
    workflow_env = _head_variables(root.get("env"), {})
    events = " / ".join(_privileged(root.get("on")))
    for name, job in jobs_of(root):
        # A reusable workflow's call passes its token on: the called workflow's
        # permissions can only be lowered from the calling job's (its own `permissions`,
        # else the workflow's), `secrets: inherit` or not.
        # https://docs.github.com/en/actions/sharing-automations/reusing-workflows#access-and-permissions
        permissions = job.get("permissions") if "permissions" in job else workflow_permissions
        if not grants_id_token(permissions) or _same_repository_only(job.get("if")):
            continue
        called = job.get("uses")
        if isinstance(called, str):
            out.extend(_call_findings(file, name, job, called, events))
            continue
        for index, inputs, key, shown, route in _job_checkouts(job, workflow_env, events):
            line, column = key_position(inputs, key)
            out.append(
                workflow_finding(
                    PWN_REQUEST_ID_TOKEN,
                    file.path,
                    line + 1,
                    column + 1,
                    f"job {quoted(name)} step {index + 1} checks out the pull request's code "
                    f"({key}: {_shortened(shown)}) in a workflow run on {events} with "
                    "id-token: write: code from a fork can request the OIDC token and "
                    "assume the AWS roles that trust the base branch",
                    f"jobs.{name}.steps[{index}].{route}",
                )
            )
    return out


def untrusted_checkout(root: Any, job: Any) -> str | None:
    """What ``job`` checks out of the pull request's code, when its workflow runs on
    ``pull_request_target`` or ``workflow_run`` and its condition does not keep forks out
    (``step 2 checks out the pull request's code (ref: …) in a workflow run on
    pull_request_target``); None otherwise. Given ``id-token: write``, such a job is what
    this check reports: ``fix`` leaves it, whatever it holds now."""
    if not is_map(root) or not is_map(job) or _same_repository_only(job.get("if")):
        return None
    events = " / ".join(_privileged(root.get("on")))
    if not events:
        return None
    workflow_env = _head_variables(root.get("env"), {})
    for index, _, key, shown, _ in _job_checkouts(job, workflow_env, events):
        return (
            f"step {index + 1} checks out the pull request's code ({key}: {_shortened(shown)}) "
            f"in a workflow run on {events}"
        )
    return None


def untrusted_call(root: Any, job: Any, repository_root: Path) -> str | None:
    """What a job calling a reusable workflow hands it of the pull request's code, when
    its workflow runs on ``pull_request_target`` or ``workflow_run`` and its condition does
    not keep forks out (``calls ./.github/workflows/d.yml whose job 'd' step 1 checks out
    the pull request's code (…) in a workflow run on pull_request_target``); None
    otherwise. Granted ``id-token: write``, such a call is what this check reports."""
    called = job.get("uses") if is_map(job) else None
    if not is_map(root) or not isinstance(called, str) or _same_repository_only(job.get("if")):
        return None
    events = " / ".join(_privileged(root.get("on")))
    for _, _, what in _call_reads(repository_root, job, called) if events else ():
        return f"calls {_shortened(called)} {what} in a workflow run on {events}"
    return None


def _job_checkouts(
    job: Any, workflow_env: dict[str, str], events: str
) -> Iterator[tuple[int, Any, str, str, str]]:
    job_env = _head_variables(job.get("env"), workflow_env)
    runner = _RUNNER_HEAD_VARIABLES if "pull_request_target" in events else frozenset()
    return _head_checkouts(job, job_env, runner)


def _call_findings(
    file: WorkflowFile, name: str, job: Any, called: str, events: str
) -> Iterator[Finding]:
    """The findings of a job calling a reusable workflow with ``id-token: write``.

    The called workflow's ``github`` context is the caller's (its ``github.event`` is the
    pull request's), and its token has at most the calling job's permissions
    (https://docs.github.com/en/actions/sharing-automations/reusing-workflows). A local
    workflow (``./.github/workflows/x.yml``) that can be read is judged by what it does:
    a step that checks out the pull request's code, by the event or by an input the call
    gives the head's ref, in a job whose own permissions keep ``id-token: write`` (one
    finding per input, at the call's input; one for the event, at the call's ``uses``).
    Any other call is judged by its inputs: one naming the head's ref is reported."""
    for node, at, what in _call_reads(file.repository_root, job, called):
        yield _call_finding(file, name, called, events, node, at, what)


def _call_reads(repository_root: Path, job: Any, called: str) -> Iterator[tuple[Any, str, str]]:
    """(mapping, key, what) of each way a call hands the called workflow the pull
    request's code: an input naming the head's ref, or (for a local workflow that can be
    read) a checkout of it there, by the event (at the call's ``uses``) or by an input."""
    given = dict(_head_inputs(job))
    callee = _local_workflow(repository_root, called)
    if callee is None:
        for key, (inputs, value) in given.items():
            yield inputs, key, f"with the pull request's code ({key}: {_shortened(value)})"
        return
    reported: set[str] = set()
    names = {key.lower(): key for key in given}
    for callee_job, index, key, shown, via in _callee_checkouts(callee, frozenset(names)):
        at = names[via] if via is not None else "uses"
        if at in reported:
            continue
        reported.add(at)
        what = (
            f"whose job {quoted(callee_job)} step {index + 1} checks out the pull request's code "
            f"({key}: {_shortened(shown)})"
        )
        yield (job if at == "uses" else given[at][0]), at, what


def _call_finding(
    file: WorkflowFile, name: str, called: str, events: str, node: Any, key: str, what: str
) -> Finding:
    """A finding at ``key`` of ``node``: the call's ``uses`` or one of its inputs."""
    line, column = key_position(node, key)
    return workflow_finding(
        PWN_REQUEST_ID_TOKEN,
        file.path,
        line + 1,
        column + 1,
        f"job {quoted(name)} calls the reusable workflow {_shortened(called)} {what} in a "
        f"workflow run on {events} with id-token: write: the called workflow gets the "
        "token permission, so code from a fork it checks out can request the OIDC token "
        "and assume the AWS roles that trust the base branch",
        f"jobs.{name}.uses"
        if node.get("uses") == called and key == "uses"
        else f"jobs.{name}.with.{key}",
    )


def _local_workflow(repository_root: Path, called: str) -> Any:
    """The root of the local reusable workflow ``./.github/workflows/x.yml``, if it is a
    regular file inside the repository that parses; else None."""
    if not called.startswith("./"):
        return None
    path = repository_root / called.removeprefix("./").split("@")[0]
    try:
        if path.is_symlink() or not path.is_file():
            return None
        if not path.resolve().is_relative_to(repository_root.resolve()):
            return None
        return load(path).root
    except (InputError, OSError, ValueError):
        return None  # the file is reported (or not) as itself


def _callee_checkouts(
    callee: Any, given: frozenset[str]
) -> Iterator[tuple[str, int, str, str, str | None]]:
    """(job, step index, key, text shown, the input it reads or None) of each step of a
    called workflow that checks out the pull request's code, in a job that keeps
    ``id-token: write`` (its own permissions, else the called workflow's, else the
    caller's, which grant it)."""
    if not is_map(callee):
        return
    workflow_env = _head_variables(callee.get("env"), {}, given)
    for name, job in jobs_of(callee):
        permissions = job.get("permissions") if "permissions" in job else callee.get("permissions")
        keeps = permissions is None and "permissions" not in callee and "permissions" not in job
        if not (keeps or grants_id_token(permissions)) or _same_repository_only(job.get("if")):
            continue
        job_env = _head_variables(job.get("env"), workflow_env, given)
        for index, _, key, shown, _ in _head_checkouts(job, job_env, frozenset(), given):
            yield name, index, key, shown, _input_read(shown, given)


def _head_inputs(job: Any) -> Iterator[tuple[str, tuple[Any, str]]]:
    """(key, (mapping, value)) of each input of a reusable workflow's call naming the
    pull request's code (``with: ref: ${{ github.event.pull_request.head.sha }}``)."""
    inputs = job.get("with")
    for key, value in own_items(inputs):
        if isinstance(value, str) and _names_head(value):
            yield str(key), (inputs, value)


# `${{ inputs.NAME }}` / `${{ inputs['NAME'] }}` in a called workflow.
_INPUT_EXPRESSION = re.compile(
    r"\binputs\.([A-Za-z_][A-Za-z0-9_-]*)|\binputs\[\s*['\"]([A-Za-z_][A-Za-z0-9_-]*)['\"]\s*\]"
)


def _input_read(value: str, given: frozenset[str]) -> str | None:
    """The input of ``given`` (lower case names) that ``value`` reads, if any."""
    for match in _INPUT_EXPRESSION.finditer(value):
        name = (match.group(1) or match.group(2)).lower()
        if name in given:
            return name
    return None


def _names_head(value: str, given: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` names the pull request's code: an expression of the event, or
    an input of a called workflow that its call gives the head's ref."""
    return bool(
        _HEAD.search(value)
        or _HEAD_URL.search(value)
        or (given and _input_read(value, given) is not None)
    )


def _head_variables(
    env: Any, outer: dict[str, str], given: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The environment variables (name → value) holding the pull request's code at this
    level: ``outer``'s, less those this ``env:`` sets to something else, plus its own."""
    if not is_map(env):
        return outer
    heads = dict(outer)
    for name, value in env.items():
        if isinstance(value, str) and _names_head(value, given):
            heads[str(name)] = value
        else:
            heads.pop(str(name), None)
    return heads


def _shortened(value: str) -> str:
    written = " ".join(value.split())
    return written if len(written) <= 80 else written[:77] + "..."


def _privileged(on: Any) -> list[str]:
    if isinstance(on, str):
        events = [on]
    elif is_seq(on) or is_map(on):
        events = scalar_texts(on)
    else:
        events = []
    return [event for event in _PRIVILEGED_EVENTS if event in events]


def _same_repository_only(condition: Any) -> bool:
    return isinstance(condition, str) and bool(_SAME_REPOSITORY.search(condition))


# A `run:` script fetching the pull request's code: `gh pr checkout`, or a git command
# on `pull/N/head` (or `/merge`) or on an expression naming the head (`git checkout
# ${{ github.event.pull_request.head.sha }}`, `git clone ${{ …head.repo.clone_url }}`).
# Each command (split at line breaks, `;`, `|` and `&`) is searched by patterns that take
# linear time on a hostile script.
_COMMANDS = re.compile(r"[\n;|&]")
_GH_PR_CHECKOUT = re.compile(r"\bgh\s+pr\s+checkout\b", re.IGNORECASE)
_GIT = re.compile(r"\bgit\b", re.IGNORECASE)
_GIT_VERB = re.compile(
    r"\b(?:fetch|pull|clone|checkout|switch|reset|merge|rebase|worktree)\b", re.IGNORECASE
)
_PULL_REF = re.compile(r"\bpull/(?:\$\{\{[^}]{0,200}\}\}|[^\s/]+)/(?:head|merge)\b", re.IGNORECASE)
_HEAD_URL = re.compile(
    r"github\.event\.pull_request\.head\.repo\.(?:clone_url|git_url|ssh_url|html_url)",
    re.IGNORECASE,
)


# `${{ env.NAME }}` / `${{ env['NAME'] }}` in an expression; `$NAME` / `${NAME}` in a
# shell script (a variable of the environment the runner sets, `GITHUB_HEAD_REF`, too).
_ENV_EXPRESSION = re.compile(
    r"\benv\.([A-Za-z_][A-Za-z0-9_-]*)|\benv\[\s*['\"]([A-Za-z_][A-Za-z0-9_-]*)['\"]\s*\]"
)
_SHELL_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# Set on pull_request_target runs (not workflow_run ones) to the head branch's name.
# https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#default-environment-variables
_RUNNER_HEAD_VARIABLES = frozenset({"GITHUB_HEAD_REF"})


def _env_head(value: str, heads: dict[str, str]) -> str | None:
    """The variable of ``heads`` that ``value`` reads as ``env.NAME``, if it reads one.
    Expression contexts are case-insensitive."""
    folded = {name.lower(): name for name in heads}
    for match in _ENV_EXPRESSION.finditer(value):
        name = folded.get((match.group(1) or match.group(2)).lower())
        if name is not None:
            return name
    return None


def _shell_head(command: str, heads: dict[str, str], runner: frozenset[str]) -> bool:
    """Whether ``command`` reads a variable holding the pull request's code (one of
    ``heads``, or of ``runner``, those the runner sets)."""
    for match in _SHELL_VARIABLE.finditer(command):
        name = match.group(1)
        if name in heads or name in runner:
            return True
    return _env_head(command, heads) is not None


def _fetches_head(
    script: str, heads: dict[str, str], runner: frozenset[str], given: frozenset[str]
) -> str | None:
    """The command of ``script`` that fetches the pull request's code, if one does."""
    for command in _COMMANDS.split(re.sub(r"\\\r?\n", " ", script)):  # continued lines
        if _GH_PR_CHECKOUT.search(command) or (
            _GIT.search(command)
            and _GIT_VERB.search(command)
            and (
                _PULL_REF.search(command)
                or _names_head(command, given)
                or _shell_head(command, heads, runner)
            )
        ):
            return command.strip()
    return None


def _head_checkouts(
    job: Any,
    job_env: dict[str, str],
    runner: frozenset[str],
    given: frozenset[str] = frozenset(),
) -> Iterator[tuple[int, Any, str, str, str]]:
    """(step index, mapping, key, text shown, route from the step) of each step that
    checks out or fetches the pull request's code, directly, through an environment
    variable holding its ref (``env: SHA: ${{ github.event.pull_request.head.sha }}``) or,
    in a called workflow, through an input ``given`` the head's ref."""
    for index, step in steps_of(job):
        heads = _head_variables(step.get("env"), job_env, given)
        script = step.get("run")
        command = _fetches_head(script, heads, runner, given) if isinstance(script, str) else None
        if command is not None:
            yield index, step, "run", command, "run"
            continue
        uses = step.get("uses")
        inputs = step.get("with")
        if not isinstance(uses, str) or not is_map(inputs):
            continue
        if uses.split("@")[0].strip().lower() != "actions/checkout":
            continue
        for key in ("ref", "repository"):
            value = inputs.get(key)
            if not isinstance(value, str):
                continue
            if _HEAD.search(value) or (given and _input_read(value, given) is not None):
                yield index, inputs, key, value, f"with.{key}"
                break
            name = _env_head(value, heads)
            if name is not None:
                shown = f"{value}, with env {name}: {heads[name]}"
                yield index, inputs, key, shown, f"with.{key}"
                break
