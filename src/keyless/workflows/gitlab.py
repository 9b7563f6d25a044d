"""GitLab CI: jobs that export long-lived AWS keys.

Keys reach a GitLab job as ``variables:`` (top level or per job) or as ``export`` /
``aws configure set`` lines in its scripts. GitLab can instead mint an ID token for the
job (``id_tokens:``) that the AWS SDKs exchange for a role's temporary credentials
(https://docs.gitlab.com/ci/cloud_services/aws/). Keys stored only as project CI/CD
variables never appear in the file and cannot be seen here.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.engine import Unread
from keyless.findings import Finding, Severity
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    item_position,
    key_position,
    own_items,
)

KEY_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# Top-level keywords that are not jobs: https://docs.gitlab.com/ci/yaml/#global-keywords
RESERVED = frozenset(
    {
        "default", "include", "stages", "variables", "workflow", "image", "services",
        "cache", "before_script", "after_script", "spec",
    }
)  # fmt: skip
SCRIPT_SECTIONS = ("before_script", "script", "after_script")
_EXPORT = re.compile(
    r"^\s*(export\s+(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\s*=|"
    r"aws\s+configure\s+set\s+(aws_access_key_id|aws_secret_access_key|aws_session_token)\b)"
)

GITLAB_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="gitlab-static-aws-keys",
    title="A GitLab CI job uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The job authenticates with an IAM user's permanent access key, kept in a CI/CD "
        "variable and exported to every command of the job."
        + "\n\n"
        + "https://docs.gitlab.com/ci/cloud_services/aws/"
    ),
    remediation=(
        "Create an IAM role that trusts GitLab's OIDC provider for this project, add "
        "`id_tokens:` with `aud: sts.amazonaws.com` to the job and set AWS_ROLE_ARN and "
        "AWS_WEB_IDENTITY_TOKEN_FILE (`keyless workflows fix` does the rewrite)."
    ),
)


@dataclass(frozen=True, slots=True)
class KeyVariables:
    """A ``variables:`` mapping that sets AWS key variables; ``job`` is None at top level."""

    job: str | None
    variables: Any
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScriptExports:
    """Script lines of a job that export AWS keys."""

    job: str | None
    section: str
    script: Any
    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GitlabAnalysis:
    """Where AWS keys enter one GitLab CI file."""

    document: Document
    variables: tuple[KeyVariables, ...]
    exports: tuple[ScriptExports, ...]

    @property
    def has_static_keys(self) -> bool:
        """Whether the fix has anything to rewrite here."""
        return bool(self.variables or self.exports)


def jobs_of(root: Any) -> Iterator[tuple[str, Any]]:
    """(name, mapping) of every job and hidden template (``.name``) in a file."""
    for name, job in own_items(root):
        if str(name) not in RESERVED and is_map(job):
            yield str(name), job


def _variable_value(value: Any) -> Any:
    # A variable may be `NAME: value` or `NAME: {value: …, description: …}`:
    # https://docs.gitlab.com/ci/yaml/#variablesdescription
    return value.get("value") if is_map(value) else value


def _key_variables(variables: Any) -> tuple[str, ...]:
    if not is_map(variables):
        return ()
    return tuple(
        str(k)
        for k, v in own_items(variables)
        if k in KEY_VARIABLES and isinstance(_variable_value(v), str) and _variable_value(v)
    )


def _exports(job: str | None, node: Any) -> Iterator[ScriptExports]:
    # Only sections written in this job: merged ones (`<<: *x`) are reported where written.
    own = {str(k) for k, _ in own_items(node)}
    for section in SCRIPT_SECTIONS:
        script: Any = node.get(section) if section in own else None
        if not is_seq(script):
            continue
        indices = tuple(
            i for i, line in enumerate(script) if isinstance(line, str) and _EXPORT.match(line)
        )
        if indices:
            yield ScriptExports(job, section, script, indices)


def analyse(document: Document) -> GitlabAnalysis:
    """Walk one GitLab CI file and record where AWS keys enter it."""
    root = document.root
    variables: list[KeyVariables] = []
    exports: list[ScriptExports] = []
    if is_map(root):
        keys = _key_variables(root.get("variables"))
        if keys:
            variables.append(KeyVariables(None, root["variables"], keys))
        exports.extend(_exports(None, root))
        exports.extend(_exports("default", root.get("default")))
    for name, job in jobs_of(root):
        own = dict(own_items(job))
        keys = _key_variables(own.get("variables"))
        if keys:
            variables.append(KeyVariables(name, own["variables"], keys))
        exports.extend(_exports(name, job))
    return GitlabAnalysis(document, tuple(variables), tuple(exports))


def local_includes(
    document: Document, repository_root: Path
) -> tuple[tuple[Path, ...], tuple[Unread, ...]]:
    """The files a GitLab CI file includes from the same repository, and the includes
    that could not be found (or lead outside the repository).

    ``include: path``, ``include: [path, …]`` and ``include: {local: path}``; paths are
    relative to the repository root and may hold wildcards
    (https://docs.gitlab.com/ci/yaml/includes/#use-includelocal-with-wildcard-file-paths).
    """
    root = document.root
    spec = root.get("include") if is_map(root) else None
    entries: Any = spec if is_seq(spec) else [spec] if spec is not None else []
    found: list[Path] = []
    missing: list[Unread] = []
    base = repository_root.resolve()
    for entry in entries:
        target = entry.get("local") if is_map(entry) else entry
        if not isinstance(target, str) or "://" in target:
            continue
        if is_map(entry) and ("project" in entry or "template" in entry or "remote" in entry):
            continue
        pattern = str(repository_root / target.lstrip("/"))
        matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
        inside = [p for p in matches if p.resolve().is_relative_to(base)]
        if len(inside) < len(matches):
            missing.append(
                Unread(
                    f"{document.path}: include {target}", "leads outside the repository; not read"
                )
            )
        if not matches and not any(c in target for c in "*?["):
            missing.append(
                Unread(f"{document.path}: include {target}", "the included file does not exist")
            )
        found.extend(inside)
    return tuple(found), tuple(missing)


def findings(analysis: GitlabAnalysis, file: WorkflowFile) -> list[Finding]:
    """The findings of one analysed GitLab CI file."""
    meta = GITLAB_STATIC_AWS_KEYS
    out: list[Finding] = []
    for item in analysis.variables:
        line, column = key_position(item.variables, item.keys[0])
        scope = f"job '{item.job}'" if item.job else "every job (top-level variables)"
        route = f"{item.job}.variables" if item.job else "variables"
        out.append(
            workflow_finding(
                meta,
                file.path,
                line + 1,
                column + 1,
                f"{', '.join(item.keys)} set for {scope}",
                f"{route}.{item.keys[0]}",
            )
        )
    for export in analysis.exports:
        for index in export.indices:
            line, column = item_position(export.script, index)
            scope = f"job '{export.job}'" if export.job else "every job"
            prefix = f"{export.job}." if export.job else ""
            out.append(
                workflow_finding(
                    meta,
                    file.path,
                    line + 1,
                    column + 1,
                    f"{export.section} of {scope} exports static AWS keys",
                    f"{prefix}{export.section}[{index}]",
                )
            )
    return out
