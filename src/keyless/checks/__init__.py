"""The check catalogue. See :mod:`keyless.checks.registry`."""

from keyless.checks.registry import Check, CheckContext, Scope, all_checks, check, checks_by_id

__all__ = ["Check", "CheckContext", "Scope", "all_checks", "check", "checks_by_id"]
