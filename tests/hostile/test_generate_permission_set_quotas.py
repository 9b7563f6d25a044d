"""IAM Identity Center's quotas on a permission set
(https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html): 20 AWS managed and
customer managed policies together, not raisable; one inline policy of 32,768 bytes at
most, of which 10,240 bytes not white space. A plan's permission set with 21 policies, or
an inline policy of 10,241 to 32,768 characters (or fewer characters of more bytes: a
Latin-1 letter is two in UTF-8), was written, and Identity Center refused it at deploy. It
is refused by pointer (exit 2); a permission set within the quotas is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run

SET = "/identity_center/permission_sets/0"


def _attached(count: int) -> Any:
    def change(document: dict[str, Any]) -> None:
        entry = document["identity_center"]["permission_sets"][0]
        entry["aws_managed_policies"] = [
            f"arn:aws:iam::aws:policy/Policy{n:02d}" for n in range(count - 1)
        ]
        entry["customer_managed_policies"] = [{"name": "reader", "path": "/"}]

    return change


def _inline(value: str) -> Any:
    # One statement whose condition holds ``value``: the policy's size is the value's
    # plus about 130 characters.
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": value}},
            }
        ],
    }

    def change(document: dict[str, Any]) -> None:
        document["identity_center"]["permission_sets"][0]["inline_policy"] = policy

    return change


def _generate(plan: Path, out: Path, ca_cert: Path) -> Any:
    return run("generate", str(plan), "--format", "terraform", "--out", str(out),
               "--ca-cert", str(ca_cert))  # fmt: skip


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (_attached(21), SET, "21 managed policies"),
        (_inline("x" * 10_200), f"{SET}/inline_policy", "10,240"),
        (_inline("x" * 20_000), f"{SET}/inline_policy", "10,240"),
        (_inline("é" * 5_100), f"{SET}/inline_policy", "bytes"),
        (_inline("x" + " " * 33_000), f"{SET}/inline_policy", "32,768"),
    ],
    ids=["21-policies", "just-over-10240", "20000", "latin-1-bytes", "white-space"],
)
def test_a_permission_set_past_identity_center_quotas_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any, pointer: str, message: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = _generate(plan, out, ca_cert)
    assert result.exit_code == 2, result.output
    line = next(line for line in result.stderr.splitlines() if f"#{pointer}:" in line)
    assert message in line
    assert not out.exists()


@pytest.mark.parametrize(
    "change",
    [_attached(20), _inline("x" * 10_000), _inline("é" * 4_900)],
    ids=["20-policies", "10000", "latin-1-under"],
)
def test_a_permission_set_within_the_quotas_is_written(
    export_plan: Path, tmp_path: Path, ca_cert: Path, change: Any
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", change)
    result = _generate(plan, tmp_path / "out", ca_cert)
    assert result.exit_code in (0, 1), result.output
