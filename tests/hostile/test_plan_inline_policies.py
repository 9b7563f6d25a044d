"""A hand-edited plan's inline policies are parsed as IAM policies by ``generate`` whether
or not the plan's source is given (``--demo``, ``--input``, ``--snapshot``): the schema
only says "an object", and generated code must never carry a policy IAM would refuse.
Each problem is named by its JSON pointer (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import run

POLICIES: list[tuple[Any, str]] = [
    ({"Version": "2012-10-17", "Statement": 5}, "/Statement"),
    (
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:username": [["nested"]]}},
                }
            ],
        },
        "/Statement/0/Condition/StringLike/aws:username/0",
    ),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*"}]}, "/Statement/0"),
    ({"Statement": [{"Effect": "Allow", "Action": 7, "Resource": "*"}]}, "/Statement/0/Action"),
]


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("demo") / "plan.json"
    result = run("plan", "--demo", "--out", str(path), "--quiet")
    assert result.exit_code == 1, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _generate(document: dict[str, Any], tmp_path: Path) -> tuple[int, str, Path]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr, out


@pytest.mark.parametrize(("policy", "pointer"), POLICIES)
def test_a_permission_sets_inline_policy_is_parsed_without_a_source(
    demo_plan: dict[str, Any], tmp_path: Path, policy: Any, pointer: str
) -> None:
    document = json.loads(json.dumps(demo_plan))
    document["identity_center"]["permission_sets"][0]["inline_policy"] = policy
    code, stderr, out = _generate(document, tmp_path)
    assert code == 2, stderr
    assert f"/identity_center/permission_sets/0/inline_policy{pointer}" in stderr
    assert "not a valid policy" in stderr
    assert not out.exists()


def test_a_roles_inline_policy_is_parsed_without_a_source(
    demo_plan: dict[str, Any], tmp_path: Path
) -> None:
    document = json.loads(json.dumps(demo_plan))
    document["oidc_roles"][0]["permissions"]["inline_policy"] = POLICIES[0][0]
    code, stderr, out = _generate(document, tmp_path)
    assert code == 2, stderr
    assert "/oidc_roles/0/permissions/inline_policy/Statement: not a valid policy" in stderr
    assert not out.exists()


def test_a_valid_inline_policy_is_generated(demo_plan: dict[str, Any], tmp_path: Path) -> None:
    document = json.loads(json.dumps(demo_plan))
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    document["identity_center"]["permission_sets"][0]["inline_policy"] = policy
    code, stderr, out = _generate(document, tmp_path)
    assert code in (0, 1), stderr
    assert "s3:GetObject" in (out / "identity_center.tf").read_text()
