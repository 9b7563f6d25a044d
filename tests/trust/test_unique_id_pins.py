"""`"Principal": "*"` narrowed by `aws:userid` to a unique ID (a role's `AROA…:*`, a
user's `AIDA…`) admits that principal only: unique IDs are global, so a stranger's caller
never has one. A wildcard inside the ID names nobody in particular.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids"""

from __future__ import annotations

import pytest

from tests.trust.support import allow, run_check


@pytest.mark.parametrize(
    "userid", ["AROAEXAMPLEID1234567:*", "AIDAEXAMPLEID7654321", ["AROAEXAMPLEID1234567:ci"]]
)
def test_a_named_unique_id_keeps_strangers_out(userid: object) -> None:
    trust = allow("*", {"StringLike": {"aws:userid": userid}})
    assert run_check("trust-anyone", trust) == ()


@pytest.mark.parametrize("userid", ["AROA*:alice", "*:alice", "*"])
def test_a_wildcard_in_the_id_names_nobody_in_particular(userid: str) -> None:
    trust = allow("*", {"StringLike": {"aws:userid": userid}})
    (finding,) = run_check("trust-anyone", trust)
    assert finding.severity.value == "critical"
