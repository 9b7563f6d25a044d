"""Shared helpers for the infrastructure-code tests: the fixture corpus and its cases."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
SARIF_SCHEMA = HERE.parent / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json"


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
