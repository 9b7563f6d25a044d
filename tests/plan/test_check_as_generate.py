"""``keyless plan --check`` refuses whatever ``keyless generate`` would refuse in a plan:
a plan that ``plan --check`` accepts was refused by ``generate`` for a reason ``plan
--check`` could have told (a permission set description with an escape sequence, an
Identity Store user name with a bidirectional override, an email with a space, a
repository that is none, a trust anchor that is no ARN, a subject IAM refuses, two
accounts whose names in the generated code would be one, ARNs of two partitions).
Both now run :func:`keyless.plan.consistency.document_problems`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.generate.read import plan_problems
from keyless.model import Inventory
from keyless.plan.check import check_plan
from keyless.plan.document import dumps, plan_document
from tests.plan.support import export_plan

Document = dict[str, Any]


@pytest.fixture
def document(export: Inventory) -> Document:
    return json.loads(dumps(plan_document(export_plan(export))))


def _description(d: Document) -> None:
    d["identity_center"]["permission_sets"][0]["description"] = "keyless\x1b[2J all clean"


def _user_name(d: Document) -> None:
    d["identity_center"]["users"][0]["user_name"] += "\u202e"


def _email(d: Document) -> None:
    d["identity_center"]["users"][0]["email"] = "maria garcia@example.com"


def _repository(d: Document) -> None:
    d["oidc_roles"][0]["repositories"][0] = "not a repository"


def _trust_anchor(d: Document) -> None:
    d["roles_anywhere"][0]["trust_anchors"] = [
        "arn:aws:rolesanywhere:us-east-1:210987654321:trust-anchor/*"
    ]


def _subject(d: Document) -> None:
    d["oidc_roles"][0]["subjects"][0]["value"] = "repo:acme/app:ref:refs/heads/\u0100"


def _labels(d: Document) -> None:
    # Two accounts of one alias are told apart by their IDs; a third account edited to
    # bear one of those labels would share it.
    first = d["source"]["accounts"][0]
    d["source"]["accounts"] += [
        {**first, "id": "111111111111", "alias": "twin"},
        {**first, "id": "222222222222", "alias": "twin"},
    ]
    first["alias"] = "twin-111111111111"


def _partitions(d: Document) -> None:
    d["users"][0]["arn"] = d["users"][0]["arn"].replace("arn:aws:", "arn:aws-cn:")


EDITS = [
    _description,
    _user_name,
    _email,
    _repository,
    _trust_anchor,
    _subject,
    _labels,
    _partitions,
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.strip("_"))
def test_what_generate_refuses_plan_check_refuses(
    document: Document, export: Inventory, edit: Callable[[Document], None]
) -> None:
    edit(document)
    refused = set(plan_problems(json.loads(json.dumps(document))))
    checked = set(check_plan(json.loads(json.dumps(document)), export).problems)
    assert refused, "the edit should make a plan generate refuses"
    assert refused <= checked, refused - checked


def test_a_problem_is_told_once(document: Document, export: Inventory) -> None:
    """A check both sides made (a permission set name used twice) is one problem."""
    sets = document["identity_center"]["permission_sets"]
    sets[1]["name"] = sets[0]["name"]
    messages = [p.message for p in check_plan(document, export).problems]
    assert messages.count(f"permission set name {sets[0]['name']!r} is used twice") == 1, messages


def test_plan_check_exits_2_on_a_description_generate_refuses(
    document: Document, export_dir: Path, tmp_path: Path
) -> None:
    _description(document)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["plan", "--check", str(path), "--input", str(export_dir)])
    assert result.exit_code == 2, result.output
    assert "/identity_center/permission_sets/0/description" in result.stderr
    assert "\x1b" not in result.stderr
