"""A reusable workflow whose job runs in ``environment: ${{ inputs.environment }}`` runs
in the environments its callers name: when every caller among the files gives a literal
value (or a value of its own matrix, or leaves the input to its declared default), each
value is a subject, named after the callers that give it. It was "computed"
(``environment:*``), withheld, with nothing recommended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless.workflows import fix

from .builders import job, only, options, repo

CALLED = """\
on:
  workflow_call:
    inputs:
      environment: {type: string, default: staging}
    secrets:
      AWS_ACCESS_KEY_ID: {required: true}
      AWS_SECRET_ACCESS_KEY: {required: true}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: ENVIRONMENT
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
      - run: ./deploy.sh
"""
CALLER = """\
on:
  push:
    branches: [main]
jobs:
JOBS"""
CALL = """\
  NAME:
    uses: ./.github/workflows/deploy.yml
WITH    secrets:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


def call(name: str, given: str | None = None, extra: str = "") -> str:
    with_ = f"    with:\n      environment: {given}\n" if given is not None else ""
    return extra.replace("NAME", name) + CALL.replace("NAME", name).replace("WITH", with_)


def rewrite(tmp_path: Path, *calls: str, environment: str = "${{ inputs.environment }}") -> Any:
    root = repo(
        tmp_path,
        {
            ".github/workflows/deploy.yml": CALLED.replace("ENVIRONMENT", environment),
            ".github/workflows/release.yml": CALLER.replace("JOBS", "".join(calls)),
        },
    )
    return job(only(fix([root], options()), "deploy.yml"), "deploy")


def test_each_caller_s_literal_environment_is_a_subject(tmp_path: Path) -> None:
    found = rewrite(
        tmp_path, call("prod", "production"), call("stage", "staging"), call("eu", "production")
    )
    assert [(s.value, s.reason) for s in found.recommended] == [
        (
            "repo:acme/app:environment:production",
            "job environment (given by the caller .github/workflows/release.yml job 'prod', "
            ".github/workflows/release.yml job 'eu')",
        ),
        (
            "repo:acme/app:environment:staging",
            "job environment (given by the caller .github/workflows/release.yml job 'stage')",
        ),
    ]
    assert found.withheld == ()
    assert not any("computed" in note for note in found.trust_notes)


def test_a_caller_that_gives_no_value_gets_the_declared_default(tmp_path: Path) -> None:
    found = rewrite(tmp_path, call("prod", "production"), call("plain"))
    assert [s.value for s in found.recommended] == [
        "repo:acme/app:environment:production",
        "repo:acme/app:environment:staging",
    ]


def test_a_caller_s_matrix_gives_one_subject_per_value(tmp_path: Path) -> None:
    text = call("all", "${{ matrix.stage }}").replace(
        "    uses:", "    strategy:\n      matrix:\n        stage: [qa, production]\n    uses:"
    )
    found = rewrite(tmp_path, text)
    assert [s.value for s in found.recommended] == [
        "repo:acme/app:environment:qa",
        "repo:acme/app:environment:production",
    ]


def test_a_template_around_the_input_is_filled_in(tmp_path: Path) -> None:
    found = rewrite(
        tmp_path, call("prod", "production"), environment="deploy-${{ inputs.environment }}"
    )
    assert [s.value for s in found.recommended] == ["repo:acme/app:environment:deploy-production"]


def test_one_caller_with_an_unknown_value_leaves_it_computed(tmp_path: Path) -> None:
    found = rewrite(tmp_path, call("prod", "production"), call("other", "${{ vars.STAGE }}"))
    assert found.recommended == ()
    assert [w.subject.value for w in found.withheld] == ["repo:acme/app:environment:*"]
    assert any(note.startswith("the job's environment is computed") for note in found.trust_notes)


def test_without_callers_among_the_files_it_stays_computed(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/deploy.yml": CALLED.replace(
                "ENVIRONMENT", "${{ inputs.environment }}"
            )
        },
    )
    found = job(only(fix([root], options()), "deploy.yml"), "deploy")
    assert [w.subject.value for w in found.withheld] == ["repo:acme/app:environment:*"]


def test_the_caller_lists_no_subject_of_its_own(tmp_path: Path) -> None:
    # The calling job runs no step and requests no token: its branch (`ref:refs/heads/main`)
    # is no subject the role needs, only the called job's environment is.
    root = repo(
        tmp_path,
        {
            ".github/workflows/deploy.yml": CALLED.replace("ENVIRONMENT", "production"),
            ".github/workflows/release.yml": CALLER.replace("JOBS", call("prod")),
        },
    )
    result = fix([root], options())
    caller = only(result, "release.yml")
    assert caller.changed
    assert caller.jobs == ()
    assert "whose jobs assume the role" in " ".join(caller.notes)
    trusted = {s.value for f in result.files for j in f.jobs for s in j.recommended}
    assert trusted == {"repo:acme/app:environment:production"}
