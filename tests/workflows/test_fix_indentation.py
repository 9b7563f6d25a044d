"""The blocks ``fix`` inserts are indented as the file indents its own: a workflow
written with four spaces gets four-space permissions and credential steps, a pipeline
with unindented sequences (``key:\\n- item``) gets its items unindented. They were
always two spaces, items indented."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from keyless.workflows import fix
from keyless.workflows.yamldoc import load_text
from keyless.workflows.yamlout import (
    DEFAULT_LAYOUT,
    Layout,
    Reference,
    layout_of,
    mapping_lines,
)

from .builders import options, repo
from .conftest import run_actionlint

#: A workflow indented by four, sequence items by four with three spaces after the dash.
FOUR_SPACES = """\
on:
    push:
        branches: [main]
jobs:
    deploy:
        runs-on: ubuntu-latest
        env:
            AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
            AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        steps:
            -   uses: actions/checkout@v4
            -   run: aws s3 ls
"""


def inserted(before: str, after: str) -> list[str]:
    """The lines of ``after`` that are not in ``before``, in order."""
    old = set(before.splitlines())
    return [line for line in after.splitlines() if line not in old]


def test_a_four_space_workflow_gets_four_space_blocks(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": FOUR_SPACES})
    (rewrite,) = fix([root], options()).files
    assert inserted(rewrite.before, rewrite.after) == [
        "        permissions:",
        "            contents: read",
        "            id-token: write",
        "            -   name: Configure AWS credentials (OIDC)",
        "                uses: aws-actions/configure-aws-credentials@v4",
        "                with:",
        "                    role-to-assume: arn:aws:iam::123456789012:role/ci",
        "                    aws-region: us-east-1",
    ]


def test_a_four_space_rewrite_passes_actionlint(tmp_path: Path, needs_actionlint: None) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": FOUR_SPACES})
    (rewrite,) = fix([root], options()).files
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert run_actionlint([rewrite.file.path]) == []


def test_a_gitlab_job_indented_by_four_with_flush_items(tmp_path: Path) -> None:
    pipeline = """\
        stages:
        - deploy
        deploy:
            stage: deploy
            variables:
                AWS_ACCESS_KEY_ID: $PROD_KEY_ID
                AWS_SECRET_ACCESS_KEY: $PROD_SECRET
            script:
            - aws s3 ls
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (rewrite,) = fix([root], options()).files
    assert inserted(rewrite.before, rewrite.after)[:3] == [
        "    id_tokens:",
        "        GITLAB_OIDC_TOKEN:",
        "            aud: sts.amazonaws.com",
    ]
    assert '    - printf \'%s\' "$GITLAB_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"' in (
        rewrite.after.splitlines()
    )


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        ("a:\n    b:\n        c: 1\n    d:\n        -   e\n", Layout(4, 4, 4)),
        ("a:\n  b:\n  - c: 1\n    d:\n      e: f\n", Layout(2, 0, 2)),
        ("a:\n   b: 1\n", Layout(3, 3, 2)),  # no sequence: items as the mappings
        ("a: 1\nb: [x]\nc: {d: e}\n", DEFAULT_LAYOUT),  # nothing nested in blocks
        ("a: 1\n", DEFAULT_LAYOUT),
    ],
)
def test_the_layout_is_the_file_s_own(text: str, layout: Layout) -> None:
    assert layout_of(load_text(textwrap.dedent(text), Path("x.yml")).root) == layout


def test_the_widest_style_written_most_wins() -> None:
    # Two blocks indented by 4, one by 2: the file's style is 4.
    text = "a:\n    b: 1\nc:\n    d: 1\ne:\n  f: 1\n"
    assert layout_of(load_text(text, Path("x.yml")).root).mapping == 4


def test_emitted_lines_follow_the_layout() -> None:
    lines = mapping_lines({"k": {"a": ["x", {"b": "c"}]}}, 2, Layout(4, 0, 2))
    assert lines == ["  k:", "      a:", "      - x", "      - b: c"]


#: `on:` indented by two, with more nested blocks than the jobs, which are indented by four.
TWO_SPACE_ON_FOUR_SPACE_JOBS = """\
name: deploy
on:
  push:
    branches:
      - main
    paths:
      - src/**
  workflow_dispatch:
    inputs:
      stage:
        type: choice
        options:
          - dev
          - prod
      dry_run:
        type: boolean
        default: false
jobs:
    deploy:
        runs-on: ubuntu-latest
        env:
            AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
            AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        steps:
            -   uses: actions/checkout@v4
            -   run: aws s3 ls
"""


def test_a_job_indented_otherwise_than_the_triggers_gets_its_own_indentation(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": TWO_SPACE_ON_FOUR_SPACE_JOBS})
    (rewrite,) = fix([root], options()).files
    assert inserted(rewrite.before, rewrite.after) == [
        "        permissions:",
        "            contents: read",
        "            id-token: write",
        "            -   name: Configure AWS credentials (OIDC)",
        "                uses: aws-actions/configure-aws-credentials@v4",
        "                with:",
        "                    role-to-assume: arn:aws:iam::123456789012:role/ci",
        "                    aws-region: us-east-1",
    ]


def test_the_mixed_rewrite_passes_actionlint(tmp_path: Path, needs_actionlint: None) -> None:
    root = repo(tmp_path, {".github/workflows/deploy.yml": TWO_SPACE_ON_FOUR_SPACE_JOBS})
    (rewrite,) = fix([root], options()).files
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert run_actionlint([rewrite.file.path]) == []


def test_a_gitlab_job_indented_otherwise_than_the_rest_gets_its_own(tmp_path: Path) -> None:
    pipeline = """\
        variables:
          DOCKER_DRIVER: overlay2
          NODE:
            value: "20"
            description: Node version
        .cache:
          cache:
            key:
              files:
                - package-lock.json
            paths:
              - node_modules/
        deploy:
            extends: .cache
            variables:
                AWS_ACCESS_KEY_ID: $PROD_KEY_ID
                AWS_SECRET_ACCESS_KEY: $PROD_SECRET
            script:
                - aws s3 ls
        """
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline})
    (rewrite,) = fix([root], options()).files
    assert inserted(rewrite.before, rewrite.after)[:3] == [
        "    id_tokens:",
        "        GITLAB_OIDC_TOKEN:",
        "            aud: sts.amazonaws.com",
    ]


def test_an_entry_shows_its_own_layout_and_the_file_fills_in() -> None:
    text = "on:\n  a:\n    b: 1\n  c:\n    - d\njobs:\n    j:\n        k: 1\n"
    root = load_text(text, Path("x.yml")).root
    assert layout_of(root) == Layout(2, 2, 2)
    # The job's keys are four right of its name; it has no sequence: the file's offset.
    assert layout_of(root, (root["jobs"], "j")) == Layout(4, 2, 2)
    assert layout_of(root, (root, "on")) == Layout(2, 2, 2)


# How the time grows with the file is measured by benchmarks/bench_workflows.py (not timed here).
def test_many_jobs_are_rewritten_without_repeating_work(tmp_path: Path) -> None:
    # GitLab jobs given the top-level keys, each rewritten: every edit sampled 500
    # mappings of the file again and listed every job to find its own, and each job's
    # subjects were assessed again though all share them (minutes at 8,000).
    jobs = "".join(f"j{i}:\n  script:\n    - aws s3 cp f{i} s3://b/\n" for i in range(300))
    text = "variables:\n  AWS_ACCESS_KEY_ID: $A\n  AWS_SECRET_ACCESS_KEY: $B\n" + jobs
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    (rewrite,) = fix([root], options()).files
    assert len(rewrite.jobs) == 300


def test_each_distinct_block_is_emitted_once(tmp_path: Path) -> None:
    # Each of the 300 jobs gets the same ID token, token line and role variables: every
    # one was emitted and read back again (most of fix's time at 8,000 jobs). Counted by
    # the emitter's memo, not timed.
    from keyless.workflows.yamlout import _emit

    jobs = "".join(f"j{i}:\n  script:\n    - aws s3 cp f{i} s3://b/\n" for i in range(300))
    text = "variables:\n  AWS_ACCESS_KEY_ID: $A\n  AWS_SECRET_ACCESS_KEY: $B\n" + jobs
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    _emit.cache_clear()
    (rewrite,) = fix([root], options()).files
    assert len(rewrite.jobs) == 300
    assert rewrite.after.count("\n  id_tokens:\n    GITLAB_OIDC_TOKEN:\n") == 300
    assert _emit.cache_info().misses < 10


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"x": Reference("a", "b")}, {"x": ["a", "b"]}),
        ({"x": {}}, {"x": []}),
        ({"x": DoubleQuotedScalarString("a")}, {"x": "a"}),
    ],
    ids=["reference-or-list", "mapping-or-sequence", "quoted-or-plain"],
)
def test_blocks_emitted_differently_are_never_taken_for_each_other(
    first: dict[str, object], second: dict[str, object]
) -> None:
    alone = mapping_lines(second, 2)
    assert mapping_lines(first, 2) != alone
    assert mapping_lines(second, 2) == alone


def test_a_pipeline_and_its_rewrite_are_each_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rewrite was parsed to prove it valid, then again to list the keys it still
    # holds: a third parse of a file of thousands of jobs. Counted, not timed.
    from ruamel.yaml import YAML

    jobs = "".join(f"j{i}:\n  script:\n    - aws s3 cp f{i} s3://b/\n" for i in range(50))
    text = "variables:\n  AWS_ACCESS_KEY_ID: $A\n  AWS_SECRET_ACCESS_KEY: $B\n" + jobs
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    whole: list[int] = []
    load = YAML.load

    def counted(self: YAML, stream: object) -> object:
        if isinstance(stream, str | bytes) and len(stream) >= len(text):
            whole.append(len(stream))
        return load(self, stream)

    monkeypatch.setattr(YAML, "load", counted)
    (rewrite,) = fix([root], options()).files
    assert len(rewrite.jobs) == 50
    assert len(whole) == 2  # the file, and its rewrite
