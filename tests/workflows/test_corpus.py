"""The fixture corpus: each case has its expected findings, rewrite and subjects.

Regenerate the golden files after a deliberate change with
``KEYLESS_REGEN=1 .venv/bin/python -m pytest tests/workflows/test_corpus.py`` and review
the diff: the goldens are the specification.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from keyless.files import display_path
from keyless.findings import FileLocation
from keyless.render.workflows import fix_json
from keyless.workflows import STATIC_KEY_CHECKS, Platform, fix, scan, write

from .conftest import CORPUS, CORPUS_OPTIONS, actionlint_added, corpus_cases

REGEN = os.environ.get("KEYLESS_REGEN") == "1"


def _findings_text(root: Path) -> str:
    result = scan([root])
    lines = []
    for finding in result.findings:
        where = finding.location
        assert isinstance(where, FileLocation)
        lines.append(
            f"{display_path(where.path, root)}:{where.line}:{where.column} "
            f"{finding.severity.value} {finding.check} [{where.route}] {finding.message}\n"
        )
    return "".join(lines)


def _golden(path: Path, actual: str) -> None:
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with KEYLESS_REGEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}"


@pytest.fixture
def fixed_copy(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of a case's input, rewritten in place by ``fix --write``."""
    case: str = request.param
    target = tmp_path / case
    shutil.copytree(CORPUS / case / "input", target)
    write(fix([target], CORPUS_OPTIONS))
    return target


def test_corpus_has_enough_cases() -> None:
    cases = corpus_cases()
    assert len(cases) >= 15
    assert sum(c.startswith("gl-") for c in cases) >= 3


@pytest.mark.parametrize("case", corpus_cases())
def test_findings_match_golden(case: str) -> None:
    _golden(CORPUS / case / "expected" / "findings.txt", _findings_text(CORPUS / case / "input"))


@pytest.mark.parametrize("case", corpus_cases())
def test_rewrite_matches_golden(case: str) -> None:
    root = CORPUS / case / "input"
    result = fix([root], CORPUS_OPTIONS)
    expected_dir = CORPUS / case / "expected" / "fixed"
    changed = {display_path(r.file.path, root): r.after for r in result.changed}
    if REGEN:
        shutil.rmtree(expected_dir, ignore_errors=True)
    for relative, text in changed.items():
        _golden(expected_dir / relative, text)
    goldens = (
        {p.relative_to(expected_dir).as_posix() for p in expected_dir.rglob("*") if p.is_file()}
        if expected_dir.is_dir()
        else set()
    )
    assert goldens == set(changed), "the set of rewritten files changed"
    document = fix_json(result, base=root)
    for file in document["files"]:
        for job in file["jobs"]:
            # What keyless trust makes of the subjects is tested by its invariants
            # (test_verdicts.py), not pinned here: trust verdicts evolve on their own.
            del job["trust"]
    _golden(CORPUS / case / "expected" / "fix.json", json.dumps(document, indent=2) + "\n")


@pytest.mark.parametrize("fixed_copy", corpus_cases(), indirect=True)
def test_fix_twice_changes_nothing(fixed_copy: Path) -> None:
    assert fix([fixed_copy], CORPUS_OPTIONS).changed == ()


@pytest.mark.parametrize("case", corpus_cases())
def test_keys_remain_only_where_the_fix_says_it_left_something(case: str, tmp_path: Path) -> None:
    target = tmp_path / case
    shutil.copytree(CORPUS / case / "input", target)
    result = fix([target], CORPUS_OPTIONS)
    write(result)
    remaining = {
        f.location.path.resolve()
        for f in scan([target]).findings
        if f.check in STATIC_KEY_CHECKS and isinstance(f.location, FileLocation)
    }
    # Everything not rewritten is reported; a report may also be a caution (a trigger
    # job's downstream pipeline) about a file whose keys are gone.
    assert remaining <= {r.file.path.resolve() for r, _ in result.unfixed}


@pytest.mark.usefixtures("needs_actionlint")
@pytest.mark.parametrize(
    "fixed_copy", [c for c in corpus_cases() if c.startswith("gh-")], indirect=True
)
def test_rewritten_github_workflows_pass_actionlint(fixed_copy: Path) -> None:
    # Workflows only: an action's metadata (action.yml, read for its steps) is no workflow;
    # actionlint reads it where a workflow runs the action, and checks the inputs given.
    files = [
        f.path
        for f in scan([fixed_copy]).files
        if f.kind == Platform.GITHUB and f.path.parent.name == "workflows"
    ]
    assert files
    original = CORPUS / fixed_copy.name / "input"
    for path in files:
        assert actionlint_added(original / path.relative_to(fixed_copy), path) == []
