"""root-access-key, root-without-mfa, root-recently-used."""

from __future__ import annotations

import pytest

from keyless.config import Thresholds
from keyless.model import RootCredentials
from tests.builders import ACCOUNT_ID, make_account, make_key, make_root
from tests.checks.support import findings

ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"


@pytest.mark.parametrize(
    ("root", "fires"),
    [
        (make_root(), False),
        (make_root(keys=[make_key(active=False)]), False),
        (make_root(keys=[make_key()]), True),
    ],
)
def test_root_access_key(root: RootCredentials, fires: bool) -> None:
    assert bool(findings("root-access-key", make_account(root=root))) is fires


def test_root_access_key_is_critical_on_root_arn() -> None:
    (finding,) = findings("root-access-key", make_account(root=make_root(keys=[make_key()])))
    assert finding.resource == ROOT_ARN
    assert finding.severity == "critical"
    assert finding.message == f"root user of account {ACCOUNT_ID} has 1 active access key(s)"


@pytest.mark.parametrize(("mfa", "fires"), [(True, False), (False, True)])
def test_root_without_mfa(mfa: bool, fires: bool) -> None:
    assert bool(findings("root-without-mfa", make_account(root=make_root(mfa=mfa)))) is fires


def test_root_without_mfa_names_account_alias() -> None:
    account = make_account(root=make_root(mfa=False), alias="prod")
    (finding,) = findings("root-without-mfa", account)
    assert finding.message == f"root user of account prod ({ACCOUNT_ID}) has no MFA"
    assert finding.severity == "critical"


@pytest.mark.parametrize(
    ("root", "fires"),
    [
        (make_root(), False),
        (make_root(password_last_used_days=29), True),
        (make_root(password_last_used_days=30), True),
        (make_root(password_last_used_days=31), False),
        (make_root(keys=[make_key(active=False, last_used_days=3)]), True),
        (make_root(password_last_used_days=200, keys=[make_key(last_used_days=2)]), True),
    ],
)
def test_root_recently_used(root: RootCredentials, fires: bool) -> None:
    assert bool(findings("root-recently-used", make_account(root=root))) is fires


def test_root_recently_used_uses_configured_window() -> None:
    account = make_account(root=make_root(password_last_used_days=20))
    assert findings("root-recently-used", account, Thresholds(root_recent_use_days=10)) == ()


def test_root_recently_used_message() -> None:
    (finding,) = findings(
        "root-recently-used", make_account(root=make_root(password_last_used_days=3))
    )
    assert finding.message == f"root user of account {ACCOUNT_ID} was used 3 days ago (within 30)"
    assert finding.severity == "high"


@pytest.mark.parametrize("check_id", ["root-access-key", "root-without-mfa", "root-recently-used"])
def test_root_checks_silent_without_root_row(check_id: str) -> None:
    assert findings(check_id, make_account(root=None)) == ()
