"""The findings of the HTML report, grouped by check, within what a browser can hold.

A page of 150,000 findings (an organization of 1,000 accounts: about 130 MB of HTML) does
not open in a browser, so past :data:`PAGE_FINDINGS` findings each check keeps its worst
rows (at least :data:`MIN_ROWS`) and counts the others, and the page says so where the
filters are: they see the rows the page holds. Every finding is still in the scan's JSON,
SARIF and text outputs; the counts (severities, checks, the summary) are the scan's.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from keyless.checks.registry import checks_by_id
from keyless.engine import ScanResult
from keyless.findings import Finding, Severity

#: The findings a page holds whole; past it, each check is cut to its worst rows.
PAGE_FINDINGS = 10_000
#: The rows a check keeps at least when the page is cut.
MIN_ROWS = 100


@dataclass(frozen=True, slots=True)
class FindingView:
    """A finding as the report shows it; witness and evidence as JSON text."""

    severity: str
    account: str
    account_label: str
    resource: str
    message: str
    remediation: str
    witness: str
    evidence: str


@dataclass(frozen=True, slots=True)
class CheckGroup:
    """A check's findings with its fix (a finding whose fix differs shows its own):
    ``findings`` the rows the page holds, ``count`` all of the check's."""

    id: str
    title: str
    severity: str
    fix: str
    docs_url: str
    findings: tuple[FindingView, ...]
    count: int

    @property
    def left_out(self) -> int:
        """The check's findings the page does not hold."""
        return self.count - len(self.findings)


def pretty_json(value: Mapping[str, Any]) -> str:
    """A witness or evidence as indented JSON text (escaped by the template)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=_plain, sort_keys=False)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def rows_per_check(findings: int, checks: int, page_findings: int = PAGE_FINDINGS) -> int | None:
    """The rows each check keeps, or ``None`` when the page holds every finding."""
    if findings <= page_findings or checks == 0:
        return None
    return max(MIN_ROWS, page_findings // checks)


def findings_context(result: ScanResult, page_findings: int = PAGE_FINDINGS) -> dict[str, Any]:
    """What the report's findings section shows: the groups (worst check first), the
    filters' choices, and how many findings the page holds of how many."""
    labels = {a.id: a.label for a in result.estate.accounts}
    checks = {run.check.id: run.check for run in result.check_runs}
    catalogue = checks_by_id()
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_check[finding.check].append(finding)
    per_check = rows_per_check(len(result.findings), len(by_check), page_findings)
    groups = []
    for check_id, findings in by_check.items():
        check = checks.get(check_id) or catalogue.get(check_id)
        fix = check.remediation if check else findings[0].remediation
        worst = max(f.severity.rank for f in findings)
        groups.append(
            CheckGroup(
                id=check_id,
                title=check.title if check else check_id,
                severity=next(s.value for s in Severity if s.rank == worst),
                fix=fix,
                docs_url=check.docs_url if check else "",
                findings=tuple(_finding_view(f, labels, fix) for f in _kept(findings, per_check)),
                count=len(findings),
            )
        )
    groups.sort(key=lambda g: (-Severity(g.severity).rank, g.id))
    severity_counts = Counter(f.severity for f in result.findings)
    accounts_with_findings = {f.account for f in result.findings}
    return {
        "groups": groups,
        "finding_count": len(result.findings),
        "page_count": sum(len(g.findings) for g in groups),
        "rows_per_check": per_check,
        "severity_counts": [(s.value, severity_counts[s]) for s in Severity if severity_counts[s]],
        "account_options": [
            (a.id, a.label) for a in result.estate.accounts if a.id in accounts_with_findings
        ],
        "check_options": [(g.id, f"{g.id} ({g.count})") for g in groups],
    }


def _kept(findings: Sequence[Finding], per_check: int | None) -> Sequence[Finding]:
    """Every finding, or the ``per_check`` worst (in the scan's order within a severity)."""
    if per_check is None or len(findings) <= per_check:
        return findings
    return sorted(findings, key=lambda f: -f.severity.rank)[:per_check]


def _finding_view(finding: Finding, labels: Mapping[str, str], fix: str) -> FindingView:
    return FindingView(
        severity=finding.severity.value,
        account=finding.account,
        account_label=labels.get(finding.account, finding.account),
        resource=finding.resource,
        message=finding.message,
        remediation="" if finding.remediation == fix else finding.remediation,
        witness=pretty_json(finding.witness) if finding.witness is not None else "",
        evidence=pretty_json(finding.evidence) if finding.evidence else "",
    )
