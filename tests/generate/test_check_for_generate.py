"""``keyless plan --check`` tells what ``keyless generate`` refuses under one of its
options only (CloudFormation's dynamic references and template quotas, a trust anchor of
another Region), so that a plan ``--check`` passes does not then fail in ``generate``:
with ``--generate-format`` / ``--generate-region`` as errors (exit 2) or nothing, without
them as open items (exit 1) naming the option they depend on."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.generate.conftest import certificate, edited, run
from tests.plan.conftest import EXPORT

ANCHOR = (
    "arn:aws:rolesanywhere:eu-west-1:{account}:trust-anchor/0b7e4c1a-5f7d-4b8e-9a3c-2d1e6f0a9b8c"
)


def _display_name(document: dict[str, Any]) -> None:
    document["identity_center"]["users"][0]["display_name"] = "{{resolve:ssm:/prod/db-password}}"


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plan of the export with 260 more people like maria.garcia, and its snapshot:
    each an Identity Center user and an assignment, past CloudFormation's 500 resources
    in identity-center.yaml."""
    folder = tmp_path_factory.mktemp("crowded")
    snapshot = folder / "snapshot.json"
    result = run("collect", "--input", str(EXPORT), "--out", str(snapshot))
    assert result.exit_code == 0, result.output
    document = json.loads(snapshot.read_text())
    (account,) = document["accounts"]
    (model,) = [u for u in account["users"] if u["name"] == "maria.garcia"]
    for n in range(260):
        name = f"person{n:03d}"
        account["users"].append(
            {
                **model,
                "name": name,
                "arn": model["arn"].replace("maria.garcia", name),
                "user_id": f"AIDAPERSON{n:010d}",
                "tags": {"email": f"{name}@example.com"},
            }
        )
    snapshot.write_text(json.dumps(document))
    plan = folder / "plan.json"
    result = run("plan", "--snapshot", str(snapshot), "--now", "2025-06-01T12:00:00Z",
                 "--link", "backup-nas=host:nas01.example.com", "--out", str(plan))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return plan, snapshot


def _anchor(document: dict[str, Any]) -> None:
    role = document["roles_anywhere"][0]
    role["trust_anchors"] = [ANCHOR.format(account=role["account"])]


def _check(export_plan: Path, plan: Path, *options: str) -> Result:
    return run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"),
               *options)  # fmt: skip


def test_the_unedited_plan_depends_on_no_option_but_the_ca(
    export_plan: Path, ca_cert: Path
) -> None:
    result = _check(export_plan, export_plan, "--generate-ca-cert", str(ca_cert))
    assert result.exit_code == 0, result.output
    assert "depends on" not in result.stderr
    assert "refuses" not in result.stderr


def test_a_roles_anywhere_role_without_a_trust_anchor_depends_on_the_ca(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    """The plan's backup-nas role is in an account where the plan found no trust anchor:
    generate refuses it without --ca-cert or --pca-arn, and plan --check says so ahead."""
    generated = run("generate", str(export_plan), "--format", "terraform",
                    "--out", str(tmp_path / "a"))  # fmt: skip
    assert generated.exit_code == 2, generated.output
    assert "--ca-cert: the plan has Roles Anywhere roles in 210987654321" in generated.stderr

    unsaid = _check(export_plan, export_plan)
    assert unsaid.exit_code == 1, unsaid.output
    assert (
        "open: depends on --ca-cert: the plan has Roles Anywhere roles in 210987654321 and "
        "found no trust anchor there"
    ) in unsaid.stderr

    pca = f"arn:aws:acm-pca:us-east-1:210987654321:certificate-authority/{uuid.UUID(int=0)}"
    for option, value in (("--generate-ca-cert", str(ca_cert)), ("--generate-pca-arn", pca)):
        said = _check(export_plan, export_plan, option, value)
        assert said.exit_code == 0, said.output
        assert "depends on" not in said.stderr


def test_a_ca_of_an_anchor_of_another_region_settles_the_region(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    """With a CA for a new anchor, generate does not reuse the one the plan found."""
    plan = edited(export_plan, tmp_path / "plan.json", _anchor)
    said = _check(export_plan, plan, "--generate-ca-cert", str(ca_cert))
    assert said.exit_code == 0, said.output
    generated = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "a"),
                    "--ca-cert", str(ca_cert))  # fmt: skip
    assert generated.exit_code in (0, 1), generated.output


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--generate-pca-arn", "arn:aws:acm-pca:x"), "--generate-pca-arn: "),
        (("--generate-ca-cert", "NOT-A-CA"), "--generate-ca-cert: "),
        (("--generate-ca-cert", "CA", "--generate-pca-arn", "PCA"), "not both"),
    ],
)
def test_a_ca_generate_would_refuse_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, options: tuple[str, ...], said: str
) -> None:
    not_a_ca = tmp_path / "leaf.pem"
    not_a_ca.write_bytes(certificate(ca=False))
    pca = f"arn:aws:acm-pca:us-east-1:210987654321:certificate-authority/{uuid.UUID(int=0)}"
    values = {"NOT-A-CA": str(not_a_ca), "CA": str(ca_cert), "PCA": pca}
    result = _check(export_plan, export_plan, *(values.get(o, o) for o in options))
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert "Traceback" not in result.output


def test_a_dynamic_reference_depends_on_the_format(
    export_plan: Path, tmp_path: Path, ca_cert: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _display_name)
    source = ("--input", str(export_plan.parent / "export"))
    refusal = "holds a CloudFormation dynamic reference"
    unsaid, said = _depends_on_the_format(plan, source, refusal, tmp_path, ca_cert)
    assert refusal in unsaid
    assert refusal in said


def test_a_template_past_cloudformations_quota_depends_on_the_format(
    crowded: tuple[Path, Path], tmp_path: Path, ca_cert: Path
) -> None:
    plan, snapshot = crowded
    refusal = "identity-center.yaml would declare 789 resources (CloudFormation takes 500)"
    unsaid, said = _depends_on_the_format(
        plan, ("--snapshot", str(snapshot)), refusal, tmp_path, ca_cert
    )
    assert refusal in unsaid
    assert refusal in said


def _depends_on_the_format(
    plan: Path, source: tuple[str, str], refusal: str, tmp_path: Path, ca_cert: Path
) -> tuple[str, str]:
    """generate --format cloudformation refuses ``plan`` with ``refusal`` and terraform
    does not; plan --check says so as each of its options asks. What plan --check says
    without --generate-format and with cloudformation's."""
    generated = run("generate", str(plan), "--format", "cloudformation",
                    "--out", str(tmp_path / "cfn"), "--ca-cert", str(ca_cert))  # fmt: skip
    assert generated.exit_code == 2, generated.output
    assert refusal in generated.stderr
    terraform = run("generate", str(plan), "--format", "terraform",
                    "--out", str(tmp_path / "tf"), "--ca-cert", str(ca_cert))  # fmt: skip
    assert terraform.exit_code in (0, 1), terraform.output

    unsaid = run("plan", "--check", str(plan), *source)
    assert unsaid.exit_code == 1, unsaid.output
    assert "open: depends on --format: generate --format cloudformation refuses: " in (
        unsaid.stderr
    )
    assert refusal in unsaid.stderr
    assert "--format terraform refuses" not in unsaid.stderr

    said = run("plan", "--check", str(plan), *source, "--generate-format", "cloudformation")
    assert said.exit_code == 2, said.output
    assert f"{plan}: generate --format cloudformation refuses: " in said.stderr
    assert refusal in said.stderr

    other = run("plan", "--check", str(plan), *source, "--generate-format", "terraform")
    assert refusal not in other.stderr
    assert "depends on --format" not in other.stderr
    return unsaid.stderr, said.stderr


def test_a_trust_anchor_of_another_region_depends_on_the_region(
    export_plan: Path, tmp_path: Path
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _anchor)
    generated = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "a"))
    assert generated.exit_code == 2, generated.output

    unsaid = _check(export_plan, plan)
    assert unsaid.exit_code == 1, unsaid.output
    assert (
        "open: depends on --region: the trust anchors the plan found in 210987654321 are in "
        "eu-west-1"
    ) in unsaid.stderr
    assert "generate --region eu-west-1, or with --region us-east-1 (its default) give it " in (
        unsaid.stderr
    )

    said = _check(export_plan, plan, "--generate-region", "eu-west-1")
    assert "depends on --region" not in said.stderr
    generated = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "b"),
                    "--region", "eu-west-1")  # fmt: skip
    assert generated.exit_code in (0, 1), generated.output


@pytest.mark.parametrize(
    "options",
    [("--generate-region", "eu-west-1\n"), ("--generate-region", "EU-WEST-1")],
)
def test_a_region_outside_awss_grammar_is_refused(
    export_plan: Path, options: tuple[str, ...]
) -> None:
    result = _check(export_plan, export_plan, *options)
    assert result.exit_code == 2, result.output
    assert "--generate-region: " in result.stderr
    assert "is not an AWS region" in result.stderr


def test_the_generate_options_go_with_check_only(export_plan: Path) -> None:
    result = run("plan", "--input", str(export_plan.parent / "export"),
                 "--generate-format", "terraform")  # fmt: skip
    assert result.exit_code == 2
    assert "the --generate-* options go with --check" in result.stderr
