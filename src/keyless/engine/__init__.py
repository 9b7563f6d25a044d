"""The engine: runs the estate checks over an Inventory and judges single roles.

* :func:`run_checks` - every selected check over every subject, with shared preparation
* :func:`run_checks_by_account` - the same, one account at a time (bounded memory)
* :func:`assess_trust` - the trust checks of one role, for ``keyless trust``
* :class:`ScanResult` - findings, per-check runs, suppressed findings and the exit code
* :class:`SortedFindings` - an estate scan's findings, held packed, in the report's order
"""

from keyless.engine.packed import FindingCounts, SortedFindings, count_findings
from keyless.engine.result import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    CheckRun,
    NotEvaluated,
    ScannedFile,
    ScanResult,
    Suppressed,
    Unread,
)
from keyless.engine.run import apply_ignores, run_checks, select_checks
from keyless.engine.stream import run_checks_by_account
from keyless.engine.trust import TrustAssessment, assess_trust

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INCOMPLETE",
    "CheckRun",
    "FindingCounts",
    "NotEvaluated",
    "ScanResult",
    "ScannedFile",
    "SortedFindings",
    "Suppressed",
    "TrustAssessment",
    "Unread",
    "apply_ignores",
    "assess_trust",
    "count_findings",
    "run_checks",
    "run_checks_by_account",
    "select_checks",
]
