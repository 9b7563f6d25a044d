"""Plans for retire's tests, made by ``keyless.plan`` from the emulated account itself:
the account is read back as ``keyless scan`` reads a live one, then planned."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from moto.iam.models import iam_backends

from keyless.collect.live.account import collect_account
from keyless.model import Inventory
from keyless.plan.build import PlanInputs, make_plan
from keyless.plan.document import dumps, plan_document
from keyless.plan.links import parse_link_option
from tests.retire.estate import Estate


def plan_of(estate: Estate, *links: str, as_of: datetime | None = None) -> dict[str, Any]:
    """The ``keyless/plan/v1`` document of the estate as it is now, with ``--link`` texts."""
    moment = as_of or estate.now
    account = collect_account(estate.session, endpoint_url=estate.endpoint_url)
    inventory = Inventory(accounts=(account,), collected_at=moment)
    plan = make_plan(
        inventory,
        PlanInputs(links=tuple(parse_link_option(text) for text in links), as_of=moment),
    )
    return plan_document(plan)


def write(document: dict[str, Any], path: Path) -> Path:
    """The document written as ``keyless plan --out`` writes it."""
    path.write_bytes(dumps(document))
    return path


def destination(document: dict[str, Any], name: str) -> str:
    """The plan's destination for user ``name``."""
    (found,) = [u["destination"] for u in document["users"] if u["name"] == name]
    return str(found)


def create_role(estate: Estate, name: str, used: datetime | None = None) -> None:
    """A role the plan's replacement names; ``used``: when IAM last saw it assumed (moto
    keeps ``Role.last_used`` as a public attribute, https://github.com/getmoto/moto/issues/6859,
    but no call of the emulator sets it)."""
    estate.iam.create_role(
        RoleName=name, AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}'
    )
    if used is not None:
        role = next(r for r in iam_backends[estate.account]["aws"].roles.values() if r.name == name)
        role.last_used = used


def with_key_ids(document: dict[str, Any], estate: Estate) -> dict[str, Any]:
    """The document with each key's ID filled in by slot, as a plan made from an inventory
    that knows key IDs has them (a credential report, which live collection reads, has
    none)."""
    for entry in document["retire"]:
        for key in entry["keys"]:
            key["access_key_id"] = estate.ids[f"{entry['user']}.key{key['slot']}"]
    return document
