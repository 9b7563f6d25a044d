"""Baselines: accepted findings are suppressed and counted, new ones still fail; a
fingerprint survives lines moving and changes when the offending value does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.iac.baseline import load_baseline, write_baseline
from keyless.iac.scan import scan

from .conftest import CORPUS


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(CORPUS / case, target)
    return target


def test_a_written_baseline_accepts_every_current_finding(tmp_path: Path) -> None:
    tree = _copy("tf-jsonencode", tmp_path)
    write_baseline(tmp_path / "baseline.json", scan([tree]))
    result = scan([tree], baseline=load_baseline(tmp_path / "baseline.json"))
    assert (len(result.findings), len(result.suppressed)) == (0, 4)


def test_accepted_findings_are_suppressed_with_the_baseline_as_reason(tmp_path: Path) -> None:
    tree = _copy("tf-users", tmp_path)
    write_baseline(tmp_path / "baseline.json", scan([tree]))
    result = scan([tree], baseline=load_baseline(tmp_path / "baseline.json"))
    assert all("baseline" in s.ignore.reason for s in result.suppressed)


def test_fingerprints_survive_lines_moving(tmp_path: Path) -> None:
    tree = _copy("tf-jsonencode", tmp_path)
    write_baseline(tmp_path / "baseline.json", scan([tree]))
    main = tree / "main.tf"
    main.write_text("# a comment pushes every line down\n\n" + main.read_text())
    result = scan([tree], baseline=load_baseline(tmp_path / "baseline.json"))
    assert result.findings == ()


def test_a_changed_trust_policy_is_a_new_finding(tmp_path: Path) -> None:
    tree = _copy("tf-jsonencode", tmp_path)
    write_baseline(tmp_path / "baseline.json", scan([tree]))
    main = tree / "main.tf"
    main.write_text(main.read_text().replace('"repo:${var.github_org}/*"', '"repo:*"'))
    result = scan([tree], baseline=load_baseline(tmp_path / "baseline.json"))
    assert {f.evidence["address"] for f in result.findings} == {"aws_iam_role.org_wide"}


def test_a_new_user_fails_beside_an_accepted_one(tmp_path: Path) -> None:
    tree = _copy("tf-users", tmp_path)
    write_baseline(tmp_path / "baseline.json", scan([tree]))
    (tree / "more.tf").write_text('resource "aws_iam_user" "bob" {\n  name = "bob"\n}\n')
    result = scan([tree], baseline=load_baseline(tmp_path / "baseline.json"))
    assert [f.evidence["address"] for f in result.findings] == ["aws_iam_user.bob"]


def test_a_file_that_is_not_a_baseline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"schema": "keyless/scan/v1", "findings": []}))
    with pytest.raises(InputError, match="not a keyless baseline"):
        load_baseline(path)


def test_an_entry_without_fingerprint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"schema": "keyless/iac-baseline/v1", "findings": [{}]}))
    with pytest.raises(InputError, match=r"findings\[0\] has no fingerprint"):
        load_baseline(path)


def test_the_baseline_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    (tmp_path / "baseline.json").symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        write_baseline(tmp_path / "baseline.json", scan([CORPUS / "tf-users"]))
    assert target.read_text() == "keep"
