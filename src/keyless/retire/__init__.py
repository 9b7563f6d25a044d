"""Retiring IAM users and access keys: staged, evidence-gated, journaled, resumable and
reversible (docs/retire.md).

- :func:`retire` decides and (with ``apply``) takes the next stage for selected users and
  keys: deactivate, quarantine, delete; a user goes as a unit after a backup.
- :func:`status` watches the keys taken out of service.
- :func:`rollback` reactivates keys and restores users from their backups.

Accounts are reached through a :class:`Reach` (the credentials' own account, an
organization's member accounts, or given sessions). This package and ``keyless.collect``
are the only ones that talk to AWS; nothing is imported at import time beyond the
standard library and keyless's own modules.
"""

from keyless.retire.journal import DEFAULT_PATH, Journal
from keyless.retire.model import ActionKind, Report, Step, StepStatus
from keyless.retire.reach import OrganizationReach, Reach, SessionReach, SessionsReach
from keyless.retire.rollback import RollbackRequest, Scope, rollback
from keyless.retire.run import RetireRequest, retire
from keyless.retire.selection import Force, Selection
from keyless.retire.stages import Policy
from keyless.retire.status import StatusReport, status

__all__ = [
    "DEFAULT_PATH",
    "ActionKind",
    "Force",
    "Journal",
    "OrganizationReach",
    "Policy",
    "Reach",
    "Report",
    "RetireRequest",
    "RollbackRequest",
    "Scope",
    "Selection",
    "SessionReach",
    "SessionsReach",
    "StatusReport",
    "Step",
    "StepStatus",
    "retire",
    "rollback",
    "status",
]
