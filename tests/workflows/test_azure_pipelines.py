"""Azure Pipelines read for key use (``key-use``), after the shapes Microsoft and the AWS
Toolkit for Azure DevOps document: secret variables mapped into a step's ``env:``
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/set-secret-variables),
key variables in ``variables:``, scripts that read them, and toolkit tasks given an AWS
service connection (https://docs.aws.amazon.com/vsts/latest/userguide/getting-started.html).
Azure was read for literal keys only: every one of these was silent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.findings import FileLocation, Severity
from keyless.workflows import fix, scan

from .builders import options, reasons, repo

STATIC = "azure-static-aws-keys"
CONNECTION = "azure-service-connection-aws-keys"

#: Microsoft's documented way to hand a script a secret variable: map it in `env:`.
ENV_MAPPED = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
steps:
  - script: aws s3 sync build s3://my-bucket
    displayName: Upload
    env:
      AWS_ACCESS_KEY_ID: $(awsAccessKeyId)
      AWS_SECRET_ACCESS_KEY: $(awsSecretAccessKey)
"""

#: The toolkit's AWSShellScript task with a service connection (its task reference).
TOOLKIT_TASK = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
steps:
  - task: AWSShellScript@1
    inputs:
      awsCredentials: 'aws-prod'
      regionName: 'us-east-1'
      scriptType: 'inline'
      inlineScript: aws s3 ls
"""


def located(root: Path, check: str) -> list[tuple[str, int, int]]:
    result = scan([root])
    out = []
    for finding in result.findings:
        if finding.check != check:
            continue
        assert isinstance(finding.location, FileLocation)
        location = finding.location
        out.append((location.path.name, location.line, location.column))
    return out


def only_findings(root: Path) -> list[Any]:
    return [f for f in scan([root]).findings if f.check in (STATIC, CONNECTION)]


def test_secret_variables_mapped_into_a_step_env_are_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": ENV_MAPPED})
    found = only_findings(root)
    assert [(f.check, f.location.line, f.severity) for f in found] == [
        (STATIC, 8, Severity.HIGH),
        (STATIC, 9, Severity.HIGH),
    ]
    assert found[0].message == "AWS_ACCESS_KEY_ID is mapped into the env of the step 'Upload'"


def test_the_file_is_read_for_key_use(tmp_path: Path) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": ENV_MAPPED})
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root), "--format", "json"])
    document = json.loads(result.stdout)
    assert [f["coverage"] for f in document["files"]] == ["key-use"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "variables",
    [
        "variables:\n  AWS_ACCESS_KEY_ID: $(prodKey)\n",
        "variables:\n  - name: AWS.AccessKeyID\n    value: $(prodKey)\n",
        "variables:\n  ${{ if eq(variables['Build.SourceBranch'], 'refs/heads/main') }}:\n"
        "    aws_access_key_id: ${{ parameters.key }}\n",
        "variables:\n  - ${{ if true }}:\n    - name: AWS_ACCESS_KEY_ID\n      value: $(k)\n",
    ],
)
def test_key_variables_are_reported_in_every_form(tmp_path: Path, variables: str) -> None:
    text = variables + "steps:\n  - script: aws s3 ls\n"
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    (finding,) = only_findings(root)
    assert finding.check == STATIC
    assert "is set in the file's top-level variables" in finding.message


@pytest.mark.parametrize(
    "variables",
    [
        "variables:\n  - group: aws-prod\n",  # a variable group: the file cannot show it
        "variables:\n  AWS_ACCESS_KEY_ID: test\n",  # a placeholder (LocalStack, moto)
        "variables:\n  AWS_REGION: $(region)\n",
    ],
)
def test_what_holds_no_key_is_not_reported(tmp_path: Path, variables: str) -> None:
    text = variables + "steps:\n  - script: make\n"
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    assert only_findings(root) == []


@pytest.mark.parametrize(
    ("script", "column"),
    [
        ("bash: aws configure set aws_access_key_id $(AWS_ACCESS_KEY_ID)", 11),
        ("pwsh: Write-Host $env:AWS_SECRET_ACCESS_KEY", 22),
        ("script: curl -u $(AWS.AccessKeyID) https://example.com", 21),
    ],
)
def test_a_script_that_reads_the_keys_is_reported(tmp_path: Path, script: str, column: int) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": f"steps:\n  - {script}\n"})
    assert located(root, STATIC) == [("azure-pipelines.yml", 2, column)]


def test_a_script_with_a_session_token_is_not_reported(tmp_path: Path) -> None:
    text = (
        "steps:\n  - bash: aws s3 ls\n    env:\n      AWS_SESSION_TOKEN: $(token)\n"
        "  - bash: echo $AWS_ACCESS_KEY_ID $AWS_SESSION_TOKEN\n"
    )
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    assert only_findings(root) == []


def test_a_toolkit_task_with_a_service_connection_is_low_with_what_to_check(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": TOOLKIT_TASK})
    (finding,) = only_findings(root)
    assert finding.check == CONNECTION
    assert finding.severity is Severity.LOW
    assert (finding.location.line, finding.location.column) == (7, 7)
    assert finding.message == (
        "a step runs 'AWSShellScript' with the AWS service connection 'aws-prod': it holds "
        "an IAM user's access key unless it is set to use OIDC, which the file cannot show"
    )


def test_a_toolkit_task_without_a_connection_is_not_reported(tmp_path: Path) -> None:
    text = TOOLKIT_TASK.replace("      awsCredentials: 'aws-prod'\n", "")
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    assert only_findings(root) == []


def test_steps_in_each_loops_and_template_parameters_are_read(tmp_path: Path) -> None:
    text = """\
    steps:
      - ${{ each target in parameters.targets }}:
        - script: aws s3 sync build s3://${{ target }}
          env:
            AWS_SECRET_ACCESS_KEY: $(secret)
      - template: build.yml
        parameters:
          after:
            - script: aws s3 ls
              env:
                AWS_ACCESS_KEY_ID: $(key)
    """
    root = repo(tmp_path, {"azure-pipelines.yml": text, "build.yml": "steps: []\n"})
    assert [f.location.line for f in only_findings(root)] == [5, 11]


def test_templates_are_followed_from_the_including_file(tmp_path: Path) -> None:
    files = {
        "azure-pipelines.yml": "stages:\n  - template: ci/stages.yml\n",
        "ci/stages.yml": "stages:\n  - stage: A\n    jobs:\n      - template: jobs.yml@self\n",
        "ci/jobs.yml": "jobs:\n  - job: B\n    steps:\n      - template: /steps/keys.yml\n",
        "steps/keys.yml": "steps:\n" + ENV_MAPPED.split("steps:\n")[1],
    }
    root = repo(tmp_path, files)
    result = scan([root])
    assert result.unread == ()
    assert {f.location.path.name for f in result.findings if f.check == STATIC} == {"keys.yml"}


def test_a_template_loop_ends(tmp_path: Path) -> None:
    files = {
        "azure-pipelines.yml": "steps:\n  - template: a.yml\n",
        "a.yml": "steps:\n  - template: b.yml\n",
        "b.yml": "steps:\n  - template: a.yml\n  - template: azure-pipelines.yml\n",
    }
    result = scan([repo(tmp_path, files)])
    assert result.unread == ()
    assert sorted(f.path.name for f in result.files) == ["a.yml", "azure-pipelines.yml", "b.yml"]


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("missing.yml", "the template does not exist (or is not a file)"),
        ("${{ parameters.template }}", "template expression or variable keyless cannot resolve"),
        ("steps.yml@templates", "a template of another repository (resources.repositories)"),
        ("../../outside.yml", "leads outside the repository"),
    ],
)
def test_a_template_that_cannot_be_read_is_unread_exit_3(
    tmp_path: Path, reference: str, reason: str
) -> None:
    (tmp_path / "outside.yml").write_text("steps: []\n")
    root = repo(
        tmp_path / "a" / "repo",
        {"azure-pipelines.yml": f"steps:\n  - template: '{reference}'\n"},
    )
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert reason in result.output


def test_at_most_a_thousand_templates_are_followed(tmp_path: Path) -> None:
    files = {"azure-pipelines.yml": "steps:\n  - template: t0.yml\n"}
    files |= {f"t{i}.yml": f"steps:\n  - template: t{i + 1}.yml\n" for i in range(1_001)}
    result = scan([repo(tmp_path, files)])
    assert len(result.files) == 1_001
    (unread,) = result.unread
    assert unread.reason == (
        "more than 1,000 Azure templates in the repository (Azure allows 100 per pipeline); "
        "keyless follows no more"
    )


def test_a_long_hostile_template_name_is_cut(tmp_path: Path) -> None:
    name = "x" * 50_000 + "\u202e.yml"
    root = repo(tmp_path, {"azure-pipelines.yml": f"steps:\n  - template: '{name}'\n"})
    (unread,) = scan([root]).unread
    assert len(unread.where) < 1_000
    assert "\u202e" not in unread.where


def test_fix_leaves_the_pipeline_with_the_reason_and_notes_the_connection(
    tmp_path: Path,
) -> None:
    text = ENV_MAPPED + TOOLKIT_TASK.split("steps:\n")[1]
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    (rewrite,) = fix([root], options()).files
    assert not rewrite.changed
    left = reasons(rewrite, None)
    assert "line 8 (steps[0].env.AWS_ACCESS_KEY_ID): AWS_ACCESS_KEY_ID is mapped" in left
    assert "OIDC token (workload identity federation)" in left
    assert len(rewrite.unfixed) == 2
    (note,) = [n for n in rewrite.notes if "service connection" in n]
    assert "'aws-prod'" in note
    assert "if it holds a key:" in note


def test_key_variables_deep_in_conditional_blocks_are_reported(tmp_path: Path) -> None:
    text, indent = "variables:\n", "  "
    for _ in range(40):
        text += f"{indent}${{{{ if true }}}}:\n"
        indent += "  "
    text += f"{indent}AWS_ACCESS_KEY_ID: $(k)\n"
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    (finding,) = only_findings(root)
    assert finding.location.line == 42


@pytest.mark.parametrize("reference", ['"a\\0b.yml"', "templates", "/"])
def test_a_template_that_is_no_file_is_unread(tmp_path: Path, reference: str) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": f"steps:\n  - template: {reference}\n"})
    (root / "templates").mkdir()
    (unread,) = scan([root]).unread
    assert "the template" in unread.reason


def test_keys_handed_on_under_another_name_are_reported(tmp_path: Path) -> None:
    text = (
        "steps:\n  - script: terraform apply\n    env:\n"
        "      TF_VAR_access_key: $(AWS_ACCESS_KEY_ID)\n"
        "      TF_VAR_secret_key: ${{ variables['AWS.SecretAccessKey'] }}\n"
        "      1: $(AWS_ACCESS_KEY_ID)\n"
        "      TF_VAR_region: $(AWS_REGION)\n"
    )
    root = repo(tmp_path, {"azure-pipelines.yml": text})
    found = only_findings(root)
    assert [f.location.line for f in found] == [4, 5, 6]
    assert found[0].message == (
        "TF_VAR_access_key is set from an AWS key variable (the keys under another name) in "
        "the env of a step"
    )


@pytest.mark.parametrize("pipeline", ["azure-pipelines.yml", ".azure-pipelines/deploy.yml"])
def test_a_template_named_on_its_own_is_azure_s(tmp_path: Path, pipeline: str) -> None:
    # A steps template's top-level `steps:` is also Buildkite's keyword: the pipeline that
    # includes it says whose it is, as GitLab's includes do.
    template = "steps:\n  - script: aws s3 ls\n    env:\n      AWS_ACCESS_KEY_ID: $(key)\n"
    files = {pipeline: "steps:\n  - template: /ci/steps.yml\n", "ci/steps.yml": template}
    root = repo(tmp_path, files)
    (root / ".git").mkdir()
    result = scan([root / "ci" / "steps.yml"])
    assert [f.kind for f in result.files] == ["azure-pipelines"]
    assert [f.check for f in result.findings] == [STATIC]


def test_a_steps_file_no_pipeline_includes_is_still_guessed(tmp_path: Path) -> None:
    root = repo(tmp_path, {"ci/steps.yml": "steps:\n  - command: make\n"})
    assert [f.kind for f in scan([root / "ci" / "steps.yml"]).files] == ["buildkite"]


def test_a_template_many_pipelines_share_counts_once(tmp_path: Path) -> None:
    files = {f".azure-pipelines/p{i}.yml": "steps:\n  - template: /t.yml\n" for i in range(120)}
    files["t.yml"] = "steps: []\n"
    result = scan([repo(tmp_path, files)])
    assert result.unread == ()
    assert len(result.files) == 121


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("5", "'5', a number"),
        ("1.50", "'1.5', a number"),
        ("2024-01-01", "'2024-01-01', a date"),
        ("true", "'True', a boolean"),
        ("[steps.yml]", "a list"),
        ("{path: steps.yml}", "a mapping"),
        ("''", "empty"),
        ("", "empty"),
    ],
)
def test_a_template_whose_value_is_no_path_is_unread_exit_3(
    tmp_path: Path, value: str, shown: str
) -> None:
    # The steps it stands for are unseen: never called clean.
    root = repo(
        tmp_path, {"azure-pipelines.yml": f"steps:\n  - script: ls\n  - template: {value}\n"}
    )
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    (unread,) = scan([root]).unread
    assert unread.where.endswith("azure-pipelines.yml: template at line 3")
    assert unread.reason == f"its value is {shown}, not a template path keyless can follow"


def test_a_parameter_or_variable_named_template_is_no_reference(tmp_path: Path) -> None:
    # Keys of `parameters:` and of `variables:` in mapping form are names: a parameter or
    # variable called `template` names no file, whatever its value.
    text = """\
        parameters:
          template: steps/none.yml
        variables:
          template: other.yml
        steps:
          - template: build.yml
            parameters:
              template: [a, b]
              steps:
                - template: missing.yml
        """
    root = repo(tmp_path, {"azure-pipelines.yml": text, "build.yml": "steps: []\n"})
    (unread,) = scan([root]).unread
    assert unread.where.endswith("template 'missing.yml'")


@pytest.mark.parametrize(
    ("files", "where"),
    [
        (
            {
                "azure-pipelines.yml": "variables:\n  - template: vars.yml\n"
                "steps:\n  - script: ls\n",
                "vars.yml": "variables:\n  AWS_ACCESS_KEY_ID: $(prodKey)\n",
            },
            "is set in the variable template's variables: the scripts of every job that "
            "includes it (in its own variables, its stage's or the pipeline's) get it",
        ),
        (
            {
                "azure-pipelines.yml": "jobs:\n  - job: deploy\n    variables:\n"
                "      AWS_ACCESS_KEY_ID: $(prodKey)\n    steps:\n      - script: ls\n"
            },
            "is set in the variables of job 'deploy': its scripts get it",
        ),
        (
            {
                "azure-pipelines.yml": "extends:\n  template: base.yml\n  parameters:\n"
                "    variables:\n      AWS_ACCESS_KEY_ID: $(prodKey)\n",
                "base.yml": "parameters:\n  - name: variables\n    type: object\n"
                "variables: ${{ parameters.variables }}\nsteps:\n  - script: ls\n",
            },
            "is set in the variables given to template 'base.yml' as a parameter: the "
            "scripts of the jobs it puts them in get it",
        ),
    ],
)
def test_key_variables_say_whose_scripts_get_them(
    tmp_path: Path, files: dict[str, str], where: str
) -> None:
    # A variable template has no jobs of its own, a job no jobs, and the parameters given
    # to a template are no block of their own: "the file's top-level variables: its jobs'
    # scripts", "the variables of job 'deploy': its jobs' scripts" and "the variables of a
    # template block" said otherwise.
    (finding,) = only_findings(repo(tmp_path, files))
    assert finding.check == STATIC
    assert where in finding.message


def test_a_variable_named_template_under_a_condition_is_no_reference(tmp_path: Path) -> None:
    # `${{ if }}` inside a mapping adds its entries to that mapping
    # (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/expressions#conditionally-assign-a-variable):
    # under `variables:` in mapping form (or a template's `parameters:`) they are names
    # still, nested conditions too; under a list they are items, which may be templates.
    # The names were taken for templates that do not exist: unread, exit 3.
    text = """\
        variables:
          buildConfiguration: Release
          ${{ if eq(variables['Build.SourceBranchName'], 'main') }}:
            template: release
          ${{ else }}:
            ${{ if eq(variables['Build.Reason'], 'PullRequest') }}:
              template: pr
        stages:
          - stage: build
            variables:
              - ${{ if eq(variables['Build.SourceBranchName'], 'main') }}:
                - template: missing-vars.yml
            jobs:
              - template: build.yml
                parameters:
                  ${{ if eq(variables['Build.Reason'], 'Manual') }}:
                    template: manual
        """
    root = repo(tmp_path, {"azure-pipelines.yml": text, "build.yml": "jobs: []\n"})
    (unread,) = scan([root]).unread
    assert unread.where.endswith("template 'missing-vars.yml'")


def test_a_variable_template_is_followed_and_read_as_azure_variables(tmp_path: Path) -> None:
    # `variables: - template: vars.yml` includes a file of variables
    # (https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/variables-template):
    # its key variables are every job's, and it is Azure's even named on its own (a
    # top-level `variables:` is GitLab's keyword too).
    files = {
        "azure-pipelines.yml": "variables:\n  - template: ci/vars.yml\nsteps:\n  - script: ls\n",
        "ci/vars.yml": "variables:\n  - name: AWS_ACCESS_KEY_ID\n    value: $(prodKeyId)\n",
    }
    root = repo(tmp_path, files)
    (root / ".git").mkdir()
    for named in (root, root / "ci" / "vars.yml"):
        result = scan([named])
        assert result.unread == ()
        (finding,) = result.findings
        assert finding.check == STATIC
        assert isinstance(finding.location, FileLocation)
        assert (finding.location.path.name, finding.location.line) == ("vars.yml", 2)
        assert "ci/vars.yml" in {str(f.path.relative_to(root)) for f in result.files}
        assert {f.kind for f in result.files} == {"azure-pipelines"}


@pytest.mark.parametrize(
    ("links", "reason"),
    [
        (3_000, "its path is a chain of symbolic links too long to follow"),
        (0, "its path is a loop of symbolic links"),
    ],
    ids=["chain", "loop"],
)
def test_a_template_behind_symbolic_links_that_cannot_be_followed_is_unread(
    tmp_path: Path, links: int, reason: str
) -> None:
    root = repo(tmp_path, {"azure-pipelines.yml": "steps:\n  - template: t/link.yml\n"})
    folder = root / "t"
    folder.mkdir()
    if links:  # link.yml -> l1 -> l2 -> … -> target.yml, deeper than Python's stack
        (folder / "target.yml").write_text("steps: []\n")
        (folder / f"l{links}").symlink_to("target.yml")
        for i in range(links - 1, 0, -1):
            (folder / f"l{i}").symlink_to(f"l{i + 1}")
        (folder / "link.yml").symlink_to("l1")
    else:
        (folder / "link.yml").symlink_to("other.yml")
        (folder / "other.yml").symlink_to("link.yml")
    result = CliRunner().invoke(cli, ["workflows", "scan", str(root)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert f"template 't/link.yml': not read: {reason}" in result.output
