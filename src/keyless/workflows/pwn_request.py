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
from keyless.workflows.github import (
    jobs_of,
)
from keyless.workflows.github_checks import said_not_to_run
from keyless.workflows.github_values import (
    grants_id_token,
)
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.pull_request_code import (
    RUNNER_HEAD_VARIABLES,
    head_checkouts,
    head_variables,
    input_read,
    names_head,
)
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
        "A job triggered by `pull_request_target`, `workflow_run` or `issue_comment` (a "
        "comment on a pull request) runs with the base repository's permissions, and its "
        "OIDC token names the base branch "
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

# issue_comment runs the default branch's workflow (GITHUB_REF the default branch) for a
# comment on a pull request too, with the repository's secrets and token; checking out
# `refs/pull/N/head` there runs the fork's code (actions/checkout v7 refuses a fork's
# code on pull_request_target and workflow_run only).
# https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#issue_comment
_PRIVILEGED_EVENTS = ("pull_request_target", "workflow_run", "issue_comment")
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
    workflow_env = head_variables(root.get("env"), {})
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
    workflow_env = head_variables(root.get("env"), {})
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
    job_env = head_variables(job.get("env"), workflow_env)
    runner = RUNNER_HEAD_VARIABLES if "pull_request_target" in events else frozenset()
    found = head_checkouts(job, job_env, runner)
    if events != "issue_comment":
        return found
    # An issue_comment run's payload has no pull_request or workflow_run and no head_ref
    # (those expressions are empty, the default branch is checked out): only a ref the
    # comment's pull request is fetched by names its code.
    return (checkout for checkout in found if _COMMENT_HEAD.search(checkout[3]))


# The pull request of an issue_comment run, fetched by its number or looked up by a step.
_COMMENT_HEAD = re.compile(
    r"\bpull/|\bgh\s+pr\s+checkout\b|github\.event\.issue\.|\.outputs\.head_(?:ref|sha)\b",
    re.IGNORECASE,
)


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
    workflow_env = head_variables(callee.get("env"), {}, given)
    for name, job in jobs_of(callee):
        permissions = job.get("permissions") if "permissions" in job else callee.get("permissions")
        keeps = permissions is None and "permissions" not in callee and "permissions" not in job
        if not (keeps or grants_id_token(permissions)) or _same_repository_only(job.get("if")):
            continue
        job_env = head_variables(job.get("env"), workflow_env, given)
        for index, _, key, shown, _ in head_checkouts(job, job_env, frozenset(), given):
            yield name, index, key, shown, input_read(shown, given)


def _head_inputs(job: Any) -> Iterator[tuple[str, tuple[Any, str]]]:
    """(key, (mapping, value)) of each input of a reusable workflow's call naming the
    pull request's code (``with: ref: ${{ github.event.pull_request.head.sha }}``)."""
    inputs = job.get("with")
    for key, value in own_items(inputs):
        if isinstance(value, str) and names_head(value):
            yield str(key), (inputs, value)


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
