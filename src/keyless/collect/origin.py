"""Where an Inventory comes from: one place that turns the user's choice of source
(live account, organization, offline export, snapshot, demo) into an Inventory.

Collectors are imported only when used, so an offline scan never loads boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from keyless.collect.options import (
    check_account_ids,
    check_external_id,
    check_member_role,
    check_profile,
    check_region,
)
from keyless.collect.shard import Shard
from keyless.errors import KeylessError
from keyless.model import Account, Inventory

Progress = Callable[[int, int, int], None]


class Origin(StrEnum):
    """The ways to build an Inventory."""

    LIVE = "live"
    ORGANIZATION = "organization"
    EXPORT = "export"
    SNAPSHOT = "snapshot"
    DEMO = "demo"


@dataclass(frozen=True, slots=True)
class InventorySpec:
    """What the user asked to scan, and how to reach it.

    Every value that reaches AWS is checked against its grammar here, before anything
    connects: a value that cannot be right raises :class:`KeylessError` naming its option.
    """

    kind: Origin
    path: Path | None = None
    profile: str | None = None
    region: str | None = None
    member_role: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    max_workers: int = 8
    shard: Shard | None = None

    def __post_init__(self) -> None:
        if self.profile is not None:
            check_profile(self.profile)
        if self.region is not None:
            check_region(self.region)
        if self.external_id is not None:
            check_external_id(self.external_id)
        check_member_role(self.member_role)
        check_account_ids("--accounts", self.accounts)
        check_account_ids("--exclude-accounts", self.exclude_accounts)
        if self.max_workers < 1:
            raise KeylessError("--max-workers must be at least 1", where="--max-workers")


def input_files(spec: InventorySpec) -> tuple[Path, ...]:
    """The files ``spec`` reads from disk (an export's files, a snapshot), so that a
    command refuses to write its output over one of them."""
    if spec.path is None:
        return ()
    if spec.kind is Origin.EXPORT:
        from keyless.collect.offline.export import export_files

        return export_files(spec.path)
    if spec.kind is Origin.SNAPSHOT:
        return (spec.path,)
    return ()


def reference_time(
    spec: InventorySpec, inventory: Inventory, explicit: datetime | None = None
) -> tuple[datetime, str]:
    """The moment a scan measures ages against, and where it comes from.

    An explicit time (``--now``) wins (``option``); a snapshot is judged as of when it
    was collected (``snapshot``), so scanning it again next year gives the same answer;
    anything else is judged now (``clock``): a live or demo estate was just read, and an
    export records no reliable time of its own (file times change when files are copied).
    """
    if explicit is not None:
        return explicit.astimezone(UTC), "option"
    if spec.kind is Origin.SNAPSHOT and inventory.collected_at is not None:
        return inventory.collected_at.astimezone(UTC), "snapshot"
    return datetime.now(UTC), "clock"


def load_inventory(
    spec: InventorySpec,
    *,
    progress: Progress | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Inventory:
    """Build the Inventory ``spec`` describes. An organization reports
    ``progress(done, failed, remaining)``; a single live account tells ``on_step(text)``
    what it is reading."""
    if spec.kind is Origin.EXPORT:
        from keyless.collect.offline.export import load_export

        return load_export(_required_path(spec))
    if spec.kind is Origin.SNAPSHOT:
        from keyless.collect.offline.snapshot import load_snapshot

        return load_snapshot(_required_path(spec))
    if spec.kind is Origin.DEMO:
        from keyless.collect.demo.build import demo_inventory

        return demo_inventory()
    from keyless.collect.live.account import make_session

    session = make_session(profile=spec.profile, region=spec.region)
    if spec.kind is Origin.ORGANIZATION:
        from keyless.collect.live.organization import collect_organization

        return collect_organization(
            session,
            member_role=spec.member_role,
            external_id=spec.external_id,
            accounts=spec.accounts or None,
            exclude_accounts=spec.exclude_accounts or None,
            max_workers=spec.max_workers,
            progress=progress,
            shard=spec.shard,
        )
    from keyless.collect.live.account import collect_account

    account = collect_account(session, on_step=on_step)
    return Inventory(accounts=(account,), origin="live", collected_at=account.collected_at)


def stream_inventory(
    spec: InventorySpec,
    *,
    progress: Progress | None = None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[Inventory, Iterable[Account]]:
    """The estate ``spec`` describes as an outline (the organization, every account at
    least by ID) and its accounts, whole, one at a time: for
    :func:`keyless.engine.run_checks_by_account`. Exports and snapshots are read one
    account at a time; the other sources are loaded whole (:func:`load_inventory`) and
    handed over account by account."""
    if spec.kind is Origin.EXPORT:
        from keyless.collect.offline.export import stream_export

        return stream_export(_required_path(spec))
    if spec.kind is Origin.SNAPSHOT:
        from keyless.collect.offline.snapshot_passes import stream_snapshot

        return stream_snapshot(_required_path(spec))
    inventory = load_inventory(spec, progress=progress, on_step=on_step)
    return inventory, inventory.accounts


def _required_path(spec: InventorySpec) -> Path:
    if spec.path is None:  # pragma: no cover - the CLI always passes one
        raise KeylessError(f"a {spec.kind} source needs a path")
    return spec.path
