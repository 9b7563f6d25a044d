"""The OIDC ``sub`` values a job's token carries, so the role's trust policy can name them.

GitHub builds ``sub`` from the job's context, in this order of precedence
(https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims):
a job with an ``environment`` gets ``repo:O/R:environment:NAME``; a ``pull_request`` run
gets ``repo:O/R:pull_request``; anything else ``repo:O/R:ref:<the git ref>``. GitLab's is
``project_path:G/P:ref_type:branch|tag:ref:NAME``
(https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from keyless.errors import QUOTED_CHARACTERS, quoted
from keyless.workflows.github_callers import CallerInputs, from_callers
from keyless.workflows.github_choices import chosen_literals, dispatch_choices
from keyless.workflows.github_job_events import narrowed_triggers, triggers_of
from keyless.workflows.matrix import expand
from keyless.workflows.model import Subject, SubjectOperator
from keyless.workflows.yamldoc import is_map, is_seq, scalar_texts

UNKNOWN_REPOSITORY = "OWNER/REPO"
_REMOTE = re.compile(
    r"^(?:[a-z+]+://)?(?:[^@/]+@)?[^:/]+(?::\d+)?[:/](?P<path>.+?)(?:\.git)?/?$", re.ASCII
)
_BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,200}", re.ASCII)
#: The most of ``.git/config`` read: Git writes a few kilobytes.
_MAX_GIT_CONFIG = 1 << 20
_PR_EVENTS = frozenset({"pull_request", "pull_request_review", "pull_request_review_comment"})


def repository_from_git(repository_root: Path) -> str | None:
    """``ORG/REPO`` from ``remote.origin.url`` in ``.git/config`` (ssh or https form)."""
    config_path = repository_root / ".git" / "config"
    if not config_path.is_file():
        return None
    try:
        with config_path.open("rb") as file:
            data = file.read(_MAX_GIT_CONFIG + 1)
    except OSError:
        return None
    if len(data) > _MAX_GIT_CONFIG:
        return None
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        # Git keeps its config as bytes: a byte that is not UTF-8 (the checkout's, as
        # hostile as its workflows) was a UnicodeDecodeError traceback. Replaced, it leaves
        # a path outside the repository grammar, which the callers refuse with a note.
        parser.read_string(data.decode("utf-8", errors="replace"), str(config_path))
    except configparser.Error:
        return None
    url = parser.get('remote "origin"', "url", fallback=None)
    return parse_remote(url) if url else None


def default_branch_from_git(repository_root: Path) -> str | None:
    """The default branch as the clone recorded it (``refs/remotes/origin/HEAD``), if any."""
    head = repository_root / ".git" / "refs" / "remotes" / "origin" / "HEAD"
    try:
        text = head.read_text(encoding="utf-8", errors="replace") if head.is_file() else ""
    except OSError:
        return None
    branch = text.strip().removeprefix("ref: refs/remotes/origin/")
    return branch if branch and branch != text.strip() and _BRANCH.fullmatch(branch) else None


def parse_remote(url: str) -> str | None:
    """``git@github.com:org/repo.git`` / ``https://host/org/repo`` → ``org/repo``."""
    match = _REMOTE.match(url.strip())
    return match.group("path") if match else None


def _subject(value: str, reason: str) -> Subject:
    operator = SubjectOperator.STRING_LIKE if "*" in value else SubjectOperator.STRING_EQUALS
    return Subject(value, operator, reason)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if is_seq(value):
        return scalar_texts(value)
    return []


def _glob_to_iam(pattern: str) -> tuple[str, bool]:
    # GitHub filter patterns (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet)
    # are richer than IAM's StringLike (`*` any run, `?` one character). `*` and `**`
    # both become `*`, which also matches `/`: a little broader, never narrower. Any other
    # special character makes the pattern approximate, widened to `*` from that point.
    exact = True
    out = []
    for char in pattern:
        if char in "?+[]":
            exact = False
            out.append("*")
            break
        out.append(char)
    text = re.sub(r"\*+", "*", "".join(out))
    return text, exact


def _refs(kind: str, patterns: list[str], repo: str, reason: str) -> list[Subject]:
    subjects = []
    for pattern in patterns:
        if pattern.startswith("!"):
            continue  # exclusions cannot narrow a StringLike list; the broader set is safe
        iam, exact = _glob_to_iam(pattern)
        note = reason if exact else f"{reason} (pattern {quoted(pattern)} widened)"
        subjects.append(_subject(f"repo:{repo}:ref:refs/{kind}/{iam}", note))
    return subjects


def job_environment(job: Any) -> str | None:
    """The job's ``environment`` (its ``name``) as written, expressions included."""
    environment = job.get("environment")
    if is_map(environment):
        environment = environment.get("name")
    return environment if isinstance(environment, str) else None


def _environments(
    workflow: Any, job: Any, callers: Sequence[CallerInputs]
) -> tuple[tuple[str, str], ...] | None:
    """The environments the job runs in, each with why: a name, or one per value of the
    matrix a ``${{ matrix.NAME }}`` in it takes, or (a called workflow's
    ``${{ inputs.NAME }}``) one per value its callers among the files give it;
    ``("*", …)`` when it is computed otherwise."""
    environment = job_environment(job)
    if environment is None:
        return None
    names = expand(environment, job)
    if names is not None:
        reason = "job environment" + (" (a matrix value)" if len(names) > 1 else "")
        return tuple((name, reason) for name in names)
    chosen = chosen_literals(environment)
    if chosen is None and (options := dispatch_choices(environment, workflow)) is not None:
        why = "job environment (an option of the dispatch's choice input)"
        return tuple((name, why) for name in options)
    if chosen is not None:
        why = "job environment (one of the values its condition chooses)"
        return tuple((name, why) for name in chosen)
    given = from_callers(environment, workflow, callers)
    if given is not None:
        return tuple((name, f"job environment (given by the caller {who})") for name, who in given)
    return (("*", "job environment"),)


def github_subjects(
    workflow: Any,
    job: Any,
    repository: str,
    default_branch: str = "main",
    callers: Sequence[CallerInputs] = (),
) -> tuple[tuple[Subject, ...], bool]:
    """The ``sub`` values of one job, and whether a pull request can run it. ``callers``:
    the jobs among the files read that call this (reusable) workflow, whose inputs can
    name its environment."""
    triggers = narrowed_triggers(triggers_of(workflow.get("on")), job.get("if"))
    pull_request = any(event in _PR_EVENTS or event == "pull_request_target" for event in triggers)
    environments = _environments(workflow, job, callers)
    if environments is not None:
        return (
            tuple(
                _subject(f"repo:{repository}:environment:{name}", reason)
                for name, reason in environments
            ),
            pull_request,
        )
    subjects: list[Subject] = []
    for event, config in triggers.items():
        filters = config if is_map(config) else {}
        if event in _PR_EVENTS:
            subjects.append(_subject(f"repo:{repository}:pull_request", f"on: {event}"))
        elif event in ("push", "pull_request_target"):
            branches = _as_list(filters.get("branches"))
            tags = _as_list(filters.get("tags"))
            if filters.get("branches-ignore") is not None and not branches:
                branches = ["*"]
            if filters.get("tags-ignore") is not None and not tags:
                tags = ["*"]
            if not branches and not tags:
                branches = ["*"]
                tags = [] if event == "pull_request_target" else ["*"]
            subjects += _refs("heads", branches, repository, f"on: {event}")
            subjects += _refs("tags", tags, repository, f"on: {event}")
        elif event == "release":
            subjects += _refs("tags", ["*"], repository, "on: release")
        elif event == "merge_group":
            subjects += _refs("heads", ["gh-readonly-queue/*"], repository, "on: merge_group")
        elif event == "workflow_dispatch":
            # A dispatch runs on the branch or tag its dispatcher picks (GITHUB_REF: "Branch
            # or tag that received dispatch"), so its sub is repo:O/R:ref:<that ref>. Anyone
            # with write access can push a branch or tag and dispatch on it: trust the
            # default branch only (a job with an environment was answered above), and a
            # dispatch elsewhere is refused by AWS rather than trusted.
            # https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch
            why = (
                "on: workflow_dispatch (dispatched on the default branch; a dispatch on "
                "another branch or tag is refused by AWS)"
            )
            subjects += _refs("heads", [default_branch], repository, why)
        elif event == "workflow_call":
            # A called workflow's token carries the *caller's* sub (its repository, event
            # and ref); only job_workflow_ref names this file. The file cannot say which
            # refs call it, so trust what a caller in this repository on the default
            # branch gets, never a branch or tag wildcard: a caller elsewhere is refused by
            # AWS until its subject is added.
            # https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
            why = (
                f"on: {event} (the caller's triggers decide the sub: trusted, a caller in "
                "this repository on the default branch; add the subjects of other callers)"
            )
            subjects += _refs("heads", [default_branch], repository, why)
        else:
            # schedule, workflow_run, repository_dispatch… run on the default branch.
            # The event's name is the file's, whatever it holds: an odd one quoted and cut.
            name = (
                event if len(event) <= QUOTED_CHARACTERS and event.isprintable() else quoted(event)
            )
            subjects += _refs("heads", [default_branch], repository, f"on: {name}")
    return tuple(dict.fromkeys(subjects)), pull_request


_RULE_BRANCH = re.compile(r"\$CI_COMMIT_(?:BRANCH|REF_NAME)\s*==\s*['\"]([^'\"]+)['\"]")
_RULE_DEFAULT = re.compile(r"\$CI_COMMIT_(?:BRANCH|REF_NAME)\s*==\s*\$CI_DEFAULT_BRANCH")
_RULE_TAG = re.compile(r"\$CI_COMMIT_TAG\b")
_RULE_MR = re.compile(r"merge_request_event|\$CI_MERGE_REQUEST_")


def gitlab_subjects(
    job: Any, project: str, default_branch: str = "main"
) -> tuple[tuple[Subject, ...], bool]:
    """The ``sub`` values of one GitLab job (from ``rules:`` / ``only:``), and whether a
    merge request pipeline can run it."""
    branches: list[str] = []
    tags: list[str] = []
    merge_request = False
    rules: Any = job.get("rules") if isinstance(job, Mapping) else None
    only: Any = job.get("only") if isinstance(job, Mapping) else None
    if is_seq(rules):
        for rule in rules:
            condition = rule.get("if") if is_map(rule) else None
            if not isinstance(condition, str) or (is_map(rule) and rule.get("when") == "never"):
                continue
            branches += _RULE_BRANCH.findall(condition)
            if _RULE_DEFAULT.search(condition):
                branches.append(default_branch)
            if _RULE_TAG.search(condition):
                tags.append("*")
            if _RULE_MR.search(condition):
                merge_request = True
                branches.append("*")
    refs = only.get("refs") if is_map(only) else only
    for ref in _as_list(refs):
        if ref == "tags":
            tags.append("*")
        elif ref == "merge_requests":
            merge_request = True
            branches.append("*")
        elif ref == "branches":
            branches.append("*")
        else:
            branches.append(ref.strip("/"))
    if not branches and not tags:
        branches, tags = ["*"], ["*"]
    subjects = [
        _subject(f"project_path:{project}:ref_type:branch:ref:{b}", "branch pipeline")
        for b in dict.fromkeys(branches)
    ] + [
        _subject(f"project_path:{project}:ref_type:tag:ref:{t}", "tag pipeline")
        for t in dict.fromkeys(tags)
    ]
    return tuple(subjects), merge_request
