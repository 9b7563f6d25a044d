"""Shared inputs for the plan tests: the demo organization (built once per worker) and
the offline export fixture, copied with its collection time pinned."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from keyless.collect.offline.export import load_export
from keyless.model import Inventory

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "export"
REPOS = FIXTURES / "repos"
# load_export dates the collection by authorization-details.json's modification time.
COLLECTED = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo() -> Inventory:
    from keyless.collect.demo.build import demo_inventory

    return demo_inventory(now=COLLECTED)


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    """A copy of the export fixture collected at ``COLLECTED``."""
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    stamp = COLLECTED.timestamp()
    os.utime(target / "authorization-details.json", (stamp, stamp))
    return target


@pytest.fixture
def export(export_dir: Path) -> Inventory:
    return load_export(export_dir)
