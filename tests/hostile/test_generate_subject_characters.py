"""An OIDC role's subjects are written into its trust policy, where IAM takes printable
characters from U+0020 to U+00FF only
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). A
hand-edited plan's ``repo:acme/app:environment:\\u202emain`` (an environment name that
reads backwards) or one with a line break was proved against the trust policy and written;
IAM refuses the role at deploy. It is refused by pointer (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _subject(suffix: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        role = document["oidc_roles"][0]
        repository = role["repositories"][0]
        role["subjects"][0]["value"] = f"repo:{repository}:environment:{suffix}"

    return change


@pytest.mark.parametrize(
    "suffix", ["\u202emain", "main\nx", "修正"], ids=["bidi", "newline", "cjk"]
)
def test_a_subject_iam_cannot_hold_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, suffix: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _subject(suffix))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "#/oidc_roles/0/subjects/0/value: " in result.stderr
    assert not out.exists()


def test_a_latin1_branch_is_written(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _subject("größe"))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert "environment:größe" in (out / "oidc.tf").read_text()
