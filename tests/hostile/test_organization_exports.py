"""An organization export (``scan --input DIR``, one directory per account ID) with an
account's export in a directory not named by its ID, or an account directory that is a
symbolic link. The first was skipped (the organization reported without that account,
clean); the second was followed out of the directory named. Both are exit 2, named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


@pytest.fixture
def organization(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    root.mkdir()
    shutil.copytree(ACCOUNT, root / "123456789012")
    return root


@pytest.mark.parametrize("name", ["prod", "١٢٣٤٥٦٧٨٩٠١٢", "12345678901"])
def test_an_account_export_not_named_by_its_id_is_refused(organization: Path, name: str) -> None:
    shutil.copytree(ACCOUNT, organization / name)
    result = CliRunner().invoke(cli, ["scan", "--input", str(organization)])
    assert result.exit_code == 2, result.output
    assert f"{organization / name}: holds authorization-details.json but is not named" in (
        result.stderr
    )


def test_a_directory_without_an_export_is_ignored(organization: Path) -> None:
    (organization / "notes").mkdir()
    (organization / "notes" / "readme.txt").write_text("not an account")
    result = CliRunner().invoke(cli, ["scan", "--input", str(organization)])
    assert result.exit_code in (1, 3), result.output


def test_an_account_directory_that_is_a_link_is_not_followed(
    organization: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ACCOUNT, elsewhere)
    (organization / "234567890123").symlink_to(elsewhere)
    for command in (["scan", "--input"], ["collect", "--out", str(tmp_path / "s.json"), "--input"]):
        result = CliRunner().invoke(cli, [*command, str(organization)])
        assert result.exit_code == 2, result.output
        assert "an account directory that is a symbolic link is not followed" in result.stderr
