"""Workflow scan and fix results as text and versioned JSON documents (SARIF is
:func:`keyless.render.sarif.scan_sarif`, as for every scan).

The JSON documents are built by explicit converters (never a dump of internals) and
carry ``"schema": "keyless/workflows-scan/v1"`` / ``"keyless/workflows-fix/v1"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless import __version__
from keyless.engine import ScanResult
from keyless.files import display_path
from keyless.findings import FileLocation, Finding
from keyless.render import RenderOptions
from keyless.render.jsonout import dumps
from keyless.workflows.model import FixResult, JobRewrite

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
        "files": [{"path": display_path(f.path, base), "platform": f.kind} for f in result.files],
        "findings": [finding_json(f, base) for f in result.findings],
    }


def scan_text(result: ScanResult) -> str:
    """A short report for a terminal: one line per finding, then a summary."""
    lines = []
    for finding in result.findings:
        location = finding.location
        assert isinstance(location, FileLocation), "a workflow finding is about a file"
        lines.append(
            f"{display_path(location.path)}:{location.line}:{location.column}: "
            f"{finding.severity.value} {finding.check}: {finding.message}"
        )
    lines.append(f"{len(result.findings)} finding(s) in {len(result.files)} file(s)")
    return "\n".join(lines) + "\n"


def _job_json(job: JobRewrite) -> dict[str, Any]:
    return {
        "job": job.job,
        "pull_request": job.pull_request,
        "subjects": [
            {"sub": s.value, "operator": s.operator.value, "reason": s.reason} for s in job.subjects
        ],
        "notes": list(job.notes),
    }


def fix_json(result: FixResult, base: Path | None = None) -> dict[str, Any]:
    """The ``keyless/workflows-fix/v1`` document: per file, the jobs and their subjects."""
    return {
        "schema": FIX_SCHEMA,
        "version": __version__,
        "written": result.written,
        "files": [
            {
                "path": display_path(r.file.path, base),
                "platform": r.file.platform.value,
                "changed": r.changed,
                "jobs": [_job_json(j) for j in r.jobs],
                "notes": list(r.notes),
            }
            for r in result.files
        ],
        "notes": list(result.notes),
    }


def fix_summary(result: FixResult) -> str:
    """What changed and which subjects each rewritten job's role must trust."""
    out: list[str] = []
    for rewrite in result.changed:
        out.append(f"{display_path(rewrite.file.path)}:")
        for job in rewrite.jobs:
            flag = " (runs for pull requests: no deploy rights!)" if job.pull_request else ""
            out.append(f"  job {job.job}{flag}: trust-policy subjects")
            out += [f"    {s.operator.value} sub = {s.value}" for s in job.subjects]
            out += [f"    note: {note}" for note in job.notes]
        out += [f"  note: {note}" for note in rewrite.notes]
    out += [f"note: {note}" for note in result.notes]
    if not result.changed:
        out.append("nothing to rewrite")
    return "\n".join(out) + "\n"


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
