"""A Roles Anywhere trust pinned by a pattern over the account's own trust anchors
(`ArnLike aws:SourceArn arn:aws:rolesanywhere:*:111122223333:trust-anchor/*`) admits every
anchor of the account: `trust-roles-anywhere-unpinned` says so, and its witness is an
anchor with an anchor's shape (a Region, a UUID) that `keyless simulate` takes.
https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html"""

from __future__ import annotations

import re

from tests.trust.support import allow, run_check

ANCHOR_ARN = re.compile(
    r"arn:aws:rolesanywhere:[a-z]{2}(-[a-z]+)+-[0-9]:111122223333:trust-anchor/[0-9a-f-]{36}"
)


def test_a_pattern_over_the_own_anchors_has_a_real_anchor_as_witness() -> None:
    trust = allow(
        {"Service": "rolesanywhere.amazonaws.com"},
        {"ArnLike": {"aws:SourceArn": "arn:aws:rolesanywhere:*:111122223333:trust-anchor/*"}},
        Action=["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    )
    (finding,) = run_check("trust-roles-anywhere-unpinned", trust)
    assert ANCHOR_ARN.fullmatch(finding.witness["trust_anchor"])
    assert "any trust anchor of account 111122223333" in finding.message
