"""One destination per user, from the evidence: table-driven over small inventories."""

from __future__ import annotations

import pytest

from keyless.config import PlanConfig, PlanKeep
from keyless.errors import ConfigError
from keyless.model import Dataset
from keyless.plan.model import Confidence, Destination
from tests.builders import make_account, make_inventory, make_key, make_login, make_user
from tests.plan.support import entry, plan_of

RECENT_KEY = make_key(last_used_days=2, service="s3", region="eu-west-1")
OLD_KEY = make_key(age_days=400, last_used_days=300)


@pytest.mark.parametrize(
    ("user", "destination"),
    [
        (make_user("alice", console=True, tags={"email": "a@example.com"}), "identity-center"),
        (make_user("ci-deploy", keys=[RECENT_KEY]), "undecided"),
        (make_user("gitlab-deploy", keys=[RECENT_KEY]), "oidc-role"),
        (make_user("deployer", path="/ci/", keys=[RECENT_KEY]), "undecided"),
        (make_user("deployer", path="/ci/github/", keys=[RECENT_KEY]), "oidc-role"),
        (make_user("runner", tags={"purpose": "github actions"}, keys=[RECENT_KEY]), "oidc-role"),
        (make_user("app", tags={"repository": "acme/app"}, keys=[RECENT_KEY]), "oidc-role"),
        (make_user("lambda-etl", keys=[RECENT_KEY]), "workload-role"),
        (make_user("backup-host", keys=[RECENT_KEY]), "roles-anywhere"),
        (make_user("svc-x", keys=[RECENT_KEY]), "roles-anywhere"),
        (make_user("bob", console=make_login(last_used_days=90)), "retire"),
        (make_user("old", keys=[OLD_KEY]), "retire"),
        (make_user("nothing"), "retire"),
        (make_user("gone", keys=[make_key(active=False, last_used_days=2)]), "retire"),
        (make_user("fresh", keys=[make_key(age_days=2, last_used_days=None)]), "undecided"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_destination_follows_the_evidence(user, destination: str) -> None:
    plan = plan_of(make_inventory(users=[user]))
    assert entry(plan, user.name).decision.destination == destination


def test_a_person_with_a_key_goes_to_identity_center_with_medium_confidence() -> None:
    user = make_user("jane.doe", keys=[RECENT_KEY], tags={"email": "jane@example.com"})
    decision = entry(plan_of(make_inventory(users=[user])), "jane.doe").decision
    assert (decision.destination, decision.confidence) == (
        Destination.IDENTITY_CENTER,
        Confidence.MEDIUM,
    )


def test_console_use_with_ci_signals_is_undecided_with_what_would_decide() -> None:
    user = make_user("ci-bot", console=True, keys=[RECENT_KEY])
    decision = entry(plan_of(make_inventory(users=[user])), "ci-bot").decision
    assert decision.destination is Destination.UNDECIDED
    assert any("--link ci-bot=github:ORG/REPO, gitlab:" in i for i in decision.would_decide)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("circleci-deploy", "--link circleci-deploy=circleci:ORG_ID/PROJECT_ID"),
        ("bitbucket_ci", "--link bitbucket_ci=bitbucket:WORKSPACE/WORKSPACE_UUID/REPOSITORY_UUID"),
    ],
)
def test_a_ci_user_named_after_circleci_or_bitbucket_is_told_that_links_syntax(
    name: str, hint: str
) -> None:
    # Their issuer is the organization's (workspace's): no role without the project's IDs.
    user = make_user(name, keys=[RECENT_KEY])
    plan = plan_of(make_inventory(users=[user]))
    decision = entry(plan, name).decision
    assert decision.destination is Destination.UNDECIDED
    assert plan.oidc_roles == ()
    assert any(hint in item for item in decision.would_decide)
    assert not any("ORG/REPO" in item for item in decision.would_decide)


def test_a_key_with_ci_and_person_signals_is_undecided() -> None:
    user = make_user("ci-alice", keys=[RECENT_KEY], tags={"email": "alice@example.com"})
    plan = plan_of(make_inventory(users=[user]))
    assert entry(plan, "ci-alice").decision.destination is Destination.UNDECIDED


def test_a_workload_with_no_signal_is_roles_anywhere_with_low_confidence() -> None:
    user = make_user("svc-x", keys=[RECENT_KEY])
    decision = entry(plan_of(make_inventory(users=[user])), "svc-x").decision
    assert decision.confidence is Confidence.LOW
    assert any("host:CN" in item for item in decision.would_decide)


def test_a_link_decides_and_names_its_source() -> None:
    user = make_user("svc-x", keys=[RECENT_KEY])
    decision = entry(plan_of(make_inventory(users=[user]), "svc-x=acme/app"), "svc-x").decision
    assert decision.destination is Destination.OIDC_ROLE
    assert "linked to acme/app (--link)" in decision.reason


def test_a_link_to_a_role_for_a_user_without_keys_is_undecided() -> None:
    user = make_user("alice", console=True)
    plan = plan_of(make_inventory(users=[user]), "alice=acme/app")
    assert entry(plan, "alice").decision.destination is Destination.UNDECIDED


def test_a_link_to_an_unknown_user_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no IAM user 'nobody'"):
        plan_of(make_inventory(users=[make_user("alice")]), "nobody=acme/app")


def test_links_of_different_kinds_for_one_user_are_an_error() -> None:
    user = make_user("svc", keys=[RECENT_KEY])
    with pytest.raises(ConfigError, match="different kinds"):
        plan_of(make_inventory(users=[user]), "svc=acme/app", "svc=host:svc.example.com")


def test_keep_comes_only_from_configuration_with_its_reason() -> None:
    user = make_user("break-glass", console=True)
    config = PlanConfig(keep=(PlanKeep("break-glass", "sealed in the vault", "test"),))
    plan = plan_of(make_inventory(users=[user]), config=config)
    decision = entry(plan, "break-glass").decision
    assert (decision.destination, decision.reason) == (
        Destination.KEEP,
        "kept: sealed in the vault",
    )


def test_no_credential_report_means_undecided() -> None:
    account = make_account(
        users=[make_user("alice", console=True)], missing=[Dataset.CREDENTIAL_REPORT]
    )
    decision = entry(plan_of(make_inventory(account)), "alice").decision
    assert decision.destination is Destination.UNDECIDED
    assert "credential report" in decision.reason


def test_retire_reason_says_what_is_unused() -> None:
    user = make_user("bob", console=make_login(last_used_days=90))
    reason = entry(plan_of(make_inventory(users=[user])), "bob").decision.reason
    assert "console password unused for 90 days (limit 45)" in reason
