"""A GitHub immutable subject (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) carries decimal IDs:
a repository's subjects are those whose IDs are digits, so a policy's wildcard over the IDs
(`repo:octo-org@*/app@*`, which spans `:` and `/` as every StringLike wildcard does) is read
as naming `app`, and another repository's subject that happens to end in `/app@3` (a branch
`y/app@3`) is not counted as app's.
https://docs.github.com/en/actions/reference/security/oidc#immutable-subject-claims"""

from __future__ import annotations

import re
from typing import Any

import pytest

from keyless.idp.grammars import GITHUB
from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}
_IMMUTABLE = re.compile(r"^repo:(?P<owner>[^/:@]+)@[0-9]+/(?P<repo>[^/:@]+)@[0-9]+(?::|$)")


def broad_subject(values: list[str]) -> list[Any]:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": values}})
    found = [f for f in assess(document).findings if f.check == "trust-oidc-broad-subject"]
    for finding in found:
        assert_real_witness(document, finding.witness)
    return found


def test_another_repositorys_subject_is_not_the_named_ones() -> None:
    other = "repo:octo-org@1/evil@2:ref:refs/heads/y/app@3"
    assert not GITHUB.repo_language("octo-org", "app").contains(other)
    assert GITHUB.repo_language("octo-org", "app").contains("repo:octo-org@1/app@3:pull_request")


@pytest.mark.parametrize(
    "values",
    [
        ["repo:octo-org@*/app@*"],
        ["repo:octo-org@123/app@456:ref:refs/heads/main", "repo:octo-org@*:ref:refs/heads/*/app@*"],
    ],
    ids=["ids-as-wildcards", "a-pattern-ending-in-the-named-repository"],
)
def test_a_wildcard_over_the_ids_admits_another_repository(values: list[str]) -> None:
    # A repository of octo-org with a branch named `y/app@3` mints
    # `repo:octo-org@1/evil@2:ref:refs/heads/y/app@3`, which both policies admit.
    (finding,) = broad_subject(values)
    match = _IMMUTABLE.match(finding.witness["claims"]["sub"])
    assert match is not None
    assert match.group("owner") == "octo-org"
    assert match.group("repo") != "app"
