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
