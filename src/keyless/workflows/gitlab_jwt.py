"""GitLab's shared JSON web tokens (``$CI_JOB_JWT``, ``$CI_JOB_JWT_V1``, ``$CI_JOB_JWT_V2``),
removed in GitLab 17.0: where a pipeline still reads them, and the rewrite to an ID token.

GitLab gave every job these tokens until 17.0 and gives none since
(https://docs.gitlab.com/update/deprecations/#old-versions-of-json-web-tokens-are-deprecated):
a job that assumed its role with ``$CI_JOB_JWT_V2`` (GitLab's own AWS guide did, before ID
tokens) now sends AWS an empty token, and its pipeline fails, or is "fixed" with an IAM
user's keys. A job declares its own token with ``id_tokens:`` instead
(https://docs.gitlab.com/ci/secrets/id_token_authentication/).

``$CI_JOB_JWT_V2`` carried the instance's URL as its audience (``aud``): GitLab's
``Gitlab::Ci::JwtV2`` sets ``aud`` to its ``DEFAULT_AUD``, ``Settings.gitlab.base_url``
(https://rubydoc.info/github/gitlabhq/gitlabhq/Gitlab/Ci/JwtV2; the merge request that
added the token, https://gitlab.com/gitlab-org/gitlab/-/merge_requests/72555, says "aud
eq base_url"), and GitLab's settings build ``base_url`` from the protocol, host and port
only (``build_base_gitlab_url``), while ``gitlab.url``, which ``$CI_SERVER_URL`` is,
adds the relative URL root (``build_gitlab_url``; GitLab sets ``CI_SERVER_URL`` to
``Gitlab.config.gitlab.url``). A job that reads it in
its own scripts or variables is rewritten to ``id_tokens: GITLAB_OIDC_TOKEN: aud:
$CI_SERVER_URL`` (``aud`` expands CI/CD variables since GitLab 16.1) reading
``$GITLAB_OIDC_TOKEN``: the token its role's trust policy accepted, under another name.
``$CI_JOB_JWT`` / ``$CI_JOB_JWT_V1`` carried no such audience, and a read written in a
template, an anchor other jobs share or the top level is not the job's alone: those are
left, with a note saying what replaces them. This module finds the reads; the rewrite is
:mod:`.gitlab_jwt_fix`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.findings import Finding, Severity
from keyless.workflows.gitlab_keys import (
    HOOK_SECTION,
    jobs_of,
    own_scripts,
    scope_of,
    shown_section,
    variable_value,
)
from keyless.workflows.jwt_use import TokenUse, token_use
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    item_position,
    key_position,
    own_items,
)

# `$NAME`, `${NAME}` (shells), `$env:NAME` (PowerShell), `%NAME%` (cmd) of a removed token.
REMOVED_READ = re.compile(r"(\$\{?|\$env:|%)(CI_JOB_JWT(?:_V1|_V2)?)\b")

GITLAB_REMOVED_JOB_JWT = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="gitlab-removed-job-jwt",
    title="A GitLab CI job reads a JSON web token GitLab removed in 17.0",
    severity=Severity.MEDIUM,
    rationale=(
        "`$CI_JOB_JWT`, `$CI_JOB_JWT_V1` and `$CI_JOB_JWT_V2` are empty since GitLab 17.0: "
        "a job that assumes its role with one (AssumeRoleWithWebIdentity) sends AWS no "
        "token, so its pipeline fails, and the usual way back is an IAM user's long-lived "
        "keys in CI/CD variables. On an older instance every job gets these tokens, "
        "whether it needs one or not."
        + "\n\n"
        + "https://docs.gitlab.com/update/deprecations/#old-versions-of-json-web-tokens-are-deprecated"
    ),
    remediation=(
        "Give the job its own ID token (`id_tokens: GITLAB_OIDC_TOKEN: aud: …`) and read "
        "`$GITLAB_OIDC_TOKEN` instead; `$CI_JOB_JWT_V2`'s audience was the instance's URL "
        "(`aud: $CI_SERVER_URL` keeps the role's trust policy as it is). `keyless "
        "workflows fix` rewrites a job that reads `$CI_JOB_JWT_V2` in its own scripts or "
        "variables. https://docs.gitlab.com/ci/secrets/id_token_authentication/"
    ),
)


@dataclass(frozen=True, slots=True)
class TokenRead:
    """A script line or variable value that reads a removed token, where it is written:
    ``node`` is the sequence (``key`` an index) or mapping (``key`` a name) holding it."""

    entry: str | None  # the top-level entry (job, template, `default`); None: top level
    #: "script", "before_script", "after_script", :data:`HOOK_SECTION` or "variables"
    section: str
    node: Any
    key: Any
    names: tuple[str, ...]
    #: What the entry does with the token, as the read and the entry's scripts say.
    use: TokenUse = TokenUse.UNKNOWN

    @property
    def position(self) -> tuple[int, int]:
        """0-based (line, column) of the line or variable in the file."""
        if isinstance(self.key, int):
            return item_position(self.node, self.key)
        return key_position(self.node, self.key)


def removed_tokens(text: str) -> tuple[str, ...]:
    """The removed token variables ``text`` reads, sorted."""
    return tuple(sorted({m.group(2) for m in REMOVED_READ.finditer(text)}))


def script_leaves(node: Any, key: Any, value: Any) -> Iterator[tuple[Any, Any, str]]:
    """(holder, key, text) of each string of a script section: a string, a list of them,
    or lists nested in it (GitLab flattens up to 10 levels). Each list is read once, so
    lists an alias repeats (``[*a, *a, …]`` ten levels deep) cost nothing more."""
    seen: set[int] = set()

    def walk(holder: Any, at: Any, item: Any, depth: int) -> Iterator[tuple[Any, Any, str]]:
        if isinstance(item, str):
            yield holder, at, item
        elif is_seq(item) and depth < 10 and id(item) not in seen:
            seen.add(id(item))
            for index, inner in enumerate(item):
                yield from walk(item, index, inner, depth + 1)

    return walk(node, key, value, 0)


def _reads_in(entry: str | None, node: Any) -> Iterator[TokenRead]:
    """The reads written in one top-level entry (its own keys; merged ones are read where
    they are written)."""
    own = dict(own_items(node))
    found: list[tuple[str, Any, Any, str, tuple[str, ...]]] = []
    around: list[str] = []
    # The top level has no hook: a top-level `hooks:` is a job's name.
    for section, script in own_scripts(node, hooks=entry is not None):
        host = own["hooks"] if section == HOOK_SECTION else node
        name = "pre_get_sources_script" if section == HOOK_SECTION else section
        for holder, key, text in script_leaves(host, name, script):
            around.append(text)
            if names := removed_tokens(text):
                found.append((section, holder, key, text, names))
    variables = own.get("variables")
    for name, value in own_items(variables):
        text = variable_value(value)
        if isinstance(text, str):
            # The name says what the value is for (`VAULT_ID_TOKEN: $CI_JOB_JWT`).
            around.append(f"{name}={text}")
            if names := removed_tokens(text):
                found.append(("variables", variables, name, f"{name}={text}", names))
    for section, holder, key, text, names in found:
        yield TokenRead(entry, section, holder, key, names, token_use([text], around))


def token_reads(document: Document) -> tuple[TokenRead, ...]:
    """Every place one GitLab CI file reads a removed token, once each: a line an alias
    repeats is reported where it is written (the first in the file)."""
    root = document.root
    if not is_map(root):
        return ()
    entries: list[tuple[str | None, Any]] = [(None, root)]
    if is_map(root.get("default")):
        entries.append(("default", root["default"]))
    entries += list(jobs_of(root))
    seen: set[tuple[int, str]] = set()
    out = []
    for name, node in entries:
        for read in _reads_in(name, node):
            if (id(read.node), str(read.key)) not in seen:
                seen.add((id(read.node), str(read.key)))
                out.append(read)
    return tuple(out)


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """A finding per place the file reads a removed token."""
    out = []
    for read in token_reads(document):
        line, column = read.position
        who = scope_of(read.entry) if read.entry is not None else "every job (top level)"
        names = ", ".join(f"${n}" for n in read.names)
        prefix = f"{read.entry}." if read.entry is not None else ""
        key = f"[{read.key}]" if isinstance(read.key, int) else f".{read.key}"
        route = f"{prefix}{read.section}{key}"
        out.append(
            workflow_finding(
                GITLAB_REMOVED_JOB_JWT,
                file.path,
                line + 1,
                column + 1,
                f"the {shown_section(read.section)} of {who} reads {names}, which GitLab "
                f"removed in 17.0: the job gets no token, so {read.use.without_token}",
                route,
            )
        )
    return out
