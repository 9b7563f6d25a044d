"""CI pipelines that use long-lived AWS keys: find them, and rewrite them to OIDC.

Public API::

    from keyless.workflows import scan, fix, write, unified_diff, FixOptions, RoleSource
    result = scan([Path(".")])                       # keyless.engine.ScanResult: files, findings
    rewrite = fix([Path(".")], FixOptions(RoleSource(arn="arn:aws:iam::1:role/ci")))
    print(unified_diff(rewrite)); write(rewrite)     # write only when asked
    for file in rewrite.changed: file.jobs[0].subjects  # the `sub` values to trust
"""

from __future__ import annotations

from keyless.workflows.fix import fix
from keyless.workflows.fix_output import unified_diff, write
from keyless.workflows.model import (
    FileRewrite,
    FixOptions,
    FixResult,
    JobRewrite,
    Platform,
    RoleSource,
    Subject,
    SubjectOperator,
    WorkflowFile,
)
from keyless.workflows.registry import CHECKS, STATIC_KEY_CHECKS
from keyless.workflows.scan import scan

__all__ = [
    "CHECKS",
    "STATIC_KEY_CHECKS",
    "FileRewrite",
    "FixOptions",
    "FixResult",
    "JobRewrite",
    "Platform",
    "RoleSource",
    "Subject",
    "SubjectOperator",
    "WorkflowFile",
    "fix",
    "scan",
    "unified_diff",
    "write",
]
