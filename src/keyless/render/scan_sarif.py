"""``keyless scan --format sarif``: findings as SARIF 2.1.0, one rule per check.

Findings are about AWS resources, not files, so each result carries the resource ARN as
a logical location (SARIF §3.33); its help comes from the check's own metadata.
"""

from __future__ import annotations

from typing import Any

from keyless import __version__
from keyless.engine import ScanResult
from keyless.render.sarif import INFORMATION_URI, SarifResult, SarifRule, build_log


def scan_sarif(result: ScanResult) -> dict[str, Any]:
    """The SARIF log of a scan."""
    rules = [
        SarifRule(
            id=run.check.id,
            title=run.check.title,
            severity=run.check.severity,
            description=run.check.rationale,
            help=run.check.remediation,
            help_uri=run.check.docs_url,
        )
        for run in result.check_runs
    ]
    results = [
        SarifResult(
            rule_id=finding.check,
            severity=finding.severity,
            message=f"{finding.message} [{finding.account}]",
            logical_location=finding.resource,
        )
        for finding in result.findings
    ]
    return build_log(
        tool_name="keyless",
        tool_version=__version__,
        information_uri=INFORMATION_URI,
        rules=rules,
        results=results,
    )
