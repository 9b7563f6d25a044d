"""Turning scan and fix results into text, versioned JSON documents and SARIF.

The JSON documents are built by explicit converters (never a dump of internals) and
carry ``"schema": "keyless/workflows-scan/v1"`` / ``"keyless/workflows-fix/v1"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless import __version__
from keyless.files import display_path
from keyless.render.sarif import INFORMATION_URI, SarifResult, SarifRule, build_log
from keyless.workflows.model import FixResult, JobRewrite, ScanResult, WorkflowFinding
from keyless.workflows.registry import CHECKS

SCAN_SCHEMA = "keyless/workflows-scan/v1"
FIX_SCHEMA = "keyless/workflows-fix/v1"


def finding_json(finding: WorkflowFinding, base: Path | None = None) -> dict[str, Any]:
    """One finding as JSON; paths relative to ``base`` (default: the working directory)."""
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "file": display_path(finding.file, base),
        "line": finding.line,
        "column": finding.column,
        "location": finding.location,
        "message": finding.message,
        "remediation": finding.remediation,
    }


def scan_json(result: ScanResult, base: Path | None = None) -> dict[str, Any]:
    """The ``keyless/workflows-scan/v1`` document."""
    return {
        "schema": SCAN_SCHEMA,
        "version": __version__,
        "files": [
            {"path": display_path(f.path, base), "platform": f.platform.value} for f in result.files
        ],
        "findings": [finding_json(f, base) for f in result.findings],
    }


def scan_text(result: ScanResult) -> str:
    """A short report for a terminal: one line per finding, then a summary."""
    lines = [
        f"{display_path(f.file)}:{f.line}:{f.column}: {f.severity.value} {f.check}: {f.message}"
        for f in result.findings
    ]
    lines.append(f"{len(result.findings)} finding(s) in {len(result.files)} file(s)")
    return "\n".join(lines) + "\n"


def scan_sarif(result: ScanResult) -> dict[str, Any]:
    """The scan as a SARIF 2.1.0 log."""
    rules = [
        SarifRule(m.id, m.title, m.severity, m.rationale, m.remediation, m.help_uri) for m in CHECKS
    ]
    results = [
        SarifResult(
            f.check,
            f.severity,
            f.message,
            display_path(f.file),
            f.line,
            f.column,
            f.location,
        )
        for f in result.findings
    ]
    return build_log(
        tool_name="keyless",
        tool_version=__version__,
        information_uri=INFORMATION_URI,
        rules=rules,
        results=results,
    )


def _job_json(job: JobRewrite) -> dict[str, Any]:
    return {
        "job": job.job,
        "pull_request": job.pull_request,
        "subjects": [
            {"sub": s.value, "operator": s.operator.value, "reason": s.reason} for s in job.subjects
        ],
        "notes": list(job.notes),
    }


def fix_json(result: FixResult, written: bool, base: Path | None = None) -> dict[str, Any]:
    """The ``keyless/workflows-fix/v1`` document: per file, the jobs and their subjects."""
    return {
        "schema": FIX_SCHEMA,
        "version": __version__,
        "written": written,
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
