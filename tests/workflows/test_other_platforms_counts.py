"""Each workflow check counts as evaluated only the files of the platforms it reads: a
CircleCI check has not looked at a GitHub workflow, and a check with no file of its
platforms in the scan is not applicable, never an honest-looking "0 findings in 3 files".
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from keyless.render.workflows import scan_json
from keyless.workflows import scan
from keyless.workflows.model import Platform
from keyless.workflows.registry import APPLIES_TO, CHECKS

from .builders import repo

GITHUB = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
"""
CIRCLECI = """
version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:stable
    steps: [checkout]
"""


SCHEMA = Path(__file__).resolve().parents[2] / "docs/schemas/workflows-scan-v1.schema.json"


def _runs(root: Path) -> dict[str, tuple[int, str]]:
    document = scan_json(scan([root]))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    return {r["check"]: (r["evaluated"], r["status"]) for r in document["check_runs"]}


def test_each_check_counts_only_the_files_of_its_platforms(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/a.yml": GITHUB,
            ".github/workflows/b.yml": GITHUB,
            ".circleci/config.yml": CIRCLECI,
            "Jenkinsfile": "pipeline { agent any }\n",
        },
    )
    runs = _runs(root)
    assert runs["workflow-static-aws-keys"] == (2, "evaluated")
    assert runs["circleci-static-aws-keys"] == (1, "evaluated")
    assert runs["workflow-hardcoded-aws-key"] == (4, "evaluated")
    assert runs["gitlab-static-aws-keys"] == (0, "not_applicable")
    assert runs["bitbucket-static-aws-keys"] == (0, "not_applicable")


def test_every_registered_check_says_which_platforms_it_reads() -> None:
    assert {c.id for c in CHECKS} == set(APPLIES_TO)
    assert APPLIES_TO["workflow-hardcoded-aws-key"] == frozenset(Platform)
