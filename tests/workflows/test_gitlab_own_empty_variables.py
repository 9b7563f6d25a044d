"""A GitLab job whose keys ``fix`` replaces gets ``AWS_ROLE_ARN`` and the token file in its
own ``variables:``. A ``variables:`` with nothing in it (null, ``{}``) got a second
``variables`` key beside it (refused by keyless's own check as invalid YAML: "a bug in
keyless"); it is written over. ``variables: null`` over templates drops their variables
(https://gitlab.com/gitlab-org/gitlab/-/merge_requests/72511): a mapping would bring
them back, so that job is left with why, as one whose variables are in flow style."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan
from keyless.workflows.gitlab_pipeline import assemble
from keyless.workflows.yamldoc import load_text

from .builders import options, reasons, repo

SCRIPT = """\
  script:
    - export AWS_ACCESS_KEY_ID=$PROD_KEY_ID
    - export AWS_SECRET_ACCESS_KEY=$PROD_SECRET
    - aws s3 ls
"""


@pytest.mark.parametrize("variables", ["  variables:\n", "  variables: {}\n", "  variables: ~\n"])
def test_an_empty_variables_of_the_job_is_written_over(tmp_path: Path, variables: str) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": "deploy:\n" + variables + SCRIPT})
    (rewrite,) = fix([root], options()).files
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert rewrite.unfixed == ()
    document = load_text(rewrite.after, rewrite.file.path)
    (job,) = assemble([(rewrite.file, document)]).jobs()
    assert "AWS_ROLE_ARN" in job.variables
    rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    assert scan([root]).findings == ()


def test_variables_null_over_a_template_is_left(tmp_path: Path) -> None:
    pipeline = ".base:\n  variables:\n    STAGE: prod\ndeploy:\n  extends: .base\n"
    root = repo(tmp_path, {".gitlab-ci.yml": pipeline + "  variables: null\n" + SCRIPT})
    (rewrite,) = fix([root], options()).files
    assert not rewrite.changed
    assert "its variables: null drops its templates' variables" in reasons(rewrite, "deploy")


def test_variables_in_flow_style_are_left(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": "deploy:\n  variables: {STAGE: prod}\n" + SCRIPT})
    (rewrite,) = fix([root], options()).files
    assert not rewrite.changed
    assert "its variables are not a block mapping" in reasons(rewrite, "deploy")
