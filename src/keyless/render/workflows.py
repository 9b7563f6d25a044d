"""Workflow scan and fix results as text and versioned JSON documents (SARIF is
:func:`keyless.render.sarif.scan_sarif`, as for every scan).

The JSON documents are built by explicit converters (never a dump of internals) and
carry ``"schema": "keyless/workflows-scan/v1"`` / ``"keyless/workflows-fix/v1"``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from keyless import __version__
from keyless.engine import ScanResult, Suppressed, Unread
from keyless.errors import QUOTED_CHARACTERS, shown_pointer
from keyless.files import display_path
from keyless.findings import FileLocation, Finding
from keyless.render import RenderOptions
from keyless.render.ignores import unused_ignore_document, unused_ignore_line
from keyless.render.jsonout import dumps
from keyless.workflows.model import Coverage, FixResult, JobRewrite, Platform, Subject
from keyless.workflows.verdict import statement

SCAN_SCHEMA = "keyless/workflows-scan/v1"
FIX_SCHEMA = "keyless/workflows-fix/v1"


def finding_json(finding: Finding, base: Path | None = None) -> dict[str, Any]:
    """One finding as JSON; paths relative to ``base`` (default: the working directory)."""
    location = finding.location
    assert isinstance(location, FileLocation), "a workflow finding is about a file"
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "file": display_path(location.path, base),
        "line": location.line,
        "column": location.column,
        "location": location.route,
        "message": finding.message,
        "remediation": finding.remediation,
    }


def scan_json(result: ScanResult, base: Path | None = None) -> dict[str, Any]:
    """The ``keyless/workflows-scan/v1`` document."""
    return {
        "schema": SCAN_SCHEMA,
        "version": __version__,
        "files": [
            {
                "path": display_path(f.path, base),
                "platform": f.kind,
                "coverage": f.coverage or coverage_of(f.kind).value,
            }
            for f in result.files
        ],
        "findings": [_scan_finding_json(f, base) for f in result.findings],
        "suppressed": [_suppressed_json(s, base) for s in result.suppressed],
        "unused_ignores": [unused_ignore_document(i) for i in result.unused_ignores],
        "unread": [_unread_json(u, base) for u in result.unread],
        "check_runs": [
            {
                "check": run.check.id,
                "severity": run.check.severity.value,
                "status": run.status,
                "evaluated": run.evaluated,
                "findings": run.findings,
            }
            for run in result.check_runs
        ],
    }


def _scan_finding_json(finding: Finding, base: Path | None) -> dict[str, Any]:
    """A finding of ``workflows scan``, with its ``evidence`` when it has any (the
    low-confidence checks say there why they suspect keys)."""
    document = finding_json(finding, base)
    if finding.evidence:
        document["evidence"] = {str(k): str(v) for k, v in finding.evidence.items()}
    return document


def _suppressed_json(entry: Suppressed, base: Path | None) -> dict[str, Any]:
    """A finding the configuration ignores: counted in every format, with the rule."""
    rule = entry.ignore
    return {
        **_scan_finding_json(entry.finding, base),
        "reason": rule.reason,
        "ignore": {
            "file": rule.source or None,
            "rule": rule.index,
            "check": rule.check,
            "resource": rule.resource,
            "account": rule.account,
        },
    }


def coverage_of(kind: str) -> Coverage:
    """How far a scanned file of platform ``kind`` was read (:class:`Coverage`)."""
    try:
        return Platform(kind).coverage
    except ValueError:  # not a CI platform's file: never claim more than literal keys
        return Coverage.LITERAL_KEYS


def literal_only(result: ScanResult) -> list[str]:
    """One line per file read for literal keys only: a platform whose jobs keyless does
    not analyse. Said in every format, so a quiet scan of it never reads as clean."""
    return [
        f"{display_path(f.path)}: read for literal keys only "
        f"(keyless does not analyse {Platform(f.kind).display_name} jobs)"
        for f in result.files
        if (f.coverage or coverage_of(f.kind).value) == Coverage.LITERAL_KEYS.value
        and f.kind in _PLATFORMS
    ]


_PLATFORMS = frozenset(p.value for p in Platform)


def _unread_json(unread: Unread, base: Path | None) -> dict[str, str]:
    return {"path": _shown_where(unread.where, base), "reason": unread.reason}


def _shown_where(where: str, base: Path | None) -> str:
    # `where` is a path, or "path: include x" / "path:12": relative when it is inside base.
    head, sep, tail = where.partition(":")
    return display_path(Path(head), base) + sep + tail


def scan_text(result: ScanResult) -> str:
    """A short report for a terminal: one line per finding, what could not be read, then
    a summary. Values from the files are printed as one line each (escaped)."""
    lines = []
    for finding in result.findings:
        location = finding.location
        assert isinstance(location, FileLocation), "a workflow finding is about a file"
        lines.append(
            f"{one_line(display_path(location.path))}:{location.line}:{location.column}: "
            f"{finding.severity.value} {finding.check}: {one_line(finding.message)}"
        )
    if result.suppressed:
        lines.append(f"{len(result.suppressed)} finding(s) suppressed by the configuration:")
        for entry in result.suppressed:
            location = entry.finding.location
            assert isinstance(location, FileLocation), "a workflow finding is about a file"
            lines.append(
                f"  {one_line(display_path(location.path))}:{location.line}:{location.column}: "
                f"{entry.finding.check}: {one_line(entry.ignore.reason)}"
                f" ({one_line(entry.ignore.where)})"
            )
    lines += [
        f"{one_line(_shown_where(u.where, None))}: not read: {one_line(u.reason)}"
        for u in result.unread
    ]
    literal = literal_only(result)
    lines += [one_line(line) for line in literal]
    lines += [unused_ignore_line(ignore) for ignore in result.unused_ignores]
    summary = f"{len(result.findings)} finding(s) in {len(result.files)} file(s)"
    if result.suppressed:
        summary += f"; {len(result.suppressed)} suppressed"
    if literal:
        summary += f"; {len(literal)} read for literal keys only"
    if result.unread:
        summary += f"; {len(result.unread)} could not be read (exit code 3)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so a value cannot start a new line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _job_name(name: str) -> str:
    """A job's name as the summary shows it: on one line, and cut as messages cut a
    value (:func:`keyless.errors.shown_pointer`): a file may name a job with 100,000
    characters."""
    return one_line(shown_pointer(name, QUOTED_CHARACTERS))


def _subject_json(subject: Subject) -> dict[str, str]:
    return {"sub": subject.value, "operator": subject.operator.value, "reason": subject.reason}


def _job_json(job: JobRewrite, platform: Platform) -> dict[str, Any]:
    return {
        "job": job.job,
        "pull_request": job.pull_request,
        "role": job.role,
        "chained": job.chained,
        "subjects": [_subject_json(s) for s in job.subjects],
        "notes": list(job.notes),
        "trust": {
            "recommended": [_subject_json(s) for s in job.recommended],
            "withheld": [{**_subject_json(w.subject), "why": w.reason} for w in job.withheld],
            "statement": statement(platform, job.account, job.recommended)
            if job.recommended
            else None,
            "notes": list(job.trust_notes),
        },
    }


def fix_json(result: FixResult, base: Path | None = None) -> dict[str, Any]:
    """The ``keyless/workflows-fix/v1`` document: per file, the jobs rewritten (with the
    subjects to trust), what was left for a person and why; and what could not be read."""
    return {
        "schema": FIX_SCHEMA,
        "version": __version__,
        "written": result.written,
        "files": [
            {
                "path": display_path(r.file.path, base),
                "platform": r.file.platform.value,
                "changed": r.changed,
                "jobs": [_job_json(j, r.file.platform) for j in r.jobs],
                "unfixed": [{"job": u.job, "reason": u.reason} for u in r.unfixed],
                "notes": list(r.notes),
            }
            for r in result.files
        ],
        "unread": [_unread_json(u, base) for u in result.unread],
        "notes": list(result.notes),
    }


def fix_summary(result: FixResult) -> str:
    """What changed, which subjects each rewritten job's role must trust, and what was
    left for a person (with the reason)."""
    out: list[str] = []
    for rewrite in (r for r in result.files if r.changed or r.jobs or r.notes):
        out.append(f"{one_line(display_path(rewrite.file.path))}:")
        for job in rewrite.jobs:
            flag = " (runs for pull requests: no deploy rights!)" if job.pull_request else ""
            out.append(f"  job {_job_name(job.job)}{flag}: assumes {one_line(job.role)}")
            if job.recommended:
                out.append("    trust these subjects:")
                out += [
                    f"      {s.operator.value} sub = {one_line(s.value)}" for s in job.recommended
                ]
            for withheld in job.withheld:
                sub, why = one_line(withheld.subject.value), one_line(withheld.reason)
                out.append(f"    not trusted: sub = {sub}: {why}")
            out += [f"    note: {one_line(note)}" for note in (*job.notes, *job.trust_notes)]
            if job.chained and job.recommended:
                document = dumps(statement(rewrite.file.platform, job.account, job.recommended))
                out.append(f"    add to the trust policy of {one_line(job.role)}:")
                out += ["      " + line for line in document.decode().splitlines()]
        out += [f"  note: {one_line(note)}" for note in rewrite.notes]
    left = result.unfixed
    if left:
        out.append("left as it is (a person must rewrite these):")
        for rewrite, unfixed in left:
            where = one_line(display_path(rewrite.file.path))
            label = f" job {_job_name(unfixed.job)}" if unfixed.job else ""
            out.append(f"  {where}{label}: {one_line(unfixed.reason)}")
    for unread in result.unread:
        where = one_line(_shown_where(unread.where, None))
        out.append(f"{where}: not read: {one_line(unread.reason)}")
    out += [f"note: {one_line(note)}" for note in result.notes]
    out += _per_role(result)
    rewritten = sum(len(r.jobs) for r in result.files)
    summary = f"{len(result.changed)} file(s) changed, {rewritten} job(s) rewritten"
    if left:
        summary += f", {len(left)} item(s) left for you (exit code 1)"
    if result.unread:
        summary += f", {len(result.unread)} could not be read (exit code 3)"
    out.append(summary)
    return "\n".join(out) + "\n"


def _per_role(result: FixResult) -> list[str]:
    """For a role several jobs assume: every subject its trust policy needs, once each
    (the per-job lists above repeat a subject that two jobs share). A role named by a
    variable whose jobs run in several environments is listed per environment, since
    each environment may name another role: a GitHub environment's own variable or
    secret wins over the repository's
    (https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#configuration-variable-precedence),
    and a GitLab CI/CD variable can be scoped to an environment
    (https://docs.gitlab.com/ci/environments/#limit-the-environment-scope-of-a-cicd-variable)."""
    jobs: dict[str, list[JobRewrite]] = {}
    for rewrite in result.files:
        for job in rewrite.jobs:
            jobs.setdefault(job.role, []).append(job)
    out: list[str] = []
    for role, assumed in jobs.items():
        wanted = _subjects(assumed)
        if len(assumed) < 2 or not wanted:
            continue
        github = _GITHUB_REFERENCE.fullmatch(role) is not None
        gitlab = _GITLAB_REFERENCE.fullmatch(role) is not None
        groups = _by_environment(assumed, gitlab) if github or gitlab else {}
        if len(groups) < 2:
            out.append(f"{one_line(role)} ({len(assumed)} jobs) must trust, in all:")
            out += [f"  {operator} sub = {one_line(value)}" for operator, value in wanted]
            continue
        wins = (
            "a CI/CD variable scoped to an environment wins for its jobs"
            if gitlab
            else "an environment's own value wins over the repository's"
        )
        out.append(
            f"{one_line(role)} ({len(assumed)} jobs) may name a role per environment ({wins}); "
            "the role each names must trust:"
        )
        for label, (count, subjects) in groups.items():
            out.append(f"  {label} ({count} job{'s' if count > 1 else ''}):")
            out += [f"    {operator} sub = {one_line(value)}" for operator, value in subjects]
    return out


# A role named by a GitHub variable or secret: `${{ vars.ROLE }}`, `${{ secrets.ROLE }}`.
_GITHUB_REFERENCE = re.compile(r"\$\{\{\s*(?:vars|secrets)\.\w+\s*\}\}")
# A role named by a GitLab CI/CD variable: `$ROLE_ARN`.
_GITLAB_REFERENCE = re.compile(r"\$\w+")


def _subjects(jobs: list[JobRewrite]) -> list[tuple[str, str]]:
    """The recommended subjects of ``jobs``, once each, in order."""
    return list(dict.fromkeys((s.operator.value, s.value) for j in jobs for s in j.recommended))


def _by_environment(
    jobs: list[JobRewrite], gitlab: bool
) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """The recommended subjects of ``jobs`` by environment, with how many jobs run
    there: a GitHub subject names its environment (a matrix job runs in several); a
    GitLab job names its own (``environment:``). Jobs in none get the variable's
    unscoped value."""
    groups: dict[str, tuple[set[int], dict[tuple[str, str], None]]] = {}
    for job in jobs:
        for subject in job.recommended:
            if gitlab:
                name = job.environment
            else:
                _, found, after = subject.value.rpartition(":environment:")
                name = after if found else None
            if name is None:
                label = "no environment (the " + (
                    "value scoped to all environments)" if gitlab else "repository's value)"
                )
            elif name == "*" or "$" in name:
                label = "a computed environment"
            else:
                label = f"environment {_job_name(name)}"
            names, subjects = groups.setdefault(label, (set(), {}))
            names.add(id(job))
            subjects[(subject.operator.value, subject.value)] = None
    return {label: (len(names), list(subjects)) for label, (names, subjects) in groups.items()}


def workflows_scan_text(result: ScanResult, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless workflows scan``."""
    return scan_text(result)


def workflows_scan_json(result: ScanResult, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless workflows scan``."""
    return dumps(scan_json(result)).decode()


def workflows_fix_text(result: FixResult, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless workflows fix``: what changed and the subjects."""
    return fix_summary(result)


def workflows_fix_json(result: FixResult, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless workflows fix``."""
    return dumps(fix_json(result)).decode()
