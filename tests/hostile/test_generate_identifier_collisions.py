"""Two permission sets of a hand-edited plan whose names differ only where sanitising
changes them, and whose six-digit hashes collide (found in a few thousand tries), gave one
CloudFormation logical ID: the template kept one of them and exited 0, and the other's
assignments granted the survivor's permissions; Terraform got two blocks of one address,
which it refuses. Both are refused (exit 2), naming the identifier, nothing written."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from keyless.generate.names import logical_id, terraform_name
from tests.generate.conftest import run


def colliding(identifier: Callable[[str], str]) -> tuple[str, str]:
    """Two permission set names (valid: ``[\\w+=,.@-]{1,32}``) with one identifier."""
    seen: dict[str, str] = {}
    for combo in itertools.product(".,=+@", repeat=10):
        name = "a" + "a".join(combo)
        found = seen.setdefault(identifier(name), name)
        if found != name:
            return found, name
    raise AssertionError("no collision")


@pytest.mark.parametrize(
    ("output_format", "identifier", "what"),
    [
        ("cloudformation", lambda n: logical_id("PermissionSet", n), "CloudFormation logical ID"),
        ("terraform", lambda n: terraform_name("ps", n), "Terraform address"),
    ],
)
def test_two_names_of_one_identifier_are_refused(
    demo_plan: Path,
    tmp_path: Path,
    ca_cert: Path,
    output_format: str,
    identifier: Callable[[str], str],
    what: str,
) -> None:
    first, second = colliding(identifier)
    text = demo_plan.read_text()
    assert '"admins"' in text
    assert '"ReadOnlyAccess"' in text
    plan = tmp_path / "plan.json"
    plan.write_text(
        text.replace('"admins"', json.dumps(first)).replace('"ReadOnlyAccess"', json.dumps(second))
    )
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", output_format, "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"two names of the plan give one {what}" in result.stderr
    assert not out.exists()


def test_two_users_of_one_parameter_are_refused(
    demo_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    """With ``--identity-source external`` each user is a parameter (its Identity Store
    ID): two users of one logical ID were one parameter, so both users' assignments went
    to the one principal its value names, each given the other's permission sets."""
    seen: dict[str, str] = {}
    for combo in itertools.product(".,=+_", repeat=10):
        name = "a" + "a".join(combo) + "@example.com"
        first = seen.setdefault(logical_id("User", name), name)
        if first != name:
            break
    renamed = {"alice@example.com": first, "carol@example.com": name}
    document = json.loads(demo_plan.read_text())
    center = document["identity_center"]
    for entry in (*center["users"], *center["assignments"]):
        entry["user_name"] = renamed.get(entry["user_name"], entry["user_name"])
    for user in document["users"]:
        target = user["target"] or {}
        if target.get("identity_center_user") in renamed:
            target["identity_center_user"] = renamed[target["identity_center_user"]]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--identity-source",
                 "external", "--out", str(out), "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "two names of the plan give one CloudFormation parameter" in result.stderr
    assert not out.exists()
