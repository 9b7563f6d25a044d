"""An account listed twice in a plan's ``source.accounts`` (by hand, with two aliases)
made Terraform define its variable twice (refused as "two names of the plan give one
Terraform address", which named no account) and CloudFormation take the first alias
without a word. It is refused by pointer, naming the account (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _twice(alias: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        accounts = document["source"]["accounts"]
        accounts.append({**accounts[1], "alias": alias})

    return change


@pytest.mark.parametrize("output_format", ["terraform", "cloudformation", "aws-config"])
@pytest.mark.parametrize("alias", ["acme-prod", "other"])
def test_an_account_listed_twice_is_refused(
    demo_plan: Path, tmp_path: Path, output_format: str, alias: str
) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", _twice(alias))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", output_format, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "#/source/accounts/4/id: account 372342215631 is listed twice" in result.stderr
    assert not out.exists()
