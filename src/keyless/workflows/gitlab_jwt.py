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
left, with a note saying what replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import InputError, quoted
from keyless.findings import Finding, Severity
from keyless.workflows.edits import entry_column, insert_before_first_key, key_block
from keyless.workflows.gitlab_keys import (
    HOOK_SECTION,
    jobs_of,
    own_scripts,
    scope_of,
    shown_section,
    variable_value,
)
from keyless.workflows.gitlab_pipeline import Job
from keyless.workflows.jwt_use import TokenUse, token_use
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.patch import Edit, apply_edits, block_end, dash_line
from keyless.workflows.yamldoc import (
    Document,
    is_flow,
    is_map,
    is_seq,
    item_position,
    key_position,
    load_text,
    own_items,
    parents,
)
from keyless.workflows.yamlout import mapping_lines

#: The variable the rewritten job reads its token from (as ``keyless workflows fix``
#: names the token of every job it moves off keys).
TOKEN_VARIABLE = "GITLAB_OIDC_TOKEN"  # noqa: S105 - a variable name, not a secret
#: The audience ``$CI_JOB_JWT_V2`` carried: the instance's URL.
V2_AUDIENCE = "$CI_SERVER_URL"
# `$NAME`, `${NAME}` (shells), `$env:NAME` (PowerShell), `%NAME%` (cmd) of a removed token.
_REMOVED = re.compile(r"(\$\{?|\$env:|%)(CI_JOB_JWT(?:_V1|_V2)?)\b")

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
    return tuple(sorted({m.group(2) for m in _REMOVED.finditer(text)}))


def _leaves(node: Any, key: Any, value: Any) -> Iterator[tuple[Any, Any, str]]:
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
        for holder, key, text in _leaves(host, name, script):
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


@dataclass(frozen=True, slots=True)
class TokenFix:
    """What ``fix`` does for one job that reads a removed token: ``edits`` of the job's
    file (none when the rewrite is not the job's alone to make) and a note."""

    job: Job
    edits: tuple[Edit, ...]
    note: str


def plan_token_fixes(jobs: Iterable[Job], keyed: Iterable[str]) -> list[TokenFix]:
    """For each job that reads a removed token: the rewrite to its own ID token where it
    is unambiguous, else a note saying what replaces it. ``keyed`` jobs (those that use
    keys) get the note only: their rewrite gives them a token for STS, not the audience
    their role pinned for this one."""
    jobs = list(jobs)
    reads = {job.name: list(_job_reads(job)) for job in jobs}
    readers: dict[int, set[str]] = {}
    for name, found in reads.items():
        for node, _, _ in found:
            readers.setdefault(id(node), set()).add(name)
    skip = set(keyed)
    out = []
    for job in jobs:
        found = reads[job.name]
        names = sorted({n for _, _, text in found for n in removed_tokens(text)})
        if not names:
            continue
        alone = all(readers[id(node)] == {job.name} for node, _, _ in found)
        # A read in the hook is left: the hook runs before the clone, and GitLab does not
        # say it gets the job's ID tokens.
        hooked = any(True for _ in _reads_of(_hook_script(job)))
        edits = (
            _rewrite(job, found)
            if names == ["CI_JOB_JWT_V2"] and alone and not hooked and job.name not in skip
            else None
        )
        use = token_use((text for _, _, text in found), _job_texts(job))
        if edits is None:
            out.append(TokenFix(job, (), _left_note(job.name, names, use)))
        else:
            out.append(TokenFix(job, edits, _rewritten_note(job.name, use)))
    return out


def _hook_script(job: Job) -> list[tuple[Any, str, Any]]:
    """(host, key, script) of the job's ``hooks:pre_get_sources_script``, if it has one."""
    return [(job.hook[0], "pre_get_sources_script", job.hook[1])] if job.hook else []


def _job_scripts(job: Job) -> list[tuple[Any, str, Any]]:
    """(host, key, script) of each script section the job runs, its hook included."""
    own = [(s.host, s.name, s.script) for s in job.sections.values()]
    return own + _hook_script(job)


def _reads_of(scripts: list[tuple[Any, str, Any]]) -> Iterator[tuple[Any, Any, str]]:
    """(holder, key, text) of each line of ``scripts`` that reads a removed token."""
    for host, name, script in scripts:
        for holder, key, text in _leaves(host, name, script):
            if removed_tokens(text):
                yield holder, key, text


def _job_texts(job: Job) -> Iterator[str]:
    """Every script line the job runs and every variable it gets (``NAME=value``)."""
    for host, name, script in _job_scripts(job):
        for _, _, text in _leaves(host, name, script):
            yield text
    for name, variable in job.variables.items():
        value = variable_value(variable.value)
        if isinstance(value, str):
            yield f"{name}={value}"


def _job_reads(job: Job) -> Iterator[tuple[Any, Any, str]]:
    """(holder, key, text) of each script line and variable the job gets that reads a
    removed token, wherever it is written."""
    yield from _reads_of(_job_scripts(job))
    for name, variable in job.variables.items():
        text = variable_value(variable.value)
        if isinstance(text, str) and removed_tokens(text) and variable.site is not None:
            yield variable.site, name, text


def _rewrite(job: Job, found: list[tuple[Any, Any, str]]) -> tuple[Edit, ...] | None:
    """The edits that give ``job`` its own token, or None when they would not be the
    job's alone (a read written in a template, the top level or an anchor written
    elsewhere), the job already names tokens, or the result would not read back as
    exactly the job with ``$GITLAB_OIDC_TOKEN`` in place of ``$CI_JOB_JWT_V2``."""
    node = job.entry.node
    document = job.entry.document
    if (
        "id_tokens" in job.keys
        or TOKEN_VARIABLE in job.variables
        or job.is_trigger
        or is_flow(node)
        or not any(True for _ in own_items(node))
    ):
        return None
    index = parents(document.root)
    lines = document.lines
    edits: list[Edit] = []
    for holder, key, _ in found:
        if not _written_in(holder, node, index) or is_flow(holder):
            return None
        if isinstance(key, int):
            line, column = item_position(holder, key)
            start, dash_column = dash_line(lines, line, column)
            end = block_end(lines, start, dash_column)
        else:
            start, end, _ = key_block(lines, holder, key)
        replaced = tuple(_replace(line.rstrip("\r\n")) for line in lines[start:end])
        edits.append(Edit(start, end, replaced))
    block = {"id_tokens": {TOKEN_VARIABLE: {"aud": V2_AUDIENCE}}}
    edits.append(insert_before_first_key(lines, node, mapping_lines(block, entry_column(node))))
    return tuple(edits) if _reads_back(job, found, edits) else None


def _written_in(holder: Any, node: Any, index: dict[int, tuple[Any, Any]]) -> bool:
    """Whether ``holder`` is written in the job's own mapping (directly, or in a script
    list nested in one of its sections), not reached through an alias or a merge."""
    if holder is node:
        return True
    current = holder
    for _ in range(12):
        parent = index.get(id(current))
        if parent is None:
            return False
        if parent[0] is node:
            return True
        current = parent[0]
    return False


def _replace(text: str) -> str:
    return _REMOVED.sub(lambda m: f"{m.group(1)}{TOKEN_VARIABLE}", text)


def _reads_back(job: Job, found: list[tuple[Any, Any, str]], edits: list[Edit]) -> bool:
    """Whether the edited file reads back (ruamel.yaml's round-trip reader) with the job
    declaring the token and every read changed to it, and nothing else of the job changed:
    a line written with escapes (``"\\x24CI_JOB_JWT_V2"``) is not rewritten blind. A job
    too large to compare (aliases repeated many levels deep) is not rewritten."""
    document = job.entry.document
    try:
        text = apply_edits(document.text, edits)
        after = load_text(text, Path(document.path), gitlab_header=True)
    except (InputError, ValueError):
        return False
    new: Any = dict(jobs_of(after.root)).get(job.name)
    if not is_map(new) or new.get("id_tokens") != {TOKEN_VARIABLE: {"aud": V2_AUDIENCE}}:
        return False
    budget = [_COMPARED_NODES]
    try:
        expected = _plain(job.entry.node, budget, _replace)
        got = _plain({k: v for k, v in new.items() if k != "id_tokens"}, budget, None)
    except _TooLarge:
        return False
    return got == expected and len(found) > 0


#: How many values of a job the read-back comparison looks at, at most.
_COMPARED_NODES = 100_000


class _TooLarge(Exception):
    """A value with more nodes than the comparison looks at."""


def _plain(value: Any, budget: list[int], change: Any) -> Any:
    """``value`` as plain dicts, lists and scalars (strings passed through ``change``),
    counting each node against ``budget``."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(value, str):
        return change(value) if change is not None else value
    if isinstance(value, dict):
        return {str(k): _plain(v, budget, change) for k, v in value.items()}
    if is_seq(value) or isinstance(value, list):
        return [_plain(v, budget, change) for v in value]
    return value


def _rewritten_note(job: str, use: TokenUse) -> str:
    # $CI_JOB_JWT_V2's aud was `Settings.gitlab.base_url` (see the module's docstring),
    # which holds no relative URL root; $CI_SERVER_URL, the instance's URL, holds it.
    return (
        f"job {quoted(job)} read $CI_JOB_JWT_V2, which GitLab removed in 17.0 (the job got no "
        f"token): it now declares its own, ${TOKEN_VARIABLE}, with the audience "
        f"$CI_JOB_JWT_V2 carried (aud: {V2_AUDIENCE}, the instance's URL), so "
        f"{use.audience_holder} need not change; on an instance served under a path "
        f"(https://example.com/gitlab), {V2_AUDIENCE} includes the path and "
        "$CI_JOB_JWT_V2's audience did not: write that audience out (https://example.com)"
    )


def _left_note(job: str, variables: list[str], use: TokenUse) -> str:
    """Why a job reading a removed token no longer reaches AWS, and what replaces it.
    https://docs.gitlab.com/update/deprecations/#old-versions-of-json-web-tokens-are-deprecated
    """
    names = ", ".join(f"${name}" for name in variables)
    return (
        f"job {quoted(job)} reads {names}, which GitLab removed in 17.0: the job gets no token, so "
        f"{use.without_token}; declare its own token (`id_tokens: {TOKEN_VARIABLE}: "
        f"aud: …`, with the audience {use.audience_holder} pins: $CI_JOB_JWT_V2 carried "
        f"the instance URL, such as https://gitlab.com) and read ${TOKEN_VARIABLE} instead"
    )
