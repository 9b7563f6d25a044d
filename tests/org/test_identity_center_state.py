"""What happens when the organization's Identity Center could not be read."""

from __future__ import annotations

from keyless.engine import EXIT_INCOMPLETE, run_checks
from keyless.model import DatasetState, DatasetStatus, IdentityCenter, Organization
from tests.builders import NOW, make_account, make_inventory


def org(state: DatasetState, center: IdentityCenter | None = None) -> Organization:
    return Organization(
        "o-test123456",
        "111111111111",
        identity_center=center,
        identity_center_state=DatasetStatus(
            state, "" if state is DatasetState.AVAILABLE else "AccessDenied"
        ),
    )


def run_for(organization: Organization) -> tuple[str, int]:
    inventory = make_inventory(make_account("111111111111"), organization=organization)
    result = run_checks(inventory, now=NOW)
    runs = {r.check.id: r for r in result.check_runs}
    return runs["org-identity-center-missing"].status, result.exit_code()


def test_failed_identity_center_is_not_evaluated_and_incomplete() -> None:
    status, code = run_for(org(DatasetState.FAILED))
    assert status == "not_evaluated"
    assert code == EXIT_INCOMPLETE


def test_missing_identity_center_is_not_evaluated_but_not_a_read_failure() -> None:
    inventory = make_inventory(make_account("111111111111"), organization=org(DatasetState.MISSING))
    result = run_checks(inventory, now=NOW)
    runs = {r.check.id: r for r in result.check_runs}
    assert runs["org-identity-center-missing"].status == "not_evaluated"
    assert result.is_complete
    assert result.exit_code(allow_partial=True) != EXIT_INCOMPLETE


def test_missing_identity_center_fails_the_gate_unless_partial_is_allowed() -> None:
    _, code = run_for(org(DatasetState.MISSING))
    assert code == EXIT_INCOMPLETE


def test_read_identity_center_is_evaluated() -> None:
    center = IdentityCenter("arn:aws:sso:::instance/ssoins-1", "d-1")
    status, code = run_for(org(DatasetState.AVAILABLE, center))
    assert status == "evaluated"
    assert code != EXIT_INCOMPLETE
