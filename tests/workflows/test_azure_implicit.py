"""Azure Pipelines puts a linked variable group's non-secret variables into every
script's environment, secret ones only where ``env:`` maps them
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/variables#environment-variables):
a job linking a group and running ``aws`` on a hosted agent with no visible credential
may use the group's keys (``azure-implicit-aws-keys``, low). Such a job was clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import Severity
from keyless.workflows import fix, scan

from .builders import only, options, repo

IMPLICIT = "azure-implicit-aws-keys"

PIPELINE = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
variables:
  - group: aws-prod
steps:
  - checkout: self
  - script: |
      make build
      aws s3 sync build s3://my-bucket
    displayName: Upload
"""


def leads(root: Path) -> list[tuple[int, int, Severity, str]]:
    return [
        (f.location.line, f.location.column, f.severity, f.message)  # type: ignore[union-attr]
        for f in scan([root]).findings
        if f.check == IMPLICIT
    ]


def test_a_job_linking_a_group_and_running_aws_is_a_low_lead(tmp_path: Path) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": PIPELINE})
    ((line, column, severity, message),) = leads(root)
    assert (line, column, severity) == (10, 7, Severity.LOW)
    assert message.startswith(
        "the pipeline's job may use long-lived AWS keys from a variable group: it runs "
        "`aws s3` on a Microsoft-hosted agent"
    )
    assert "links the variable group 'aws-prod'" in message


def test_a_group_of_the_stage_reaches_its_jobs(tmp_path: Path) -> None:
    text = """\
    stages:
      - stage: Deploy
        variables:
          - ${{ if eq(variables['Build.SourceBranch'], 'refs/heads/main') }}:
            - group: aws-prod
        jobs:
          - job: Build
            steps:
              - script: make
          - deployment: Release
            environment: prod
            strategy:
              runOnce:
                deploy:
                  steps:
                    - bash: aws cloudformation deploy --template-file t.yml
    """
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    ((line, _, _, message),) = leads(root)
    assert line == 16
    assert message.startswith("job 'Release' may use long-lived AWS keys")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  - group: aws-prod\n", "  - name: region\n    value: us-east-1\n"),  # no group
        ("  vmImage: ubuntu-latest\n", "  name: build-agents\n"),  # self-hosted: a role
        ("make build", "aws sts assume-role-with-web-identity --role-arn x"),
        ("make build", "export AWS_PROFILE=ci"),
        ("s3://my-bucket", "s3://my-bucket --endpoint-url http://localhost:4566"),
        ("aws s3 sync", "aws --version; echo"),
        # the keys in the file: the explicit check's
        ("    displayName: Upload\n", "    env:\n      AWS_ACCESS_KEY_ID: $(keyId)\n"),
    ],
)
def test_what_is_not_a_lead(tmp_path: Path, old: str, new: str) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": PIPELINE.replace(old, new)})
    assert leads(root) == []


def test_a_toolkit_task_s_job_is_left_to_the_connection_check(tmp_path: Path) -> None:
    text = PIPELINE + (
        "  - task: AWSShellScript@1\n    inputs:\n      awsCredentials: aws-prod\n"
        "      scriptType: inline\n      inlineScript: aws s3 ls\n"
    )
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    assert leads(root) == []


def test_a_job_that_never_runs_is_a_low_lead_with_the_reason(tmp_path: Path) -> None:
    text = PIPELINE.replace("    displayName: Upload\n", "    condition: false\n")
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    ((_, _, _, message),) = leads(root)
    assert message.endswith("the step does not run on Azure Pipelines: its `condition:` is `false`")


def test_fix_notes_the_lead(tmp_path: Path) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": PIPELINE})
    rewrite = only(fix([root], options()), "azure-pipelines.yml")
    assert not rewrite.changed
    assert rewrite.unfixed == ()
    assert any("may use long-lived AWS keys from a variable group" in n for n in rewrite.notes)


def test_a_group_linked_in_a_variable_template_reaches_the_job(tmp_path: Path) -> None:
    # `variables: - template: ci/vars.yml` brings in what the template's variables link
    # (https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/variables-template),
    # a group among them, and its own templates' (a loop ends). The job was clean.
    files = {
        "azure-pipelines.yml": PIPELINE.replace(
            "  - group: aws-prod\n", "  - template: ci/vars.yml\n"
        ),
        "ci/vars.yml": "variables:\n  - group: aws-prod\n  - template: /ci/more.yml\n",
        "ci/more.yml": "variables:\n  - group: aws-extra\n  - template: vars.yml\n",
    }
    ((line, _, severity, message),) = leads(repo(tmp_path, files))
    assert (line, severity) == (10, Severity.LOW)
    assert "links the variable group 'aws-prod', 'aws-extra'" in message


def test_a_variable_template_without_groups_links_none(tmp_path: Path) -> None:
    files = {
        "azure-pipelines.yml": PIPELINE.replace(
            "  - group: aws-prod\n", "  - template: vars.yml\n"
        ),
        "vars.yml": "variables:\n  - name: REGION\n    value: eu-west-1\n",
    }
    assert leads(repo(tmp_path, files)) == []


@pytest.mark.parametrize("first", ["vars.yml", "more.yml"])
def test_variable_templates_in_a_loop_give_every_includer_the_loop_s_groups(
    tmp_path: Path, first: str
) -> None:
    # vars.yml links the group and includes more.yml, which includes vars.yml back: each
    # brings the other's groups, whichever file is read first. A template reached inside
    # the loop took the groups of the part read so far (none, for more.yml) for good.
    second = "more.yml" if first == "vars.yml" else "vars.yml"
    files = {
        "azure-pipelines.yml": PIPELINE.replace(
            "  - group: aws-prod\n", f"  - template: /ci/{first}\n"
        ),
        ".azure-pipelines/deploy.yml": PIPELINE.replace(
            "  - group: aws-prod\n", f"  - template: /ci/{second}\n"
        ),
        "ci/vars.yml": "variables:\n  - group: aws-prod\n  - template: more.yml\n",
        "ci/more.yml": "variables:\n  - template: vars.yml\n",
    }
    found = leads(repo(tmp_path, files))
    assert len(found) == 2
    assert all("links the variable group 'aws-prod'" in message for *_, message in found)


def test_a_long_chain_of_variable_templates_gives_the_job_its_last_group(tmp_path: Path) -> None:
    # Each template includes the next (Azure's limit is 100 files per pipeline; a
    # repository holds more): the group at the end reached the job through as many nested
    # calls, until Python's recursion limit was hit inside a path resolution, whose
    # RuntimeError was taken for an unreadable path: the groups were dropped, silently.
    depth = 300
    files = {
        "azure-pipelines.yml": PIPELINE.replace(
            "  - group: aws-prod\n", "  - template: ci/t0.yml\n"
        ),
        **{f"ci/t{i}.yml": f"variables:\n  - template: t{i + 1}.yml\n" for i in range(depth)},
        f"ci/t{depth}.yml": "variables:\n  - group: aws-prod\n",
    }
    ((*_, message),) = leads(repo(tmp_path, files))
    assert "links the variable group 'aws-prod'" in message
