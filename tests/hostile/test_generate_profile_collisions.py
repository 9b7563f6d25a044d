"""``generate --format aws-config`` names a profile ``LABEL-PERMISSIONSET``, and, when two
pairs give one name, ``LABEL-PERMISSIONSET-ACCOUNT``; that second name was not checked.
A hand-edited plan whose labels and permission set names meet across the hyphens (the
accounts ``p-x``, ``p-x-y`` and ``p`` with the sets ``y``, ``639091229728`` and ``x-y``)
made the third pair's fallback name the second pair's own, so configparser replaced that
profile: a person's assignment had no profile, and ``--profile p-x-y-639091229728`` led
to another account and permission set than the one its name reads. Every pair now has a
profile of its own, and no name is given twice (ignoring case)."""

from __future__ import annotations

import configparser
import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import run

MANAGEMENT, PROD, STAGING = "123456789012", "372342215631", "639091229728"
SANDBOX = "532685897718"


def _crafted(document: dict[str, Any], pairs: list[tuple[str, str, str]]) -> None:
    """Aliases and permission sets renamed so that ``pairs`` (account, alias, set) are the
    plan's only assignments, one user each."""
    aliases = {account: alias for account, alias, _ in pairs}
    for account in document["source"]["accounts"]:
        account["alias"] = aliases.get(account["id"], account["alias"])
    center = document["identity_center"]
    template = center["permission_sets"][0]
    center["permission_sets"] = [{**template, "name": name} for _, _, name in pairs]
    users = [u["user_name"] for u in center["users"]]
    center["assignments"] = [
        {"account": account, "user_name": users[index], "permission_set": name}
        for index, (account, _, name) in enumerate(pairs)
    ]
    for user in document["users"]:
        if user["target"] and user["target"]["permission_set"]:
            user["target"]["permission_set"] = pairs[0][2]


def _profiles(demo_plan: Path, tmp_path: Path, pairs: list[tuple[str, str, str]]) -> Any:
    document = json.loads(demo_plan.read_text())
    _crafted(document, pairs)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))
    out = tmp_path / "config"
    result = run(
        "generate", str(plan), "--format", "aws-config", "--out", str(out),
        "--sso-start-url", "https://d-0123456789.awsapps.com/start",
        "--sso-region", "us-east-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.read_string((out / "config").read_text())
    return {
        name.removeprefix("profile "): (section["sso_account_id"], section["sso_role_name"])
        for name, section in parser.items()
        if name.startswith("profile ")
    }


@pytest.mark.parametrize(
    "pairs",
    [
        pytest.param(
            [(MANAGEMENT, "p-x", "y"), (PROD, "p-x-y", STAGING), (STAGING, "p", "x-y")],
            id="fallback-is-another-profile",
        ),
        pytest.param(
            [(MANAGEMENT, "a", "b-c-d"), (PROD, "A-b", "c-D"), (STAGING, "a-B-c", "d")],
            id="three-alike-ignoring-case",
        ),
        pytest.param(
            [
                (MANAGEMENT, "p-x", "y"),
                (STAGING, "p", "x-y"),
                (PROD, "p-x-y", STAGING),
                (SANDBOX, f"p-x-y-{STAGING}", "2"),
            ],
            id="fallback-and-its-number-taken",
        ),
    ],
)
def test_every_assignment_has_a_profile_of_its_own(
    demo_plan: Path, tmp_path: Path, pairs: list[tuple[str, str, str]]
) -> None:
    profiles = _profiles(demo_plan, tmp_path, pairs)
    assert sorted(profiles.values()) == sorted((account, name) for account, _, name in pairs)
    folded = [name.casefold() for name in profiles]
    assert len(folded) == len(set(folded)), profiles


def test_a_name_no_other_pair_gives_is_kept(demo_plan: Path, tmp_path: Path) -> None:
    """Only the pairs that share a name are qualified with their account: a profile whose
    name is its own keeps it, whatever order the pairs come in."""
    pairs = [(MANAGEMENT, "p-x", "y"), (PROD, "p-x-y", STAGING), (STAGING, "p", "x-y")]
    profiles = _profiles(demo_plan, tmp_path, pairs)
    assert profiles[f"p-x-y-{STAGING}"] == (PROD, STAGING)
    assert profiles[f"p-x-y-{MANAGEMENT}"] == (MANAGEMENT, "y")
    assert profiles[f"p-x-y-{STAGING}-2"] == (STAGING, "x-y")
