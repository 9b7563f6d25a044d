"""Two accounts with one label (an organization's account names need not be unique, and
the plan names an account by its alias, else its name): the generated names derived from
the label were one for both, so CloudFormation had one account parameter (the other
account's assignments went to it) and Terraform declared a variable twice. Each account
now gets its own name (the label, then its ID); a plan edited so that names still
collide is refused (exit 2, nothing written)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import hcl2
from ruamel.yaml import YAML

from tests.generate.conftest import edited, run

PROD, STAGING = "372342215631", "639091229728"


def same_alias(document: dict[str, Any]) -> None:
    for account in document["source"]["accounts"]:
        if account["id"] in (PROD, STAGING):
            account["alias"] = "prod"


def test_each_assignment_targets_its_own_account_in_cloudformation(
    demo_plan: Path, tmp_path: Path
) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", same_alias)
    out = tmp_path / "cfn"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out))
    assert result.exit_code in (0, 1), result.output

    template = YAML(typ="safe").load((out / "identity-center.yaml").read_text())
    defaults = {name: p.get("Default") for name, p in template["Parameters"].items()}
    targets = Counter(
        defaults[r["Properties"]["TargetId"]["Ref"]]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SSO::Assignment"
    )
    assignments = json.loads(plan.read_text())["identity_center"]["assignments"]
    assert targets == Counter(a["account"] for a in assignments)


def test_terraform_declares_each_account_variable_once(demo_plan: Path, tmp_path: Path) -> None:
    plan = edited(demo_plan, tmp_path / "plan.json", same_alias)
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code in (0, 1), result.output

    with (out / "variables.tf").open() as file:
        variables = [
            (name.strip('"'), body)
            for block in hcl2.load(file)["variable"]
            for name, body in block.items()
        ]
    names = [name for name, _ in variables]
    assert len(names) == len(set(names))
    defaults = [
        body["default"].strip('"') for name, body in variables if name.startswith("account_prod")
    ]
    assert sorted(defaults) == [PROD, STAGING]


def test_labels_that_still_collide_are_refused(demo_plan: Path, tmp_path: Path) -> None:
    def colliding(document: dict[str, Any]) -> None:
        same_alias(document)
        # a third account named as the first two are now told apart
        document["source"]["accounts"][0]["alias"] = f"prod-{PROD}"

    plan = edited(demo_plan, tmp_path / "plan.json", colliding)
    out = tmp_path / "tf"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))

    assert result.exit_code == 2, result.output
    assert "would share the name" in result.stderr
    assert not out.exists()
