"""CI files of platforms other than GitHub and GitLab: found where each platform reads them,
read for literal keys, CircleCI and Bitbucket jobs judged for long-lived keys, never
rewritten, and never silently clean.

The CircleCI and Bitbucket files are written after the vendors' documented examples:
https://circleci.com/docs/openid-connect-tokens/ and
https://circleci.com/developer/orbs/orb/circleci/aws-cli (aws-cli/setup with role_arn),
https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
and https://bitbucket.org/atlassian/aws-s3-deploy (the pipe with keys or with
AWS_OIDC_ROLE_ARN), https://buildkite.com/docs/pipelines/security/oidc/aws (the plugin).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.errors import InputError
from keyless.findings import FileLocation, Finding
from keyless.render.sarif import scan_sarif
from keyless.render.workflows import fix_json, scan_json, scan_text
from keyless.workflows import fix, scan
from keyless.workflows.discovery import discover
from keyless.workflows.model import Coverage, Platform
from keyless.workflows.platform_guess import guess_platform

from .builders import CIRCLECI_KEYS, options, repo

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
KEY_ID = "AKIA" + "Q7ZK3M2PLX9RT4VW"  # key-shaped, not a real key
SECRET = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYq1w2e3r4t5"  # 40 characters, mixed


def _schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return document


def _located(findings: tuple[Finding, ...] | list[Finding], check: str) -> list[tuple[int, int]]:
    out = []
    for finding in findings:
        location = finding.location
        assert isinstance(location, FileLocation)
        if finding.check == check:
            out.append((location.line, location.column))
    return out


CIRCLECI_OIDC = """
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@4.1.3
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
      - aws-cli/setup:
          profile_name: OIDC-USER
          role_arn: arn:aws:iam::123456789012:role/circleci
      - run: aws s3 ls --profile OIDC-USER
workflows:
  main:
    jobs:
      - deploy:
          context: aws-oidc
"""

BITBUCKET_KEYS = """
pipelines:
  branches:
    main:
      - step:
          name: Deploy to S3
          script:
            - pipe: atlassian/aws-s3-deploy:1.1.0
              variables:
                AWS_ACCESS_KEY_ID: $AWS_ACCESS_KEY_ID
                AWS_SECRET_ACCESS_KEY: $AWS_SECRET_ACCESS_KEY
                AWS_DEFAULT_REGION: us-east-1
                S3_BUCKET: my-bucket
                LOCAL_PATH: build
"""

BITBUCKET_OIDC = """
pipelines:
  default:
    - step:
        name: Deploy to S3 with OIDC
        oidc: true
        script:
          - pipe: atlassian/aws-s3-deploy:1.1.0
            variables:
              AWS_DEFAULT_REGION: us-east-1
              AWS_OIDC_ROLE_ARN: arn:aws:iam::123456789012:role/bitbucket
              S3_BUCKET: my-bucket
              LOCAL_PATH: build
    - step:
        name: test oidc by hand
        oidc: true
        image: amazon/aws-cli
        script:
          - export AWS_REGION=us-west-2
          - export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/bucket-test
          - export AWS_WEB_IDENTITY_TOKEN_FILE=$(pwd)/web-identity-token
          - echo $BITBUCKET_STEP_OIDC_TOKEN > $(pwd)/web-identity-token
          - aws sts get-caller-identity
"""


# Discovery ------------------------------------------------------------------------------


def test_the_reported_circleci_repository_is_scanned_not_reported_clean(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".circleci/config.yml": f"""
            version: 2.1
            jobs:
              build:
                docker:
                  - image: cimg/base:stable
                environment:
                  AWS_ACCESS_KEY_ID: {KEY_ID}
                steps: [checkout]
            """
        },
    )
    from_directory = scan([root])
    from_file = scan([root / ".circleci" / "config.yml"])
    for result in (from_directory, from_file):
        assert [f.kind for f in result.files] == ["circleci"]
        assert _located(result.findings, "workflow-hardcoded-aws-key") == [(7, 26)]
        assert _located(result.findings, "circleci-static-aws-keys") == [(7, 7)]
        assert all(KEY_ID not in f.message for f in result.findings)


def test_every_well_known_ci_file_is_found_with_its_platform(tmp_path: Path) -> None:
    files = {
        ".circleci/config.yml": CIRCLECI_OIDC,
        ".circleci/README.md": "not a pipeline\n",
        "bitbucket-pipelines.yml": BITBUCKET_OIDC,
        ".buildkite/pipeline.yml": "steps:\n  - command: make\n",
        ".buildkite/deploy.yaml": "steps:\n  - command: make deploy\n",
        "azure-pipelines.yml": "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps: []\n",
        ".travis.yml": "language: python\nscript: pytest\n",
        "infra/buildspec.yml": "version: 0.2\nphases: {build: {commands: [make]}}\n",
        "Jenkinsfile": "pipeline { agent any }\n",
        ".drone.yml": "kind: pipeline\nname: default\nsteps: []\n",
    }
    found = discover([repo(tmp_path, files)])
    platforms = {f.path.relative_to(tmp_path).as_posix(): f.platform for f in found.files}
    assert platforms == {
        ".circleci/config.yml": Platform.CIRCLECI,
        "bitbucket-pipelines.yml": Platform.BITBUCKET,
        ".buildkite/pipeline.yml": Platform.BUILDKITE,
        ".buildkite/deploy.yaml": Platform.BUILDKITE,
        "azure-pipelines.yml": Platform.AZURE,
        ".travis.yml": Platform.TRAVIS,
        "infra/buildspec.yml": Platform.CODEBUILD,
        "Jenkinsfile": Platform.JENKINS,
        ".drone.yml": Platform.DRONE,
    }
    assert found.unread == ()


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("kind: pipeline\ntype: docker\nsteps: []\n", Platform.DRONE),
        ("version: 0.2\nphases:\n  build:\n    commands: [make]\n", Platform.CODEBUILD),
        ("pipelines:\n  default: []\n", Platform.BITBUCKET),
        (
            "version: 2.1\njobs:\n  a: {docker: [{image: x}], steps: [checkout]}\n",
            Platform.CIRCLECI,
        ),
        ("on: push\njobs:\n  a: {runs-on: ubuntu-latest, steps: []}\n", Platform.GITHUB),
        ("trigger: [main]\njobs:\n  - job: a\n", Platform.AZURE),
        ("language: node_js\nscript: npm test\n", Platform.TRAVIS),
        ("steps:\n  - command: make\n", Platform.BUILDKITE),
        ("deploy:\n  stage: deploy\n  script: [make]\n", Platform.GITLAB),
        (
            "stages: [build, deploy]\ninclude:\n  - template: Auto-DevOps.gitlab-ci.yml\n"
            "deploy:\n  stage: deploy\n  needs:\n    - job: build\n  script: [make]\n",
            Platform.GITLAB,
        ),
        ("stages:\n- stage: Build\n  jobs:\n  - job: A\n    steps: []\n", Platform.AZURE),
        ("jobs:\n- job: A\n  steps:\n  - script: make\n", Platform.AZURE),
        ("name: not a pipeline\nversion: 3\n", None),
    ],
)
def test_a_file_given_directly_is_classified_by_its_documented_keywords(
    text: str, platform: Platform | None
) -> None:
    assert guess_platform(text) is platform


def test_a_file_no_platform_recognises_is_not_read_as_gitlab(tmp_path: Path) -> None:
    root = repo(tmp_path, {"settings.yml": "name: app\nreplicas: 3\n", "ci.yml": BITBUCKET_KEYS})
    result = scan([root / "settings.yml", root / "ci.yml"])
    assert [f.kind for f in result.files] == ["bitbucket"]
    assert [u.where for u in result.unread] == [str(root / "settings.yml")]
    assert "not recognised as a CI file" in result.unread[0].reason
    with pytest.raises(InputError, match="not recognised as a CI file"):
        scan([root / "settings.yml"])


def test_a_file_the_gitlab_pipeline_includes_is_gitlab_whatever_its_content(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": "include:\n  - local: ci/keys.yml\njob:\n  script: [make]\n",
            "ci/keys.yml": "variables:\n  AWS_ACCESS_KEY_ID: $DEPLOY_KEY\n",
            "ci/other.yml": "variables:\n  AWS_ACCESS_KEY_ID: $DEPLOY_KEY\n",
        },
    )
    result = scan([root / "ci" / "keys.yml", root / "ci" / "other.yml"])
    assert [(f.path.name, f.kind) for f in result.files] == [("keys.yml", "gitlab")]
    assert [f.check for f in result.findings] == ["gitlab-static-aws-keys"]
    assert [u.where for u in result.unread] == [str(root / "ci" / "other.yml")]


def test_a_circleci_directory_linked_outside_the_paths_is_unread_and_one_inside_is_read(
    tmp_path: Path,
) -> None:
    outside = repo(tmp_path / "outside", {"config.yml": CIRCLECI_KEYS})
    root = repo(tmp_path / "app", {".travis.yml": "language: c\n"})
    (root / ".circleci").symlink_to(outside, target_is_directory=True)
    result = scan([root])
    assert [u.reason for u in result.unread] == [
        "a symbolic link that leads outside the paths given"
    ]
    assert [f.kind for f in result.files] == ["travis"]
    inside = repo(tmp_path / "other", {"shared/config.yml": CIRCLECI_KEYS})
    (inside / ".circleci").symlink_to(inside / "shared", target_is_directory=True)
    assert [f.kind for f in scan([inside]).files] == ["circleci"]


def test_a_fifo_or_directory_in_a_well_known_place_is_unread_never_clean(tmp_path: Path) -> None:
    root = repo(tmp_path, {"Jenkinsfile": f'env.AWS_ACCESS_KEY_ID = "{KEY_ID}"\n'})
    (root / ".circleci").mkdir()
    os.mkfifo(root / ".circleci" / "config.yml")
    (root / "bitbucket-pipelines.yml").mkdir()
    result = scan([root])
    assert sorted(u.reason for u in result.unread) == [
        "a directory, not a CI file; not read",
        "not a regular file (a FIFO, device or socket); skipped",
    ]
    assert not result.is_complete


# CircleCI -----------------------------------------------------------------------------


def test_circleci_orb_without_a_role_is_reported_and_the_oidc_recipe_is_not(
    tmp_path: Path,
) -> None:
    keys = scan([repo(tmp_path / "keys", {".circleci/config.yml": CIRCLECI_KEYS})])
    oidc = scan([repo(tmp_path / "oidc", {".circleci/config.yml": CIRCLECI_OIDC})])
    assert _located(keys.findings, "circleci-static-aws-keys") == [(10, 9)]
    (finding,) = keys.findings
    assert isinstance(finding.location, FileLocation)
    assert finding.location.route == "jobs.deploy.steps[1]"
    assert "aws-cli/setup without role_arn" in finding.message
    assert "circleci.com/docs/openid-connect-tokens" in finding.remediation or (
        "oidc.circleci.com" in finding.remediation
    )
    assert oidc.findings == ()


def test_circleci_orbs_are_recognised_under_any_alias_and_as_workflow_jobs(
    tmp_path: Path,
) -> None:
    config = """
    version: 2.1
    orbs:
      ecr: circleci/aws-ecr@9.0.4
      cli: circleci/aws-cli@4.1.3
    workflows:
      build-and-push:
        jobs:
          - ecr/build_and_push_image:
              repo: my-app
              region: us-east-1
          - ecr/build_and_push_image:
              name: with-role
              repo: my-app
              auth:
                - cli/setup:
                    role_arn: arn:aws:iam::123456789012:role/circleci
    """
    result = scan([repo(tmp_path, {".circleci/config.yml": config})])
    assert _located(result.findings, "circleci-static-aws-keys") == [(8, 9)]
    assert "aws-ecr/build_and_push_image" in result.findings[0].message


def test_circleci_scripts_that_use_the_keys_are_reported_at_the_line(tmp_path: Path) -> None:
    config = """
    version: 2.1
    jobs:
      deploy:
        docker: [{image: cimg/base:stable}]
        steps:
          - run:
              name: configure
              command: |
                echo "configuring"
                aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID"
                aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"
          - run: terraform apply -var "key=${AWS_SECRET_ACCESS_KEY}"
    """
    result = scan([repo(tmp_path, {".circleci/config.yml": config})])
    assert _located(result.findings, "circleci-static-aws-keys") == [(10, 13), (12, 40)]


def test_circleci_job_that_exchanges_its_oidc_token_itself_is_not_reported(
    tmp_path: Path,
) -> None:
    # The shape of CircleCI's own "authenticate and interact" example.
    config = """
    version: 2.1
    jobs:
      deploy:
        docker: [{image: amazon/aws-cli}]
        environment:
          AWS_DEFAULT_REGION: us-east-1
          AWS_ROLE_ARN: arn:aws:iam::123456789012:role/circleci
        steps:
          - run:
              name: authenticate-and-interact
              command: |
                read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< \\
                  $(aws sts assume-role-with-web-identity \\
                   --role-arn ${AWS_ROLE_ARN} \\
                   --web-identity-token $CIRCLE_OIDC_TOKEN \\
                   --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' \\
                   --output text)
                export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
                aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID
                aws sts get-caller-identity
    """
    assert scan([repo(tmp_path, {".circleci/config.yml": config})]).findings == ()


def test_circleci_placeholder_keys_for_an_emulator_are_not_reported(tmp_path: Path) -> None:
    config = """
    version: 2.1
    jobs:
      test:
        docker:
          - image: cimg/python:3.12
            environment:
              AWS_ACCESS_KEY_ID: testing
              AWS_SECRET_ACCESS_KEY: testing
          - image: localstack/localstack
        steps: [checkout, {run: pytest}]
    """
    assert scan([repo(tmp_path, {".circleci/config.yml": config})]).findings == ()


# Bitbucket ----------------------------------------------------------------------------


def test_bitbucket_pipe_given_keys_is_reported_and_the_oidc_recipes_are_not(
    tmp_path: Path,
) -> None:
    keys = scan([repo(tmp_path / "keys", {"bitbucket-pipelines.yml": BITBUCKET_KEYS})])
    oidc = scan([repo(tmp_path / "oidc", {"bitbucket-pipelines.yml": BITBUCKET_OIDC})])
    (finding,) = keys.findings
    assert finding.check == "bitbucket-static-aws-keys"
    assert _located(keys.findings, "bitbucket-static-aws-keys") == [(9, 17)]
    assert isinstance(finding.location, FileLocation)
    assert finding.location.route == (
        "pipelines.branches.main[0].step.script[0].variables.AWS_ACCESS_KEY_ID"
    )
    assert "atlassian/aws-s3-deploy" in finding.message
    assert "`oidc: true` nor AWS_OIDC_ROLE_ARN" in finding.message
    assert oidc.findings == ()


def test_bitbucket_oidc_on_the_step_without_the_role_for_the_pipe_still_uses_keys(
    tmp_path: Path,
) -> None:
    text = BITBUCKET_KEYS.replace("name: Deploy to S3", "name: Deploy to S3\n          oidc: true")
    result = scan([repo(tmp_path, {"bitbucket-pipelines.yml": text})])
    (finding,) = result.findings
    assert "(long-lived keys; no AWS_OIDC_ROLE_ARN)" in finding.message


def test_bitbucket_steps_in_definitions_ecr_images_and_scripts(tmp_path: Path) -> None:
    text = """
    definitions:
      steps:
        - step: &deploy
            name: deploy
            image:
              name: 123456789012.dkr.ecr.us-east-1.amazonaws.com/builder:latest
              aws:
                access-key: $AWS_ACCESS_KEY_ID
                secret-key: $AWS_SECRET_ACCESS_KEY
            script:
              - aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID
              - ./deploy.sh
    pipelines:
      branches:
        main:
          - step: *deploy
        release/*:
          - parallel:
              - step: *deploy
    """
    result = scan([repo(tmp_path, {"bitbucket-pipelines.yml": text})])
    # Each written once, though the step is used twice.
    assert _located(result.findings, "bitbucket-static-aws-keys") == [(8, 13), (11, 13)]


def test_bitbucket_custom_pipeline_that_asks_for_the_keys_is_reported(tmp_path: Path) -> None:
    text = """
    pipelines:
      custom:
        manual-deploy:
          - variables:
              - name: ENVIRONMENT
                default: staging
              - name: AWS_ACCESS_KEY_ID
              - name: AWS_SECRET_ACCESS_KEY
          - step:
              script:
                - ./deploy.sh "$ENVIRONMENT"
    """
    result = scan([repo(tmp_path, {"bitbucket-pipelines.yml": text})])
    assert _located(result.findings, "bitbucket-static-aws-keys") == [(7, 13), (8, 13)]
    assert "asks for AWS_ACCESS_KEY_ID when it is run" in result.findings[0].message


# Literal keys only --------------------------------------------------------------------


def test_files_read_for_literal_keys_only_say_so_in_every_format(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".travis.yml": "language: python\nscript: make\n",
            ".circleci/config.yml": CIRCLECI_OIDC,
            ".github/workflows/ci.yml": "on: push\njobs:\n  a: {runs-on: x, steps: []}\n",
        },
    )
    result = scan([root])
    assert result.findings == ()
    text = scan_text(result)
    assert text.endswith("0 finding(s) in 3 file(s); 1 read for literal keys only\n")
    assert ".travis.yml: read for literal keys only (keyless does not analyse Travis CI jobs)" in (
        text
    )
    document = json.loads(json.dumps(scan_json(result, tmp_path)))
    jsonschema.validate(document, _schema("workflows-scan-v1"))
    assert {f["path"]: f["coverage"] for f in document["files"]} == {
        ".travis.yml": "literal-keys",
        ".circleci/config.yml": "key-use",
        ".github/workflows/ci.yml": "full",
    }
    (invocation,) = scan_sarif(result)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["note"]


def test_a_literal_only_file_that_is_not_one_yaml_document_is_still_read(tmp_path: Path) -> None:
    drone = f"""
    kind: pipeline
    name: default
    steps:
      - name: deploy
        image: plugins/s3
        environment:
          AWS_ACCESS_KEY_ID: {KEY_ID}
    ---
    kind: secret
    name: token
    """
    result = scan([repo(tmp_path, {".drone.yml": drone})])
    assert _located(result.findings, "workflow-hardcoded-aws-key") == [(7, 26)]


def test_the_buildkite_remedy_is_its_documented_plugin(tmp_path: Path) -> None:
    pipeline = f'steps:\n  - command: make\n    env:\n      AWS_SECRET_ACCESS_KEY: "{SECRET}"\n'
    found = scan([repo(tmp_path, {".buildkite/pipeline.yml": pipeline})]).findings
    (finding,) = [f for f in found if f.check == "workflow-hardcoded-aws-key"]
    assert finding.message == "a literal secret access key ([REDACTED]) is written in the file"
    assert "aws-assume-role-with-web-identity" in finding.remediation
    assert "https://buildkite.com/docs/pipelines/security/oidc/aws" in finding.remediation


def test_coverage_per_platform() -> None:
    assert {p for p in Platform if p.coverage is Coverage.FULL} == {
        Platform.GITHUB,
        Platform.GITLAB,
    }
    assert {p for p in Platform if p.coverage is Coverage.KEY_USE} == {
        Platform.CIRCLECI,
        Platform.BITBUCKET,
        Platform.BUILDKITE,
        Platform.JENKINS,
        Platform.AZURE,
    }


# Hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tail"),
    [
        ("bitbucket-pipelines.yml", "pipelines:\n  default:\n    - step: {script: [*a11]}\n"),
        (
            ".circleci/config.yml",
            "version: 2.1\njobs:\n"
            + "".join(f"  j{i}: {{steps: [*a11], environment: {{A: *a11}}}}\n" for i in range(50)),
        ),
    ],
)
def test_an_alias_bomb_costs_nothing(tmp_path: Path, name: str, tail: str) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    text = "\n".join(lines) + "\n" + tail
    # 10¹² strings if aliases were expanded: only a reading that visits each node once
    # finishes (benchmarks/bench_workflows.py measures how it grows, not a clock here).
    result = scan([repo(tmp_path, {name: text})])
    assert result.findings == ()
    assert [f.path.name for f in result.files] == [Path(name).name]


def test_a_jenkinsfile_that_is_not_utf8_or_too_large_is_unread(tmp_path: Path) -> None:
    root = repo(tmp_path, {"a/x.txt": "", "b/x.txt": "", "c/.travis.yml": "language: c\n"})
    (root / "a" / "Jenkinsfile").write_bytes(b"pipeline {\xff}\n")
    with (root / "b" / "Jenkinsfile").open("wb") as handle:
        handle.truncate(8 * 1024 * 1024)
    result = scan([root])
    assert [f.kind for f in result.files] == ["travis"]
    reasons = sorted(u.reason for u in result.unread)
    assert reasons[0].startswith("the file is")  # larger than the limit
    assert reasons[1] == "the file is not UTF-8 text (byte 10)"


# fix ----------------------------------------------------------------------------------


def test_fix_leaves_other_platforms_alone_with_a_note(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            ".circleci/config.yml": CIRCLECI_KEYS,
            ".travis.yml": "language: python\nscript: pytest\n",
        },
    )
    result = fix([root], options())
    assert result.changed == ()
    by_name = {r.file.path.name: r for r in result.files}
    circleci, travis = by_name["config.yml"], by_name[".travis.yml"]
    assert circleci.notes == ("CircleCI: keyless does not rewrite this platform's pipelines",)
    (left,) = circleci.unfixed
    assert left.reason.startswith("line 10 (jobs.deploy.steps[1]): ")
    assert "https://circleci.com/docs/openid-connect-tokens/" in left.reason
    assert travis.unfixed == ()
    assert "read for literal keys only" in travis.notes[0]
    assert result.exit_code() == 1
    document = json.loads(json.dumps(fix_json(result)))
    jsonschema.validate(document, _schema("workflows-fix-v1"))
    assert fix([root / ".travis.yml"], options()).exit_code() == 0


def test_the_cli_scan_of_a_circleci_repository_fails_the_gate(tmp_path: Path) -> None:
    root = repo(tmp_path, {".circleci/config.yml": CIRCLECI_KEYS})
    outcome = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert outcome.exit_code == 1
    assert "circleci-static-aws-keys" in outcome.output
    assert "1 finding(s) in 1 file(s)" in outcome.output


def test_sarif_with_literal_only_files_and_unread_files_is_valid(tmp_path: Path) -> None:
    sarif_schema = json.loads(
        (Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8")
    )
    root = repo(tmp_path, {".travis.yml": f"env:\n  - AWS_ACCESS_KEY_ID={KEY_ID}\n"})
    (root / ".circleci").mkdir()
    (root / ".circleci" / "config.yml").write_text("jobs: [\n")
    document = scan_sarif(scan([root]))
    jsonschema.Draft4Validator(sarif_schema).validate(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False  # the CircleCI file was not read
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error", "note"]
    assert len(document["runs"][0]["results"]) == 1
