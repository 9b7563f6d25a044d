"""AWS keys written as 1Password secret references (``op://vault/item/field``), which
``1password/load-secrets-action`` or ``op run`` resolve as the job runs
(https://developer.1password.com/docs/ci-cd/github-actions/): an IAM user's long-lived
key kept in 1Password. They passed as clean, being neither an expression nor key-shaped."""

from __future__ import annotations

from pathlib import Path

from keyless.workflows import fix, scan
from keyless.workflows.yamldoc import load_text

from .builders import only, options, repo

GITHUB = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: 1password/load-secrets-action@v2
        with:
          export-env: true
        env:
          OP_SERVICE_ACCOUNT_TOKEN: ${{ secrets.OP_SERVICE_ACCOUNT_TOKEN }}
          AWS_ACCESS_KEY_ID: op://ci/aws-deploy/access-key-id
          AWS_SECRET_ACCESS_KEY: op://ci/aws-deploy/secret-access-key
      - run: aws s3 ls
"""

GITLAB = """\
deploy:
  variables:
    AWS_ACCESS_KEY_ID: op://ci/aws-deploy/access-key-id
    AWS_SECRET_ACCESS_KEY: op://ci/aws-deploy/secret-access-key
  script:
    - op run -- aws s3 ls
"""


def test_a_github_step_loading_keys_from_1password_is_reported_and_rewritten(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {".github/workflows/d.yml": GITHUB})
    (finding,) = scan([root]).findings
    assert finding.check == "workflow-static-aws-keys-env"
    after = only(fix([root], options()), "d.yml").after
    steps = load_text(after, Path("d.yml")).root["jobs"]["deploy"]["steps"]
    # The OIDC step before the 1Password one, which no longer loads the keys.
    assert steps[0]["uses"] == "aws-actions/configure-aws-credentials@v4"
    assert set(steps[1]["env"]) == {"OP_SERVICE_ACCOUNT_TOKEN"}


def test_gitlab_variables_naming_1password_references_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB})
    assert [f.check for f in scan([root]).findings] == ["gitlab-static-aws-keys"]


def test_a_placeholder_is_still_no_credential(tmp_path: Path) -> None:
    text = GITLAB.replace("op://ci/aws-deploy/access-key-id", "test").replace(
        "op://ci/aws-deploy/secret-access-key", "test"
    )
    assert scan([repo(tmp_path, {".gitlab-ci.yml": text})]).findings == ()
