"""``read_paths`` tells its caller how many of the files it found it has read, so a
large tree shows files read of total on a terminal (drawn by the CLI)."""

from __future__ import annotations

from pathlib import Path

from keyless.iac.read import read_paths
from keyless.iac.sources import discover

from .conftest import CORPUS


def tallies_of(*paths: Path) -> list[tuple[int, int]]:
    tallies: list[tuple[int, int]] = []
    read_paths(paths, progress=lambda done, total: tallies.append((done, total)))
    return tallies


def test_every_file_found_is_counted_once_in_order() -> None:
    trees = [CORPUS / case for case in ("cdk", "cfn-yaml", "tf-modules", "tf-users")]
    total = len(discover(trees)[0])
    tallies = tallies_of(*trees)
    assert [done for done, _ in tallies] == list(range(total + 1))
    assert {t for _, t in tallies} == {total}


def test_files_left_unread_beside_a_plan_still_complete_the_count(tmp_path: Path) -> None:
    # A plan is the resolved truth: Terraform beside it is not read, but the count ends.
    (tmp_path / "plan.json").write_bytes((CORPUS / "plan" / "plan.json").read_bytes())
    (tmp_path / "main.tf").write_bytes((CORPUS / "tf-users" / "main.tf").read_bytes())
    assert tallies_of(tmp_path)[-1] == (2, 2)


def test_nothing_found_counts_zero_of_zero(tmp_path: Path) -> None:
    # a file named directly that is not infrastructure code (pre-commit's staged README)
    (tmp_path / "README.md").write_text("# notes\n")
    assert tallies_of(tmp_path / "README.md") == [(0, 0)]
