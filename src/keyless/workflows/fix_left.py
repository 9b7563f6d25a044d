"""What ``fix`` says it left: where a finding is (``line 7 (route): ``), and keys a
GitLab pipeline still holds after its rewrite that the rewrite did not list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from keyless.errors import InputError, shown_pointer
from keyless.findings import FileLocation, Finding
from keyless.workflows import gitlab
from keyless.workflows.gitlab_keys import WORKFLOW_RULES_LEFT, jobs_of
from keyless.workflows.gitlab_pipeline import is_reference
from keyless.workflows.model import FileRewrite, Platform, Unfixed
from keyless.workflows.scan import LoadedFile, scan_files
from keyless.workflows.yamldoc import Document, is_map, is_seq, load_text, scalar_texts


def where(finding: Finding) -> str:
    """``line 7 (jobs.deploy.environment.AWS_ACCESS_KEY_ID): ``, the route cut as messages
    cut a pointer (:func:`keyless.errors.shown_pointer`): its keys are the file's, and a
    job or input name may be 100,000 characters long."""
    location = finding.location
    if not isinstance(location, FileLocation):
        return ""
    route = "" if location.route.startswith("line ") else f" ({shown_pointer(location.route)})"
    return f"line {location.line}{route}: "


def keys_left_unsaid(
    rewrites: list[FileRewrite], read: Mapping[Path, Document] = MappingProxyType({})
) -> list[FileRewrite]:
    """Each pipeline's rewrite read again: keys the scan still finds in it (a template no
    job uses, ``default:``'s hook, a shape ``fix`` does not know) are listed, so that
    ``fix`` never leaves out a key ``scan`` reports, nor says all is done, exit code 0.
    Keys of a job already listed with its own reason (left as it is) are not repeated, nor
    a template's whose jobs are all listed so: they are left with their reasons.
    ``read``: documents already read, by path, each used when its text is the rewrite's
    (a file of thousands of jobs is not parsed once more)."""
    documents: dict[Path, Document] = {}
    for rewrite in rewrites:
        known = read.get(rewrite.file.path)
        try:
            documents[rewrite.file.path] = (
                known
                if known is not None and known.text == rewrite.after
                else load_text(
                    rewrite.after,
                    rewrite.file.path,
                    gitlab_header=rewrite.file.platform is Platform.GITLAB,
                )
            )
        except InputError:
            continue
    # One pipeline: a job listed in one file may extend (or reference) a template of
    # another (an include), and its name is the pipeline's.
    listed = {u.job for r in rewrites for u in r.unfixed if u.job is not None}
    if any(
        u.job is None and u.reason.startswith(WORKFLOW_RULES_LEFT)
        for r in rewrites
        for u in r.unfixed
    ):
        listed.add("workflow")  # its keys are that item
    every: dict[str, Any] = {}
    for document in documents.values():
        every |= dict(jobs_of(document.root)) if is_map(document.root) else {}
    listed |= _templates_left_with(every, listed)
    # The pipeline scanned as one, as the scan reads it: each place keys are written is
    # judged by the jobs of every file that get them.
    loaded = [
        LoadedFile(r.file, documents[r.file.path]) for r in rewrites if r.file.path in documents
    ]
    found: dict[Path, list[Finding]] = {}
    for finding in scan_files(loaded):
        if finding.check == gitlab.GITLAB_STATIC_AWS_KEYS.id and isinstance(
            finding.location, FileLocation
        ):
            found.setdefault(finding.location.path, []).append(finding)
    out = []
    for rewrite in rewrites:
        rewritten = documents.get(rewrite.file.path)
        if rewritten is None:
            out.append(rewrite)
            continue
        entries = dict(jobs_of(rewritten.root)) if is_map(rewritten.root) else {}
        left = tuple(
            Unfixed(None, f"{where(f)}{f.message}: keyless did not rewrite it; do it by hand")
            for f in found.get(rewrite.file.path, [])
            if _entry_of(f, [*entries, "workflow"]) not in listed
        )
        out.append(replace(rewrite, unfixed=rewrite.unfixed + left) if left else rewrite)
    return out


def _entry_of(finding: Finding, entries: list[str]) -> str | None:
    """The job or template a finding's route lies in: the longest name the route starts
    with (``a.b.script[0]`` is job ``a.b``'s when both ``a`` and ``a.b`` are jobs)."""
    location = finding.location
    route = location.route if isinstance(location, FileLocation) else ""
    within = [e for e in entries if route.startswith((f"{e}.", f"{e}["))]
    return max(within, key=len, default=None)


def _templates_left_with(entries: dict[str, Any], listed: set[str]) -> set[str]:
    """The templates (hidden jobs, ``.name``) of a pipeline whose keys reach only jobs
    ``fix`` listed as left, each with its reason: every job that extends one, directly or
    through other templates (https://docs.gitlab.com/ci/yaml/#extends), or reads part of
    it with ``!reference``, is listed, and there is at least one. A template no job
    extends is still worth its own line. Each entry is worked out once (a file may hold
    thousands of templates over one another)."""
    extenders: dict[str, list[str]] = {}
    for name, node in entries.items():
        extends: Any = node.get("extends")
        names = [extends] if isinstance(extends, str) else extends if is_seq(extends) else []
        # `!reference [.aws, variables]` brings a template's keys as `extends` does.
        names = [*(n for n in names if isinstance(n, str)), *_referenced(node)]
        for parent in dict.fromkeys(names):
            extenders.setdefault(parent, []).append(name)
    # (reaches a listed job, reaches a job not listed) of each entry, its own included,
    # children first. An entry met again while open (a cycle, which GitLab refuses)
    # counts as reaching a job not listed: its template stays listed.
    reach: dict[str, tuple[bool, bool]] = {}
    opened: set[str] = set()
    for start in (n for n in entries if n.startswith(".")):
        stack = [(start, False)]
        while stack:
            name, done = stack.pop()
            if not done and (name in reach or name in opened):
                continue
            if done:
                children = [reach.get(c, (False, True)) for c in extenders.get(name, ())]
                own = (
                    (name in listed, name not in listed)
                    if not name.startswith(".")
                    else (False, False)
                )
                reach[name] = (
                    own[0] or any(c[0] for c in children),
                    own[1] or any(c[1] for c in children),
                )
            else:
                opened.add(name)
                stack.append((name, True))
                stack += [(c, False) for c in extenders.get(name, ()) if c not in reach]
    return {n for n in entries if n.startswith(".") and reach.get(n) == (True, False)}


def _referenced(node: Any) -> list[str]:
    """The entries ``!reference [NAME, …]`` tags anywhere in ``node`` name
    (https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags), each node
    visited once (aliases share theirs)."""
    found: list[str] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if is_reference(value):
            path = scalar_texts(value)
            found += path[:1]
        elif is_map(value):
            stack.extend(value.values())
        elif is_seq(value):
            stack.extend(value)
    return list(dict.fromkeys(found))
