"""A GitHub repository's name is ASCII letters, digits, `.`, `-` and `_` (GitHub replaces
any other character by `-` when it creates one), an owner's letters, digits, `-` (and `_`
for managed and externally authenticated users): a `sub` naming another is one GitHub
never mints, a dead condition. `repo:o/ré` was judged as a repository like any other.
https://github.com/github/docs/issues/44518"""

from __future__ import annotations

import re

import pytest

from tests.trust.support import GH, assert_real_witness, assess, github

AUD = {f"{GH}:aud": "sts.amazonaws.com"}


def findings(operator: str, *subs: str) -> list[tuple[str, str, str]]:
    condition = {"StringEquals": AUD, operator: {f"{GH}:sub": list(subs)}}
    if operator == "StringEquals":
        condition = {"StringEquals": {**AUD, f"{GH}:sub": list(subs)}}
    found = assess(github(condition)).findings
    return [(f.check, f.severity.value, f.message) for f in found]


@pytest.mark.parametrize(
    ("operator", "sub", "name"),
    [
        ("StringEquals", "repo:octo-org/ré:ref:refs/heads/main", "repo:octo-org/ré"),
        ("StringEquals", "repo:octo org/app:ref:refs/heads/main", "repo:octo "),
        ("StringEquals", "repository_owner:octo.org", "repository_owner:octo."),
        ("StringLike", "repo:octo-org/my app*", "repo:octo-org/my "),
        ("StringLike", "environment:prod:repo:octo-org/ré", "repo:octo-org/ré"),
        ("StringEqualsIgnoreCase", "REPO:OCTO-ORG/RÉ:ref:refs/heads/main", "REPO:OCTO-ORG/RÉ"),
    ],
)
def test_a_name_github_never_gives_admits_nobody(operator: str, sub: str, name: str) -> None:
    found = findings(operator, sub)
    assert {(check, severity) for check, severity, _ in found} == {
        ("trust-dead-condition", "medium"),
        ("trust-dead-condition", "low"),
    }
    (value,) = [message for check, severity, message in found if severity == "low"]
    assert f"matches no subject the provider mints: '{name}'" in value


@pytest.mark.parametrize(
    "sub",
    [
        "repo:octo-org/my-app.v2_x:ref:refs/heads/main",
        "repo:Octo-Org/App:ref:refs/heads/main",
        "repo:octo-org@123/app.x@456:ref:refs/heads/main",
        "repo:octo_shortcode/app:ref:refs/heads/main",  # a managed user's repository
        "repo:octo-org/app:environment:prod é",  # an environment's name is not a repository's
    ],
)
def test_a_name_github_gives_is_judged(sub: str) -> None:
    assert findings("StringEquals", sub) == []


def test_one_dead_value_beside_a_live_one_is_reported_alone() -> None:
    found = findings(
        "StringEquals",
        "repo:octo-org/app:ref:refs/heads/main",
        "repo:octo-org/äpp:ref:refs/heads/main",
    )
    assert [(check, severity) for check, severity, _ in found] == [("trust-dead-condition", "low")]


@pytest.mark.parametrize("sub", ["repo:octo-org/app?é", "repo:octo-org/*é:ref:refs/heads/main"])
def test_a_name_github_never_gives_after_a_wildcard(sub: str) -> None:
    # `?` stands for one character: the repository's name holds `é` whatever it is (a `:`
    # there makes `é` a field without a key). Read beyond the literal prefix too.
    found = findings("StringLike", sub)
    if sub.endswith("?é"):
        (low,) = [message for check, severity, message in found if severity == "low"]
        assert "matches no subject the provider mints: a name in each holds" in low
        assert ("trust-dead-condition", "medium") in {(c, s) for c, s, _ in found}
    else:
        # `*` spans fields (`repo:octo-org/a:base_ref:é:…`): alive, and no witness names
        # a repository GitHub never gives.
        assert not [check for check, _, _ in found if check == "trust-dead-condition"]


@pytest.mark.parametrize("sub", ["repo:octo-org/app*é", "repo:octo-org/*é:ref:refs/heads/main"])
def test_no_witness_names_a_repository_or_actor_github_never_gives(sub: str) -> None:
    document = github({"StringEquals": AUD, "StringLike": {f"{GH}:sub": sub}})
    found = [f for f in assess(document).findings if f.witness]
    assert found
    for finding in found:
        assert_real_witness(document, finding.witness)
        subject = finding.witness["claims"]["sub"]
        for key in ("repo", "repository_owner", "actor"):
            for match in re.finditer(rf"(?:^|(?<=:)){key}:([^:]*)", subject):
                assert "é" not in match.group(1), subject
