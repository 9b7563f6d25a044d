"""GitLab jobs that still read ``$CI_JOB_JWT_V2`` (GitLab's own AWS guide used it before ID
tokens) get no token since GitLab 17.0, which removed ``CI_JOB_JWT``, ``CI_JOB_JWT_V1``
and ``CI_JOB_JWT_V2``
(https://docs.gitlab.com/update/deprecations/#old-versions-of-json-web-tokens-are-deprecated):
their ``assume-role-with-web-identity`` fails, and the usual way back is an IAM user's
keys. ``fix`` says so, with the replacement (``id_tokens``,
https://docs.gitlab.com/ci/secrets/id_token_authentication/), and edits nothing: the
audience the role's trust policy pins is not in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix

from .builders import only, options, repo

ASSUME = """\
assume role:
  image: amazon/aws-cli:latest
<tokens>  script:
    - >
      export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      $(aws sts assume-role-with-web-identity
      --role-arn ${ROLE_ARN}
      --role-session-name "GitLabRunner-${CI_PROJECT_ID}-${CI_PIPELINE_ID}"
      --web-identity-token <token>
      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]'
      --output text))
    - aws sts get-caller-identity
"""


@pytest.mark.parametrize(
    ("token", "named"),
    [("$CI_JOB_JWT_V2", "$CI_JOB_JWT_V2"), ("${CI_JOB_JWT}", "$CI_JOB_JWT")],
)
def test_a_job_reading_a_removed_token_is_told_what_replaces_it(
    tmp_path: Path, token: str, named: str
) -> None:
    text = ASSUME.replace("<tokens>", "").replace("<token>", token)
    result = fix([repo(tmp_path, {".gitlab-ci.yml": text})], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before
    (note,) = rewrite.notes
    assert note.startswith(f"job 'assume role' reads {named}, which GitLab removed in 17.0")
    assert "id_tokens" in note
    assert result.exit_code() == 0  # no keys: nothing left for a person


@pytest.mark.parametrize("token", ["$GITLAB_OIDC_TOKEN", "$CI_JOB_JWT_V2_FILE"])
def test_a_job_with_its_own_id_token_is_not_told(tmp_path: Path, token: str) -> None:
    tokens = "  id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: https://gitlab.com\n"
    text = ASSUME.replace("<tokens>", tokens).replace("<token>", token)
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert rewrite.notes == ()
