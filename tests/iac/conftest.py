"""Shared helpers for the infrastructure-code tests: the fixture corpus and its cases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
SARIF_SCHEMA = HERE.parent / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json"
#: The terraform binary, when this machine has one (tests that need it skip and say so).
TERRAFORM = shutil.which("terraform")


def terraform_console(directory: Path, expression: str) -> Any:
    """What ``terraform console`` in ``directory`` prints for ``jsonencode(expression)``,
    decoded: Terraform's own value, to compare keyless's evaluation with."""
    assert TERRAFORM is not None
    console = subprocess.run(
        [TERRAFORM, "console"],
        input=f"jsonencode({expression})\n",  # one result is printed
        capture_output=True,
        text=True,
        cwd=directory,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"},
        timeout=120,
        check=True,
    )
    return json.loads(json.loads(console.stdout.strip().splitlines()[-1]))


def corpus_cases() -> list[str]:
    """Every case of the corpus: a directory with an ``expected.json``."""
    return sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def expected(case: str) -> dict[str, Any]:
    """What a case must produce (findings with positions, clean roles, roles not judged)."""
    document: dict[str, Any] = json.loads((CORPUS / case / "expected.json").read_text())
    return document


@pytest.fixture
def in_directory(tmp_path: Path) -> Iterator[Path]:
    """Run a test from ``tmp_path`` (paths in reports are relative to the working directory)."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)
