"""An aws:PrincipalOrgID / aws:PrincipalOrgPaths pin admits one organization's principals
(issue #18, item 6): with the organization known it is not "outside"; judged alone, the
policy's description says what the pin admits and no confused deputy is claimed."""

from __future__ import annotations

from typing import Any

from keyless.engine import assess_trust
from keyless.model import Organization
from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from tests.builders import make_account, make_inventory, make_role
from tests.trust.support import allow, assert_real_witness

OWN = "o-abc123def4"
VENDOR = "999988887777"  # an account that is not in the inventory


def pinned(condition: dict[str, Any]) -> dict[str, Any]:
    return allow({"AWS": f"arn:aws:iam::{VENDOR}:root"}, condition)


ORG_ID = pinned({"StringEquals": {"aws:PrincipalOrgID": OWN}})
ORG_PATHS = pinned({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{OWN}/r-ab12/ou-*"}})
UNPINNED = pinned({})


def checks(document: dict[str, Any], organization: str | None = None) -> dict[str, Any]:
    role = make_role("r", trust=document)
    inventory = None
    if organization is not None:
        inventory = make_inventory(
            make_account(roles=[role]),
            organization=Organization(id=organization, management_account_id=role.account_id),
        )
    findings = assess_trust(role, inventory).findings
    for finding in findings:
        if finding.witness is not None:
            assert_real_witness(document, finding.witness)
    return {finding.check: finding for finding in findings}


def test_a_bare_policy_pinned_to_an_organization_claims_no_confused_deputy() -> None:
    assert "trust-cross-account-no-external-id" not in checks(ORG_ID)
    assert "trust-cross-account-no-external-id" not in checks(ORG_PATHS)


def test_without_a_pin_the_confused_deputy_is_reported() -> None:
    assert "trust-cross-account-no-external-id" in checks(UNPINNED)


def test_the_description_says_what_the_pin_admits() -> None:
    (path,) = analyse(ORG_ID).paths
    assert describe_path(path).endswith(f"only principals of organization {OWN}")


def test_judged_alone_the_broad_trust_finding_names_the_organization() -> None:
    finding = checks(ORG_ID)["trust-account-root-broad"]
    assert finding.evidence["organizations"] == [OWN]
    assert f"in organization {OWN}" in finding.message


def test_with_the_organization_known_its_own_pin_is_not_outside() -> None:
    found = checks(ORG_ID, organization=OWN)
    assert "trust-cross-account-no-external-id" not in found
    assert "trust-account-root-broad" not in found
    assert "trust-account-root-broad" not in checks(ORG_PATHS, organization=OWN)


def test_with_the_organization_known_another_organization_is_outside() -> None:
    other = pinned({"StringEquals": {"aws:PrincipalOrgID": "o-zzz999yyy8"}})
    found = checks(other, organization=OWN)
    assert "trust-cross-account-no-external-id" in found
    context = found["trust-cross-account-no-external-id"].witness["context"]
    assert context["aws:PrincipalOrgID"] == "o-zzz999yyy8"


NAMED = allow({"AWS": f"arn:aws:iam::{VENDOR}:role/ci-runner"})


def test_a_named_role_of_another_account_judged_alone_is_not_reported() -> None:
    assert "trust-cross-account-no-external-id" not in checks(NAMED)


def test_with_the_organization_known_a_named_role_outside_it_is_medium() -> None:
    finding = checks(NAMED, organization=OWN)["trust-cross-account-no-external-id"]
    assert finding.severity.value == "medium"
    assert f"role/ci-runner of account {VENDOR}, outside organization {OWN}," in finding.message


def test_with_the_organization_known_a_whole_account_outside_it_is_high() -> None:
    finding = checks(UNPINNED, organization=OWN)["trust-cross-account-no-external-id"]
    assert finding.severity.value == "high"
    assert f"outside organization {OWN}" in finding.message


# "Principal": "*" behind a condition on the caller's organization: a stranger may be in an
# organization of their own (anyone can create one), so only a pin to named organizations
# keeps them out.
ANYONE_IN_SOME_ORG = allow("*", {"Null": {"aws:PrincipalOrgID": "false"}})
ANYONE_FOR_ALL_VALUES = allow("*", {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": OWN}})


def test_anyone_in_any_organization_is_anyone() -> None:
    finding = checks(ANYONE_IN_SOME_ORG)["trust-anyone"]
    assert finding.severity.value == "critical"
    assert finding.witness["context"]["aws:PrincipalOrgID"] not in ("", OWN)


def test_a_null_condition_names_no_organization() -> None:
    (path,) = analyse(ANYONE_IN_SOME_ORG).paths
    assert "organization false" not in describe_path(path)


def test_anyone_pinned_to_the_estates_organization_is_still_nobody_outside() -> None:
    pinned_anyone = allow("*", {"StringEquals": {"aws:PrincipalOrgID": OWN}})
    assert "trust-anyone" not in checks(pinned_anyone)
    assert "trust-anyone" not in checks(pinned_anyone, organization=OWN)
    assert "trust-anyone" in checks(ANYONE_IN_SOME_ORG, organization=OWN)


def test_a_pin_that_callers_of_no_organization_pass_is_not_described_as_one() -> None:
    (path,) = analyse(ANYONE_FOR_ALL_VALUES).paths
    assert "only principals of organization" not in describe_path(path)
    assert "trust-anyone" in checks(ANYONE_FOR_ALL_VALUES)
