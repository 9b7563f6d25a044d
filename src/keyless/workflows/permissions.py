"""Which ``GITHUB_TOKEN`` permissions a job needs, read from what it runs.

A job-level ``permissions:`` block replaces the defaults for every scope it does not name
(https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions),
so when ``fix`` must add one to grant ``id-token: write`` it also grants what the job's
steps use the token for: ``gh`` commands, ``git push``, well-known actions (releases,
comments, statuses, Pages, packages…). Steps whose needs cannot be told from the file are
named, so a person can add what they need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.workflows.github import shown_name

# The GITHUB_TOKEN scopes and levels; anything else is not copied into a rewrite.
# `attestations` and `models` are left out: actionlint releases before 1.7 reject them.
SCOPES = (
    "actions", "checks", "contents", "deployments", "discussions", "id-token",
    "issues", "packages", "pages", "pull-requests", "repository-projects",
    "security-events", "statuses",
)  # fmt: skip
LEVELS = ("none", "read", "write")

# What well-known actions do with the token (their READMEs' "permissions" sections).
_ACTIONS: dict[str, dict[str, str]] = {
    "actions/checkout": {"contents": "read"},
    "actions/upload-artifact": {},
    "actions/download-artifact": {},
    "actions/cache": {},
    "actions/setup-node": {},
    "actions/setup-python": {},
    "actions/setup-go": {},
    "actions/setup-java": {},
    "actions/configure-pages": {"pages": "write"},
    "actions/upload-pages-artifact": {},
    "actions/deploy-pages": {"pages": "write", "id-token": "write"},
    "actions/create-release": {"contents": "write"},
    "actions/upload-release-asset": {"contents": "write"},
    "actions/labeler": {"contents": "read", "pull-requests": "write"},
    "actions/stale": {"issues": "write", "pull-requests": "write"},
    "aws-actions/configure-aws-credentials": {"id-token": "write"},
    "softprops/action-gh-release": {"contents": "write"},
    "ncipollo/release-action": {"contents": "write"},
    "peaceiris/actions-gh-pages": {"contents": "write"},
    "JamesIves/github-pages-deploy-action": {"contents": "write"},
    "peter-evans/create-or-update-comment": {"issues": "write", "pull-requests": "write"},
    "peter-evans/create-pull-request": {"contents": "write", "pull-requests": "write"},
    "marocchino/sticky-pull-request-comment": {"pull-requests": "write"},
    "thollander/actions-comment-pull-request": {"pull-requests": "write"},
    "stefanzweifel/git-auto-commit-action": {"contents": "write"},
    "EndBug/add-and-commit": {"contents": "write"},
    "myrotvorets/set-commit-status-action": {"statuses": "write"},
    "ouzi-dev/commit-status-updater": {"statuses": "write"},
    "Sibz/github-status-action": {"statuses": "write"},
    "chrnorm/deployment-action": {"deployments": "write"},
    "chrnorm/deployment-status": {"deployments": "write"},
    "bobheadxi/deployments": {"deployments": "write"},
    "github/codeql-action/upload-sarif": {"security-events": "write"},
    "github/codeql-action/analyze": {"security-events": "write"},
    "github/codeql-action/init": {},
    "dorny/test-reporter": {"checks": "write"},
    "mikepenz/action-junit-report": {"checks": "write"},
    "EnricoMi/publish-unit-test-result-action": {"checks": "write", "pull-requests": "write"},
    "docker/setup-buildx-action": {},
    "docker/setup-qemu-action": {},
    "docker/metadata-action": {},
    "docker/build-push-action": {},
}
_GH = re.compile(r"(?:^|[\s;&|(`$])gh\s+(\w[\w-]*)(?:\s+(\w[\w-]*))?", re.MULTILINE)
_GH_WRITES: dict[str, tuple[str, frozenset[str]]] = {
    "release": ("contents", frozenset({"create", "upload", "edit", "delete", "delete-asset"})),
    "pr": (
        "pull-requests",
        frozenset({"comment", "create", "edit", "merge", "review", "close", "reopen", "ready"}),
    ),
    "issue": (
        "issues",
        frozenset(
            {"create", "comment", "edit", "close", "reopen", "delete", "transfer", "lock", "pin"}
        ),
    ),
    "label": ("issues", frozenset({"create", "edit", "delete", "clone"})),
    "workflow": ("actions", frozenset({"run", "enable", "disable"})),
    "run": ("actions", frozenset({"rerun", "cancel", "delete"})),
}
_TOKEN = re.compile(r"GITHUB_TOKEN|github\.token|GH_TOKEN|GITHUB_PAT", re.IGNORECASE)
_GIT_PUSH = re.compile(r"\bgit\s+push\b")
_GHCR = re.compile(r"ghcr\.io|docker\.pkg\.github\.com|\.pkg\.github\.com", re.IGNORECASE)
_PUBLISH = re.compile(r"\b(docker\s+push|npm\s+publish|mvn\s+deploy|gradle\w*\s+publish|push)\b")
_API = re.compile(r"api\.github\.com|\$GITHUB_API_URL|\{\{\s*github\.api_url", re.IGNORECASE)
_STATUSES = re.compile(r"/statuses/")
_CHECK_RUNS = re.compile(r"/check-runs")


@dataclass(frozen=True, slots=True)
class TokenNeeds:
    """The permissions a job's steps need, and the steps whose needs are unknown."""

    permissions: Mapping[str, str]
    unknown: tuple[str, ...] = ()


def stronger(first: str, second: str) -> str:
    """The greater of two levels (``write`` > ``read`` > ``none``)."""
    return max(first, second, key=LEVELS.index)


def union(*maps: Mapping[str, str]) -> dict[str, str]:
    """Every scope of ``maps`` at the greatest level any of them grants."""
    out: dict[str, str] = {}
    for item in maps:
        for scope, level in item.items():
            out[scope] = stronger(out.get(scope, "none"), level)
    return out


def ordered(permissions: Mapping[str, str]) -> dict[str, str]:
    """Known scopes and levels only, in GitHub's documented order."""
    return {
        scope: permissions[scope]
        for scope in SCOPES
        if scope in permissions and permissions[scope] in LEVELS
    }


def job_needs(steps: Iterable[Any], describe: Any) -> TokenNeeds:
    """What the steps (mappings) of one job need from ``GITHUB_TOKEN``.

    ``describe(index, step)`` names a step for a person ("step 3 ('Publish')").
    """
    found: list[Mapping[str, str]] = [{"contents": "read"}]
    unknown: list[str] = []
    for index, step in enumerate(steps):
        uses = step.get("uses") if hasattr(step, "get") else None
        run = step.get("run") if hasattr(step, "get") else None
        if isinstance(uses, str):
            known = _action_needs(uses, step)
            if known is not None:
                found.append(known)
            elif not uses.startswith(("./", "docker://")) and _passes_token(step):
                action = shown_name(uses.split("@")[0])
                unknown.append(f"{describe(index, step)} gives {action} the token")
        if isinstance(run, str):
            needs, unsure = _script_needs(run)
            found.append(needs)
            if unsure:
                unknown.append(f"{describe(index, step)} {unsure}")
    return TokenNeeds(ordered(union(*found)), tuple(unknown))


def _action_needs(uses: str, step: Any) -> dict[str, str] | None:
    name = uses.split("@")[0].strip()
    if name == "docker/login-action":
        inputs = step.get("with")
        registry = inputs.get("registry") if hasattr(inputs, "get") else None
        return {"packages": "write"} if isinstance(registry, str) and _GHCR.search(registry) else {}
    for known, needs in _ACTIONS.items():
        if name == known or name.startswith(known + "/"):
            return dict(needs)
    return None


def _passes_token(step: Any) -> bool:
    values: list[Any] = []
    for key in ("with", "env"):
        section = step.get(key)
        if hasattr(section, "values"):
            values.extend(section.values())
    return any(isinstance(v, str) and _TOKEN.search(v) for v in values)


def _script_needs(script: str) -> tuple[dict[str, str], str | None]:
    needs: list[Mapping[str, str]] = []
    unsure: str | None = None
    for command, sub in _GH.findall(script):
        if command == "api":
            unsure = "calls `gh api`, which may need any permission"
        elif command in _GH_WRITES:
            scope, writes = _GH_WRITES[command]
            needs.append({scope: "write" if sub in writes else "read"})
            if command == "pr" and sub == "merge":
                needs.append({"contents": "write"})
        else:
            needs.append({"contents": "read"})
    if _GIT_PUSH.search(script):
        needs.append({"contents": "write"})
    if _GHCR.search(script):
        needs.append({"packages": "write" if _PUBLISH.search(script) else "read"})
    if _API.search(script):
        if _STATUSES.search(script):
            needs.append({"statuses": "write"})
        elif _CHECK_RUNS.search(script):
            needs.append({"checks": "write"})
        else:
            unsure = "calls the GitHub API, which may need any permission"
    elif not needs and unsure is None and _TOKEN.search(script):
        unsure = "uses the token in a way keyless cannot read"
    return union(*needs), unsure


_SCOPE_NAME = re.compile(r"[a-z][a-z-]{0,49}", re.ASCII)


def texts(permissions: Mapping[Any, Any]) -> dict[str, str]:
    """A ``permissions:`` mapping read from a file, its scalar entries as text: a value
    that is a mapping or a sequence is no level (and, aliased ten deep, would be a billion
    values long as text)."""
    return {
        str(scope): str(level)
        for scope, level in permissions.items()
        if not isinstance(scope, (Mapping, list)) and not isinstance(level, (Mapping, list))
    }


def copied(permissions: Mapping[str, str]) -> dict[str, str]:
    """A workflow's own ``permissions:`` entries that may be copied into a job: scope
    names of lower-case letters and dashes (newer scopes than :data:`SCOPES` included)
    and the three levels; anything else is not a permission and is not written."""
    return {
        scope: level
        for scope, level in permissions.items()
        if _SCOPE_NAME.fullmatch(scope) and level in LEVELS
    }


def id_token_last(permissions: Mapping[str, str]) -> dict[str, str]:
    """:func:`copied`, in the given order, with ``id-token`` (the one added) last."""
    valid = copied(permissions)
    rest = {scope: level for scope, level in valid.items() if scope != "id-token"}
    return {**rest, **({"id-token": valid["id-token"]} if "id-token" in valid else {})}
