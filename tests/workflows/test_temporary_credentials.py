"""Credentials another step or job hands on with a session token are temporary: no
long-lived key finding for them; the same outputs without a session token still are."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import options, repo

WORKFLOW = """
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: creds
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
          output-credentials: true
{step}
"""

ENV_STEP = """
      - uses: docker://amazon/aws-cli:latest
        env:
          AWS_ACCESS_KEY_ID: ${{ steps.creds.outputs.aws-access-key-id }}
          AWS_SECRET_ACCESS_KEY: ${{ steps.creds.outputs.aws-secret-access-key }}
"""
INPUTS_STEP = """
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ steps.creds.outputs.aws-access-key-id }}
          aws-secret-access-key: ${{ steps.creds.outputs.aws-secret-access-key }}
          role-to-assume: arn:aws:iam::210987654321:role/target
          aws-region: us-east-1
"""
OTHER_ACTION_STEP = """
      - uses: acme/deploy@v1
        with:
          aws-access-key-id: ${{ steps.creds.outputs.aws-access-key-id }}
          aws-secret-access-key: ${{ steps.creds.outputs.aws-secret-access-key }}
"""


def _checks(tmp_path: Path, step: str) -> list[str]:
    root = repo(tmp_path, {".github/workflows/deploy.yml": WORKFLOW.format(step=step)})
    return [f.check for f in scan([root]).findings]


@pytest.mark.parametrize(
    ("step", "token"),
    [
        (ENV_STEP, "          AWS_SESSION_TOKEN: ${{ steps.creds.outputs.aws-session-token }}\n"),
        (
            INPUTS_STEP,
            "          aws-session-token: ${{ steps.creds.outputs.aws-session-token }}\n",
        ),
        (
            OTHER_ACTION_STEP,
            "          aws-session-token: ${{ steps.creds.outputs.aws-session-token }}\n",
        ),
    ],
)
def test_outputs_with_a_session_token_are_temporary(tmp_path: Path, step: str, token: str) -> None:
    assert _checks(tmp_path / "without", step) != []
    assert _checks(tmp_path / "with", step + token) == []


def test_job_outputs_with_a_session_token_are_temporary(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".github/workflows/use.yml": """
            on: push
            jobs:
              use:
                needs: auth
                runs-on: ubuntu-latest
                env:
                  AWS_ACCESS_KEY_ID: ${{ needs.auth.outputs.key }}
                  AWS_SECRET_ACCESS_KEY: ${{ needs.auth.outputs.secret }}
                  AWS_SESSION_TOKEN: ${{ needs.auth.outputs.token }}
                steps:
                  - run: aws s3 ls
            """
        },
    )
    assert scan([root]).findings == ()


def test_a_session_token_from_secrets_does_not_make_secret_keys_temporary(tmp_path: Path) -> None:
    step = ENV_STEP.replace("steps.creds.outputs.aws-access-key-id", "secrets.KEY")
    token = "          AWS_SESSION_TOKEN: ${{ steps.creds.outputs.aws-session-token }}\n"
    assert _checks(tmp_path, step + token) == ["workflow-static-aws-keys-env"]


ASSUMED = """
chain:
  image: amazon/aws-cli
  script:
    - CREDS=$(aws sts assume-role --role-arn "$ROLE" --role-session-name ci --output json)
    - export AWS_ACCESS_KEY_ID=$(echo "$CREDS" | jq -r .Credentials.AccessKeyId)
    - export AWS_SECRET_ACCESS_KEY=$(echo "$CREDS" | jq -r .Credentials.SecretAccessKey)
{token}
    - aws s3 ls
"""


def test_gitlab_exports_of_credentials_a_script_obtains_are_temporary(tmp_path: Path) -> None:
    token = '    - export AWS_SESSION_TOKEN=$(echo "$CREDS" | jq -r .Credentials.SessionToken)'
    with_token = repo(tmp_path / "with", {".gitlab-ci.yml": ASSUMED.format(token=token)})
    without = repo(tmp_path / "without", {".gitlab-ci.yml": ASSUMED.format(token="")})
    assert scan([with_token]).findings == ()
    assert {f.check for f in scan([without]).findings} == {"gitlab-static-aws-keys"}


def test_gitlab_exports_of_stored_keys_with_a_stored_session_token_are_reported(
    tmp_path: Path,
) -> None:
    text = """
    deploy:
      script:
        - export AWS_ACCESS_KEY_ID=$KEY_ID
        - export AWS_SECRET_ACCESS_KEY=$SECRET
        - export AWS_SESSION_TOKEN=$TOKEN
        - aws s3 ls
    """
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert {f.check for f in scan([root]).findings} == {"gitlab-static-aws-keys"}


PROFILE = """
deploy:
  image: amazon/aws-cli
  id_tokens:
    GITLAB_OIDC_TOKEN:
      aud: sts.amazonaws.com
  script:
    - aws sts assume-role-with-web-identity --role-arn "$R" --web-identity-token "$T" > c
    - aws configure set aws_access_key_id "$(jq -r .Credentials.AccessKeyId c)" {p}
    - aws configure set aws_secret_access_key "$(jq -r .Credentials.SecretAccessKey c)" {p}
{token}
    - aws s3 ls {p}
"""
PROFILE_TOKEN = (
    '    - aws configure set aws_session_token "$(jq -r .Credentials.SessionToken c)" {p}'
)
EXPORT_TOKEN = '    - export AWS_SESSION_TOKEN=$(echo "$CREDS" | jq -r .Credentials.SessionToken)'


@pytest.mark.parametrize(
    "text",
    [
        ASSUMED.format(token=EXPORT_TOKEN),
        PROFILE.format(p="--profile ci", token=PROFILE_TOKEN.format(p="--profile ci")),
        PROFILE.format(p="", token=PROFILE_TOKEN.format(p="")),
    ],
)
def test_gitlab_fix_leaves_temporary_credentials_a_script_obtains_alone(
    tmp_path: Path, text: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert scan([root]).findings == ()
    result = fix([root], options())
    assert (result.changed, result.unfixed) == ((), ())


def test_gitlab_fix_still_leaves_a_profile_written_without_a_session_token(
    tmp_path: Path,
) -> None:
    text = PROFILE.format(p="--profile ci", token="")
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    assert scan([root]).findings != ()
    assert fix([root], options()).unfixed != ()


EXPORTED = """
on: push
{workflow_env}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/first
          aws-region: us-east-1
      - uses: {uses}
        with:
          aws-access-key-id: ${{{{ env.AWS_ACCESS_KEY_ID }}}}
          aws-secret-access-key: ${{{{ env.AWS_SECRET_ACCESS_KEY }}}}
{token}
          aws-region: us-east-1
"""
TOKEN_INPUT = "          aws-session-token: ${{ env.AWS_SESSION_TOKEN }}"
# A workflow env that sets the keys (and a token) from secrets: what a step then hands on
# are whatever the secrets hold, possibly an IAM user's keys.
SECRETS_ENV = (
    "env:\n  AWS_ACCESS_KEY_ID: ${{ secrets.KEY_ID }}\n"
    "  AWS_SECRET_ACCESS_KEY: ${{ secrets.SECRET }}\n"
    "  AWS_SESSION_TOKEN: ${{ secrets.TOKEN }}"
)


@pytest.mark.parametrize("uses", ["aws-actions/configure-aws-credentials@v4", "acme/deploy@v1"])
@pytest.mark.parametrize(
    ("workflow_env", "token", "reported"),
    [
        # OK: an earlier step exported them (with a session token): temporary
        ("", TOKEN_INPUT, False),
        # NOT OK: no session token, so they may be an IAM user's keys
        ("", "", True),
        # NOT OK: the workflow's env sets them, from secrets
        (
            SECRETS_ENV,
            TOKEN_INPUT,
            True,
        ),
    ],
)
def test_keys_exported_to_the_environment_with_a_session_token_are_temporary(
    tmp_path: Path, uses: str, workflow_env: str, token: str, reported: bool
) -> None:
    text = EXPORTED.format(workflow_env=workflow_env, uses=uses, token=token)
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    checks = {f.check for f in scan([root]).findings}
    keys = {"workflow-static-aws-keys", "workflow-static-aws-keys-env"}
    assert bool(checks & keys) is reported


EXPORTED_ENV = """
on: push
{workflow_env}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/first
          aws-region: us-east-1
      - run: ./deploy.sh
        env:
          AWS_ACCESS_KEY_ID: ${{{{ env.AWS_ACCESS_KEY_ID }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ env.AWS_SECRET_ACCESS_KEY }}}}
{token}
"""
TOKEN_ENV = "          AWS_SESSION_TOKEN: ${{ env.AWS_SESSION_TOKEN }}"


@pytest.mark.parametrize(
    ("workflow_env", "token", "reported"),
    [
        # OK: an earlier step exported them (with a session token): temporary
        ("", TOKEN_ENV, False),
        # NOT OK: no session token, so they may be an IAM user's keys
        ("", "", True),
        # NOT OK: the workflow's env sets them, from secrets
        (
            SECRETS_ENV,
            TOKEN_ENV,
            True,
        ),
    ],
)
def test_a_step_env_of_exported_keys_with_a_session_token_is_temporary(
    tmp_path: Path, workflow_env: str, token: str, reported: bool
) -> None:
    text = EXPORTED_ENV.format(workflow_env=workflow_env, token=token)
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    checks = {f.check for f in scan([root]).findings}
    assert ("workflow-static-aws-keys-env" in checks) is reported


def test_a_job_env_cannot_read_exports_so_is_still_reported(tmp_path: Path) -> None:
    # `env` is not available in a job's `env:` (GitHub's context availability table)
    text = (
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
        "      AWS_ACCESS_KEY_ID: ${{ env.AWS_ACCESS_KEY_ID }}\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ env.AWS_SECRET_ACCESS_KEY }}\n"
        "      AWS_SESSION_TOKEN: ${{ env.AWS_SESSION_TOKEN }}\n"
        "    steps:\n      - run: ./deploy.sh\n"
    )
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    assert "workflow-static-aws-keys-env" in {f.check for f in scan([root]).findings}


PASTED = """
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: {key_id}
          aws-secret-access-key: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
{token}          role-session-name: ci
          aws-region: us-east-1
      - run: aws s3 ls
"""


@pytest.mark.parametrize(
    ("key_id", "token", "words", "severity"),
    [
        # A session token from a secret: temporary credentials pasted in (AWS Academy),
        # unless the secret is empty: still high, and the message says both.
        (
            "${{ secrets.AWS_ACCESS_KEY_ID }}",
            "          aws-session-token: ${{ secrets.AWS_SESSION_TOKEN }}\n",
            "with aws-session-token: temporary credentials copied into secrets",
            "high",
        ),
        # An ASIA… key ID is AWS STS's: temporary for certain.
        ("ASIAZ7QWERTYUIOPAS12", "", "the key ID starts with ASIA: temporary", "medium"),
        # role-session-name is no session token: an IAM user's keys, said nothing else.
        ("${{ secrets.AWS_ACCESS_KEY_ID }}", "", None, "high"),
    ],
)
def test_temporary_credentials_pasted_in_are_said_to_be_so(
    tmp_path: Path, key_id: str, token: str, words: str | None, severity: str
) -> None:
    text = PASTED.format(key_id=key_id, token=token)
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    [found] = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys"]
    assert found.severity.value == severity
    if words is None:
        assert "temporary" not in found.message
    else:
        assert words in found.message


def test_a_session_token_in_env_is_said_to_be_pasted_in(tmp_path: Path) -> None:
    text = """
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
      AWS_SESSION_TOKEN: ${{ secrets.AWS_SESSION_TOKEN }}
    steps:
      - run: aws s3 ls
"""
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    [found] = scan([root]).findings
    assert found.check == "workflow-static-aws-keys-env"
    assert "with AWS_SESSION_TOKEN: temporary credentials copied into secrets" in found.message
    assert "unless the token's secret is empty" in found.message
