"""GitLab jobs that still read ``$CI_JOB_JWT_V2`` (GitLab's own AWS guide used it before ID
tokens) get no token since GitLab 17.0, which removed ``CI_JOB_JWT``, ``CI_JOB_JWT_V1``
and ``CI_JOB_JWT_V2``
(https://docs.gitlab.com/update/deprecations/#old-versions-of-json-web-tokens-are-deprecated):
their ``assume-role-with-web-identity`` fails, and the usual way back is an IAM user's
keys. ``scan`` reports each read (``gitlab-removed-job-jwt``); ``fix`` gives a job that
reads ``$CI_JOB_JWT_V2`` in its own script its own ID token
(https://docs.gitlab.com/ci/secrets/id_token_authentication/) with the audience the
removed token carried (the instance's URL, ``$CI_SERVER_URL``), and leaves a note where
that rewrite would not be the job's alone or the audience is not known."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation, Severity
from keyless.workflows import fix, scan
from keyless.workflows.yamldoc import load_text

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

CHECK = "gitlab-removed-job-jwt"


def _assume(token: str, tokens: str = "") -> str:
    return ASSUME.replace("<tokens>", tokens).replace("<token>", token)


def _removed(tmp_path: Path, text: str) -> list[tuple[int, str, str]]:
    result = scan([repo(tmp_path, {".gitlab-ci.yml": text})])
    found = []
    for finding in (f for f in result.findings if f.check == CHECK):
        assert isinstance(finding.location, FileLocation)
        assert finding.severity is Severity.MEDIUM
        found.append((finding.location.line, finding.location.route, finding.message))
    return found


@pytest.mark.parametrize(
    ("token", "named"),
    [
        ("$CI_JOB_JWT_V2", "$CI_JOB_JWT_V2"),
        ("${CI_JOB_JWT}", "$CI_JOB_JWT"),
        ("$CI_JOB_JWT_V1", "$CI_JOB_JWT_V1"),
        ("$env:CI_JOB_JWT_V2", "$CI_JOB_JWT_V2"),  # PowerShell
        ("%CI_JOB_JWT_V2%", "$CI_JOB_JWT_V2"),  # cmd
    ],
)
def test_scan_reports_a_script_reading_a_removed_token(
    tmp_path: Path, token: str, named: str
) -> None:
    ((line, route, message),) = _removed(tmp_path, _assume(token))
    assert (line, route) == (4, "assume role.script[0]")
    assert message == (
        f"the script of job 'assume role' reads {named}, which GitLab removed in 17.0: the "
        "job gets no token, so it cannot assume its role"
    )


def test_scan_reports_variables_and_templates_where_they_are_written(tmp_path: Path) -> None:
    text = """\
    variables:
      WEB_IDENTITY_TOKEN: $CI_JOB_JWT_V2
    .assume:
      before_script:
        - echo "$CI_JOB_JWT_V2" > /tmp/token
    deploy:
      extends: .assume
      script: [aws s3 ls]
    """
    found = [(line, route) for line, route, _ in _removed(tmp_path, text)]
    assert found == [(2, "variables.WEB_IDENTITY_TOKEN"), (5, ".assume.before_script[0]")]


@pytest.mark.parametrize("token", ["$GITLAB_OIDC_TOKEN", "$CI_JOB_JWT_V2_FILE", "$CI_JOB_JWTX"])
def test_scan_does_not_report_other_variables(tmp_path: Path, token: str) -> None:
    assert _removed(tmp_path, _assume(token)) == []


def test_fix_gives_the_job_its_own_token_with_the_audience_v2_carried(tmp_path: Path) -> None:
    result = fix([repo(tmp_path, {".gitlab-ci.yml": _assume("$CI_JOB_JWT_V2")})], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert rewrite.after == ASSUME.replace("<tokens>", "").replace(
        "<token>", "$GITLAB_OIDC_TOKEN"
    ).replace(
        "assume role:\n",
        "assume role:\n  id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: $CI_SERVER_URL\n",
    )
    job = load_text(rewrite.after, Path(".gitlab-ci.yml")).root["assume role"]
    assert job["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "$CI_SERVER_URL"}}
    assert "--web-identity-token $GITLAB_OIDC_TOKEN --query" in job["script"][0]
    (note,) = rewrite.notes
    assert note.startswith("job 'assume role' read $CI_JOB_JWT_V2, which GitLab removed")
    assert result.exit_code() == 0
    assert _removed(tmp_path / "after", rewrite.after) == []


def test_fix_rewrites_the_jobs_own_variables_and_keeps_braces(tmp_path: Path) -> None:
    text = """\
    deploy:
      variables:
        WEB_IDENTITY_TOKEN: ${CI_JOB_JWT_V2}
      script:
        - echo "${CI_JOB_JWT_V2}" > /tmp/token
    """
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert rewrite.after == (
        "deploy:\n"
        "  id_tokens:\n"
        "    GITLAB_OIDC_TOKEN:\n"
        "      aud: $CI_SERVER_URL\n"
        "  variables:\n"
        "    WEB_IDENTITY_TOKEN: ${GITLAB_OIDC_TOKEN}\n"
        "  script:\n"
        '    - echo "${GITLAB_OIDC_TOKEN}" > /tmp/token\n'
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_assume("${CI_JOB_JWT}"), "$CI_JOB_JWT carried no audience"),
        (_assume("$CI_JOB_JWT_V2 $CI_JOB_JWT_V1"), "two tokens"),
        (
            ".assume:\n  before_script:\n    - echo $CI_JOB_JWT_V2 > /tmp/t\n"
            "deploy:\n  extends: .assume\n  script:\n    - aws s3 ls\n",
            "a template other jobs may extend",
        ),
        (
            "variables:\n  TOKEN: $CI_JOB_JWT_V2\ndeploy:\n  script:\n    - aws s3 ls\n",
            "top-level variables",
        ),
        (
            "a:\n  script: &s\n    - echo $CI_JOB_JWT_V2 > /tmp/t\nb:\n  script: *s\n",
            "an alias shares the line with another job",
        ),
        (
            'deploy:\n  script:\n    - "echo \\x24CI_JOB_JWT_V2 > /tmp/t"\n',
            "an escape the text edit cannot see",
        ),
        (
            "deploy:\n  id_tokens:\n    VAULT: {aud: https://vault}\n"
            "  script:\n    - echo $CI_JOB_JWT_V2\n",
            "the job already declares tokens",
        ),
    ],
)
def test_fix_leaves_a_note_where_the_rewrite_is_not_the_jobs_alone(
    tmp_path: Path, text: str, why: str
) -> None:
    result = fix([repo(tmp_path, {".gitlab-ci.yml": text})], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert rewrite.after == rewrite.before, why
    assert rewrite.notes, why
    assert all("which GitLab removed in 17.0: the job gets no token" in n for n in rewrite.notes)
    assert all("id_tokens" in n for n in rewrite.notes)
    assert result.exit_code() == 0  # no keys: nothing left for a person


def test_a_job_with_keys_gets_the_note_not_a_second_token(tmp_path: Path) -> None:
    text = """\
    deploy:
      variables:
        AWS_ACCESS_KEY_ID: $KEY
        AWS_SECRET_ACCESS_KEY: $SECRET
      script:
        - echo $CI_JOB_JWT_V2 > /tmp/t
        - aws s3 ls
    """
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    job = load_text(rewrite.after, Path(".gitlab-ci.yml")).root["deploy"]
    assert job["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "sts.amazonaws.com"}}
    assert "echo $CI_JOB_JWT_V2 > /tmp/t" in job["script"]
    assert any(n.startswith("job 'deploy' reads $CI_JOB_JWT_V2") for n in rewrite.notes)


@pytest.mark.parametrize("token", ["$GITLAB_OIDC_TOKEN", "$CI_JOB_JWT_V2_FILE"])
def test_a_job_with_its_own_id_token_is_not_told(tmp_path: Path, token: str) -> None:
    tokens = "  id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: https://gitlab.com\n"
    rewrite = only(
        fix([repo(tmp_path, {".gitlab-ci.yml": _assume(token, tokens)})], options()),
        ".gitlab-ci.yml",
    )
    assert rewrite.notes == ()


# GitLab's Vault guide logged in with the removed token before ID tokens
# (https://docs.gitlab.com/ci/secrets/hashicorp_vault/): such a job assumes no AWS role.
VAULT_LOGIN = """\
secrets:
  variables:
    VAULT_ADDR: https://vault.example.com
  script:
    - echo "$CI_JOB_JWT" > /tmp/jwt
    - export VAULT_TOKEN="$(vault write -field=token auth/jwt/login role=app jwt=@/tmp/jwt)"
"""


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (_assume("$CI_JOB_JWT"), "so it cannot assume its role"),
        (
            "login:\n  script:\n    - vault write auth/jwt/login role=app jwt=$CI_JOB_JWT\n",
            "so it cannot log in to Vault",
        ),
        # The line only saves the token; the job's other lines say what it is for.
        (VAULT_LOGIN, "so it cannot log in to Vault"),
        (
            'notify:\n  script:\n    - \'curl -H "Authorization: Bearer $CI_JOB_JWT" '
            "https://deploy.example.com'\n",
            "so whatever it presents the token to (an AWS role, Vault, another service) "
            "turns it away",
        ),
        (
            "both:\n  script:\n    - vault login $CI_JOB_JWT_V2 && aws sts assume-role "
            "--role-arn x\n",
            "turns it away",
        ),
    ],
)
def test_scan_says_what_the_job_cannot_do_without_its_token(
    tmp_path: Path, text: str, says: str
) -> None:
    ((_, _, message),) = _removed(tmp_path, text)
    assert message.endswith(says)


def test_fix_tells_a_vault_login_of_its_vault_role(tmp_path: Path) -> None:
    rewrite = only(
        fix([repo(tmp_path, {".gitlab-ci.yml": VAULT_LOGIN})], options()), ".gitlab-ci.yml"
    )
    (note,) = rewrite.notes
    assert "the job gets no token, so it cannot log in to Vault;" in note
    assert "with the audience its Vault role (bound_audiences) pins" in note
    assert "assume" not in note


def test_fix_rewrites_a_vault_login_and_says_its_vault_role_need_not_change(
    tmp_path: Path,
) -> None:
    text = "login:\n  script:\n    - vault write auth/jwt/login role=app jwt=$CI_JOB_JWT_V2\n"
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert "jwt=$GITLAB_OIDC_TOKEN" in rewrite.after
    (note,) = rewrite.notes
    assert "so its Vault role (bound_audiences) need not change" in note


def test_the_rewrite_note_warns_of_an_instance_served_under_a_path(tmp_path: Path) -> None:
    # $CI_SERVER_URL holds the relative URL root; $CI_JOB_JWT_V2's audience did not.
    result = fix([repo(tmp_path, {".gitlab-ci.yml": _assume("$CI_JOB_JWT_V2")})], options())
    (note,) = only(result, ".gitlab-ci.yml").notes
    assert note.endswith(
        "on an instance served under a path (https://example.com/gitlab), $CI_SERVER_URL "
        "includes the path and $CI_JOB_JWT_V2's audience did not: write that audience out "
        "(https://example.com)"
    )
