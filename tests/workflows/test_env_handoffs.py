"""Keys an ``env:`` hands on under other names: ``TF_VAR_aws_access_key: ${{
secrets.AWS_ACCESS_KEY_ID }}`` (Terraform's AWS provider configured with ``access_key =
var.aws_access_key``), the shape of many public Terraform workflows. It is the IAM user's
key; ``scan`` missed it, and ``fix`` rewrote a step holding both names and kept the key in
``TF_VAR_…``. Terraform's AWS provider given no keys uses the environment's credentials,
session token included:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs#environment-variables

GitLab's variables re-exporting ``$AWS_ACCESS_KEY_ID`` were found; one re-exporting a CI/CD
variable named for a key (``TF_VAR_aws_access_key: $PROD_AWS_ACCESS_KEY_ID``) was not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.workflows import fix, scan

from .builders import only, options, repo

TERRAFORM_JOB = """\
on:
  push:
    branches: [main]
jobs:
  terraform:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/setup-terraform@v3
      - name: Terraform Apply
        run: terraform apply -auto-approve
        env:
ENV
"""
HANDED_ON = """\
          TF_VAR_aws_access_key: ${{ secrets.AWS_ACCESS_KEY_ID }}
          TF_VAR_aws_secret_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


def _root(tmp_path: Path, env: str, workflow: str = TERRAFORM_JOB) -> Path:
    return repo(tmp_path, {".github/workflows/tf.yml": workflow.replace("ENV\n", env)})


def test_keys_handed_to_terraform_variables_are_reported(tmp_path: Path) -> None:
    (finding,) = scan([_root(tmp_path, HANDED_ON)]).findings
    assert finding.check == "workflow-static-aws-keys-env"
    assert finding.message == (
        "TF_VAR_aws_access_key, TF_VAR_aws_secret_key set from secrets named for AWS keys in "
        "the env of the step 2 of job 'terraform': the keys handed on under other names"
    )
    assert isinstance(finding.location, FileLocation)
    assert finding.location.route == "jobs.terraform.steps[1].env.TF_VAR_aws_access_key"


@pytest.mark.parametrize(
    "env",
    [
        HANDED_ON,
        # beside the SDK's own names: removing those alone kept the key in TF_VAR_…
        "          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n" + HANDED_ON,
    ],
)
def test_fix_leaves_the_job_for_a_person(tmp_path: Path, env: str) -> None:
    result = fix([_root(tmp_path, env)], options())
    rewrite = only(result, "tf.yml")
    assert rewrite.after == rewrite.before
    (unfixed,) = rewrite.unfixed
    assert unfixed.job == "terraform"
    assert unfixed.reason.startswith(
        "TF_VAR_aws_access_key, TF_VAR_aws_secret_key in the env of the step 2 of job "
        "'terraform' hand the keys on under other names"
    )
    assert result.exit_code() == 1


def test_a_workflow_env_reaches_the_jobs_with_steps_only(tmp_path: Path) -> None:
    workflow = """\
on: push
env:
  TF_VAR_aws_access_key: ${{ secrets.PROD_AWS_ACCESS_KEY_ID }}
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - run: terraform plan
  notify:
    uses: ./.github/workflows/notify.yml
"""
    root = repo(
        tmp_path,
        {
            ".github/workflows/tf.yml": workflow,
            ".github/workflows/notify.yml": "on: workflow_call\njobs:\n  x:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: echo done\n",
        },
    )
    (finding,) = scan([root]).findings
    assert "in the env of the workflow" in finding.message
    assert [u.job for u in only(fix([root], options()), "tf.yml").unfixed] == ["plan"]


@pytest.mark.parametrize(
    "env",
    [
        "          TF_VAR_aws_region: ${{ secrets.AWS_REGION }}\n",
        "          TF_VAR_r2_access_key: ${{ secrets.R2_ACCESS_KEY_ID }}\n",
        "          TF_VAR_bucket: ${{ secrets.AWS_S3_BUCKET }}\n",
        # an emulator's endpoint beside them: not AWS's keys
        HANDED_ON + "          AWS_ENDPOINT_URL: http://localhost:4566\n",
    ],
)
def test_other_values_are_not_keys_handed_on(tmp_path: Path, env: str) -> None:
    assert scan([_root(tmp_path, env)]).findings == ()


GITLAB_JOB = """\
apply:
  image: hashicorp/terraform:1.9
  variables:
    TF_VAR_aws_access_key: VALUE
  script:
    - terraform apply -auto-approve
"""


@pytest.mark.parametrize(
    "value",
    ["$PROD_AWS_ACCESS_KEY_ID", "${AWS_SECRET_KEY}", "$AWS_ACCESS_KEY_ID", "$CI_AWS_KEY_ID"],
)
def test_a_gitlab_variable_set_from_a_key_variable_hands_the_keys_on(
    tmp_path: Path, value: str
) -> None:
    # GitLab's CI/CD variables are what GitHub's secrets are: one named for an AWS key,
    # re-exported under another name, is the key (it was found only as $AWS_ACCESS_KEY_ID).
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_JOB.replace("VALUE", value)})
    (finding,) = scan([root]).findings
    assert finding.check == "gitlab-static-aws-keys"
    assert finding.message.startswith(
        f"job 'apply': TF_VAR_aws_access_key re-exports ${value.strip('${}')} under another name"
    )
    (unfixed,) = only(fix([root], options()), ".gitlab-ci.yml").unfixed
    assert "needs the key pair itself" in unfixed.reason


@pytest.mark.parametrize("value", ["$AWS_DEFAULT_REGION", "$AWS_KMS_KEY_ID", "$TF_STATE_BUCKET"])
def test_a_gitlab_variable_set_from_another_variable_is_not_a_key(
    tmp_path: Path, value: str
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": GITLAB_JOB.replace("VALUE", value)})
    assert scan([root]).findings == ()
