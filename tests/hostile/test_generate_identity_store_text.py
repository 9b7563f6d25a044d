"""An Identity Center user's display name and a permission set's description went through
a filter in ``generate`` that dropped control, format and unassigned characters and
collapsed white space: a display name with a bidirectional override (U+202E, which
reorders what a console shows) or a bell was written without them, exit 0, and a
description's line breaks and tabs, which Identity Center takes, were lost. A value is
now either refused by pointer (exit 2, by ``generate`` and ``plan --check`` alike: the
Identity Store's ``DisplayName`` grammar,
https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateUser.html)
or written as it is, through the emitter's quoting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import lint_file

from keyless.generate.hcl import quote
from tests.generate.conftest import TERRAFORM, edited, run, terraform_fmt_diff
from tests.plan.conftest import EXPORT

DISPLAY = 'Maria\t"García"\nOps'
DESCRIPTION = 'Engineers:\n\tread "all",\r\nwrite some'


def _kept(document: dict[str, Any]) -> None:
    center = document["identity_center"]
    center["users"][0]["display_name"] = DISPLAY
    center["permission_sets"][0]["description"] = DESCRIPTION


@pytest.mark.parametrize("display", ["Eve \u202e", "Eve\x07", "\u2028", " \t "])
def test_a_display_name_the_identity_store_refuses_is_refused_by_pointer(
    export_plan: Path, tmp_path: Path, ca_cert: Path, display: str
) -> None:
    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["users"][0]["display_name"] = display

    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    checked = run("plan", "--check", str(plan), "--input", str(EXPORT))

    for refused in (result, checked):
        assert refused.exit_code == 2, refused.output
        assert "#/identity_center/users/0/display_name: " in refused.stderr
        assert "is not an Identity Store display name" in refused.stderr
        assert "\u202e" not in refused.stderr
        assert "\x07" not in refused.stderr
    assert not out.exists()


def test_tabs_and_line_breaks_are_kept_in_terraform(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _kept)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    text = (out / "identity_center.tf").read_text()
    assert quote(DISPLAY) in text
    assert quote(DESCRIPTION) in text
    # The given and family names are the display name's first word and the others.
    assert quote("Maria") in text
    assert quote('"García" Ops') in text
    if TERRAFORM is not None:
        assert terraform_fmt_diff(out) is None


def test_tabs_and_line_breaks_are_kept_in_cloudformation(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _kept)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    path = out / "identity-center.yaml"
    assert [m for m in lint_file(path) if m.rule.id.startswith("E")] == []
    resources = yaml.safe_load(path.read_text())["Resources"].values()
    users = [r["Properties"] for r in resources if r["Type"] == "AWS::IdentityStore::User"]
    sets = [r["Properties"] for r in resources if r["Type"] == "AWS::SSO::PermissionSet"]
    assert {"GivenName": "Maria", "FamilyName": '"García" Ops'} in [u["Name"] for u in users]
    assert DISPLAY in [u["DisplayName"] for u in users]
    assert DESCRIPTION in [s.get("Description") for s in sets]
