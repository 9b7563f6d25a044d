"""Identity Center posture against the moto server's default SSO instance."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from keyless.collect.live.identity_center import collect_identity_center
from keyless.collect.live.organization import collect_organization
from keyless.model import DatasetState
from tests.org.conftest import MANAGEMENT, Estate, error_response, make_session


def test_instance_and_permission_set_are_collected(estate: Estate, seeded: dict[str, Any]) -> None:
    center, state = collect_identity_center(
        make_session(), account_ids=estate.members[:10], endpoint_url=estate.endpoint
    )
    assert state.state is DatasetState.AVAILABLE
    assert center is not None
    assert center.instance_arn == seeded["instance"]
    (ps,) = [p for p in center.permission_sets if p.arn == seeded["ps"]]
    assert ps.name == "ReadOnly"
    assert ps.session_duration == "PT4H"
    assert ps.managed_policies == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert ps.customer_managed_policies == ("/org/Boundary",)
    assert ps.inline_policy is not None
    assert ps.inline_policy["Statement"][0]["Effect"] == "Deny"


def test_assignments_carry_resolved_names(estate: Estate, seeded: dict[str, Any]) -> None:
    center, _ = collect_identity_center(
        make_session(), account_ids=[seeded["target"]], endpoint_url=estate.endpoint
    )
    assert center is not None
    names = {(a.principal_type, a.principal_id): a.principal_name for a in center.assignments}
    assert names[("USER", seeded["user"])] == "alice.smith"
    assert names[("GROUP", seeded["group"])] == "Auditors"
    assert names[("USER", "missing-user")] is None
    assert {a.account_id for a in center.assignments} == {seeded["target"]}
    assert center.failed_calls == ()


def test_no_instance_is_an_answer_not_a_failure(estate: Estate) -> None:
    session = make_session()
    session.events.register(
        "before-call.sso-admin.ListInstances",
        lambda **_: (error_response("x", "x", status=200)[0], {"Instances": []}),
    )
    center, state = collect_identity_center(session, account_ids=[], endpoint_url=estate.endpoint)
    assert center is None
    assert state.state is DatasetState.AVAILABLE


def test_denied_list_instances_is_a_failed_state(estate: Estate) -> None:
    session = make_session()
    session.events.register(
        "before-call.sso-admin.ListInstances",
        lambda **_: error_response("AccessDeniedException", "no sso:ListInstances"),
    )
    center, state = collect_identity_center(session, account_ids=[], endpoint_url=estate.endpoint)
    assert center is None
    assert state.state is DatasetState.FAILED
    assert "AccessDeniedException" in state.reason


def test_denied_assignment_listing_is_recorded(estate: Estate, seeded: dict[str, Any]) -> None:
    session = make_session()
    session.events.register(
        "before-call.sso-admin.ListAccountAssignments",
        lambda **_: error_response("AccessDeniedException", "denied"),
    )
    center, state = collect_identity_center(
        session, account_ids=[seeded["target"]], endpoint_url=estate.endpoint
    )
    assert state.state is DatasetState.AVAILABLE
    assert center is not None
    assert {c.operation for c in center.failed_calls} == {"ListAccountAssignments"}


def test_organization_scan_records_identity_center(estate: Estate, seeded: dict[str, Any]) -> None:
    inventory = collect_organization(
        make_session(), endpoint_url=estate.endpoint, accounts=[MANAGEMENT]
    )
    org = inventory.organization
    assert org is not None
    assert org.identity_center is not None
    assert org.identity_center_state.state is DatasetState.AVAILABLE
    assert any(a.account_id == seeded["target"] for a in org.identity_center.assignments)


def test_unreadable_inline_policy_is_recorded_not_dropped(
    estate: Estate, seeded: dict[str, Any]
) -> None:
    session = make_session()
    session.events.register(
        "before-call.sso-admin.GetInlinePolicyForPermissionSet",
        lambda **_: (
            AWSResponse("https://aws.invalid/", 200, {}, None),
            {"InlinePolicy": "{not json", "ResponseMetadata": {"HTTPStatusCode": 200}},
        ),
    )
    center, _ = collect_identity_center(
        session, account_ids=[seeded["target"]], endpoint_url=estate.endpoint
    )
    assert center is not None
    failures = [c for c in center.failed_calls if c.operation == "GetInlinePolicyForPermissionSet"]
    assert failures
    assert failures[0].code == "UnreadableResponse"
