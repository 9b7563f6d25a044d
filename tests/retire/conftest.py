"""Fixtures for retire: one emulated account with Stubber answers for what moto lacks,
a journal in a temporary directory, and a way to run retire, status and rollback at a
chosen number of days from now."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto import mock_aws

from keyless.retire import (
    Force,
    Policy,
    Report,
    RetireRequest,
    RollbackRequest,
    Scope,
    Selection,
    SessionReach,
    StatusReport,
    retire,
    rollback,
    status,
)
from tests.retire.estate import Estate, session
from tests.retire.stubs import Stubbed

NO_CREDENTIALS = {"ServiceSpecificCredentials": [], "IsTruncated": False}


@dataclass
class World:
    """An emulated account, its Stubber answers, and a journal."""

    estate: Estate
    iam_stub: Stubbed
    journal: Path
    _reach: SessionReach | None = None

    @property
    def now(self) -> datetime:
        return self.estate.now

    def retire(
        self,
        *users: str,
        keys: tuple[str, ...] = (),
        apply: bool = True,
        days: float = 0,
        force: tuple[str, ...] = (),
        max_actions: int | None = None,
        min_idle_days: int = 30,
    ) -> Report:
        request = RetireRequest(
            Selection.from_options(users, [self.key(k) for k in keys]),
            Policy(min_idle_days=min_idle_days, force=Force.parse(self.key(f) for f in force)),
            apply=apply,
            max_actions=max_actions,
            journal=self.journal,
        )
        return retire(request, self.reach(), clock=self.clock(days))

    def rollback(
        self, *users: str, keys: tuple[str, ...] = (), apply: bool = True, days: float = 0
    ) -> Report:
        request = RollbackRequest(
            Scope.parse(users, [self.key(k) for k in keys]), apply=apply, journal=self.journal
        )
        return rollback(request, self.reach(), clock=self.clock(days))

    def status(self, *, days: float = 0, cloudtrail: bool = False) -> StatusReport:
        return status(
            self.reach(), journal_path=self.journal, cloudtrail=cloudtrail, clock=self.clock(days)
        )

    def reach(self) -> SessionReach:
        """One reach for the world: its clients are made once (as in one process)."""
        if self._reach is None:
            self._reach = SessionReach(self.estate.session)
        return self._reach

    def reconnect(self) -> None:
        """New clients from now on (hooks registered since then apply to them)."""
        self._reach = None

    def clock(self, days: float) -> Callable[[], datetime]:
        moment = self.now + timedelta(days=days)
        return lambda: moment

    def key(self, label: str) -> str:
        """A key ID from its label (``alice.key1``); IDs pass through."""
        return self.estate.ids.get(label, label)


@contextmanager
def new_world(journal: Path, now: datetime | None = None) -> Iterator[World]:
    """A fresh emulated account (moto's state is reset), with its journal at ``journal``."""
    with mock_aws():
        boto = session()
        iam_stub = Stubbed(boto, "iam")
        iam_stub.always("ListServiceSpecificCredentials", NO_CREDENTIALS)
        yield World(Estate(boto, now or datetime.now(UTC)), iam_stub, journal)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with new_world(tmp_path / "journal.sqlite") as made:
        yield made
