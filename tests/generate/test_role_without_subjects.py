"""A pipeline role the plan names no subjects for is left out, and the line saying so
gives the ``--link`` for the role's own user, as the plan's Open list does; a user ARN a
hand-edited plan gives outside IAM's names is shown as ``USER``, not read out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _without_subjects(user: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        role = document["oidc_roles"][0]
        role["subjects"] = []
        role["user"] = f"arn:aws:iam::{role['account']}:user/{user}"

    return change


@pytest.mark.parametrize(
    ("user", "shown"),
    [("ci/deploy-bot", "deploy-bot"), ("deploy bot\u202e", "USER"), ("ci/", "USER")],
)
def test_the_link_names_the_roles_user(
    export_plan: Path, tmp_path: Path, ca_cert: Path, user: str, shown: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _without_subjects(user))
    result = run("generate", str(plan), "--format", "terraform", "--out",
                 str(tmp_path / "out"), "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"the plan names no subjects yet: plan again with --link {shown}=ORG/REPO and " in (
        result.stderr
    )
