"""A job whose environment is a matrix value (``environment: ${{ matrix.persona }}``, as
deploy workflows that fan out over servers or stages write it) runs in each of the
matrix's environments, so its token's ``sub`` is ``repo:O/R:environment:NAME`` for each
(https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims). It
was taken for any environment (``environment:*``), withheld, and the job told to "give
it an environment", which it has. The matrix is expanded as GitHub documents it:
https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.workflows import fix
from keyless.workflows.matrix import combinations, expand
from keyless.workflows.yamldoc import load_text

from .builders import job, only, options, repo

DEPLOY = """\
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      matrix:
MATRIX
    environment: ENVIRONMENT
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: ./deploy.sh
"""
PERSONAS = """\
        include:
          - persona: alba
            host: alba.example.com
          - persona: marcela
            host: marcela.example.com
"""


def _job(matrix: str) -> Any:
    text = f"strategy:\n  matrix:\n{matrix}"
    return load_text(text, Path("ci.yml")).root


def _rewrite(tmp_path: Path, matrix: str, environment: str) -> Any:
    text = DEPLOY.replace("MATRIX\n", matrix).replace("ENVIRONMENT", environment)
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    return job(only(fix([root], options()), "deploy.yml"), "deploy")


def test_a_matrix_environment_is_trusted_once_per_value(tmp_path: Path) -> None:
    rewrite = _rewrite(tmp_path, PERSONAS, "${{ matrix.persona }}")
    assert [s.value for s in rewrite.recommended] == [
        "repo:acme/app:environment:alba",
        "repo:acme/app:environment:marcela",
    ]
    assert rewrite.withheld == ()
    assert rewrite.trust_notes == ()


def test_the_values_are_those_of_the_combinations_that_run(tmp_path: Path) -> None:
    matrix = """\
        stage: [staging, production, sandbox]
        region: [us-east-1, eu-west-1]
        exclude:
          - stage: sandbox
"""
    rewrite = _rewrite(tmp_path, matrix, "deploy-${{ matrix.stage }}")
    assert [s.value for s in rewrite.recommended] == [
        "repo:acme/app:environment:deploy-staging",
        "repo:acme/app:environment:deploy-production",
    ]


@pytest.mark.parametrize(
    "matrix",
    [
        "        persona: ${{ fromJSON(needs.plan.outputs.personas) }}\n",
        "        include: ${{ fromJSON(needs.plan.outputs.personas) }}\n",
        # one combination has no persona: its environment is empty, not known here
        "        include:\n          - persona: alba\n          - host: other.example.com\n",
        "        persona: ['${{ vars.PERSONA }}']\n",
    ],
)
def test_a_matrix_the_file_does_not_decide_is_any_environment(tmp_path: Path, matrix: str) -> None:
    rewrite = _rewrite(tmp_path, matrix, "${{ matrix.persona }}")
    assert rewrite.recommended == ()
    assert [w.subject.value for w in rewrite.withheld] == ["repo:acme/app:environment:*"]
    (note,) = rewrite.trust_notes
    assert note.startswith("the job's environment is computed when it runs")


def test_an_environment_from_an_input_is_said_to_be_computed(tmp_path: Path) -> None:
    rewrite = _rewrite(tmp_path, PERSONAS, "${{ inputs.environment }}")
    assert rewrite.recommended == ()
    assert not any("give it an environment" in note for note in rewrite.trust_notes)


def test_include_follows_github_s_documented_example() -> None:
    # The "Expanding or adding matrix configurations" example of GitHub's page.
    matrix = """\
    fruit: [apple, pear]
    animal: [cat, dog]
    include:
      - color: green
      - color: pink
        animal: cat
      - fruit: apple
        shape: circle
      - fruit: banana
      - fruit: banana
        animal: cat
"""
    assert combinations(_job(matrix)) == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_exclude_matches_partially_as_github_s_example() -> None:
    # The "Excluding matrix configurations" example: 12 combinations less 2 and 2.
    matrix = """\
    os: [macos-latest, windows-latest]
    version: [12, 14, 16]
    environment: [staging, production]
    exclude:
      - os: macos-latest
        version: 12
        environment: production
      - os: windows-latest
        version: 16
"""
    found = combinations(_job(matrix))
    assert found is not None
    assert len(found) == 9
    assert expand("${{ matrix.environment }}", _job(matrix)) == ("staging", "production")


def test_a_matrix_past_github_s_limit_is_not_expanded() -> None:
    matrix = "    a: [" + ", ".join(str(n) for n in range(17)) + "]\n"
    matrix += "    b: [" + ", ".join(str(n) for n in range(17)) + "]\n"
    assert combinations(_job(matrix)) is None
    assert expand("${{ matrix.a }}", _job(matrix)) is None
