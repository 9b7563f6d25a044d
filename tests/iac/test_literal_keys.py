"""An access key written into infrastructure code: Terraform's provider block
(``access_key = "AKIA…"``, as tutorials write it:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs#provider-configuration),
a variable's default, a template parameter's default. ``keyless iac`` reported nothing;
``keyless workflows`` reports the same in a CI file (``workflow-hardcoded-aws-key``).
The key ID is only ever shown redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.iac.literal_keys import literal_keys
from keyless.iac.model import SourceKind
from keyless.iac.scan import scan
from keyless.render import Format, RenderOptions, render

KEY_ID = "AKIAQ3EGUNO4XJ5LWZPE"  # shaped like an IAM user's key, never issued
SECRET = "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"

PROVIDER = f"""
provider "aws" {{
  region     = "us-east-1"
  access_key = "{KEY_ID}"
  secret_key = "{SECRET}"
}}
"""
VARIABLE = f"""
variable "aws_access_key" {{
  type    = string
  default = "{KEY_ID}"
}}
"""
TEMPLATE = f"""
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AccessKeyId:
    Type: String
    Default: {KEY_ID}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


@pytest.mark.parametrize(
    ("name", "text", "line", "column", "source"),
    [
        ("main.tf", PROVIDER, 4, 17, "terraform"),
        ("variables.tf", VARIABLE, 4, 14, "terraform"),
        ("template.yaml", TEMPLATE, 6, 14, "cloudformation"),
    ],
)
def test_a_literal_key_is_reported_where_it_is_written(
    tmp_path: Path, name: str, text: str, line: int, column: int, source: str
) -> None:
    (tmp_path / name).write_text(text)
    (finding,) = scan([tmp_path]).findings
    assert (finding.check, finding.severity.value) == ("iac-hardcoded-aws-key", "critical")
    assert finding.message == "access key AKIA…WZPE is written in plain text"
    assert isinstance(finding.location, FileLocation)
    assert (finding.location.line, finding.location.column) == (line, column)
    assert finding.evidence["source"] == source


def test_a_key_in_a_local_module_of_the_scanned_code_is_reported(tmp_path: Path) -> None:
    (tmp_path / "modules" / "aws").mkdir(parents=True)
    (tmp_path / "modules" / "aws" / "main.tf").write_text(PROVIDER)
    (tmp_path / "main.tf").write_text('module "aws" {\n  source = "./modules/aws"\n}\n')
    (finding,) = scan([tmp_path]).findings
    assert isinstance(finding.location, FileLocation)
    assert finding.location.path.name == "main.tf"
    assert finding.location.path.parent.name == "aws"


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",  # AWS's documentation example
        "AKIAQ3EGUNO4XJ5LWZP",  # one character short
        "XAKIAQ3EGUNO4XJ5LWZPE",  # inside a longer word
        "akiaq3eguno4xj5lwzpe",  # key IDs are upper case
    ],
)
def test_what_is_not_an_access_key_id_is_not_reported(tmp_path: Path, value: str) -> None:
    (tmp_path / "main.tf").write_text(PROVIDER.replace(KEY_ID, value))
    assert scan([tmp_path]).findings == ()


def test_the_key_is_never_shown_in_full(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(PROVIDER)
    result = scan([tmp_path])
    for output in Format.TEXT, Format.JSON, Format.SARIF:
        shown = render(result, output, RenderOptions())
        assert KEY_ID not in shown
        assert SECRET not in shown
        assert "AKIA…WZPE" in shown


@pytest.mark.parametrize(
    ("name", "text", "column"),
    [
        ("terraform.tfvars", f'aws_access_key = "{KEY_ID}"\n', 19),
        ("prod.auto.tfvars.json", f'{{"aws_access_key": "{KEY_ID}"}}\n', 21),
    ],
)
def test_a_key_in_a_variables_file_terraform_loads_is_reported(
    tmp_path: Path, name: str, text: str, column: int
) -> None:
    # terraform.tfvars and *.auto.tfvars are loaded with the root module, and are where
    # tutorials tell readers to put the provider's keys
    # (https://developer.hashicorp.com/terraform/language/values/variables#variable-definitions-tfvars-files)
    (tmp_path / "main.tf").write_text(VARIABLE.replace(f'"{KEY_ID}"', "null"))
    (tmp_path / name).write_text(text)
    (finding,) = scan([tmp_path]).findings
    assert isinstance(finding.location, FileLocation)
    assert (finding.location.path.name, finding.location.line) == (name, 1)
    assert finding.location.column == column


def test_a_key_is_placed_by_lines_ending_at_lf_crlf_or_cr() -> None:
    # The text is searched whole and only a match is placed (splitting a 29 MB file into
    # its lines first took seconds): lines still end where editors end them.
    text = f"a\r\nb\rc {KEY_ID}\u2028{KEY_ID}\n\n  x{KEY_ID} {KEY_ID}\r\n{KEY_ID}"
    found = literal_keys(Path("main.tf"), text, SourceKind.TERRAFORM)
    assert [(k.position.line, k.position.column) for k in found] == [
        (3, 3),
        (3, 24),  # U+2028 ends no line
        (5, 4),
        (5, 25),
        (6, 1),
    ]
