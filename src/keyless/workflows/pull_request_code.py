"""Where a GitHub job's steps check out or fetch a pull request's code.

An ``actions/checkout`` step whose ``ref`` or ``repository`` names the pull request's
head (``${{ github.event.pull_request.head.sha }}``, ``github.head_ref``, the triggering
run's ``workflow_run.head_sha``), directly or through an environment variable holding it;
or a ``run:`` script that fetches it (``gh pr checkout``, ``git fetch origin
pull/N/head``, a git command on such an expression or variable). In a called workflow, an
input its call gives the head's ref counts too. :mod:`.pwn_request` judges the privileged
jobs that do this with ``id-token: write``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from keyless.workflows.github import steps_of
from keyless.workflows.yamldoc import is_map

# The pull request's (or the triggering run's) code, as a checkout's `ref` or `repository`.
_HEAD = re.compile(
    r"github\.event\.pull_request\.(?:head\.(?:sha|ref|repo\.full_name)|merge_commit_sha)"
    r"|github\.head_ref"
    r"|github\.event\.workflow_run\.head_(?:sha|branch|repository\.full_name)"
    r"|refs/pull/",
    re.IGNORECASE,
)


# `${{ inputs.NAME }}` / `${{ inputs['NAME'] }}` in a called workflow.
_INPUT_EXPRESSION = re.compile(
    r"\binputs\.([A-Za-z_][A-Za-z0-9_-]*)|\binputs\[\s*['\"]([A-Za-z_][A-Za-z0-9_-]*)['\"]\s*\]"
)


def input_read(value: str, given: frozenset[str]) -> str | None:
    """The input of ``given`` (lower case names) that ``value`` reads, if any."""
    for match in _INPUT_EXPRESSION.finditer(value):
        name = (match.group(1) or match.group(2)).lower()
        if name in given:
            return name
    return None


def names_head(value: str, given: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` names the pull request's code: an expression of the event, or
    an input of a called workflow that its call gives the head's ref."""
    return bool(
        _HEAD.search(value)
        or _HEAD_URL.search(value)
        or (given and input_read(value, given) is not None)
    )


def head_variables(
    env: Any, outer: dict[str, str], given: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The environment variables (name → value) holding the pull request's code at this
    level: ``outer``'s, less those this ``env:`` sets to something else, plus its own."""
    if not is_map(env):
        return outer
    heads = dict(outer)
    for name, value in env.items():
        if isinstance(value, str) and names_head(value, given):
            heads[str(name)] = value
        else:
            heads.pop(str(name), None)
    return heads


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
RUNNER_HEAD_VARIABLES = frozenset({"GITHUB_HEAD_REF"})


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
                or names_head(command, given)
                or _shell_head(command, heads, runner)
            )
        ):
            return command.strip()
    return None


# An action that looks up the pull request an issue_comment run is about and outputs its
# head (`head_ref`, `head_sha`), which its README hands to actions/checkout's `ref`.
# https://github.com/xt0rted/pull-request-comment-branch
_HEAD_LOOKUP_ACTIONS = frozenset({"xt0rted/pull-request-comment-branch"})
_STEP_OUTPUT = re.compile(
    r"\bsteps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.head_(?:ref|sha)\b", re.IGNORECASE
)


def _looks_up_head(job: Any) -> frozenset[str]:
    """The ids of ``job``'s steps that output the pull request's head (lower case: an
    expression's property names ignore case)."""
    return frozenset(
        str(step["id"]).lower()
        for _, step in steps_of(job)
        if isinstance(step.get("uses"), str)
        and step["uses"].split("@")[0].strip().lower() in _HEAD_LOOKUP_ACTIONS
        and isinstance(step.get("id"), str)
    )


def head_checkouts(
    job: Any,
    job_env: dict[str, str],
    runner: frozenset[str],
    given: frozenset[str] = frozenset(),
) -> Iterator[tuple[int, Any, str, str, str]]:
    """(step index, mapping, key, text shown, route from the step) of each step that
    checks out or fetches the pull request's code, directly, through an environment
    variable holding its ref (``env: SHA: ${{ github.event.pull_request.head.sha }}``) or,
    in a called workflow, through an input ``given`` the head's ref, or through the output of
    a step that looks the head up (:data:`_HEAD_LOOKUP_ACTIONS`)."""
    lookups = _looks_up_head(job)
    for index, step in steps_of(job):
        heads = head_variables(step.get("env"), job_env, given)
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
            if (
                _HEAD.search(value)
                or (given and input_read(value, given) is not None)
                or any(m.group(1).lower() in lookups for m in _STEP_OUTPUT.finditer(value))
            ):
                yield index, inputs, key, value, f"with.{key}"
                break
            name = _env_head(value, heads)
            if name is not None:
                shown = f"{value}, with env {name}: {heads[name]}"
                yield index, inputs, key, shown, f"with.{key}"
                break
