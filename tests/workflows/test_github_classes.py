"""GitHub rewrites, one class of real-world workflow per test: region, endpoints, key pairs,
actions and scripts that need the key pair, anchors, role chaining, reusable workflows."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from keyless.findings import FileLocation, Finding
from keyless.workflows import fix, scan, write
from keyless.workflows.yamldoc import load_text

from .builders import job, only, options, reasons, repo
from .conftest import CORPUS

KEYS_IN_JOB_ENV = """
    name: deploy
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
{extra_env}
        steps:
          - uses: actions/checkout@v4
          - name: Deploy
{step_env}
            run: {command}
"""


def _workflow(
    extra_env: str = "", step_env: str = "", command: str = "aws s3 sync dist s3://site"
) -> str:
    return KEYS_IN_JOB_ENV.format(extra_env=extra_env, step_env=step_env, command=command)


def _route(finding: Finding) -> str:
    assert isinstance(finding.location, FileLocation)
    return finding.location.route


def _parsed_step(text: str, job_name: str, index: int) -> Any:
    return load_text(text, Path("w.yml")).root["jobs"][job_name]["steps"][index]


def test_region_comes_from_the_step_that_needs_aws(tmp_path: Path) -> None:
    step_env = "            env:\n              AWS_REGION: eu-west-3"
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(step_env=step_env)})
    rewrite = only(fix([root], options(region=None)), "deploy.yml")
    inserted = _parsed_step(rewrite.after, "deploy", 1)
    assert inserted["with"]["aws-region"] == "eu-west-3"


def test_region_from_job_env_is_referenced_not_copied(tmp_path: Path) -> None:
    extra = "          AWS_DEFAULT_REGION: ap-southeast-2"
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(extra_env=extra)})
    rewrite = only(fix([root], options(region="us-east-1")), "deploy.yml")
    inserted = _parsed_step(rewrite.after, "deploy", 1)
    assert inserted["with"]["aws-region"] == "${{ env.AWS_DEFAULT_REGION }}"


def test_region_comes_from_a_credentials_step_of_the_job(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            env:
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
            steps:
              - run: aws s3 ls
              - uses: aws-actions/configure-aws-credentials@v4
                with:
                  aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
                  aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
                  aws-region: ${{ vars.AWS_REGION }}
              - run: aws s3 sync dist s3://site
    """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    rewrite = only(fix([root], options(region=None)), "deploy.yml")
    inserted = _parsed_step(rewrite.after, "deploy", 0)
    assert inserted["with"]["aws-region"] == "${{ vars.AWS_REGION }}"


def test_a_file_without_region_is_left_and_the_others_are_rewritten(tmp_path: Path) -> None:
    step_env = "            env:\n              AWS_REGION: eu-west-3"
    root = repo(
        tmp_path,
        {
            ".github/workflows/a.yml": _workflow(),
            ".github/workflows/b.yml": _workflow(step_env=step_env),
        },
    )
    result = fix([root], options(region=None))
    assert not only(result, "a.yml").changed
    assert "pass --region" in reasons(only(result, "a.yml"), "deploy")
    assert only(result, "b.yml").changed
    assert result.exit_code() == 1


@pytest.mark.parametrize(
    "extra_env",
    [
        "          AWS_ENDPOINT_URL: https://minio.internal:9000",
        "          S3_ENDPOINT: https://nyc3.digitaloceanspaces.com",
    ],
)
def test_keys_for_an_s3_compatible_store_are_not_work_for_a_person(
    tmp_path: Path, extra_env: str
) -> None:
    # The scan reports no AWS keys here, so fix neither rewrites nor lists the job.
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(extra_env=extra_env)})
    assert scan([root]).findings == ()
    rewrite = only(fix([root], options()), "deploy.yml")
    assert not rewrite.changed
    assert rewrite.unfixed == ()
    assert any("S3-compatible store, not AWS" in note for note in rewrite.notes)


def test_a_step_s_endpoint_leaves_the_job_s_keys_to_a_person(tmp_path: Path) -> None:
    # The job's own keys are reported (one step's endpoint does not make them not AWS's
    # while another step calls AWS with them), and the job is not rewritten: that step
    # would break.
    command = (
        "aws s3 sync dist s3://b --endpoint-url https://acc.r2.cloudflarestorage.com\n"
        "          - run: aws s3 sync dist s3://site"
    )
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(command=command)})
    assert scan([root]).findings
    rewrite = only(fix([root], options()), "deploy.yml")
    assert not rewrite.changed
    why = reasons(rewrite, "deploy")
    assert "a step sends its keys to another store" in why
    assert "r2." in why


def test_an_aws_vpc_endpoint_is_still_aws(tmp_path: Path) -> None:
    extra = (
        "          AWS_ENDPOINT_URL_S3: https://bucket.vpce-1a2b.s3.us-east-1.vpce.amazonaws.com"
    )
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(extra_env=extra)})
    assert only(fix([root], options()), "deploy.yml").changed


def test_keys_named_after_another_store_are_not_work_for_a_person(tmp_path: Path) -> None:
    text = _workflow().replace("secrets.AWS_ACCESS_KEY_ID", "secrets.R2_ACCESS_KEY_ID")
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    rewrite = only(fix([root], options()), "deploy.yml")
    assert (rewrite.changed, rewrite.unfixed) == (False, ())


def test_two_key_pairs_in_one_job_are_not_merged_into_one_role(tmp_path: Path) -> None:
    step_env = (
        "            env:\n"
        "              AWS_ACCESS_KEY_ID: ${{ secrets.BACKUP_KEY_ID }}\n"
        "              AWS_SECRET_ACCESS_KEY: ${{ secrets.BACKUP_SECRET }}"
    )
    root = repo(tmp_path, {".github/workflows/deploy.yml": _workflow(step_env=step_env)})
    rewrite = only(fix([root], options()), "deploy.yml")
    assert not rewrite.changed
    assert "2 different key pairs" in reasons(rewrite, "deploy")


def test_keys_a_job_overrides_are_one_key_pair(tmp_path: Path) -> None:
    # The job's env overrides the workflow's AWS_ACCESS_KEY_ID for all its steps: the job
    # sees one key pair, its own, and is rewritten.
    text = """
        on:
          push:
            branches: [main]
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.DEV_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.DEV_SECRET }}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            env:
              AWS_ACCESS_KEY_ID: ${{ secrets.PROD_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.PROD_SECRET }}
            steps:
              - uses: actions/checkout@v4
              - run: aws s3 sync dist s3://site
        """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    rewrite = only(fix([root], options()), "deploy.yml")
    assert "different key pairs" not in reasons(rewrite, "deploy")
    assert rewrite.changed
    assert "secrets.PROD_KEY_ID" not in rewrite.after


def test_an_action_that_drops_the_session_token_is_reported(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          site:
            runs-on: ubuntu-latest
            env:
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              AWS_REGION: us-east-1
            steps:
              - uses: jakejarvis/s3-sync-action@v0.5.1
                env:
                  AWS_S3_BUCKET: site
    """
    root = repo(tmp_path, {".github/workflows/site.yml": text})
    rewrite = only(fix([root], options()), "site.yml")
    assert not rewrite.changed
    assert "cannot use temporary credentials" in reasons(rewrite, "site")


@pytest.mark.parametrize(
    "script",
    [
        "aws configure set aws_access_key_id ${{ secrets.AWS_ACCESS_KEY_ID }} --profile ci",
        "mkdir -p ~/.aws\n"
        "cat > ~/.aws/credentials <<EOF\n"
        "[default]\n"
        "aws_access_key_id = $AWS_ACCESS_KEY_ID\n"
        "aws_secret_access_key = $AWS_SECRET_ACCESS_KEY\n"
        "EOF",
        'echo "aws_secret_access_key=${{ secrets.AWS_SECRET }}" >> ~/.aws/credentials',
    ],
)
def test_keys_written_into_a_profile_by_a_script_are_found_and_left(
    tmp_path: Path, script: str
) -> None:
    indented = "\n".join("              " + line for line in script.splitlines())
    text = (
        "on: push\njobs:\n  ops:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - run: |\n{indented}\n      - run: aws s3 ls --region us-east-1\n"
    )
    root = repo(tmp_path, {".github/workflows/ops.yml": text})
    found = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys-env"]
    rewrite = only(fix([root], options()), "ops.yml")
    assert [_route(f) for f in found] == ["jobs.ops.steps[0].run"]
    assert not rewrite.changed
    assert "rewrite it by hand" in reasons(rewrite, "ops")


def test_a_script_that_writes_the_session_token_too_is_not_a_finding(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          ops:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID"
                  aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"
                  aws configure set aws_session_token "$AWS_SESSION_TOKEN"
    """
    root = repo(tmp_path, {".github/workflows/ops.yml": text})
    assert scan([root]).findings == ()


ANCHORED = """
    on:
      push:
        branches: [main]
    env:
      AWS_REGION: us-east-1
    jobs:
      build:
        runs-on: ubuntu-latest
        env: &aws
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        steps:
          - run: aws s3 cp build.zip s3://artifacts/
      deploy:
        needs: build
        runs-on: ubuntu-latest
        env:
          <<: *aws
          STAGE: prod
        steps:
          - run: DEPLOY
"""


# GitHub Actions reads anchors and aliases but rejects merge keys (YAML 1.1):
# https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#yaml-anchors-and-aliases
# documents no merge, and https://github.com/actions/runner/issues/1182 (GitHub's staff)
# says they are not supported. ANCHORED does not run on GitHub as written.
DOES_NOT_RUN = (
    "the workflow does not run on GitHub as written: GitHub Actions does not accept the "
    "YAML merge key (<<) on line 18"
)


def test_keys_merged_into_env_are_found_where_written(tmp_path: Path) -> None:
    # The secrets are configured whether the file runs or not: the keys are reported.
    root = repo(tmp_path, {".github/workflows/cd.yml": ANCHORED.replace("DEPLOY", "make deploy")})
    found = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys-env"]
    assert [_route(f) for f in found] == ["jobs.build.env.AWS_ACCESS_KEY_ID"]


def test_a_workflow_with_a_merge_key_is_said_not_to_run_on_github(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/workflows/cd.yml": ANCHORED.replace("DEPLOY", "make deploy")})
    (finding,) = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys-env"]
    assert finding.message.endswith(DOES_NOT_RUN)


#: ANCHORED with an alias (which GitHub accepts) where it merges.
ALIASED = ANCHORED.replace(
    "        env:\n          <<: *aws\n          STAGE: prod\n", "        env: *aws\n"
)


def test_a_workflow_with_only_aliases_runs_on_github(tmp_path: Path) -> None:
    text = ALIASED.replace("DEPLOY", "make deploy")
    root = repo(tmp_path, {".github/workflows/cd.yml": text})
    (finding,) = [f for f in scan([root]).findings if f.check == "workflow-static-aws-keys-env"]
    assert "does not run" not in finding.message


def test_a_workflow_with_a_merge_key_is_not_rewritten(tmp_path: Path) -> None:
    # A rewrite would hand out a file GitHub still refuses: a person must remove the merge.
    root = repo(tmp_path, {".github/workflows/cd.yml": ANCHORED.replace("DEPLOY", "make deploy")})
    rewrite = only(fix([root], options()), "cd.yml")
    assert not rewrite.changed
    assert rewrite.jobs == ()
    for name in ("build", "deploy"):
        assert reasons(rewrite, name) == f"{DOES_NOT_RUN}: rewrite it by hand"


def test_an_anchor_shared_with_a_job_left_as_it_is_is_not_edited(tmp_path: Path) -> None:
    deploy = "aws s3 sync . s3://b --endpoint-url https://minio.local:9000"
    root = repo(tmp_path, {".github/workflows/cd.yml": ALIASED.replace("DEPLOY", deploy)})
    rewrite = only(fix([root], options()), "cd.yml")
    assert not rewrite.changed
    assert "shares the keys written at jobs.build.env" in reasons(rewrite, "build")


def test_role_chaining_keeps_the_role_and_asks_for_its_trust(tmp_path: Path) -> None:
    text = """
        on:
          push:
            branches: [main]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/configure-aws-credentials@v4
                with:
                  aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
                  aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
                  role-to-assume: arn:aws:iam::210987654321:role/deployer
                  aws-region: us-east-1
              - run: cdk deploy
    """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    rewrite = only(fix([root], options()), "deploy.yml")
    rewritten = job(rewrite, "deploy")
    step = load_text(rewrite.after, Path("w")).root["jobs"]["deploy"]["steps"][0]["with"]
    assert dict(step) == {
        "role-to-assume": "arn:aws:iam::210987654321:role/deployer",
        "aws-region": "us-east-1",
    }
    assert (rewritten.chained, rewritten.account) == (True, "210987654321")
    assert any("role chaining" in note for note in rewritten.notes)


def test_env_keys_used_by_a_credentials_step_to_assume_a_role_are_role_chaining(
    tmp_path: Path,
) -> None:
    text = """
        on:
          push:
            branches: [main]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            env:
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
            steps:
              - uses: aws-actions/configure-aws-credentials@v4
                with:
                  role-to-assume: arn:aws:iam::210987654321:role/deployer
                  aws-region: us-east-1
              - run: cdk deploy
    """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    rewritten = job(only(fix([root], options()), "deploy.yml"), "deploy")
    assert (rewritten.role, rewritten.chained, rewritten.account) == (
        "arn:aws:iam::210987654321:role/deployer",
        True,
        "210987654321",
    )


def test_a_reusable_workflow_elsewhere_is_reported_with_caller_and_callee(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          release:
            uses: acme/pipelines/.github/workflows/release.yml@v3
            secrets:
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    """
    root = repo(tmp_path, {".github/workflows/ci.yml": text})
    result = fix([root], options())
    why = reasons(only(result, "ci.yml"), "release")
    assert "acme/pipelines/.github/workflows/release.yml@v3" in why
    assert "another repository" in why
    assert result.exit_code() == 1


def test_another_action_given_the_keys_is_left_whole(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          lambda:
            runs-on: ubuntu-latest
            steps:
              - uses: appleboy/lambda-action@v0.2.0
                with:
                  aws_access_key_id: ${{ secrets.AWS_ACCESS_KEY_ID }}
                  aws_secret_access_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
                  function_name: thumbnailer
    """
    root = repo(tmp_path, {".github/workflows/lambda.yml": text})
    rewrite = only(fix([root], options()), "lambda.yml")
    assert not rewrite.changed
    assert "appleboy/lambda-action" in reasons(rewrite, "lambda")


@pytest.mark.parametrize(
    ("inputs", "keys"),
    [
        # einaregilsson/beanstalk-deploy's names
        (
            "aws_access_key: ${{ secrets.DEPLOY_KEY }}\n"
            "aws_secret_key: ${{ secrets.DEPLOY_SECRET }}",
            "aws_access_key, aws_secret_key",
        ),
        # kciter/aws-ecr-action's names: only the secrets say they are AWS keys
        (
            "access_key_id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
            "secret_access_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}",
            "access_key_id, secret_access_key",
        ),
        # a local composite action's own input names
        (
            "access-key: ${{ secrets.PROD_AWS_KEY }}\nsecret-key: ${{ secrets.PROD_AWS_SECRET }}",
            "access-key, secret-key",
        ),
        # docker/build-push-action's build arguments (baked into the image's history)
        (
            "build-args: AWS_ACCESS_KEY_ID=${{ secrets.AWS_ACCESS_KEY_ID }}",
            "build-args",
        ),
    ],
)
def test_another_action_given_keys_under_other_names_is_reported(
    tmp_path: Path, inputs: str, keys: str
) -> None:
    given = "\n".join(" " * 18 + line for line in inputs.splitlines())
    text = f"""
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: some-org/deploy-action@v2
                with:
{given}
                  region: us-east-1
    """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    (finding,) = scan([root]).findings
    assert finding.check == "workflow-static-aws-keys-env"
    assert f"({keys})" in finding.message


def test_another_action_given_other_secrets_or_temporary_keys_is_not_reported(
    tmp_path: Path,
) -> None:
    text = """
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: aws-actions/configure-aws-credentials@v4
                with:
                  role-to-assume: arn:aws:iam::111122223333:role/deploy
                  aws-region: us-east-1
              - uses: some-org/deploy-action@v2
                with:
                  access-key: ${{ env.AWS_ACCESS_KEY_ID }}
                  account: ${{ secrets.AWS_ACCOUNT_ID }}
                  role: ${{ secrets.AWS_ROLE_ARN }}
                  token: ${{ secrets.LAWS_KEY }}
                  secret-ids: ${{ secrets.AWS_SECRET_ARN }}
                  kms-key: ${{ vars.AWS_KMS_KEY_ID }}
    """
    root = repo(tmp_path, {".github/workflows/deploy.yml": text})
    assert scan([root]).findings == ()


def test_keys_in_the_env_of_a_job_container_are_reported(tmp_path: Path) -> None:
    text = """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            container:
              image: node:20
              env:
                AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
                AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
            services:
              localstack:
                image: localstack/localstack
                env:
                  AWS_ACCESS_KEY_ID: test
                  AWS_SECRET_ACCESS_KEY: test
            steps:
              - run: npm run deploy
    """
    root = repo(tmp_path, {".github/workflows/build.yml": text})
    (finding,) = scan([root]).findings
    assert finding.check == "workflow-static-aws-keys-env"
    assert "container of job 'build'" in finding.message
    assert _route(finding) == "jobs.build.container.env.AWS_ACCESS_KEY_ID"


@pytest.mark.parametrize(
    "step_env",
    [
        "",
        "        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.KEY }}\n",
        # the step's keys are for R2: the container's are still reported, so still left
        "        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.R2_ACCESS_KEY_ID }}\n"
        "          AWS_SECRET_ACCESS_KEY: ${{ secrets.R2_SECRET_ACCESS_KEY }}\n"
        "          AWS_ENDPOINT_URL: https://acct.r2.cloudflarestorage.com\n",
    ],
)
def test_fix_leaves_a_job_with_keys_in_its_container_env_to_a_person(
    tmp_path: Path, step_env: str
) -> None:
    text = (
        """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: node:20
      env:
        AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
        AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: npm run deploy
"""
        + step_env
    )
    root = repo(tmp_path, {".github/workflows/build.yml": text})
    assert scan([root]).findings != ()
    result = fix([root], options())
    rewrite = only(result, "build.yml")
    assert "keys in the job's container/services env: rewrite by hand" in reasons(rewrite, "build")
    assert (rewrite.changed, rewrite.jobs) == (False, ())
    assert result.unfixed != ()


def test_a_local_composite_action_is_not_edited(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "gh-composite-action" / "input", tmp_path / "repo")
    action = tmp_path / "repo" / ".github" / "actions" / "deploy" / "action.yml"
    before = action.read_text()
    result = fix([tmp_path / "repo"], options())
    write(result)
    assert action.read_text() == before
    assert [j.job for j in only(result, "site.yml").jobs] == ["deploy"]


def test_a_composite_action_that_puts_the_keys_in_env_leaves_the_job(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "gh-composite-action" / "input", tmp_path / "repo")
    action = tmp_path / "repo" / ".github" / "actions" / "deploy" / "action.yml"
    action.write_text(
        action.read_text().replace(
            "      shell: bash\n",
            "      shell: bash\n      env:\n"
            "        AWS_ACCESS_KEY_ID: ${{ inputs.aws-access-key-id }}\n",
        )
    )
    rewrite = only(fix([tmp_path / "repo"], options()), "site.yml")
    assert not rewrite.changed
    assert "uses its input aws-access-key-id other than" in reasons(rewrite, "deploy")
