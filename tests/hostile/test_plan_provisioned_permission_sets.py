"""IAM Identity Center provisions at most 250 permission sets in one AWS account unless the
quota is raised ("Number of provisioned permission sets allowed per AWS account", 250,
can be increased: https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
A plan whose assignments bring an account past it, with the sets already assigned there,
was checked and generated in silence, and the assignments past the quota failed at
deploy. ``plan --check`` and ``generate`` now warn, naming the account and the count; it
is a warning, not a refusal (the quota can be raised): the exit code is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.generate.conftest import run
from tests.plan.conftest import EXPORT

ACCOUNT = "210987654321"
INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def _planned(tmp_path: Path, existing: int) -> tuple[Path, Path]:
    """A snapshot of the export whose account has ``existing`` permission sets assigned
    already, and the plan made from it (its three permission sets assigned there)."""
    snapshot = tmp_path / "snapshot.json"
    result = run("collect", "--input", str(EXPORT), "--out", str(snapshot))
    assert result.exit_code == 0, result.output
    document = json.loads(snapshot.read_text())
    sets = [
        {
            "arn": f"{INSTANCE.replace(':instance/', ':permissionSet/')}/ps-{n:016x}",
            "name": f"existing-{n:04d}",
            "description": "",
            "session_duration": "PT1H",
            "managed_policies": [],
            "customer_managed_policies": [],
            "inline_policy": None,
        }
        for n in range(existing)
    ]
    document["organization"] = {
        "id": "o-abcdefghij",
        "management_account_id": ACCOUNT,
        "identity_center": {
            "instance_arn": INSTANCE,
            "identity_store_id": "d-1234567890",
            "permission_sets": sets,
            "assignments": [
                {
                    "account_id": ACCOUNT,
                    "permission_set_arn": entry["arn"],
                    "principal_type": "GROUP",
                    "principal_id": "group-1",
                    "principal_name": "everyone",
                }
                for entry in sets
            ],
            "failed_calls": [],
        },
        "identity_center_state": {"state": "available", "reason": ""},
    }
    snapshot.write_text(json.dumps(document))
    plan = tmp_path / "plan.json"
    result = run("plan", "--snapshot", str(snapshot), "--now", "2025-06-01T12:00:00Z",
                 "--out", str(plan))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assignments = json.loads(plan.read_text())["identity_center"]["assignments"]
    assert {a["account"] for a in assignments} == {ACCOUNT}
    assert len({a["permission_set"] for a in assignments}) == 3
    return snapshot, plan


@pytest.mark.parametrize(("existing", "warned"), [(248, True), (247, False)])
def test_plan_check_warns_past_the_provisioned_permission_sets_quota(
    tmp_path: Path, existing: int, warned: bool
) -> None:
    snapshot, plan = _planned(tmp_path, existing)
    result = run("plan", "--check", str(plan), "--snapshot", str(snapshot))
    assert result.exit_code in (0, 1), result.output
    line = (
        f"warning: account {ACCOUNT}: the plan provisions 3 permission sets there,"
        f" {existing} assigned there already: {existing + 3} in all, past Identity Center's 250"
    )
    assert (line in result.stderr) is warned, result.stderr


def test_generate_warns_and_writes(tmp_path: Path, ca_cert: Path) -> None:
    snapshot, plan = _planned(tmp_path, 248)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--snapshot", str(snapshot), "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert f"warning: account {ACCOUNT}: the plan provisions 3 permission sets there" in (
        result.stderr
    )
    assert out.is_dir()
