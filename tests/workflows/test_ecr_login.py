"""docker/login-action given an IAM user's keys as ``username`` / ``password`` to log in to
Amazon ECR, as its README's first ECR example does. The same README logs in with no keys
after configure-aws-credentials
(https://github.com/docker/login-action#aws-elastic-container-registry-ecr), so ``fix``
rewrites the job: the keys go, a credentials step goes before the login, in the
registry's region. The job was left ("keyless does not know how it takes temporary
credentials"). A registry that is not ECR's stays a person's job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyless.workflows import fix, scan
from keyless.workflows.yamldoc import load_text

from .builders import only, options, reasons, repo
from .conftest import run_actionlint

LOGIN = """\
on:
  push:
    branches: [main]
jobs:
  image:
    runs-on: ubuntu-latest
<env>    steps:
      - uses: actions/checkout@v4
      - name: Login to ECR
        uses: docker/login-action@v3
        with:
          registry: <registry>
          username: ${{ secrets.AWS_ACCESS_KEY_ID }}
          password: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: <registry>/app:${{ github.sha }}
"""
PRIVATE = "123456789012.dkr.ecr.eu-west-3.amazonaws.com"


def _root(tmp_path: Path, registry: str, env: str = "") -> Path:
    text = LOGIN.replace("<registry>", registry).replace("<env>", env)
    return repo(tmp_path, {".github/workflows/image.yml": text})


def _steps(text: str) -> Any:
    return load_text(text, Path("image.yml")).root["jobs"]["image"]["steps"]


@pytest.mark.parametrize(
    ("registry", "region"),
    [(PRIVATE, "eu-west-3"), ("public.ecr.aws", "us-east-1")],
)
def test_an_ecr_login_with_keys_is_rewritten(tmp_path: Path, registry: str, region: str) -> None:
    rewrite = only(fix([_root(tmp_path, registry)], options(region=None)), "image.yml")
    steps = _steps(rewrite.after)
    assert steps[1]["uses"] == "aws-actions/configure-aws-credentials@v4"
    assert steps[1]["with"]["aws-region"] == region
    assert dict(steps[2]["with"]) == {"registry": registry}
    assert [j.job for j in rewrite.jobs] == ["image"]
    assert any("it logs in to ECR with the credentials" in n for n in rewrite.notes)


def test_the_job_s_own_region_comes_first(tmp_path: Path) -> None:
    env = "    env:\n      AWS_REGION: us-west-2\n"
    rewrite = only(fix([_root(tmp_path, PRIVATE, env)], options(region=None)), "image.yml")
    assert _steps(rewrite.after)[1]["with"]["aws-region"] == "${{ env.AWS_REGION }}"


def test_the_scan_says_fix_can_rewrite_it(tmp_path: Path) -> None:
    (finding,) = scan([_root(tmp_path, PRIVATE)]).findings
    assert finding.message.endswith(
        "`keyless workflows fix` can rewrite it (given no keys, the action logs in to ECR "
        "with the credentials aws-actions/configure-aws-credentials exports)"
    )


@pytest.mark.parametrize(
    "registry", ["ghcr.io", "123456789012.dkr.ecr.eu-west-3.amazonaws.com.evil.example"]
)
def test_another_registry_is_left(tmp_path: Path, registry: str) -> None:
    rewrite = only(fix([_root(tmp_path, registry)], options()), "image.yml")
    assert not rewrite.changed
    assert "keyless does not know how it takes temporary credentials" in reasons(rewrite, "image")


def test_the_rewrite_passes_actionlint_and_scans_clean(
    tmp_path: Path, needs_actionlint: None
) -> None:
    root = _root(tmp_path, PRIVATE)
    (rewrite,) = fix([root], options()).files
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert run_actionlint([rewrite.file.path]) == []
    assert not scan([root]).findings
