"""A file of an offline export that is a symbolic link to nothing (or to itself): it was
taken for an absent file ("credential-report.csv not in the export", an optional file
silently skipped), which sends the user looking for a file that is there. Refused (exit 2)
naming the link and its target, as a path option that is such a link is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"


@pytest.mark.parametrize(
    "name",
    [
        "authorization-details.json",
        "credential-report.csv",
        "oidc-providers.json",
        "virtual-mfa-devices.json",
        "account.json",
    ],
)
@pytest.mark.parametrize("target", ["elsewhere/gone.json", "itself"])
def test_a_link_to_nothing_is_refused_naming_its_target(
    tmp_path: Path, name: str, target: str
) -> None:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    link = export / name
    link.unlink()
    link.symlink_to(link if target == "itself" else tmp_path / target)

    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])

    assert result.exit_code == 2, result.output
    assert f"keyless: error: {link}: is a symbolic link to '" in result.stderr
    assert "which does not exist" in result.stderr
    assert "not in the export" not in result.output
