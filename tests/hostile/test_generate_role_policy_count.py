"""IAM attaches at most 20 managed policies to a role (10 by default; the quota is raised
to 20 at most: https://repost.aws/knowledge-center/iam-increase-policy-size). A plan's
role carrying 21 (a user's own and its groups' policies, or a hand-edited list) was
written, and IAM refused the attachments past the quota at deploy, leaving a role with
part of its permissions. It is refused by pointer (exit 2); 20 are written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _attached(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        permissions = document["workload_roles"][0]["permissions"]
        permissions["aws_managed_policies"] = [
            f"arn:aws:iam::aws:policy/Policy{n:02d}" for n in range(count - 1)
        ]
        permissions["customer_managed_policies"] = [{"name": "reader", "path": "/"}]

    return change


@pytest.mark.parametrize(("count", "code"), [(21, 2), (20, 0)])
def test_a_role_takes_twenty_managed_policies(
    export_plan: Path, tmp_path: Path, ca_cert: Path, count: int, code: int
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _attached(count))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == code, result.output
    if code == 2:
        assert "#/workload_roles/0/permissions: 21 managed policies" in result.stderr
        assert not out.exists()
