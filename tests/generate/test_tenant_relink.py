"""A CircleCI or Bitbucket role the plan names no subjects for is left out, and the line
saying so gives its own platform's ``--link`` (the project's IDs, no ``--workflows``:
no pipeline file states them), says where each placeholder is found, and once filled in
is a link ``keyless plan`` takes, giving the role's subject back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from keyless.plan.links import parse_target
from keyless.plan.tenants import parse_project
from tests.generate.conftest import edited, run
from tests.plan.conftest import EXPORT

ORG = "a0e1b2c3-0000-4000-8000-000000000001"
PROJECT = "b0e1b2c3-0000-4000-8000-000000000002"
WORKSPACE_UUID = "c0e1b2c3-0000-4000-8000-000000000003"
REPOSITORY = "d0e1b2c3-0000-4000-8000-000000000004"
ENVIRONMENT = "e0e1b2c3-0000-4000-8000-000000000005"
#: What a person fills each placeholder with.
VALUES = {
    "ORG_ID": ORG,
    "PROJECT_ID": PROJECT,
    "WORKSPACE": "acme",
    "WORKSPACE_UUID": WORKSPACE_UUID,
    "REPOSITORY_UUID": REPOSITORY,
    "ENVIRONMENT_UUID": ENVIRONMENT,
}
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*[A-Z]")


@pytest.fixture(scope="module")
def tenant_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("relink")
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    path = folder / "plan.json"
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z",
        "--link", f"ci-deploy=circleci:{ORG}/{PROJECT}",
        "--link", f"ci-infra=bitbucket:acme/{{{WORKSPACE_UUID}}}/{REPOSITORY}/{ENVIRONMENT}",
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.mark.parametrize(
    ("user", "platform"), [("ci-deploy", "circleci"), ("ci-infra", "bitbucket")]
)
def test_the_link_is_the_platforms_own_and_fills_in_to_the_roles_subject(
    tenant_plan: Path, tmp_path: Path, ca_cert: Path, user: str, platform: str
) -> None:
    subjects: list[str] = []

    def change(document: dict[str, Any]) -> None:
        (role,) = [r for r in document["oidc_roles"] if r["user"].endswith(f"/{user}")]
        assert role["platform"] == platform
        subjects.extend(s["value"] for s in role["subjects"])
        role["subjects"] = []

    plan = edited(tenant_plan, tmp_path / "plan.json", change)
    result = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "out"),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 1, result.output
    (line,) = [
        line for line in result.stderr.splitlines() if "the plan names no subjects yet" in line
    ]
    assert "--workflows" not in line
    found = re.search(rf"--link {user}=(\S+) \((.+)\)$", line)
    assert found is not None, line
    syntax, explained = found.groups()
    assert syntax.startswith(f"{platform}:")
    placeholders = _PLACEHOLDER.findall(syntax)
    assert placeholders
    assert all(p in explained for p in placeholders), explained
    # The optional environment filled in too: the role was planned for one.
    filled = _PLACEHOLDER.sub(lambda m: VALUES[m.group()], syntax.replace("[", "").replace("]", ""))
    target = parse_target(filled, "--link")
    project = parse_project(platform, target.value)
    assert project is not None
    assert [project.subject] == subjects


def test_plan_check_names_the_link_for_a_tenant_role_without_subjects(
    tenant_plan: Path, tmp_path: Path
) -> None:
    def change(document: dict[str, Any]) -> None:
        for role in document["oidc_roles"]:
            role["subjects"] = []

    plan = edited(tenant_plan, tmp_path / "plan.json", change)
    result = run("plan", "--check", str(plan), "--input", str(tenant_plan.parent / "export"))
    assert result.exit_code == 1, result.output
    assert (
        "open: role ci-deploy-circleci: no subjects yet "
        "(--link ci-deploy=circleci:ORG_ID/PROJECT_ID)"
    ) in result.stderr
    assert "--workflows" not in result.stderr
