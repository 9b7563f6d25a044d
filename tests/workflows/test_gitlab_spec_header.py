"""A GitLab file that declares its inputs in a header document (``spec: inputs:``, then
``---``: https://docs.gitlab.com/ci/inputs/), as CI/CD components and files included with
``inputs:`` do: its configuration is the second document. It was refused as malformed
YAML (not read, exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.workflows import fix, scan
from keyless.workflows.yamldoc import load_text

from .builders import only, options, repo

ROOT = """
    include:
      - local: ci/deploy.yml
        inputs:
          stage: deploy
    stages: [deploy]
"""
INCLUDED = """
    spec:
      inputs:
        stage:
          default: test
    ---
    deploy:
      stage: $[[ inputs.stage ]]
      variables:
        AWS_ACCESS_KEY_ID: $KEY
        AWS_SECRET_ACCESS_KEY: $SECRET
      script:
        - aws s3 ls
"""


def test_the_configuration_after_a_spec_header_is_scanned(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": ROOT, "ci/deploy.yml": INCLUDED})
    result = scan([root])
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.message == "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY set for job 'deploy'"


def test_the_configuration_after_a_spec_header_is_rewritten(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": ROOT, "ci/deploy.yml": INCLUDED})
    rewrite = only(fix([root], options()), "deploy.yml")
    assert [j.job for j in rewrite.jobs] == ["deploy"]
    assert rewrite.after.startswith("spec:\n  inputs:\n    stage:\n      default: test\n---\n")


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n---\nb: 2\n",  # two documents, no header
        "spec: {}\nextra: 1\n---\nb: 2\n",  # a header with more than spec
        "spec: {}\n---\nb: 2\n---\nc: 3\n",  # three documents
    ],
)
def test_other_files_of_several_documents_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="several documents"):
        load_text(text, Path("x.yml"))


#: A GitHub workflow written like a GitLab component: a `spec:` document, then the jobs.
#: GitHub reads a workflow as one YAML document and refuses a second one (the runner's
#: YamlObjectReader.ValidateEnd; actions/languageservices' parseDocument), so the jobs
#: after `---` never run as keyless would read them: the file is unread, not judged.
GITHUB_WITH_HEADER = """\
spec:
  inputs: {}
---
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
"""


def test_a_spec_header_is_gitlab_s_only(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/deploy.yml": GITHUB_WITH_HEADER,
            ".github/workflows/ok.yml": "on: push\njobs: {}\n",
        },
    )
    result = scan([root])
    assert result.findings == ()
    (unread,) = result.unread
    assert unread.where.endswith("deploy.yml:3")
    assert "several documents" in unread.reason
    assert "only GitLab" in unread.reason


def test_the_header_rule_is_asked_for() -> None:
    text = "spec:\n  inputs: {}\n---\na: 1\n"
    assert load_text(text, Path("x.yml"), gitlab_header=True).root == {"a": 1}
    with pytest.raises(InputError, match="several documents"):
        load_text(text, Path("x.yml"))
