"""A GitLab job that already gets ID tokens for something else (Vault, another cloud)
still gets ``GITLAB_OIDC_TOKEN`` for STS when it is rewritten: the token line reads it,
and an undeclared token is an empty variable (https://docs.gitlab.com/ci/yaml/#id_tokens)."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix
from keyless.workflows.gitlab_fix import WRITE_TOKEN
from keyless.workflows.yamldoc import load_text

from .builders import only, options, reasons, repo

KEYS = """\
  variables:
    AWS_ACCESS_KEY_ID: $PROD_KEY_ID
    AWS_SECRET_ACCESS_KEY: $PROD_SECRET
"""
VAULT = """\
  id_tokens:
    VAULT_ID_TOKEN:
      aud: https://vault.example.com
"""


def _after(tmp_path: Path, text: str) -> tuple[str, str]:
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    return rewrite.before, rewrite.after


def test_a_template_with_a_vault_token_still_gets_the_sts_token(tmp_path: Path) -> None:
    # The shape of GitLab's Vault and AWS guides combined: a template declares the Vault
    # token and the keys; the job extends it.
    text = f".aws:\n{VAULT}{KEYS}deploy:\n  extends: .aws\n  script:\n    - aws s3 ls\n"
    _, after = _after(tmp_path, text)
    root = load_text(after, Path(".gitlab-ci.yml")).root
    # The job's own id_tokens, which GitLab merges with the template's key by key.
    assert root["deploy"]["id_tokens"] == {"GITLAB_OIDC_TOKEN": {"aud": "sts.amazonaws.com"}}
    assert root[".aws"]["id_tokens"] == {"VAULT_ID_TOKEN": {"aud": "https://vault.example.com"}}
    assert root["deploy"]["script"][0] == WRITE_TOKEN


def test_the_jobs_own_tokens_get_the_sts_token_beside_them(tmp_path: Path) -> None:
    text = f"deploy:\n{VAULT}{KEYS}  script:\n    - aws s3 ls\n"
    _, after = _after(tmp_path, text)
    job = load_text(after, Path(".gitlab-ci.yml")).root["deploy"]
    assert job["id_tokens"] == {
        "GITLAB_OIDC_TOKEN": {"aud": "sts.amazonaws.com"},
        "VAULT_ID_TOKEN": {"aud": "https://vault.example.com"},
    }
    assert after.count("id_tokens:") == 1


def test_tokens_from_default_are_left_for_a_person(tmp_path: Path) -> None:
    # A job's own id_tokens replace default:'s (https://docs.gitlab.com/ci/yaml/#default).
    text = f"default:\n{VAULT}deploy:\n{KEYS}  script:\n    - aws s3 ls\n"
    root = repo(tmp_path, {".gitlab-ci.yml": text})
    result = fix([root], options())
    rewrite = only(result, ".gitlab-ci.yml")
    assert not rewrite.changed
    assert "it gets its id_tokens from default:" in reasons(rewrite, "deploy")
    assert result.exit_code() == 1


def test_flow_style_tokens_are_left_for_a_person(tmp_path: Path) -> None:
    tokens = "  id_tokens: {VAULT: {aud: https://vault}}\n"
    text = f"deploy:\n{tokens}{KEYS}  script:\n    - aws s3 ls\n"
    rewrite = only(fix([repo(tmp_path, {".gitlab-ci.yml": text})], options()), ".gitlab-ci.yml")
    assert not rewrite.changed
    assert "its id_tokens are not a block mapping" in reasons(rewrite, "deploy")


def test_a_job_that_has_the_token_gets_no_second_one(tmp_path: Path) -> None:
    tokens = "  id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: sts.amazonaws.com\n"
    _, after = _after(tmp_path, f"deploy:\n{tokens}{KEYS}  script:\n    - aws s3 ls\n")
    assert after.count("GITLAB_OIDC_TOKEN:") == 1
