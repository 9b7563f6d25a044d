"""What changed between two scans: exactly the users, keys and findings that changed,
and nothing that could not be read reported as fixed."""

from __future__ import annotations

from dataclasses import replace

from keyless.engine import run_checks
from keyless.findings import Severity
from keyless.model import AccessKey, AccountStatus, Dataset, Inventory
from keyless.store import record_of_result
from keyless.store.diff import Diff, compare
from keyless.store.record import ScanRecord
from tests.builders import (
    NOW,
    OTHER_ACCOUNT_ID,
    make_account,
    make_inventory,
    make_key,
    make_user,
)


def _old() -> Inventory:
    ci = [make_user(f"ci-{n}", keys=[make_key(age_days=400 + n)]) for n in range(3)]
    bob = make_user("bob", account_id=OTHER_ACCOUNT_ID, console=True)
    return make_inventory(make_account(users=ci), make_account(OTHER_ACCOUNT_ID, users=[bob]))


def _migrated() -> Inventory:
    """ci-0 deleted, ci-1's key deactivated, ci-9 created with a fresh key, bob given MFA."""
    ci = [
        make_user("ci-1", keys=[make_key(age_days=401, active=False)]),
        make_user("ci-2", keys=[make_key(age_days=402)]),
        make_user("ci-9", keys=[make_key(age_days=3, key_id="AKIANEWKEY000000009")]),
    ]
    bob = make_user("bob", account_id=OTHER_ACCOUNT_ID, console=True, mfa=True)
    return make_inventory(make_account(users=ci), make_account(OTHER_ACCOUNT_ID, users=[bob]))


def _record(inventory: Inventory) -> ScanRecord:
    return record_of_result(run_checks(inventory, now=NOW))


def _diff(old: Inventory, new: Inventory) -> Diff:
    return compare(_record(old), _record(new), old_name="old", new_name="new")


def test_users_added_and_removed() -> None:
    ci, _ = _diff(_old(), _migrated()).accounts
    assert [u.name for u in ci.users_removed] == ["ci-0"]
    assert [u.name for u in ci.users_added] == ["ci-9"]


def test_keys_added_removed_and_deactivated() -> None:
    ci, _ = _diff(_old(), _migrated()).accounts
    assert [k.user_arn.rsplit("/", 1)[1] for k in ci.keys_removed] == ["ci-0"]
    assert [k.key_id for k in ci.keys_added] == ["AKIANEWKEY000000009"]
    assert [k.user_arn.rsplit("/", 1)[1] for k in ci.keys_deactivated] == ["ci-1"]
    assert ci.keys_reactivated == ()


def test_a_user_given_mfa_is_a_change() -> None:
    _, people = _diff(_old(), _migrated()).accounts
    assert [(c.user.name, c.change) for c in people.users_changed] == [("bob", "MFA enabled")]


def test_findings_new_fixed_and_unchanged() -> None:
    old, new = _record(_old()), _record(_migrated())
    diff = compare(old, new, old_name="old", new_name="new")
    gone = {f.identity for f in old.findings} - {f.identity for f in new.findings}
    came = {f.identity for f in new.findings} - {f.identity for f in old.findings}
    assert {f.identity for a in diff.accounts for f in a.findings_fixed} == gone
    assert {f.identity for a in diff.accounts for f in a.findings_new} == came
    assert all("ci-9" in f.resource for a in diff.accounts for f in a.findings_new)
    assert {"ci-0", "ci-1", "bob"} <= {
        f.resource.rsplit("/", 1)[1] for a in diff.accounts for f in a.findings_fixed
    }
    assert diff.total("findings_unchanged") == len(old.findings) - len(gone)


def test_the_same_scan_twice_has_no_changes() -> None:
    diff = _diff(_old(), _old())
    assert not any(a.has_changes for a in diff.accounts)
    assert diff.exit_code() == 0


def test_findings_of_an_account_that_could_not_be_read_are_unverified() -> None:
    old = _old()
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="AccessDenied")
    new = replace(old, accounts=(old.accounts[0], failed))
    _, people = _diff(old, new).accounts
    assert people.findings_fixed == ()
    assert people.findings_unverified
    assert not people.identities_compared
    assert people.users_removed == ()


def test_findings_of_a_check_not_evaluated_are_unverified() -> None:
    old = _old()
    blind = make_account(users=old.accounts[0].users, missing={Dataset.CREDENTIAL_REPORT})
    new = replace(old, accounts=(blind, old.accounts[1]))
    ci, _ = _diff(old, new).accounts
    assert any(f.check == "key-not-rotated" for f in ci.findings_unverified)
    assert not any(f.check == "key-not-rotated" for f in ci.findings_fixed)


def test_a_rotated_key_is_one_removed_and_one_added() -> None:
    old = make_inventory(users=[make_user("ci", keys=[make_key(key_id="AKIAOLD")])])
    new = make_inventory(users=[make_user("ci", keys=[make_key(key_id="AKIANEW")])])
    (account,) = _diff(old, new).accounts
    assert [k.key_id for k in account.keys_removed] == ["AKIAOLD"]
    assert [k.key_id for k in account.keys_added] == ["AKIANEW"]


def test_without_key_ids_a_key_in_the_same_slot_is_told_by_its_creation() -> None:
    # The credential report gives slots and dates, not IDs.
    def key(age: int) -> AccessKey:
        return replace(make_key(1, age_days=age), key_id=None)

    old = make_inventory(users=[make_user("ci", keys=[key(400)])])
    new = make_inventory(users=[make_user("ci", keys=[key(1)])])
    same = make_inventory(users=[make_user("ci", keys=[key(400)])])
    (rotated,) = _diff(old, new).accounts
    (kept,) = _diff(old, same).accounts
    assert (len(rotated.keys_removed), len(rotated.keys_added)) == (1, 1)
    assert (kept.keys_removed, kept.keys_added) == ((), ())


def test_two_keys_of_one_user_are_two_findings() -> None:
    keys = [make_key(1, age_days=400), make_key(2, age_days=500)]
    old = make_inventory(users=[make_user("ci", keys=keys)])
    new = make_inventory(users=[make_user("ci", keys=keys[:1])])
    (account,) = _diff(old, new).accounts
    assert [f.check for f in account.findings_fixed if f.check == "key-not-rotated"] == [
        "key-not-rotated"
    ]


def test_exit_code_follows_new_findings_and_completeness() -> None:
    assert _diff(_old(), _migrated()).exit_code(Severity.CRITICAL) == 0
    assert _diff(_migrated(), _old()).exit_code(Severity.HIGH) == 1
    failed = make_account(OTHER_ACCOUNT_ID, status=AccountStatus.FAILED, error="AccessDenied")
    incomplete = replace(_old(), accounts=(_old().accounts[0], failed))
    assert _diff(_old(), incomplete).exit_code() == 3
