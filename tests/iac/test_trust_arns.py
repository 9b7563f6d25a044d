"""The ARN a role of infrastructure code is judged under (``keyless trust FILE`` shows it):
the role's IAM name when the code fixes one, else a stand-in of its address, always a
valid, unique role ARN; the address stays the role's name in messages and locations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.iac.read import read_paths
from keyless.iac.scan import roles_to_judge
from keyless.iac.trust import assess_file

from .conftest import CORPUS

REALWORLD = Path(__file__).resolve().parents[1] / "realworld"
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
ROLE_ARN = re.compile(r"arn:aws:iam::\d{12}:role/[\w+=,.@-]{1,64}", re.ASCII)
GITHUB = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
    '"sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": '
    '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
    '"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": '
    '"sts.amazonaws.com", "token.actions.githubusercontent.com:sub": '
    '"repo:o/r:ref:refs/heads/main"}}}]}'
)


def test_a_stack_set_role_is_judged_under_its_role_name() -> None:
    (role,) = assess_file(REALWORLD / "cfn-stackset-org-github-role" / "org-roles.yaml").roles
    assert role.assessment.role.arn == "arn:aws:iam::000000000000:role/github-deploy"
    assert role.resource.address == "DeployRole (in StackSet GitHubRoleStackSet)"
    assert role.assessment.role.name == role.resource.address


def test_a_role_without_a_name_gets_a_valid_stand_in(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "ci" {\n'
        '  for_each           = toset(["app", "web"])\n'
        "  assume_role_policy = <<EOT\n"
        f"{GITHUB}\n"
        "EOT\n"
        "}\n"
    )
    judged, _ = roles_to_judge(read_paths([tmp_path]).resources)
    assert sorted(j.role.arn for j in judged) == [
        "arn:aws:iam::111122223333:role/aws_iam_role.ci-app",
        "arn:aws:iam::111122223333:role/aws_iam_role.ci-web",
    ]
    assert sorted(j.role.name for j in judged) == [
        'aws_iam_role.ci["app"]',
        'aws_iam_role.ci["web"]',
    ]


def test_roles_sharing_a_name_get_distinct_arns(tmp_path: Path) -> None:
    role = (
        'resource "aws_iam_role" "{0}" {{\n  name = "Deploy"\n'
        "  assume_role_policy = <<EOT\n{1}\nEOT\n}}\n"
    )
    (tmp_path / "main.tf").write_text(role.format("a", GITHUB) + role.format("b", GITHUB))
    judged, _ = roles_to_judge(read_paths([tmp_path]).resources)
    assert [j.role.arn.rsplit("/", 1)[1] for j in judged] == ["Deploy", "Deploy-2"]


@pytest.mark.parametrize(
    "case",
    sorted(
        [p for p in CORPUS.iterdir() if p.is_dir()]
        + [p for p in REALWORLD.iterdir() if p.is_dir() and not p.name.startswith("__")]
    ),
    ids=lambda p: p.name,
)
def test_every_judged_role_has_a_valid_unique_arn(case: Path) -> None:
    try:
        model = read_paths([case])
    except InputError:
        return  # a case holding no infrastructure code (a trust policy alone): no role
    judged, _ = roles_to_judge(model.resources)
    arns = [j.role.arn for j in judged]
    assert all(ROLE_ARN.fullmatch(arn) for arn in arns), arns
    assert len({arn.casefold() for arn in arns}) == len(arns)


def test_a_govcloud_role_is_judged_in_its_partition(tmp_path: Path) -> None:
    # Its provider is GovCloud's: so is the role (trust does not cross partitions), and
    # every witness names a GovCloud principal.
    github = json.loads(GITHUB.replace("arn:aws:iam::", "arn:aws-us-gov:iam::"))
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    govcloud = json.dumps({**github, "Statement": [*github["Statement"], anyone]})
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_role" "ci" {{\n  assume_role_policy = <<EOT\n{govcloud}\nEOT\n}}\n'
    )
    (role,) = assess_file(tmp_path / "main.tf").roles
    assert role.assessment.role.arn.startswith("arn:aws-us-gov:iam::111122223333:role/")
    principals = [
        f.witness["principal"]
        for f in role.assessment.findings
        if f.witness and "principal" in f.witness
    ]
    assert principals
    assert all(p.startswith("arn:aws-us-gov:") for p in principals), principals
