"""What a ``keyless/plan/v1`` document says about one user it retires, as retire keeps
it: the destination, the replacement role (if any), the keys the plan saw, and the
preconditions that gate each stage (:mod:`keyless.retire.preconditions`).

Plain frozen values with no behaviour beyond their own fields, so that selection,
stages and the precondition checks can share them without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Preconditions IAM cannot show: an Identity Center sign-in, a person's CLI profile.
#: A person confirms them (``--confirmed USER``); the journal records what they confirmed.
CONFIRMED_BY_PERSON = "confirmed"
#: Preconditions retire checks itself, in AWS, with its own calls.
CHECKED_IN_AWS = "checked"


@dataclass(frozen=True, slots=True)
class PlanPrecondition:
    """One precondition of the plan: its stable ``kind`` and the text a person reads."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class PlannedKey:
    """An access key the plan saw. ``key_id`` is ``None`` when the plan was made from a
    credential report (which has no key IDs): the key is then known by its creation time."""

    key_id: str | None
    created: datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class Planned:
    """One entry of the plan's ``retire`` list, with the user's destination and target.

    ``as_of`` is the moment the plan's evidence describes; ``confirmed`` says whether the
    operator confirmed (``--confirmed``) the preconditions IAM cannot show."""

    account: str
    user: str
    destination: str
    role: str | None
    keys: tuple[PlannedKey, ...]
    console_password: bool
    preconditions: tuple[PlanPrecondition, ...]
    as_of: datetime
    pointer: str
    confirmed: bool = False

    def how_checked(self, precondition: PlanPrecondition) -> str:
        """:data:`CHECKED_IN_AWS` or :data:`CONFIRMED_BY_PERSON` for one precondition."""
        if precondition.kind == "no-use-since":
            return CHECKED_IN_AWS
        if precondition.kind == "workflows-use-oidc" and self.role:
            return CHECKED_IN_AWS
        if precondition.kind == "target-in-use" and self.role:
            return CHECKED_IN_AWS
        return CONFIRMED_BY_PERSON

    @property
    def to_confirm(self) -> tuple[PlanPrecondition, ...]:
        """The preconditions a person must confirm."""
        return tuple(p for p in self.preconditions if self.how_checked(p) == CONFIRMED_BY_PERSON)
