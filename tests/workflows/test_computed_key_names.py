"""A key pair read from a secret whose name is computed as the job runs
(``${{ secrets[format('AWS_ACCESS_KEY_ID_{0}', inputs.environment)] }}``, a shape public
deploy workflows use with a dispatch input, an ``env:`` value or another job's output) is
one IAM user per value, perhaps of several accounts, as keys chosen by the matrix are:
``fix`` gave them all the one role it was given; it now leaves the job, unless the job's
environment follows the same value and the role is read from an environment's variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyless.workflows import FixOptions, RoleSource, fix
from keyless.workflows.github_values import computed_secret_names, expression_bodies

from .builders import only, options, reasons, repo

DISPATCH = """\
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [dev, staging, prod]
jobs:
  deploy:
    runs-on: ubuntu-latest
<environment>
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets[format('AWS_ACCESS_KEY_ID_{0}', <index>)] }}
          aws-secret-access-key: ${{ secrets[format('AWS_SECRET_ACCESS_KEY_{0}', <index>)] }}
          aws-region: us-east-1
      - run: aws s3 sync dist s3://site
"""


def _workflow(tmp_path: Path, index: str, environment: str = "") -> Path:
    text = DISPATCH.replace("<index>", index)
    text = text.replace(
        "<environment>\n", f"    environment: {environment}\n" if environment else ""
    )
    return repo(tmp_path, {".github/workflows/deploy.yml": text})


@pytest.mark.parametrize(
    ("index", "read"),
    [
        ("inputs.environment", "inputs.environment"),
        ("github.event.inputs.environment", "github.event.inputs.environment"),
        ("needs.setup.outputs.stage", "needs.setup.outputs.stage"),
        ("env.STAGE", "env.STAGE"),
    ],
)
def test_keys_whose_secret_name_is_computed_are_left(tmp_path: Path, index: str, read: str) -> None:
    result = fix([_workflow(tmp_path, index)], options())
    rewrite = only(result, "deploy.yml")
    assert not rewrite.changed
    why = reasons(rewrite, "deploy")
    assert why.startswith(f"its keys are read from secrets named as it runs (from {read}):")
    assert "one role cannot stand for them all" in why
    assert result.exit_code() == 1


def test_a_role_per_environment_following_the_same_value_is_rewritten(tmp_path: Path) -> None:
    root = _workflow(tmp_path, "inputs.environment", "${{ inputs.environment }}")
    by_variable = FixOptions(RoleSource(reference="vars.AWS_ROLE_ARN"), repository="acme/app")
    rewrite = only(fix([root], by_variable), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert "role-to-assume: ${{ vars.AWS_ROLE_ARN }}" in rewrite.after
    # A literal role is one role for every environment: left.
    assert not only(fix([root], options()), "deploy.yml").changed


def test_a_secret_named_by_a_literal_index_is_one_user(tmp_path: Path) -> None:
    root = _workflow(tmp_path, "'PROD'")
    rewrite = only(fix([root], options()), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]


# `${{ … }}` bodies are read in linear time: the regular expression the blockers used
# rescanned the rest of the value from every `${{`, 8 seconds per pass on a hostile key
# input of 600 kB (three passes: matrix, condition and computed names).
EXPRESSION = re.compile(r"\$\{\{(.{0,2000}?)\}\}", re.DOTALL)

expression_pieces = st.lists(
    st.one_of(
        st.sampled_from(["${{", "}}", "}", "{", "$", "$$", "x", " ", "\n"]),
        st.just("y" * 1990),
    ),
    max_size=16,
)


@given(expression_pieces)
def test_expression_bodies_are_what_the_regular_expression_finds(parts: list[str]) -> None:
    text = "".join(parts)
    assert expression_bodies(text) == EXPRESSION.findall(text)


# Read at a size only a linear reading finishes (150,000 unclosed `${{`: a quadratic
# one takes hours); how the time grows is benchmarks/bench_workflows.py's, not a clock here.
def test_a_hostile_key_expression_is_read_in_linear_time() -> None:
    value = "${{ " * 150_000 + "${{ secrets[format('KEY_{0}', inputs.stage)] }}"
    assert computed_secret_names([value]) == ["inputs.stage"]
