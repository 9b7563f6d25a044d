"""``hooks:pre_get_sources_script`` (a job's, a template's or ``default:``'s) runs with the
job's variables before GitLab fetches the repository
(https://docs.gitlab.com/ci/yaml/#hookspre_get_sources_script): a removed token read there,
or an ``aws`` command there with nothing else in the file, went unseen, as the removed-token
and implicit-keys checks read only ``before_script``, ``script`` and ``after_script``."""

from __future__ import annotations

from pathlib import Path

from keyless.findings import FileLocation
from keyless.workflows import fix, scan

from .builders import only, options, repo

OWN = """\
deploy:
  hooks:
    pre_get_sources_script:
      - echo "$CI_JOB_JWT_V2" > /tmp/web-identity-token
  script:
    - make deploy
"""
DEFAULT = """\
default:
  hooks:
    pre_get_sources_script:
      - export AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/t; echo "$CI_JOB_JWT" > /tmp/t
build:
  script:
    - make
"""
TEMPLATE_AWS = """\
.mirror:
  hooks:
    pre_get_sources_script:
      - aws s3 cp s3://mirror/bundle.git /tmp/bundle.git
build:
  extends: .mirror
  script:
    - make
"""


def _found(tmp_path: Path, text: str, check: str) -> list[tuple[int, str, str]]:
    result = scan([repo(tmp_path, {".gitlab-ci.yml": text})])
    out = []
    for finding in (f for f in result.findings if f.check == check):
        assert isinstance(finding.location, FileLocation)
        out.append((finding.location.line, finding.location.route, finding.message))
    return out


def test_a_removed_token_read_in_a_job_s_hook_is_reported(tmp_path: Path) -> None:
    ((line, route, message),) = _found(tmp_path, OWN, "gitlab-removed-job-jwt")
    assert (line, route) == (4, "deploy.hooks.pre_get_sources_script[0]")
    assert message.startswith(
        "the hooks:pre_get_sources_script of job 'deploy' reads $CI_JOB_JWT_V2, which GitLab "
        "removed in 17.0"
    )


def test_a_removed_token_read_in_the_default_hook_is_reported(tmp_path: Path) -> None:
    found = _found(tmp_path, DEFAULT, "gitlab-removed-job-jwt")
    assert [(line, route) for line, route, _ in found] == [
        (4, "default.hooks.pre_get_sources_script[0]")
    ]


def test_fix_notes_a_hook_read_and_leaves_it_to_a_person(tmp_path: Path) -> None:
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": DEFAULT})], options()), ".gitlab-ci.yml")
    assert rewrite.after == DEFAULT
    assert any(n.startswith("job 'build' reads $CI_JOB_JWT, which GitLab") for n in rewrite.notes)


def test_fix_does_not_rewrite_a_v2_read_in_a_hook(tmp_path: Path) -> None:
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": OWN})], options()), ".gitlab-ci.yml")
    assert rewrite.after == OWN
    assert any(n.startswith("job 'deploy' reads $CI_JOB_JWT_V2,") for n in rewrite.notes)


def test_an_aws_command_in_a_template_s_hook_is_an_implicit_lead(tmp_path: Path) -> None:
    ((line, route, message),) = _found(tmp_path, TEMPLATE_AWS, "gitlab-implicit-aws-keys")
    assert (line, route) == (4, "build.hooks.pre_get_sources_script[0]")
    assert message.startswith("job 'build' probably uses long-lived AWS keys: it runs `aws s3`")


def test_an_assumed_role_in_the_hook_is_no_lead(tmp_path: Path) -> None:
    text = TEMPLATE_AWS.replace(
        "      - aws s3 cp",
        "      - aws sts assume-role-with-web-identity --role-arn $ROLE\n      - aws s3 cp",
    )
    assert _found(tmp_path, text, "gitlab-implicit-aws-keys") == []
