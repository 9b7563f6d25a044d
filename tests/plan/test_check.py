"""``--check``: a hand-edited plan is validated against its source inventory, with one
message (and JSON pointer) per error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from keyless.config import Thresholds
from keyless.model import Inventory
from keyless.plan.check import CheckResult, check_plan
from keyless.plan.document import dumps, plan_document
from tests.plan.support import export_plan

Document = dict[str, Any]


@pytest.fixture
def document(export: Inventory) -> Document:
    return json.loads(dumps(plan_document(export_plan(export))))


def _user(document: Document, name: str) -> Document:
    return next(u for u in document["users"] if u["name"] == name)


def _check(document: Document, inventory: Inventory) -> CheckResult:
    return check_plan(json.loads(json.dumps(document)), inventory)


def _messages(result: CheckResult) -> list[str]:
    return [f"{p.pointer}: {p.message}" for p in result.problems]


def test_the_plan_as_written_is_valid(document: Document, export: Inventory) -> None:
    result = _check(document, export)
    assert result.problems == ()
    assert result.open_items == ("role backup-nas-rolesanywhere: certificate CN only proposed",)


def _unknown_user(d: Document) -> None:
    d["users"][0]["arn"] = "arn:aws:iam::210987654321:user/nobody"


def _unknown_permission_set(d: Document) -> None:
    _user(d, "tom.baker")["target"]["permission_set"] = "NoSuchSet"


def _oidc_for_a_user_without_keys(d: Document) -> None:
    _user(d, "old-intern")["destination"] = "oidc-role"


def _duplicate_permission_set_name(d: Document) -> None:
    sets = d["identity_center"]["permission_sets"]
    sets[1]["name"] = sets[0]["name"]


def _schema_violation(d: Document) -> None:
    d["users"][0]["destination"] = "somewhere"


def _broader_inline_policy(d: Document) -> None:
    (engineers,) = [s for s in d["identity_center"]["permission_sets"] if s["name"] == "engineers"]
    engineers["inline_policy"]["Statement"].append(
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    )


def _subject_of_another_repository(d: Document) -> None:
    d["oidc_roles"][0]["subjects"][0]["value"] = "repo:attacker/app:ref:refs/heads/main"


def _wildcard_under_string_equals(d: Document) -> None:
    d["oidc_roles"][0]["subjects"][0]["value"] = "repo:acme/app:*"


def _role_name_taken_twice(d: Document) -> None:
    d["workload_roles"][0]["name"] = d["oidc_roles"][0]["name"]


def _retiring_a_kept_user(d: Document) -> None:
    _user(d, "stale-bot")["destination"] = "keep"


def _unbacked_assignment(d: Document) -> None:
    d["identity_center"]["assignments"].append(
        {
            "account": "210987654321",
            "user_name": "tom.baker@example.com",
            "permission_set": "AdministratorAccess",
        }
    )


def _stale_fingerprint(d: Document) -> None:
    d["source"]["fingerprint"] = "sha256:" + "0" * 64


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _unknown_user,
            "/users/0: no IAM user arn:aws:iam::210987654321:user/nobody in the inventory",
        ),
        (_unknown_permission_set, "unknown permission set 'NoSuchSet'"),
        (_oidc_for_a_user_without_keys, "oidc-role replaces access keys, and old-intern has none"),
        (_duplicate_permission_set_name, "name 'AdministratorAccess' is used twice"),
        (_schema_violation, "/users/0/destination: 'somewhere' is not one of"),
        (_broader_inline_policy, "broader than maria.garcia"),
        (_subject_of_another_repository, "is not a subject of the role's repositories"),
        (_wildcard_under_string_equals, "StringEquals compares literally"),
        (_role_name_taken_twice, "is used twice"),
        (_retiring_a_kept_user, "stale-bot is keep: nothing of it may be retired"),
        (_unbacked_assignment, "which none of their IAM users there carries"),
        (_stale_fingerprint, "the plan was made from another inventory"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_a_hand_edit_with_an_error_is_rejected(
    document: Document, export: Inventory, edit: Callable[[Document], None], expected: str
) -> None:
    edit(document)
    messages = _messages(_check(document, export))
    assert any(expected in message for message in messages), messages


def test_every_error_is_reported_at_once(document: Document, export: Inventory) -> None:
    _unknown_permission_set(document)
    _oidc_for_a_user_without_keys(document)
    assert len(_check(document, export).problems) >= 2


def test_a_destination_changed_consistently_is_accepted(
    document: Document, export: Inventory
) -> None:
    user = _user(document, "backup-nas")
    user["destination"] = "retire"
    user["target"] = None
    document["roles_anywhere"] = []
    assert _check(document, export).problems == ()


def test_a_renamed_permission_set_is_accepted_when_renamed_everywhere(
    document: Document, export: Inventory
) -> None:
    for entry in document["identity_center"]["permission_sets"]:
        if entry["name"] == "AdministratorAccess":
            entry["name"] = "Admins"
    for assignment in document["identity_center"]["assignments"]:
        if assignment["permission_set"] == "AdministratorAccess":
            assignment["permission_set"] = "Admins"
    _user(document, "ops-lead")["target"]["permission_set"] = "Admins"
    assert _check(document, export).problems == ()


def _retire(document: Document, name: str) -> None:
    """Move ``name`` to retire consistently everywhere (as a person editing it would)."""
    user = _user(document, name)
    target = user["target"]
    user["destination"] = "retire"
    user["target"] = None
    for listing in ("oidc_roles", "roles_anywhere", "workload_roles"):
        document[listing] = [
            r for r in document[listing] if r["name"] != (target or {}).get("role")
        ]
    center = document["identity_center"]
    center["users"] = [u for u in center["users"] if user["arn"] not in u["iam_users"]]
    names = {u["user_name"].lower() for u in center["users"]}
    center["assignments"] = [a for a in center["assignments"] if a["user_name"].lower() in names]
    if not any(r["arn"] == user["arn"] for r in document["retire"]):
        document["retire"].append({"arn": user["arn"], "keys": []})


def test_retiring_a_user_whose_key_is_in_use_is_rejected(
    document: Document, export: Inventory
) -> None:
    """A workload's key used within the threshold: retiring it would break the workload."""
    _retire(document, "backup-nas")
    result = check_plan(json.loads(json.dumps(document)), export, Thresholds())
    assert any("backup-nas cannot be retired" in m for m in _messages(result)), _messages(result)


def test_retiring_a_person_who_signs_in_is_rejected(document: Document, export: Inventory) -> None:
    (person,) = [u for u in document["users"] if u["name"] == "tom.baker"]
    assert person["destination"] == "identity-center"
    _retire(document, "tom.baker")
    result = check_plan(json.loads(json.dumps(document)), export, Thresholds())
    assert any(
        "tom.baker cannot be retired: console password used" in m for m in _messages(result)
    ), _messages(result)


def test_use_is_judged_with_the_thresholds_given(document: Document, export: Inventory) -> None:
    """The same edit against thresholds under which nothing is recent is accepted: the
    verdict follows the configuration the plan was made with."""
    _retire(document, "backup-nas")
    never = Thresholds(key_unused_days=0, password_unused_days=0)
    result = check_plan(json.loads(json.dumps(document)), export, never)
    assert not any("cannot be retired" in m for m in _messages(result)), _messages(result)
