"""An identity policy the parser refuses (a hand-edited export or snapshot) leaves the user
not evaluated by the checks that read it (user-admin-with-access-key,
account-mfa-not-enforced), never clean: the unread policy may be the one that grants
everything, or the deny-unless-MFA one. Before, such a document was skipped and the user
reported as passing."""

from __future__ import annotations

from types import MappingProxyType

from keyless.model import PolicyDocument
from tests.builders import (
    ADMIN_POLICY_ARN,
    DENY_WITHOUT_MFA,
    READ_ONLY,
    make_account,
    make_group,
    make_key,
    make_managed_policy,
    make_user,
)
from tests.checks.support import scan

# IAM refuses a Sid of other characters than ASCII letters and digits in an identity policy
# (MalformedPolicyDocument), so this can only be a hand-edited export.
BAD_SID_ADMIN: PolicyDocument = MappingProxyType(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "all of it!", "Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
)
BAD_MFA = MappingProxyType(
    {
        "Version": "2012-10-17",
        "Statement": [dict(DENY_WITHOUT_MFA["Statement"][0], Sid="no mfa, no access")],
    }
)


def test_admin_check_does_not_pass_a_user_whose_policy_cannot_be_read() -> None:
    user = make_user("kim", keys=[make_key()], inline=[BAD_SID_ADMIN])
    result = scan("user-admin-with-access-key", user)
    (run,) = result.check_runs
    assert list(result.findings) == []
    assert run.status == "not_evaluated"
    (gap,) = run.not_evaluated
    assert gap.reason.startswith("user kim: policy could not be read: 'inline:user/"), gap.reason
    assert "/Statement/0/Sid" in gap.reason
    assert result.exit_code() == 3


def test_admin_check_keeps_what_the_readable_policies_show() -> None:
    user = make_user("kim", keys=[make_key()], attached=[ADMIN_POLICY_ARN], inline=[BAD_SID_ADMIN])
    result = scan("user-admin-with-access-key", user)
    (finding,) = result.findings
    assert finding.evidence["unread_policies"] == ("inline:user/inline-0",)
    assert result.check_runs[0].status == "not_evaluated"


def test_admin_check_reads_the_policies_of_groups_too() -> None:
    account = make_account(
        users=[make_user("kim", keys=[make_key()], groups=["ops"])],
        groups=[make_group("ops", inline=[BAD_SID_ADMIN])],
    )
    (run,) = scan("user-admin-with-access-key", account).check_runs
    assert "inline:group:ops/" in run.not_evaluated[0].reason


def test_admin_check_does_not_pass_a_user_whose_policy_document_is_not_exported() -> None:
    """A managed policy whose document the export lacks may grant everything: the user is
    not evaluated (it was evaluated on the readable policies alone, and so passed)."""
    user = make_user(
        "kim",
        keys=[make_key()],
        inline=[READ_ONLY],
        attached=["arn:aws:iam::111122223333:policy/not-in-the-export"],
    )
    (run,) = scan("user-admin-with-access-key", user).check_runs
    assert run.status == "not_evaluated"
    assert "'arn:aws:iam::111122223333:policy/not-in-the-export': its document is not in" in (
        run.not_evaluated[0].reason
    )


def test_admin_check_evaluates_administrator_access_without_its_document() -> None:
    user = make_user("kim", keys=[make_key()], inline=[READ_ONLY], attached=[ADMIN_POLICY_ARN])
    result = scan("user-admin-with-access-key", user)
    assert result.check_runs[0].status == "evaluated"
    assert len(list(result.findings)) == 1


def test_mfa_check_does_not_pass_a_user_whose_policy_cannot_be_read() -> None:
    account = make_account(
        users=[make_user("hal", console=True, groups=["people"])],
        groups=[make_group("people", attached=["arn:aws:iam::111122223333:policy/force-mfa"])],
        policies=[make_managed_policy("force-mfa", BAD_MFA)],
    )
    result = scan("account-mfa-not-enforced", account)
    (run,) = result.check_runs
    assert list(result.findings) == []
    assert run.status == "not_evaluated"
    reason = run.not_evaluated[0].reason
    assert reason.startswith("user hal: policy could not be read: "), reason
    assert "arn:aws:iam::111122223333:policy/force-mfa" in reason


def test_mfa_check_passes_when_a_readable_policy_enforces_mfa() -> None:
    user = make_user("hal", console=True, inline=[DENY_WITHOUT_MFA, BAD_MFA])
    result = scan("account-mfa-not-enforced", user)
    assert list(result.findings) == []
    assert result.check_runs[0].status == "evaluated"


def test_a_document_that_is_not_an_object_is_unread() -> None:
    user = make_user("hal", console=True, inline=[MappingProxyType({"Statement": "*"})])
    (run,) = scan("account-mfa-not-enforced", user).check_runs
    assert run.status == "not_evaluated"
    assert "/Statement" in run.not_evaluated[0].reason


def test_a_line_break_in_a_refused_key_stays_on_the_line() -> None:
    document = MappingProxyType(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action\nX": "*"}]}
    )
    user = make_user("hal", console=True, inline=[document])
    (run,) = scan("account-mfa-not-enforced", user).check_runs
    assert "\n" not in run.not_evaluated[0].reason
