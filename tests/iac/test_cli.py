"""``keyless iac`` and ``keyless trust FILE`` from the command line: exit codes, messages
for bad input, and every other file still analysed when one cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli

from .conftest import CORPUS

TIGHT_ROLE = """
resource "aws_iam_role" "lambda" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
"""

REPOSITORY_ROLE = """
variable "repository" {
  type = string
}

resource "aws_iam_role" "ci" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {
        Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
      }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.repository}:ref:refs/heads/main"
        }
      }
    }]
  })
}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_findings_at_or_above_fail_on_exit_1() -> None:
    assert run("iac", str(CORPUS / "tf-users")).exit_code == 1


def test_findings_below_fail_on_exit_0() -> None:
    assert run("iac", str(CORPUS / "tf-users"), "--fail-on", "critical").exit_code == 0


def test_clean_code_exits_0(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TIGHT_ROLE)
    result = run("iac", str(tmp_path))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "0 finding(s) in 1 file(s); nothing at or above high",
    )


def test_malformed_hcl_is_named_with_its_position_and_the_rest_still_analysed(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken" / "main.tf"
    broken.parent.mkdir()
    broken.write_text('resource "aws_iam_user" "x" {\n  name = \n}\n')
    result = run("iac", str(broken.parent), str(CORPUS / "tf-users"))
    assert result.exit_code == 3
    assert f"{broken}: malformed HCL: unexpected end of line at line 2, column 10" in result.stdout
    assert "aws_iam_access_key.ci creates an access key" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_malformed_block_nothing_refers_to_makes_the_file_not_read(tmp_path: Path) -> None:
    """A syntax error in a bucket next to a tight role: Terraform refuses the whole file,
    so keyless must not call it clean (it judged only part of it)."""
    main = tmp_path / "main.tf"
    main.write_text(TIGHT_ROLE + '\nresource "aws_s3_bucket" "b" {\n  bucket = = "x"\n}\n')
    bucket_line = TIGHT_ROLE.count("\n") + 3
    result = run("iac", str(tmp_path))
    assert result.exit_code == 3
    assert f"{main}: malformed HCL: unexpected '=' at line {bucket_line}, column 12" in (
        result.stdout
    )


def test_malformed_yaml_template_is_named_with_its_position(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text("Resources:\n  User:\n    Type: AWS::IAM::User\n   Bad: [\n")
    result = run("iac", str(template), str(CORPUS / "tf-users"))
    assert result.exit_code == 3
    assert f"{template}: malformed YAML" in result.stdout
    assert "line 4" in result.stdout


def test_malformed_json_template_is_named_with_its_position(tmp_path: Path) -> None:
    template = tmp_path / "stack.template.json"
    template.write_text('{"Resources": {"User": {"Type": "AWS::IAM::User",}}}')
    result = run("iac", str(template))
    assert result.exit_code == 3
    assert "malformed JSON: trailing comma at line 1, column 50" in result.stdout


def test_a_variable_without_default_is_reported_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(REPOSITORY_ROLE)
    result = run("iac", str(tmp_path))
    assert result.exit_code == 3
    assert "aws_iam_role.ci: trust policy not judged: var.repository" in result.stdout
    assert "the variable has no default" in result.stdout


def test_a_var_file_gives_the_value(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(REPOSITORY_ROLE)
    (tmp_path / "prod.tfvars").write_text('repository = "octo-org/app"\n')
    result = run("iac", str(tmp_path), "--var-file", str(tmp_path / "prod.tfvars"))
    assert result.exit_code == 0, result.stdout


def test_terraform_tfvars_is_loaded_as_terraform_does(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(REPOSITORY_ROLE)
    (tmp_path / "terraform.tfvars").write_text('repository = "octo-org/*"\n')
    result = run("iac", str(tmp_path), "--format", "json")
    # The value came from terraform.tfvars: under StringEquals its `*` is literal, a subject
    # no token carries (no GitHub owner or repository name holds a `*`).
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert any("'repo:octo-org/*:ref:refs/heads/main'" in m for m in messages), messages


def test_a_missing_path_is_bad_input_naming_it(tmp_path: Path) -> None:
    # A mistake in the command line (exit 2, as every command given a path), not a part
    # of the input that could not be read (exit 3).
    result = run("iac", str(tmp_path / "nope"), str(CORPUS / "tf-users"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope'}: no such file or directory" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "contents", "said"),
    [
        ("empty", {}, ""),
        ("main.tf", {}, "; it is a directory, named as a file"),
        # JSON and YAML that are neither templates nor plans, and what is never walked
        ("app", {"package.json": '{"name": "app"}', ".terraform/m/main.tf": ""}, ""),
    ],
)
def test_a_directory_holding_nothing_to_check_is_bad_input_naming_it(
    tmp_path: Path, name: str, contents: dict[str, str], said: str
) -> None:
    """Nothing read must not look clean: it was "0 finding(s) in 0 file(s)", exit 0. As a
    path that does not exist: exit 2 (docs/iac.md), whatever else is given."""
    directory = tmp_path / name
    directory.mkdir()
    for relative, text in contents.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_text(text)
    result = run("iac", str(CORPUS / "tf-users"), str(directory))
    assert result.exit_code == 2
    assert (
        f"{directory}: nothing to check: no infrastructure code keyless reads is in it{said}\n"
        in result.stderr
    )
    assert result.stdout == ""


def test_a_file_that_is_not_infrastructure_code_named_directly_is_skipped(
    tmp_path: Path,
) -> None:
    # pre-commit hands over every staged file: one that is not infrastructure code is no error
    (tmp_path / "package.json").write_text('{"name": "app"}')
    result = run("iac", str(tmp_path / "package.json"))
    assert result.exit_code == 0
    assert "0 finding(s) in 0 file(s)" in result.stdout


def test_a_bad_baseline_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "baseline.json").write_text("[1, 2")
    result = run("iac", str(CORPUS / "tf-users"), "--baseline", str(tmp_path / "baseline.json"))
    assert result.exit_code == 2
    assert "the baseline is not valid JSON" in result.stderr


def test_an_output_that_cannot_be_written_is_refused_before_reading(tmp_path: Path) -> None:
    result = run("iac", str(CORPUS / "tf-users"), "--output", str(tmp_path / "no" / "r.txt"))
    assert result.exit_code == 2
    assert "the report (--output): its directory does not exist" in result.stderr


def test_write_baseline_then_baseline_exits_0(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run("iac", str(CORPUS / "tf-users"), "--write-baseline", str(baseline))
    again = run("iac", str(CORPUS / "tf-users"), "--baseline", str(baseline))
    assert (written.exit_code, again.exit_code) == (0, 0)
    assert "4 finding(s) suppressed" in again.stdout


def test_github_format_prints_annotations() -> None:
    result = run("iac", str(CORPUS / "tf-users"), "--format", "github")
    assert result.stdout.startswith("::error file=")
    assert result.exit_code == 1


def test_trust_file_names_each_role_by_address() -> None:
    result = run("trust", str(CORPUS / "tf-jsonencode" / "main.tf"))
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert [h.split()[1] for h in headers] == [
        "aws_iam_role.deploy",
        "aws_iam_role.org_wide",
        "aws_iam_role.anyone",
        "aws_iam_role.lambda",
    ]
    assert result.exit_code == 1


def test_trust_file_with_a_role_not_judged_exits_3() -> None:
    result = run("trust", str(CORPUS / "cfn-yaml" / "github-oidc.yaml"))
    assert result.exit_code == 3
    assert "ConditionalRole: trust policy not judged" in result.stdout


def test_trust_file_reads_a_plan() -> None:
    result = run("trust", str(CORPUS / "plan" / "plan.json"), "--format", "json")
    roles = [r["address"] for r in json.loads(result.stdout)["roles"]]
    assert roles == ["aws_iam_role.any_tenant", "aws_iam_role.main_branch"]


def test_trust_file_refuses_role_arn() -> None:
    result = run(
        "trust",
        str(CORPUS / "tf-jsonencode" / "main.tf"),
        "--role-arn",
        "arn:aws:iam::123456789012:role/x",
    )
    assert result.exit_code == 2


def test_trust_on_malformed_terraform_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "x" {\n')
    result = run("trust", str(tmp_path / "main.tf"))
    assert result.exit_code == 2
    assert "malformed HCL" in result.stderr


PARAMETER_ROLE = """
Parameters:
  Repository:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
                token.actions.githubusercontent.com:sub: !Sub repo:${Repository}:ref:refs/heads/main
"""


def test_a_parameter_without_default_suggests_the_option_that_gives_it(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(PARAMETER_ROLE)
    result = run("iac", str(tmp_path))
    assert result.exit_code == 3
    assert "pass --parameter Repository=VALUE" in result.stdout


def test_a_parameter_option_gives_the_value(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(PARAMETER_ROLE)
    result = run("iac", str(tmp_path), "--parameter", "Repository=octo-org/app")
    assert result.exit_code == 0, result.stdout


def test_a_malformed_parameter_option_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(PARAMETER_ROLE)
    result = CliRunner().invoke(cli, ["iac", str(tmp_path), "--parameter", "Repo sitory"])
    assert result.exit_code == 2
    assert "--parameter" in result.output


def test_trust_file_takes_a_parameter_as_iac_does(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(PARAMETER_ROLE)
    unset = run("trust", str(tmp_path / "template.yaml"))
    given = run("trust", str(tmp_path / "template.yaml"), "--parameter", "Repository=octo-org/app")
    assert unset.exit_code == 3
    assert "pass --parameter Repository=VALUE" in unset.stdout
    assert given.exit_code == 0, given.stdout


def test_trust_file_takes_a_var_file_as_iac_does(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(REPOSITORY_ROLE)
    (tmp_path / "prod.tfvars").write_text('repository = "octo-org/app"\n')
    unset = run("trust", str(tmp_path / "main.tf"))
    given = run("trust", str(tmp_path / "main.tf"), "--var-file", str(tmp_path / "prod.tfvars"))
    assert unset.exit_code == 3
    assert given.exit_code == 0, given.stdout


def test_trust_file_prints_what_it_stood_in_for(tmp_path: Path) -> None:
    loose = REPOSITORY_ROLE.replace("ref:refs/heads/main", "*")
    loose = loose.replace("StringEquals", "StringLike")
    (tmp_path / "main.tf").write_text(loose)
    result = run("trust", str(tmp_path / "main.tf"))
    assert result.exit_code == 1
    assert "note: judged with stand-ins for what the code leaves unset" in result.stdout
    document = json.loads(run("trust", str(tmp_path / "main.tf"), "--format", "json").stdout)
    (role,) = document["roles"]
    assert any("judged with stand-ins" in note for note in role["notes"])


def test_parameters_do_not_apply_to_a_policy_document(tmp_path: Path) -> None:
    policy = tmp_path / "trust.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    result = CliRunner().invoke(cli, ["trust", str(policy), "--parameter", "Repository=x"])
    assert result.exit_code == 2
    assert "--parameter apply to a Terraform file" in result.output


def test_a_malformed_trust_policy_is_not_judged_as_keyless_trust_says(tmp_path: Path) -> None:
    """A Condition written as a list: CloudFormation fails to create the role. `keyless iac`
    reported a medium finding and exit 0 (below --fail-on), `keyless trust` "not judged" and
    exit 3: both now say not judged, exit 3."""
    template = tmp_path / "stack.yaml"
    template.write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n"
        "        Statement:\n          - Effect: Allow\n"
        "            Principal: {AWS: arn:aws:iam::111122223333:root}\n"
        "            Action: sts:AssumeRole\n"
        "            Condition:\n              - Bool: {aws:MultiFactorAuthPresent: 'true'}\n"
    )
    reason = "Role: trust policy not judged: /Statement/0/Condition: Condition must be a JSON"
    iac = run("iac", str(template))
    assert iac.exit_code == 3
    assert reason in iac.stdout
    trust = run("trust", str(template))
    assert trust.exit_code == 3


def test_writing_a_baseline_says_the_exit_code_it_gives(tmp_path: Path) -> None:
    """``--write-baseline`` accepts the findings and exits 0: the last line said "findings at
    or above high: exit code 1", which a CI log reader took for a failed step."""
    outcome = run("iac", str(CORPUS / "tf-users"), "--write-baseline", str(tmp_path / "b.json"))
    assert outcome.exit_code == 0, outcome.output
    last = outcome.stdout.splitlines()[-1]
    assert last.endswith("written to the baseline, accepted: exit code 0"), last
    assert "exit code 1" not in outcome.stdout
