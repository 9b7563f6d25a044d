"""A plan ``keyless generate`` refuses is listed error by error; a plan edited wrongly
throughout (a workload role's name broken in 6,000 roles) printed 6,001 lines. The first
50 are printed and the rest counted; ``--all-errors`` prints them all. Exit 2 either way,
and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run


def _broken(total: int) -> Any:
    """``total`` workload roles, each with a name IAM refuses: one error each."""

    def change(document: dict[str, Any]) -> None:
        role = document["workload_roles"][0]
        document["workload_roles"] = [dict(role, name=f"bad name {n}") for n in range(total)]

    return change


def _generate(plan: Path, out: Path, ca_cert: Path, *options: str) -> Any:
    return run("generate", str(plan), "--format", "terraform", "--out", str(out),
               "--ca-cert", str(ca_cert), *options)  # fmt: skip


def _error_lines(stderr: str, plan: Path) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{plan}#/workload_roles/")]


def test_a_plan_of_many_errors_prints_the_first_fifty_and_counts_the_rest(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _broken(120))
    result = _generate(plan, tmp_path / "out", ca_cert)
    assert result.exit_code == 2, result.output
    assert "120 errors in the plan; nothing was written" in result.stderr
    lines = _error_lines(result.stderr, plan)
    assert len(lines) == 50
    assert lines[0].startswith(f"{plan}#/workload_roles/0/name: ")
    assert "… and 70 more errors (--all-errors lists every one)" in result.stderr
    assert len(result.stderr.splitlines()) < 60
    assert not (tmp_path / "out").exists()


def test_all_errors_prints_every_one(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _broken(120))
    result = _generate(plan, tmp_path / "out", ca_cert, "--all-errors")
    assert result.exit_code == 2, result.output
    assert len(_error_lines(result.stderr, plan)) == 120
    assert "more error" not in result.stderr


@pytest.mark.parametrize("total", [1, 50])
def test_fifty_errors_or_fewer_are_all_printed(
    export_plan: Path, tmp_path: Path, ca_cert: Path, total: int
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _broken(total))
    result = _generate(plan, tmp_path / "out", ca_cert)
    assert result.exit_code == 2, result.output
    assert len(_error_lines(result.stderr, plan)) == total
    assert "more error" not in result.stderr
