"""The newest readers against hostile files: CircleCI, Bitbucket, Buildkite, Azure and
Jenkinsfile pipelines (NUL bytes, invalid UTF-8, BOM and CRLF, tabs, Python tags, merge
keys, 10,000 levels of nesting, alias bombs, 20 MB lines) and CloudFormation templates and
StackSet bodies with tags CloudFormation does not have. Every one ends in exit 1 (the key
is found), 2 or 3 with one clear first line: never a traceback, a hang, or a clean exit
while the key is in the file. Before: a NUL byte was reported with a second line giving a
character offset; ``!Include`` was read as a function ``Fn::Include`` and
``!!python/object`` as a plain list, so the role was judged on a document CloudFormation
would refuse (a medium finding, exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

KEY = "AKIAIOSFODNN7EXAMPLQ"
CIRCLE = (
    "version: 2.1\njobs:\n  build:\n    docker: [{image: cimg/base:stable}]\n"
    f"    environment:\n      AWS_ACCESS_KEY_ID: {KEY}\n    steps: [checkout]\n"
)
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
CASES: dict[str, bytes] = {
    "nul": CIRCLE.replace("checkout", "check\x00out").encode(),
    "invalid-utf8": CIRCLE.encode() + b"# \xff\xfe\n",
    "bom-crlf": ("\ufeff" + CIRCLE).replace("\n", "\r\n").encode(),
    "tabs": CIRCLE.replace("    docker", "\tdocker").encode(),
    "python-tag": ("x: !!python/object/apply:os.system ['id']\n" + CIRCLE).encode(),
    "merge-key": (
        f"version: 2.1\ndefaults: &d\n  environment:\n    AWS_ACCESS_KEY_ID: {KEY}\n"
        "jobs:\n  build:\n    <<: *d\n    docker: [{image: x}]\n    steps: [checkout]\n"
    ).encode(),
    "deep": (f"# {KEY}\nversion: 2.1\njobs: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
    "alias-bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + CIRCLE).encode(),
    "huge-line": (f"# {KEY}\n# " + "x" * (20 << 20) + "\n").encode(),
}
PLACES = {
    "circleci": ".circleci/config.yml",
    "bitbucket": "bitbucket-pipelines.yml",
    "buildkite": ".buildkite/pipeline.yml",
    "azure": "azure-pipelines.yml",
    "jenkins": "Jenkinsfile",
}


@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
@pytest.mark.parametrize("case", CASES.keys())
def test_a_hostile_ci_file_is_never_clean(tmp_path: Path, place: str, case: str) -> None:
    path = tmp_path / place
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(CASES[case])
    result = CliRunner().invoke(cli, ["workflows", "scan", str(tmp_path)])
    assert result.exit_code in (1, 2, 3), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        first, *rest = result.stderr.splitlines()
        assert first.startswith("keyless: error: "), first
        assert all("position" not in line for line in rest), result.stderr


def test_a_nul_byte_is_one_line_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / ".circleci" / "config.yml"
    path.parent.mkdir()
    path.write_bytes(CASES["nul"])
    result = CliRunner().invoke(cli, ["workflows", "scan", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"keyless: error: {path}:7: malformed YAML: unacceptable character #x0000: special"
        " characters are not allowed",
        "Fix the file and run again.",
    ]


ROLE_WITH = (
    "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
    "      AssumeRolePolicyDocument: {tag}\n"
)


@pytest.mark.parametrize(
    ("tag", "named"),
    [
        ("!Include policy.json", "!Include"),
        ("!!python/object/apply:os.system ['id']", "tag:yaml.org,2002:python/object/apply"),
    ],
)
@pytest.mark.parametrize("in_stack_set", [False, True], ids=["template", "stack-set-body"])
def test_a_tag_cloudformation_does_not_have_is_not_judged(
    tmp_path: Path, tag: str, named: str, in_stack_set: bool
) -> None:
    body = ROLE_WITH.format(tag=tag)
    path = tmp_path / "template.yaml"
    if in_stack_set:
        stack_set = {
            "Type": "AWS::CloudFormation::StackSet",
            "Properties": {"StackSetName": "s", "TemplateBody": body},
        }
        path = tmp_path / "template.json"
        path.write_text(json.dumps({"Resources": {"S": stack_set}}))
    else:
        path.write_text(body)
    result = CliRunner().invoke(cli, ["iac", str(path)])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert f"malformed YAML: the tag {named}" in result.output
    assert "is not one of CloudFormation's short forms" in result.output


def test_cloudformation_short_forms_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    document = (
        '!Sub \'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}\''
    )
    path.write_text(ROLE_WITH.format(tag=document))
    result = CliRunner().invoke(cli, ["iac", str(path)])
    assert result.exit_code == 1, result.output
    assert "trust-anyone" in result.output
