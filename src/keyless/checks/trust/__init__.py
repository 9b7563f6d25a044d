"""Checks on role trust policies: who can assume each role, decided exactly.

Every check reads the role's access paths (:mod:`keyless.trust.paths`), prepared once per
distinct trust policy by the engine (:data:`TRUST_ANALYSIS`), and asks one exact question;
a finding that grants access to someone who should not have it carries a witness that
:func:`keyless.trust.replay.evaluate_witness` allows.

The checks live in this package's modules (principals, federation, oidc, triggers,
conditions, templates);
``_common`` holds the preparation and the helpers that turn an access path into a Problem.

A malformed trust policy never crashes a scan: ``trust-dead-condition`` reports it (with the
JSON pointer of the error as evidence) and every other trust check skips the role.
"""

from __future__ import annotations

from keyless.checks.trust._common import (
    NO_SOURCE_CONDITION_SERVICES,
    TRUST_ANALYSIS,
    RoleTrust,
    analyse_role,
)

__all__ = ["MODULES", "NO_SOURCE_CONDITION_SERVICES", "TRUST_ANALYSIS", "RoleTrust", "analyse_role"]

#: The order the registry lists this theme's checks in.
MODULES = ("principals", "oidc", "triggers", "federation", "conditions", "templates")
