"""The guardrail SCP is attached to what its operator names at deploy: the template's
``TargetIds`` parameter and Terraform's ``guardrail_target_ids`` variable (and the
account ID variables) took any string, so a typo or a pasted name reached
Organizations' ``AttachPolicy`` unchecked. Each is now held to AttachPolicy's
``TargetId`` grammar (root ``r-`` + 4-32 lowercase letters or digits, OU ``ou-`` + 4-32
+ ``-`` + 8-32, or a 12-digit account),
https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html:
CloudFormation through ``AllowedPattern``, which each item of a ``CommaDelimitedList``
must match whole
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html),
Terraform through a ``validation`` block that the real ``terraform plan`` evaluates."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.generate.conftest import TERRAFORM, run

VALID = ["r-ab12", "r-" + "a1" * 16, "ou-ab12-abcdefgh", "ou-ab12-" + "9z" * 16, "123456789012"]
INVALID = [
    "r-ab1",  # too short
    "r-AB12",  # upper case
    "ou-ab12",  # no second part
    "ou-ab12-abcdefg",  # second part too short
    "12345678901",  # 11 digits
    "١٢٣٤٥٦٧٨٩٠١٢",  # other digits
    "r-ab12 ",  # trailing space
    "r-ab12\n",  # trailing newline
    "p-abcdefgh",  # a policy ID
    "acme-prod",  # an account's name
    "",
]


def _generate(plan: Path, out: Path, output_format: str) -> Path:
    result = run("generate", str(plan), "--format", output_format, "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.mark.parametrize("target", VALID + INVALID)
def test_cloudformation_target_ids_have_the_attach_policy_grammar(
    demo_plan: Path, tmp_path: Path, target: str
) -> None:
    out = _generate(demo_plan, tmp_path / "cfn", "cloudformation")
    template = YAML(typ="safe").load((out / "guardrails.yaml").read_text())
    parameter = template["Parameters"]["TargetIds"]
    assert parameter["Type"] == "CommaDelimitedList"
    assert "AllowedPattern" in parameter, parameter
    # CloudFormation matches the pattern against the whole item (Java's matches()).
    matched = re.fullmatch(parameter["AllowedPattern"], target) is not None
    assert matched is (target in VALID)
    assert "ou-" in parameter["ConstraintDescription"]


@pytest.fixture(scope="module")
def terraform_variables(demo_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated variables.tf alone in an initialised folder: it needs no provider,
    so ``terraform plan`` evaluates its validations offline."""
    if TERRAFORM is None:
        pytest.skip("no terraform binary on this machine")
    out = _generate(demo_plan, tmp_path_factory.mktemp("tf") / "tf", "terraform")
    folder = tmp_path_factory.mktemp("variables")
    shutil.copy(out / "variables.tf", folder / "variables.tf")
    _terraform(folder, "init", "-input=false", "-backend=false")
    return folder


def _terraform(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    return subprocess.run(
        [TERRAFORM, f"-chdir={folder}", *args, "-no-color"],
        capture_output=True,
        text=True,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin:/bin", "TF_IN_AUTOMATION": "1"},
        check=False,
        timeout=120,
    )


def _plan(folder: Path, **variables: object) -> subprocess.CompletedProcess[str]:
    values = {"sso_instance_arn": "x", "identity_store_id": "y", **variables}
    # A string variable takes the text as it is; a list is read as an HCL (JSON) value.
    arguments = [
        f"-var={name}={value if isinstance(value, str) else json.dumps(value)}"
        for name, value in values.items()
    ]
    return _terraform(folder, "plan", "-input=false", "-lock=false", *arguments)


def test_terraform_takes_valid_target_ids(terraform_variables: Path) -> None:
    result = _plan(terraform_variables, guardrail_target_ids=VALID)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("target", INVALID)
def test_terraform_refuses_a_target_id_out_of_the_grammar(
    terraform_variables: Path, target: str
) -> None:
    result = _plan(terraform_variables, guardrail_target_ids=["r-ab12", target])
    assert result.returncode == 1, result.stdout
    assert "Each of guardrail_target_ids must be" in result.stderr


def test_terraform_refuses_an_account_id_of_eleven_digits(terraform_variables: Path) -> None:
    text = (terraform_variables / "variables.tf").read_text()
    (name,) = set(re.findall(r'variable "(account_acme-prod)"', text))
    assert _plan(terraform_variables, **{name: "372342215631"}).returncode == 0
    result = _plan(terraform_variables, **{name: "37234221563"})
    assert result.returncode == 1, result.stdout
    assert "An account ID is 12 digits." in result.stderr
