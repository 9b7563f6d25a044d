"""A job's ``environment:`` chosen by GitHub's ternary idiom
(``${{ github.ref == 'refs/heads/main' && 'prod' || 'staging' }}``) runs in one of those
environments: each is a subject, where it was "computed" (``environment:*``), withheld."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix
from keyless.workflows.github_choices import chosen_literals

from .builders import GITHUB_KEYS, job, only, options, repo


def test_each_environment_the_condition_chooses_is_a_subject(tmp_path: Path) -> None:
    environment = "${{ github.ref == 'refs/heads/main' && 'prod' || 'staging' }}"
    text = GITHUB_KEYS.replace("    runs-on:", f"    environment: {environment}\n    runs-on:")
    rewrite = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml")
    found = job(rewrite, "deploy")
    assert [s.value for s in found.recommended] == [
        "repo:acme/app:environment:prod",
        "repo:acme/app:environment:staging",
    ]
    assert found.withheld == ()


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("${{ github.ref == 'refs/heads/main' && 'prod' || 'staging' }}", ("prod", "staging")),
        ("${{ a == 'x' && 'one' || b && 'two' || 'three' }}", ("one", "two", "three")),
        ("${{ a && 'it''s' || 'b' }}", ("it's", "b")),
        ("${{ a && 'same' || 'same' }}", ("same",)),
        # an empty literal is falsy: `||` passes over it
        ("${{ a && '' || 'b' }}", None),
        ("${{ a && 'x' || inputs.stage }}", None),
        ("${{ (a || b) && 'x' || 'y' }}", None),
        ("deploy-${{ a && 'x' || 'y' }}", None),
        ("${{ 'x' || 'y' }}", None),
        ("${{ inputs.environment }}", None),
        ("${{ a && 'x' }}", None),
    ],
)
def test_only_the_ternary_idiom_of_literals_is_read(text: str, values: object) -> None:
    assert chosen_literals(text) == values


DISPATCH = """\
on:
  workflow_dispatch:
    inputs:
      environment:
        type: <type>
        options: [staging, production]
<more>jobs:
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: <value>
      url: https://example.com
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
"""


@pytest.mark.parametrize(
    ("kind", "value", "more", "expected"),
    [
        (
            "choice",
            "${{ inputs.environment }}",
            "",
            ["repo:acme/app:environment:staging", "repo:acme/app:environment:production"],
        ),
        (
            "choice",
            "${{ github.event.inputs.environment }}",
            "",
            ["repo:acme/app:environment:staging", "repo:acme/app:environment:production"],
        ),
        # any environment of the repository: computed
        ("environment", "${{ inputs.environment }}", "", []),
        # a push leaves the input empty: computed, never guessed
        ("choice", "${{ inputs.environment }}", "  push:\n    branches: [main]\n", []),
    ],
)
def test_a_dispatch_choice_gives_one_subject_per_option(
    tmp_path: Path, kind: str, value: str, more: str, expected: list[str]
) -> None:
    text = DISPATCH.replace("<type>", kind).replace("<value>", value).replace("<more>", more)
    rewrite = only(fix([repo(tmp_path, {".github/workflows/d.yml": text})], options()), "d.yml")
    assert [s.value for s in job(rewrite, "deploy").recommended] == expected
