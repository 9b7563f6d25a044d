"""`"Principal": "*"` narrowed by `aws:PrincipalAccount` to named accounts trusts each of
them as a whole, as naming its `:root` does: another account among them is broad trust
(and a confused deputy without an external ID), described as those accounts' principals.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount"""

from __future__ import annotations

from typing import Any

from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path
from tests.trust.support import allow, assert_real_witness, assess

OWN, OTHER = "111122223333", "444455556666"


def found(document: dict[str, Any]) -> dict[str, Any]:
    findings = assess(document).findings
    for finding in findings:
        assert_real_witness(document, finding.witness)
    return {finding.check: finding for finding in findings}


def by_account(*accounts: str, **condition: Any) -> dict[str, Any]:
    return allow("*", {"StringEquals": {"aws:PrincipalAccount": list(accounts), **condition}})


def test_another_account_named_by_principal_account_is_trusted_as_a_whole() -> None:
    checks = found(by_account(OWN, OTHER))
    root = checks["trust-account-root-broad"]
    assert OTHER in root.message
    assert root.witness["principal"].startswith(f"arn:aws:iam::{OTHER}:")
    deputy = checks["trust-cross-account-no-external-id"]
    assert deputy.severity.value == "high"
    assert "trust-anyone" not in checks


def test_it_is_judged_as_the_root_principal_is() -> None:
    as_root = found(allow({"AWS": f"arn:aws:iam::{OTHER}:root"}))
    assert {c: f.severity for c, f in found(by_account(OTHER)).items()} == {
        c: f.severity for c, f in as_root.items()
    }


def test_the_own_account_alone_is_no_finding() -> None:
    assert found(by_account(OWN)) == {}


def test_an_external_id_keeps_the_confused_deputy_out() -> None:
    checks = found(by_account(OTHER, **{"sts:ExternalId": "0123456789abcdef"}))
    assert "trust-cross-account-no-external-id" not in checks
    assert "trust-account-root-broad" not in checks


def test_the_description_names_the_accounts() -> None:
    (path,) = analyse(by_account(OWN, OTHER)).paths
    assert describe_path(path) == (
        f"any principal of accounts {OWN}, {OTHER} that their own policies allow"
    )


def narrowed(pattern: str) -> dict[str, Any]:
    return allow({"AWS": f"arn:aws:iam::{OTHER}:root"}, {"ArnLike": {"aws:PrincipalArn": pattern}})


def test_a_pattern_over_every_role_of_the_account_names_none() -> None:
    # Whatever role its administrators create gets in, as through :root.
    checks = found(narrowed(f"arn:aws:iam::{OTHER}:role/*"))
    assert "trust-account-root-broad" in checks
    assert checks["trust-cross-account-no-external-id"].severity.value == "high"


def test_a_pattern_over_some_roles_still_names_them() -> None:
    assert found(narrowed(f"arn:aws:iam::{OTHER}:role/ci-*")) == {}
    assert found(narrowed("arn:aws:iam::*:role/deployer")) == {}


def test_a_stranger_witness_is_never_the_unknown_account() -> None:
    # 999988887777 excluded: another documentation account, not 000000000000 (what keyless
    # prints for an unknown account).
    trust = allow("*", {"StringNotEquals": {"aws:PrincipalAccount": "999988887777"}})
    finding = found(trust)["trust-anyone"]
    assert finding.witness["principal"].startswith("arn:aws:iam::777788889999:")


def test_principal_star_narrowed_by_principal_arn_is_described_by_it() -> None:
    pattern = f"arn:aws:iam::{OWN}:role/ci-*"
    (path,) = analyse(allow("*", {"ArnLike": {"aws:PrincipalArn": pattern}})).paths
    assert describe_path(path) == f"principals whose ARN matches '{pattern}'"
