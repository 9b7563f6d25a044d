"""A plan's words that hold ``${…}`` (a permission set description, an Identity Center
user's display name or user name, an account alias) were written into CloudFormation as
plain strings. CloudFormation keeps them as written (only ``Fn::Sub`` substitutes), but
cfn-lint, which the tests and many pipelines run before deploying, takes each for a
forgotten ``Fn::Sub``: error E1029. Such a value is now a ``Fn::Sub`` of itself with each
``${`` escaped as ``${!`` ("To write a dollar sign and curly braces (${}) literally, add an
exclamation point (!) after the open curly brace",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html),
the same text once resolved; a parameter's description (an account alias, a user name),
where no function is allowed, says ``$ {``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from cfnlint.api import lint_file

from tests.generate.conftest import edited, run

HOSTILE = "${AWS::AccountId} ${!x}"


def _hostile(document: dict[str, Any]) -> None:
    center = document["identity_center"]
    center["permission_sets"][0]["description"] = HOSTILE
    center["users"][0]["display_name"] = HOSTILE
    old = center["users"][0]["user_name"]
    new = "${AWS::AccountId}@example.com"
    center["users"][0]["user_name"] = new
    for assignment in center["assignments"]:
        if assignment["user_name"] == old:
            assignment["user_name"] = new
    for user in document["users"]:
        if (user["target"] or {}).get("identity_center_user") == old:
            user["target"]["identity_center_user"] = new


def _lint_errors(out: Path) -> list[str]:
    return [
        f"{path.name}: {match}"
        for path in sorted(out.glob("*.yaml"))
        for match in lint_file(path)
        if match.rule.id.startswith("E")
    ]


def _template(out: Path) -> Any:
    return yaml.safe_load((out / "identity-center.yaml").read_text())


def test_text_holding_a_substitution_is_written_literally(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _hostile)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert _lint_errors(out) == []
    resources = _template(out)["Resources"].values()
    escaped = {"Fn::Sub": "${!AWS::AccountId} ${!!x}"}
    users = [r["Properties"] for r in resources if r["Type"] == "AWS::IdentityStore::User"]
    assert escaped in [u["DisplayName"] for u in users]
    sets = [r["Properties"] for r in resources if r["Type"] == "AWS::SSO::PermissionSet"]
    assert escaped in [s.get("Description") for s in sets]


def test_a_parameter_description_holding_a_substitution_is_lint_clean(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _hostile)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--identity-source", "external", "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert _lint_errors(out) == []
    descriptions = [p["Description"] for p in _template(out)["Parameters"].values()]
    assert "The Identity Store user ID of $ {AWS::AccountId}@example.com" in descriptions


def test_an_alias_holding_a_substitution_is_lint_clean(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    def change(document: dict[str, Any]) -> None:
        document["source"]["accounts"][0]["alias"] = "${AWS::AccountId}"

    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert _lint_errors(out) == []
    descriptions = [p["Description"] for p in _template(out)["Parameters"].values()]
    assert "The account ID of $ {AWS::AccountId}" in descriptions
