"""An external ID is a secret unique to one customer of a vendor: a pattern
(`StringLike sts:ExternalId "*"`) or a negated condition accepts the ID the vendor passes
for another customer, so the confused deputy is open as if none were required.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trust.support import allow, assert_real_witness, assess

VENDOR = "arn:aws:iam::999988887777:root"


def found(document: dict[str, Any]) -> dict[str, Any]:
    findings = assess(document).findings
    for finding in findings:
        assert_real_witness(document, finding.witness)
    return {finding.check: finding for finding in findings}


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"sts:ExternalId": "*"}},
        {"StringLike": {"sts:ExternalId": "?*"}},
        {"StringNotEquals": {"sts:ExternalId": "not-this-one"}},
        {"Null": {"sts:ExternalId": "false"}},
    ],
)
def test_an_external_id_a_stranger_matches_is_none(condition: dict[str, Any]) -> None:
    checks = found(allow({"AWS": VENDOR}, condition))
    finding = checks["trust-cross-account-no-external-id"]
    assert finding.severity.value == "high"
    assert "trust-account-root-broad" in checks


def test_the_message_says_the_pattern_admits_another_customers_id() -> None:
    checks = found(allow({"AWS": VENDOR}, {"StringLike": {"sts:ExternalId": "*"}}))
    finding = checks["trust-cross-account-no-external-id"]
    assert "another customer's external ID" in finding.message
    assert finding.witness["context"]["sts:ExternalId"] == "another-customers-id"


@pytest.mark.parametrize("values", ["0123456789abcdef", ["0123456789abcdef", "fedcba9876543210"]])
def test_exact_external_ids_keep_the_vendors_other_customers_out(values: Any) -> None:
    checks = found(allow({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": values}}))
    assert "trust-cross-account-no-external-id" not in checks
    assert "trust-account-root-broad" not in checks


def test_no_external_id_at_all_still_says_so() -> None:
    finding = found(allow({"AWS": VENDOR}))["trust-cross-account-no-external-id"]
    assert finding.message.endswith("without an external ID")
