"""The one explicit, ordered list of infrastructure-code checks. Trust policies found in
the code are also judged by every trust check (theme ``trust``) of the estate catalogue."""

from __future__ import annotations

from keyless.checks.registry import Check, all_checks
from keyless.iac.checks import (
    ACCESS_KEY,
    HARDCODED_AWS_KEY,
    IAM_USER,
    LOGIN_PROFILE,
    SECRET_KEY_OUTPUT,
)

CHECKS: tuple[Check, ...] = (
    IAM_USER,
    ACCESS_KEY,
    LOGIN_PROFILE,
    SECRET_KEY_OUTPUT,
    HARDCODED_AWS_KEY,
)


def trust_checks() -> tuple[Check, ...]:
    """The estate's trust checks, which judge every trust policy in the code."""
    return tuple(c for c in all_checks() if c.theme == "trust")
