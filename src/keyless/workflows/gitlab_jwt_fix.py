"""The rewrite of a GitLab job that reads a removed token (``$CI_JOB_JWT_V2``) to an ID
token of its own, or the note that says what replaces it (:mod:`.gitlab_jwt` finds the
reads and says why the audience is ``$CI_SERVER_URL``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyless.errors import InputError, quoted
from keyless.workflows.edits import entry_column, insert_before_first_key, key_block
from keyless.workflows.gitlab_jwt import REMOVED_READ, removed_tokens, script_leaves
from keyless.workflows.gitlab_keys import (
    jobs_of,
    variable_value,
)
from keyless.workflows.gitlab_pipeline import Job
from keyless.workflows.jwt_use import TokenUse, token_use
from keyless.workflows.patch import Edit, apply_edits, block_end, dash_line
from keyless.workflows.yamldoc import (
    is_flow,
    is_map,
    is_seq,
    item_position,
    load_text,
    own_items,
    parents,
)
from keyless.workflows.yamlout import layout_of, mapping_lines

#: The audience ``$CI_JOB_JWT_V2`` carried: the instance's URL.
V2_AUDIENCE = "$CI_SERVER_URL"

#: The variable the rewritten job reads its token from (as ``keyless workflows fix``
#: names the token of every job it moves off keys).
TOKEN_VARIABLE = "GITLAB_OIDC_TOKEN"  # noqa: S105 - a variable name, not a secret


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
        for holder, key, text in script_leaves(host, name, script):
            if removed_tokens(text):
                yield holder, key, text


def _job_texts(job: Job) -> Iterator[str]:
    """Every script line the job runs and every variable it gets (``NAME=value``)."""
    for host, name, script in _job_scripts(job):
        for _, _, text in script_leaves(host, name, script):
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
    layout = layout_of(document.root, (document.root, job.entry.name))  # the job's own
    edits.append(
        insert_before_first_key(lines, node, mapping_lines(block, entry_column(node), layout))
    )
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
    return REMOVED_READ.sub(lambda m: f"{m.group(1)}{TOKEN_VARIABLE}", text)


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
