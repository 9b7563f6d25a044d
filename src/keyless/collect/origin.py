"""Where an Inventory comes from: one place that turns the user's choice of source
(live account, organization, offline export, snapshot, demo) into an Inventory.

Collectors are imported only when used, so an offline scan never loads boto3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keyless.errors import KeylessError
from keyless.model import Inventory

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
    """What the user asked to scan, and how to reach it."""

    kind: Origin
    path: Path | None = None
    profile: str | None = None
    region: str | None = None
    member_role: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    max_workers: int = 8


def load_inventory(spec: InventorySpec, *, progress: Progress | None = None) -> Inventory:
    """Build the Inventory ``spec`` describes."""
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
        )
    from keyless.collect.live.account import collect_account

    account = collect_account(session)
    return Inventory(accounts=(account,), origin="live", collected_at=account.collected_at)


def _required_path(spec: InventorySpec) -> Path:
    if spec.path is None:  # pragma: no cover - the CLI always passes one
        raise KeylessError(f"a {spec.kind} source needs a path")
    return spec.path
