"""A local module whose ``source`` goes through a symbolic link is not followed, as the
walker does not follow one: reported unread (exit 3), never read wherever it points."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import unknowns

USER = 'resource "aws_iam_user" "this" {\n  name = "ci"\n}\noutput "json" {\n  value = "{}"\n}\n'


def _linked(tmp_path: Path, target: Path, call: str = "") -> Path:
    """A scanned root whose ``modules/ci`` links to ``target`` (holding an IAM user),
    called as ``module.ci``."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "main.tf").write_text(USER)
    root = tmp_path / "root"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "ci").symlink_to(target, target_is_directory=True)
    (root / "main.tf").write_text(f'module "ci" {{\n  source = "./modules/ci"\n{call}}}\n')
    return root


def test_a_linked_module_is_not_read_where_it_points(tmp_path: Path) -> None:
    root = _linked(tmp_path, tmp_path / "outside" / "ci")
    result = scan([root])
    # It was read through the link (a finding on outside/ci/main.tf) while the walker
    # said the link was not followed.
    assert not result.findings
    assert [(u.where, u.reason) for u in result.unread] == [
        (str(root / "modules" / "ci"), "symbolic link not followed")
    ]
    assert result.exit_code() == 3


def test_a_linked_module_outside_the_walk_is_reported_by_its_call(tmp_path: Path) -> None:
    root = _linked(tmp_path, tmp_path / "outside" / "ci")
    # Only main.tf named: the walker never meets the link, the call does.
    model = read_paths([root / "main.tf"])
    assert not model.resources
    assert [(u.where, u.reason) for u in model.unread] == [
        (str(root / "modules" / "ci"), "symbolic link not followed")
    ]


def test_the_directory_a_link_names_is_read_on_its_own_when_scanned(tmp_path: Path) -> None:
    root = _linked(tmp_path, tmp_path / "root" / "shared" / "ci")
    model = read_paths([root])
    # Not read through the call (not followed), so read as the module it is.
    assert [r.address for r in model.resources] == ["aws_iam_user.this"]


def test_an_output_of_a_linked_module_is_unknown(tmp_path: Path) -> None:
    root = _linked(tmp_path, tmp_path / "outside" / "ci")
    with (root / "main.tf").open("a") as file:
        file.write('resource "aws_iam_role" "r" {\n  assume_role_policy = module.ci.json\n}\n')
    (role,) = read_paths([root]).resources
    assert role.trust is not None
    assert next(unknowns(role.trust)).reason == (
        "module.ci: its source ./modules/ci goes through a symbolic link; not followed"
    )


def test_a_linked_module_over_an_unknown_count_is_unread_not_a_note(tmp_path: Path) -> None:
    root = _linked(tmp_path, tmp_path / "outside" / "ci", "  count = var.n\n")
    (tmp_path / "outside" / "ci" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    with (root / "main.tf").open("a") as file:
        file.write('variable "n" {}\n')
    model = read_paths([root / "main.tf"])
    # Whether it creates an IAM resource is not looked up through the link.
    assert not model.notes
    (unread,) = [u for u in model.unread if "count or for_each is not known" in u.reason]
    assert unread.where.endswith("main.tf:1:1")


@pytest.mark.usefixtures("in_directory")
def test_a_link_met_by_the_walk_and_the_call_is_reported_once(tmp_path: Path) -> None:
    _linked(tmp_path, tmp_path / "outside" / "ci")
    result = scan([Path("root")])
    assert not result.findings
    assert [u.where for u in result.unread] == [str(Path("root") / "modules" / "ci")]
