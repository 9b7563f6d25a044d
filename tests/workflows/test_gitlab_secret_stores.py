"""AWS keys a GitLab job fetches with ``secrets:`` (https://docs.gitlab.com/ci/yaml/#secrets)
from Vault's key-value engines or a cloud secret store are an IAM user's long-lived keys
kept elsewhere: reported (``gitlab-static-aws-keys``), never clean, and left by ``fix``."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import only, options, repo

JOB = """
deploy:
  id_tokens:
    VAULT_ID_TOKEN:
      aud: https://vault.example.com
  secrets:
    AWS_ACCESS_KEY_ID:
      <id>
      token: $VAULT_ID_TOKEN
    AWS_SECRET_ACCESS_KEY:
      <secret>
      token: $VAULT_ID_TOKEN
<extra>  script:
    - aws s3 ls
"""


def _text(key_id: str, secret: str, extra: str = "") -> str:
    return JOB.replace("<id>", key_id).replace("<secret>", secret).replace("<extra>", extra)


@pytest.mark.parametrize(
    ("key_id", "secret", "store"),
    [
        ("vault: ci/aws/key_id@kv", "vault: ci/aws/secret@kv", "HashiCorp Vault (secrets:vault)"),
        (
            "vault: {engine: {name: kv-v1, path: kv}, path: aws, field: id}",
            "vault: {engine: {name: kv-v1, path: kv}, path: aws, field: secret}",
            "HashiCorp Vault (secrets:vault)",
        ),
        (
            "aws_secrets_manager: {secret_id: ci/aws, field: key_id}",
            "aws_secrets_manager: {secret_id: ci/aws, field: secret}",
            "AWS Secrets Manager (secrets:aws_secrets_manager)",
        ),
    ],
)
def test_keys_fetched_from_a_store_are_reported_and_left(
    tmp_path: Path, key_id: str, secret: str, store: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": _text(key_id, secret)})
    result = scan([root])
    assert [(f.check, f.message, getattr(f.location, "route", None)) for f in result.findings] == [
        (
            "gitlab-static-aws-keys",
            f"job 'deploy' reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY from {store}: an IAM "
            "user's long-lived keys, kept in a secret store",
            "deploy.secrets.AWS_ACCESS_KEY_ID",
        )
    ]
    fixed = fix([root], options())
    assert not only(fixed, ".gitlab-ci.yml").changed
    assert fixed.exit_code() == 1


@pytest.mark.parametrize(
    ("key_id", "secret", "extra"),
    [
        # Vault's generic engine can serve the AWS secrets engine's temporary credentials
        (
            "vault: {engine: {name: generic, path: aws}, path: creds/ci, field: access_key}",
            "vault: {engine: {name: generic, path: aws}, path: creds/ci, field: secret_key}",
            "",
        ),
        # a session token fetched beside them: temporary credentials
        (
            "vault: ci/aws/key_id@kv",
            "vault: ci/aws/secret@kv",
            "    AWS_SESSION_TOKEN:\n      vault: ci/aws/token@kv\n",
        ),
    ],
)
def test_temporary_credentials_from_a_store_are_not_reported(
    tmp_path: Path, key_id: str, secret: str, extra: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": _text(key_id, secret, extra)})
    assert scan([root]).findings == ()


VAULT_ONLY = """
deploy:
  image: amazon/aws-cli
  id_tokens:
    <name>:
      aud: <aud>
  secrets:
    DB_PASSWORD:
      vault: production/db/password@ops
      token: $VAULT_ID_TOKEN
  script:
    - aws s3 sync public s3://bucket
"""


@pytest.mark.parametrize(
    ("name", "aud", "found"),
    [
        # a token for Vault only: the AWS CLI still reads keys from the CI/CD variables
        ("VAULT_ID_TOKEN", "https://vault.example.com", ["gitlab-implicit-aws-keys"]),
        ("VAULT_ID_TOKEN", "https://gitlab.example.com", ["gitlab-implicit-aws-keys"]),
        ("OTHER", "https://vault.example.com", ["gitlab-implicit-aws-keys"]),
        # a token that may be an IAM provider's: no lead
        ("AWS_TOKEN", "https://gitlab.example.com", []),
        ("AWS_TOKEN", "sts.amazonaws.com", []),
    ],
)
def test_an_id_token_for_vault_alone_does_not_clear_the_lead(
    tmp_path: Path, name: str, aud: str, found: list[str]
) -> None:
    text = VAULT_ONLY.replace("<name>", name).replace("<aud>", aud)
    result = scan([repo(tmp_path, {".gitlab-ci.yml": text})])
    assert [f.check for f in result.findings] == found
    assert all("with no `id_tokens` but Vault's" in f.message for f in result.findings)


@pytest.mark.parametrize(
    "tokens",
    ["  id_tokens:\n    T:\n      aud: 5\n", "  id_tokens: 5\n", "  id_tokens:\n    T: [1]\n"],
)
def test_odd_token_declarations_are_read_without_a_crash(tmp_path: Path, tokens: str) -> None:
    text = f"deploy:\n{tokens}  secrets: [1, 2]\n  script:\n    - aws s3 ls\n"
    result = scan([repo(tmp_path, {".gitlab-ci.yml": text})])
    assert result.unread == ()
