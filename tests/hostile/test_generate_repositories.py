"""A hand-edited plan's OIDC role repositories were not checked against their platform's
grammar: ``acme/..`` (a name GitHub reserves) or ``acme/app:ref:refs/heads/main`` (a
subject's fields) was taken as a repository, and subjects that start with it passed as
"subjects of the role's repositories". Each is now refused by pointer (exit 2, nothing
written), as ``plan --link`` refuses it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


@pytest.mark.parametrize("repository", ["acme/..", "acme/.", "acme/app:ref:refs/heads/main"])
def test_a_repository_outside_the_grammar_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, repository: str
) -> None:
    def change(document: dict[str, Any]) -> None:
        role = document["oidc_roles"][0]
        role["repositories"] = [repository]
        role["subjects"][0]["value"] = f"repo:{repository}:ref:refs/heads/main"

    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "plan.json#/oidc_roles/0/repositories/0: " in result.stderr
    assert "is not a github repository (ORG/REPO)" in result.stderr
    assert not out.exists()
