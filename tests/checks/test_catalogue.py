"""docs/checks.md is generated from the checks' metadata and must not go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from keyless.checks import all_checks
from keyless.render.catalogue import render_catalogue

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_docs_checks_md_is_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/checks.md is stale: run `python -m keyless.render.catalogue > docs/checks.md`"
    )


def test_every_check_has_an_anchored_section() -> None:
    text = render_catalogue()
    for chk in all_checks():
        assert f"\n### {chk.id}\n" in text
        assert f"](#{chk.id})" in text


def test_section_shows_metadata_of_the_check() -> None:
    chk = next(c for c in all_checks() if c.id == "key-not-rotated")
    section = render_catalogue([chk])
    assert "- Severity: high\n" in section
    assert "- Scope: user\n" in section
    assert "credential report" in section
    assert chk.rationale in section
    assert chk.remediation in section


def test_module_prints_the_catalogue() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "keyless.render.catalogue"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout == render_catalogue()
