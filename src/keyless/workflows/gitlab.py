"""GitLab CI: where long-lived AWS keys are written in a pipeline file.

Keys reach a GitLab job as ``variables:`` (top level, per job, in templates, merged in
with ``<<: *anchor``) or as ``export`` / ``aws configure set`` lines in its scripts; they
also leave it under other names (``TF_VAR_key: $AWS_ACCESS_KEY_ID``) or into credentials
files. GitLab can instead mint an ID token for the job (``id_tokens:``) that the AWS SDKs
exchange for a role's temporary credentials (https://docs.gitlab.com/ci/cloud_services/aws/).
Keys stored only as project CI/CD variables never appear in the file; a file that uses
them under another name is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.findings import Finding, Severity
from keyless.workflows.evidence import (
    profile_writes,
    reexports,
    script_reexports,
    writes_session_token,
)
from keyless.workflows.gitlab_keys import (
    EXPORT,
    ScriptsBeside,
    UnseenNotes,
    exports_temporary,
    jobs_of,
    key_variables,
    matrix_keys,
    own_scripts,
    rule_keys,
    scope_of,
    shown_section,
    variable_value,
)
from keyless.workflows.gitlab_reach import Reach
from keyless.workflows.gitlab_secrets import fetched_keys
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    item_position,
    key_position,
    origin_of,
    own_items,
)

GITLAB_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="gitlab-static-aws-keys",
    title="A GitLab CI job uses static AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The job authenticates with an IAM user's permanent access key, kept in a CI/CD "
        "variable and exported to every command of the job. Keys beside an endpoint kept in "
        "a CI/CD variable may be another store's (Cloudflare R2, MinIO): medium, the "
        "message says so." + "\n\n" + "https://docs.gitlab.com/ci/cloud_services/aws/"
    ),
    remediation=(
        "Create an IAM role that trusts GitLab's OIDC provider for this project, add "
        "`id_tokens:` with `aud: sts.amazonaws.com` to the job and set AWS_ROLE_ARN and "
        "AWS_WEB_IDENTITY_TOKEN_FILE (`keyless workflows fix` does the rewrite)."
    ),
)


@dataclass(frozen=True, slots=True)
class KeyVariables:
    """AWS key variables written in one mapping (``job`` None at the top level; ``scope``
    the mapping as the job sees it, ``node`` where the keys are written)."""

    job: str | None
    scope: Any
    node: Any
    keys: tuple[str, ...]
    #: ``deploy.rules[0].variables`` / ``deploy.parallel.matrix[1]``: set by a rule's
    #: ``variables:`` when the rule matches (https://docs.gitlab.com/ci/yaml/#rulesvariables)
    #: or by an entry of ``parallel:matrix`` for its instances
    #: (https://docs.gitlab.com/ci/yaml/#parallelmatrix); None for a ``variables:`` keyword.
    rule: str | None = None
    #: How they are set, as a finding says it (`` when its rule matches (rules:variables)``).
    how: str = ""


@dataclass(frozen=True, slots=True)
class ScriptExports:
    """Script lines of a job that export AWS keys (``job`` None for global sections)."""

    job: str | None
    section: str
    script: Any
    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KeyHandOff:
    """A variable or script line that hands the keys on under another name, or writes
    them into a credentials file: only a person can rewrite it."""

    job: str | None
    node: Any
    key: Any  # a mapping key, or a sequence index
    reason: str


@dataclass(frozen=True, slots=True)
class GitlabAnalysis:
    """Where AWS keys enter (and leave) one GitLab CI file."""

    document: Document
    variables: tuple[KeyVariables, ...]
    exports: tuple[ScriptExports, ...]
    handoffs: tuple[KeyHandOff, ...] = ()
    #: Keys a job's or ``workflow:``'s ``rules:`` set when a rule matches, and those a
    #: job's ``parallel:matrix`` sets for its instances.
    rule_variables: tuple[KeyVariables, ...] = ()
    #: Keys a job reads from an external secret store (``secrets:``): :mod:`.gitlab_secrets`.
    fetched: tuple[KeyHandOff, ...] = ()

    @property
    def has_static_keys(self) -> bool:
        """Whether keys are written anywhere in the file."""
        return bool(
            self.variables or self.exports or self.handoffs or self.rule_variables or self.fetched
        )


def _exports(job: str | None, node: Any) -> Iterator[ScriptExports]:
    for section, script in own_scripts(node, hooks=job is not None):
        if not is_seq(script):
            continue
        indices = tuple(
            i for i, line in enumerate(script) if isinstance(line, str) and EXPORT.match(line)
        )
        if indices and not exports_temporary(script, indices):
            yield ScriptExports(job, section, script, indices)


def _handoffs(job: str | None, node: Any) -> Iterator[KeyHandOff]:
    variables = node.get("variables") if is_map(node) else None
    if is_map(variables):
        for name, value in own_items(variables):
            text = variable_value(value)
            reason = reexports(str(name), text) if isinstance(text, str) else None
            if reason:
                yield KeyHandOff(job, variables, name, reason)
    for _, script in own_scripts(node, hooks=job is not None):
        lines = list(script) if is_seq(script) else []
        # A session token written by another line of the section makes the profile's
        # key pair temporary, as when one line writes all three.
        token = writes_session_token("\n".join(line for line in lines if isinstance(line, str)))
        for index, line in enumerate(lines):
            if not isinstance(line, str) or EXPORT.match(line):
                continue
            found = (None if token else profile_writes(line), *script_reexports(line))
            for reason in (r for r in found if r):
                yield KeyHandOff(job, script, index, reason)


def analyse(document: Document, beside: ScriptsBeside | None = None) -> GitlabAnalysis:
    """Walk one GitLab CI file and record where AWS keys are written. ``beside``: the
    pipeline's :class:`ScriptsBeside` (its files may extend this one's jobs), else this
    file's."""
    root = document.root
    variables: list[KeyVariables] = []
    exports: list[ScriptExports] = []
    handoffs: list[KeyHandOff] = []
    if is_map(root):
        keys = key_variables(root.get("variables"))
        if keys:
            variables.extend(_sites(None, root["variables"], keys))
        exports.extend(_exports(None, root))
        exports.extend(_exports("default", root.get("default")))
        handoffs.extend(_handoffs(None, root))
        handoffs.extend(_handoffs("default", root.get("default")))
    rules: list[KeyVariables] = []
    fetched: list[KeyHandOff] = []
    workflow: Any = root.get("workflow") if is_map(root) else None
    if is_map(workflow):
        rules += _rule_sites(None, "workflow", workflow.get("rules"))
    beside = beside if beside is not None else ScriptsBeside([root])
    for name, job in jobs_of(root):
        scope = job.get("variables")
        keys = key_variables(scope, root.get("variables"), beside.of(name, job))
        if keys:
            variables.extend(_sites(name, scope, keys))
        exports.extend(_exports(name, job))
        handoffs.extend(_handoffs(name, job))
        rules += _rule_sites(name, name, job.get("rules"))
        rules += _matrix_sites(name, job.get("parallel"))
        fetched += (KeyHandOff(name, node, key, reason) for node, key, reason in fetched_keys(job))
    return GitlabAnalysis(
        document, tuple(variables), tuple(exports), tuple(handoffs), tuple(rules), tuple(fetched)
    )


def _rule_sites(job: str | None, route: str, rules: Any) -> Iterator[KeyVariables]:
    where = "rules" if job else "workflow:rules"
    how = f" when its rule matches ({where}:variables)"
    for index, node, keys in rule_keys(rules):
        for site in _sites(job, node, keys):
            rule = f"{route}.rules[{index}].variables"
            yield KeyVariables(job, site.scope, site.node, site.keys, rule, how)


def _matrix_sites(job: str, parallel: Any) -> Iterator[KeyVariables]:
    how = " by its parallel:matrix, one instance each"
    for index, node, keys in matrix_keys(parallel):
        for site in _sites(job, node, keys):
            rule = f"{job}.parallel.matrix[{index}]"
            yield KeyVariables(job, site.scope, site.node, site.keys, rule, how)


def _sites(job: str | None, scope: Any, keys: tuple[str, ...]) -> Iterator[KeyVariables]:
    by_origin: dict[int, tuple[Any, list[str]]] = {}
    for key in keys:
        origin = origin_of(scope, key)
        if origin is not None:
            by_origin.setdefault(id(origin), (origin, []))[1].append(key)
    for node, names in by_origin.values():
        yield KeyVariables(job, scope, node, tuple(names))


def findings(
    analysis: GitlabAnalysis, file: WorkflowFile, reach: Reach | None = None
) -> list[Finding]:
    """The findings of one analysed GitLab CI file, each where the keys are written.
    ``reach``: the jobs of the file's pipeline that get each place's keys
    (:class:`~.gitlab_reach.Reach`): keys every one of them sends to another store are
    not AWS's, and those they send to an endpoint keyless cannot read are said so, as
    ``fix`` judges them; without it (or for keys no job read gets), the file alone."""
    meta = GITLAB_STATIC_AWS_KEYS
    out: list[Finding] = []
    reported: set[tuple[int, str]] = set()

    notes = UnseenNotes(analysis.document.root)

    def note_of(job: str | None, scope: Any, node: Any) -> str:
        if reach is not None and reach.is_read(node):
            return reach.unseen_note(node)
        return notes.note(job, scope)

    def add(
        node: Any,
        key: Any,
        position: tuple[int, int],
        message: str,
        route: str,
        beside: tuple[str | None, Any] | None = None,
    ) -> None:
        if (id(node), str(key)) not in reported:
            reported.add((id(node), str(key)))
            line, column = position
            found = workflow_finding(meta, file.path, line + 1, column + 1, message, route)
            # Beside an endpoint kept in a CI/CD variable: maybe another store's keys
            # (medium); fix leaves the job for a person, saying the same.
            note = note_of(*beside, node) if beside is not None else ""
            if note:
                found = replace(found, message=found.message + note, severity=Severity.MEDIUM)
            out.append(found)

    # Keys written once (an anchor) and given to several jobs: one finding, naming them all.
    given: dict[tuple[int, str], list[str | None]] = {}
    # Keys every job that gets them sends to another store: not AWS's (fix leaves them).
    variables = [
        item
        for item in analysis.variables
        if reach is None or not reach.for_another_store(item.node)
    ]
    for item in variables:
        given.setdefault((id(item.node), item.keys[0]), []).append(item.job)
    for item in variables:
        scope = scope_of(item.job) if item.job else "every job (top-level variables)"
        route = f"{item.job}.variables" if item.job else "variables"
        merged = "" if item.node is item.scope else " (merged in with <<)"
        add(
            item.node,
            item.keys[0],
            key_position(item.node, item.keys[0]),
            f"{', '.join(item.keys)} set for {scope}{merged}"
            + _also(given[(id(item.node), item.keys[0])], item.job),
            f"{route}.{item.keys[0]}",
            (item.job, item.scope),
        )
    for export in analysis.exports:
        if reach is not None and reach.for_another_store(export.script):
            continue  # as for variables: every job that runs them sends them elsewhere
        for index in export.indices:
            scope = scope_of(export.job)
            prefix = f"{export.job}." if export.job else ""
            add(
                export.script,
                index,
                item_position(export.script, index),
                f"{shown_section(export.section)} of {scope} exports static AWS keys",
                f"{prefix}{export.section}[{index}]",
                (export.job, None),
            )
    for item in analysis.rule_variables:
        scope = scope_of(item.job) if item.job else "every job"
        add(
            item.node,
            item.keys[0],
            key_position(item.node, item.keys[0]),
            f"{', '.join(item.keys)} set for {scope}{item.how}",
            f"{item.rule}.{item.keys[0]}",
            (item.job, item.scope),
        )
    for fetch in analysis.fetched:
        add(
            fetch.node,
            fetch.key,
            key_position(fetch.node, fetch.key),
            f"{scope_of(fetch.job)} {fetch.reason}",
            f"{fetch.job}.secrets.{fetch.key}",
        )
    for handoff in analysis.handoffs:
        scope = scope_of(handoff.job)
        position = (
            item_position(handoff.node, handoff.key)
            if isinstance(handoff.key, int)
            else key_position(handoff.node, handoff.key)
        )
        add(
            handoff.node,
            handoff.key,
            position,
            f"{scope}: {handoff.reason} (keys set in the project's or group's CI/CD settings "
            "are still long-lived keys)",
            f"{handoff.job or ''}{'.' if handoff.job else ''}{handoff.key}",
        )
    return out


def _also(jobs: list[str | None], first: str | None, most: int = 5) -> str:
    """``, and for job 'deploy'``: the other jobs the same written keys reach (an alias,
    a merge key), the first ``most`` of them."""
    others = [j for j in dict.fromkeys(jobs) if j != first]
    if not others:
        return ""
    shown = ", ".join(scope_of(j) for j in others[:most])
    more = f" and {len(others) - most:,} more" if len(others) > most else ""
    return f", and for {shown}{more}"
