"""AWS keys a GitHub step fetches from Vault with ``hashicorp/vault-action``, which exports
them to the job's later steps (https://github.com/hashicorp/vault-action#usage): an IAM
user's long-lived keys kept in Vault's key-value store, reported
(``workflow-static-aws-keys-env``) and left by ``fix``. Vault's AWS secrets engine mints
temporary credentials and is not reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import fix, scan

from .builders import only, options, repo

WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/vault-action@v3
        with:
          url: https://vault.example.com
          method: jwt
          role: ci
<extra>          secrets: |
<secrets>
      - run: aws s3 ls
"""


def _repo(tmp_path: Path, secrets: str, extra: str = "") -> Path:
    lines = "\n".join(f"            {line}" for line in secrets.splitlines())
    text = WORKFLOW.replace("<secrets>", lines).replace("<extra>", extra)
    return repo(tmp_path, {".github/workflows/d.yml": text})


@pytest.mark.parametrize(
    ("secrets", "path"),
    [
        (
            "secret/data/ci/aws accessKey | AWS_ACCESS_KEY_ID ;\n"
            "secret/data/ci/aws secretKey | AWS_SECRET_ACCESS_KEY",
            "secret/data/ci/aws",
        ),
        # no alias: the key's name, upper-cased, is the variable's
        ("kv/ci aws_access_key_id ; kv/ci aws_secret_access_key", "kv/ci"),
    ],
)
def test_keys_exported_from_vault_are_reported_and_left(
    tmp_path: Path, secrets: str, path: str
) -> None:
    root = _repo(tmp_path, secrets)
    (finding,) = scan([root]).findings
    assert finding.check == "workflow-static-aws-keys-env"
    assert finding.message == (
        "job 'deploy' step 1: hashicorp/vault-action exports AWS_ACCESS_KEY_ID, "
        f"AWS_SECRET_ACCESS_KEY read from Vault ({path}): an IAM user's long-lived keys, "
        "kept in a secret store"
    )
    assert getattr(finding.location, "route", None) == "jobs.deploy.steps[0].with.secrets"
    result = fix([root], options())
    assert not only(result, "d.yml").changed
    assert result.exit_code() == 1


@pytest.mark.parametrize(
    ("secrets", "extra"),
    [
        # Vault's AWS secrets engine: temporary credentials
        (
            "aws/creds/ci access_key | AWS_ACCESS_KEY_ID ;\n"
            "aws/creds/ci secret_key | AWS_SECRET_ACCESS_KEY",
            "",
        ),
        (
            "aws/sts/ci access_key | AWS_ACCESS_KEY_ID ;\n"
            "aws/sts/ci secret_key | AWS_SECRET_ACCESS_KEY ;\n"
            "aws/sts/ci security_token | AWS_SESSION_TOKEN",
            "",
        ),
        # not exported: outputs only, judged where a step uses them
        ("secret/data/ci/aws accessKey | AWS_ACCESS_KEY_ID", "          exportEnv: false\n"),
        # other secrets
        ("secret/data/ci/npm token | NPM_TOKEN", ""),
    ],
)
def test_temporary_or_other_secrets_are_not_reported(
    tmp_path: Path, secrets: str, extra: str
) -> None:
    assert scan([_repo(tmp_path, secrets, extra)]).findings == ()


def test_an_expression_in_the_path_is_one_word(tmp_path: Path) -> None:
    # GitHub fills in `${{ … }}` before the action reads the input; its spaces split nothing.
    secrets = (
        "secret/data/app/${{ github.event.inputs.environment }}/aws AWS_ACCESS_KEY_ID ;\n"
        "secret/data/app/${{ github.event.inputs.environment }}/aws AWS_SECRET_ACCESS_KEY"
    )
    (finding,) = scan([_repo(tmp_path, secrets)]).findings
    assert "(secret/data/app/${{github.event.inputs.environment}}/aws)" in finding.message


def test_expressions_are_compacted_in_one_pass() -> None:
    from keyless.workflows.github_stores import _compact_expressions

    assert _compact_expressions("a/${{ x . y }}/b ${{ z") == "a/${{x.y}}/b ${{ z"
    assert _compact_expressions("${{" * 3) == "${{" * 3
