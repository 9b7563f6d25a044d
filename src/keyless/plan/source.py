"""The inventory a plan was made from: origin, accounts, when, and a fingerprint that
changes when anything a decision rests on changes, so ``--check`` (and ``generate``,
``retire``) can tell a stale plan from a current one.

The fingerprint covers each read account's users (name, path, console password, MFA,
groups, policies, tags, boundary, access keys by slot and ID and whether active), its
groups and the managed policy documents they attach — not dates of last use, which move
every time a key is used, and not the IDs IAM assigns to users.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from keyless.model import AccountStatus, Dataset, Inventory, User
from keyless.plan.model import AccountRef, SourceRef

#: The data a plan's decisions rest on: the users, groups and policies, and the credential
#: report (console password and access key use). Without either, an account's users
#: cannot be decided on evidence.
PLAN_REQUIRES = (Dataset.AUTHORIZATION_DETAILS, Dataset.CREDENTIAL_REPORT)


def source_ref(inventory: Inventory, as_of: datetime) -> SourceRef:
    """Where ``inventory`` came from, its fingerprint, and the moment ages were measured
    against."""
    organization = inventory.organization.id if inventory.organization else None
    return SourceRef(
        origin=inventory.origin,
        organization=organization or None,
        accounts=tuple(AccountRef(a.id, a.alias or a.name) for a in inventory.scanned_accounts),
        collected_at=inventory.collected_at,
        as_of=as_of,
        fingerprint=fingerprint(inventory),
        unread_accounts=tuple(
            a.id for a in inventory.accounts if a.status is not AccountStatus.SCANNED
        ),
        not_read=missing_evidence(inventory),
    )


def missing_evidence(inventory: Inventory) -> tuple[str, ...]:
    """What of :data:`PLAN_REQUIRES` was not read in the accounts that were read, one
    sentence per account and data set (accounts that could not be read at all are
    ``unread_accounts``)."""
    found = []
    for account in inventory.scanned_accounts:
        for dataset in PLAN_REQUIRES:
            status = account.dataset(dataset)
            if not account.has(dataset):
                why = status.reason or status.state.value
                found.append(f"{account.label}: {dataset.value.replace('_', ' ')}: {why}")
    return tuple(found)


def fingerprint(inventory: Inventory) -> str:
    """``sha256:…`` of what the plan's decisions rest on (see the module doc)."""
    material: list[dict[str, Any]] = []
    for account in sorted(inventory.scanned_accounts, key=lambda a: a.id):
        attached = {ref.arn for user in account.users for ref in user.attached_policies}
        attached |= {ref.arn for group in account.groups for ref in group.attached_policies}
        material.append(
            {
                "account": account.id,
                "users": sorted((_user(u) for u in account.users), key=lambda u: str(u["arn"])),
                "groups": sorted(
                    (
                        {
                            "name": g.name,
                            "attached": sorted(r.arn for r in g.attached_policies),
                            "inline": {p.name: p.document for p in g.inline_policies},
                        }
                        for g in account.groups
                    ),
                    key=lambda g: str(g["name"]),
                ),
                "policies": {p.arn: p.document for p in account.policies if p.arn in attached},
            }
        )
    data = orjson.dumps(material, option=orjson.OPT_SORT_KEYS, default=_plain)
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _user(user: User) -> dict[str, Any]:
    return {
        "arn": user.arn,
        "console": user.login_profile is not None,
        "mfa": user.has_mfa,
        "groups": sorted(user.groups),
        "attached": sorted(ref.arn for ref in user.attached_policies),
        "inline": {p.name: p.document for p in user.inline_policies},
        "tags": dict(user.tags),
        "boundary": user.permissions_boundary,
        "keys": sorted([k.slot, k.key_id or "", k.active] for k in user.access_keys),
    }


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
