"""GitLab includes from outside the repository (another project, a URL, a CI/CD template,
a component: https://docs.gitlab.com/ci/yaml/#include) bring jobs, templates and
variables keyless never sees: each is named as not read (exit 3), never passed as clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import options, repo

JOB = "deploy:\n  script:\n    - aws s3 ls\n"


@pytest.mark.parametrize(
    ("include", "named", "kind"),
    [
        (
            "  - project: acme/ci-templates\n    ref: main\n    file: /templates/aws.yml\n",
            "include project 'acme/ci-templates' file '/templates/aws.yml'",
            "a file of another project",
        ),
        (
            "  - project: acme/ci\n    file:\n      - /a.yml\n      - /b.yml\n",
            "include project 'acme/ci' file ['/a.yml', '/b.yml']",
            "a file of another project",
        ),
        (
            "  - remote: https://example.com/ci/deploy.yml\n",
            "include remote 'https://example.com/ci/deploy.yml'",
            "a file at a URL",
        ),
        (
            "  - https://example.com/ci/deploy.yml\n",
            "include 'https://example.com/ci/deploy.yml'",
            "a file at a URL",
        ),
        (
            "  - template: Jobs/Deploy/ECS.gitlab-ci.yml\n",
            "include template 'Jobs/Deploy/ECS.gitlab-ci.yml'",
            "one of GitLab's CI/CD templates",
        ),
        (
            "  - component: $CI_SERVER_FQDN/acme/aws/deploy@1.0\n",
            "include component '$CI_SERVER_FQDN/acme/aws/deploy@1.0'",
            "a CI/CD component",
        ),
    ],
)
def test_an_include_from_outside_the_repository_is_not_read(
    tmp_path: Path, include: str, named: str, kind: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": f"include:\n{include}{JOB}"})
    result = scan([root])
    (unread,) = result.unread
    assert unread.where == f"{root / '.gitlab-ci.yml'}: {named}"
    assert unread.reason.startswith(f"{kind}, not in the repository")
    assert result.exit_code("high") == 3
    assert fix([root], options()).exit_code() == 3


def test_a_remote_include_written_as_a_string_is_not_read(tmp_path: Path) -> None:
    text = f"include: https://example.com/ci.yml\n{JOB}"
    (unread,) = scan([repo(tmp_path, {".gitlab-ci.yml": text})]).unread
    assert "a file at a URL" in unread.reason


def test_a_local_include_is_still_read(tmp_path: Path) -> None:
    files = {".gitlab-ci.yml": f"include:\n  - local: ci/jobs.yml\n{JOB}", "ci/jobs.yml": JOB}
    result = scan([repo(tmp_path, files)])
    assert result.unread == ()
    assert len(result.files) == 2


def test_a_local_include_named_by_a_variable_says_so(tmp_path: Path) -> None:
    text = f"include:\n  - local: ci/$CI_COMMIT_REF_NAME.yml\n{JOB}"
    (unread,) = scan([repo(tmp_path, {".gitlab-ci.yml": text, "ci/main.yml": JOB})]).unread
    assert unread.reason.startswith("its path holds a variable GitLab expands")


CHILD_KEYS = (
    "deploy:\n  variables:\n    AWS_ACCESS_KEY_ID: $KEY\n    AWS_SECRET_ACCESS_KEY: $SECRET\n"
    "  script:\n    - aws s3 ls\n"
)


@pytest.mark.parametrize(
    "trigger",
    [
        "  trigger:\n    include: ci/child.yml\n",
        "  trigger:\n    include:\n      - local: ci/child.yml\n    strategy: depend\n",
    ],
)
def test_a_child_pipeline_of_the_repository_is_read(tmp_path: Path, trigger: str) -> None:
    # https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#parent-child-pipelines
    files = {".gitlab-ci.yml": f"child:\n{trigger}", "ci/child.yml": CHILD_KEYS}
    result = scan([repo(tmp_path, files)])
    assert [f.check for f in result.findings] == ["gitlab-static-aws-keys"]
    assert result.unread == ()


def test_a_generated_child_pipeline_is_not_read(tmp_path: Path) -> None:
    text = "child:\n  trigger:\n    include:\n      - artifact: generated.yml\n        job: gen\n"
    (unread,) = scan([repo(tmp_path, {".gitlab-ci.yml": text})]).unread
    assert unread.where.endswith("job 'child' trigger include artifact 'generated.yml'")
    assert unread.reason.startswith("a child pipeline a job generates while the pipeline runs")


def test_an_include_path_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    # A terminal would act on an escape sequence printed as written (set its title…).
    text = f'include:\n  - local: "ci/\\u001b]0;x\\u0007y.yml"\n{JOB}'
    (unread,) = scan([repo(tmp_path, {".gitlab-ci.yml": text})]).unread
    assert "\x1b" not in unread.where
    assert unread.where.endswith("include 'ci/\\x1b]0;x\\x07y.yml'")
