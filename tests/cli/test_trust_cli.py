"""`keyless trust` as a user runs it, and the witness contract end to end: every witness
it prints, replayed through `keyless simulate` with the same policy, is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "github"
GITHUB_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def replay(policy: Path, witness: dict, tmp_path: Path) -> int:
    """Run `keyless simulate` with a witness in the form it names; return the exit code."""
    if "claims" in witness:
        claims = write(tmp_path, "claims.json", witness["claims"])
        return run("simulate", "--trust-policy", str(policy), "--web-identity", str(claims))[0]
    if "principal" in witness:
        args = ["simulate", "--trust-policy", str(policy), "--principal", witness["principal"]]
        for key, value in witness.get("context", {}).items():
            if key.lower() == "sts:externalid":
                args += ["--external-id", value]
            elif key.lower() == "aws:multifactorauthpresent" and value == "true":
                args.append("--mfa")
            elif key.lower() == "aws:principalorgid":
                args += ["--org-id", value]
            else:
                args += ["--context", f"{key}={value}"]
        return run(*args)[0]
    if "saml" in witness:
        attributes = write(tmp_path, "saml.json", witness["saml"])
        return run("simulate", "--trust-policy", str(policy), "--saml", str(attributes))[0]
    if "service" in witness:
        args = ["simulate", "--trust-policy", str(policy), "--service", witness["service"]]
        for key, value in witness.get("context", {}).items():
            args += ["--context", f"{key}={value}"]
        return run(*args)[0]
    pytest.fail(f"no simulate form for witness {sorted(witness)}")


def test_org_wide_subject_is_reported_with_replayable_witnesses(tmp_path: Path) -> None:
    policy = EXAMPLES / "trust-policy-org-wide.json"
    code, out, _ = run("trust", str(policy), "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["schema"] == "keyless/trust/v1"
    assert document["max_severity"] == "high"
    checks = {f["check"] for f in document["findings"]}
    assert {"trust-oidc-broad-subject", "trust-oidc-untrusted-trigger"} <= checks
    for finding in document["findings"]:
        assert finding["witness"] is not None
        assert replay(policy, finding["witness"], tmp_path) == 0, finding


def test_well_pinned_policy_is_clean() -> None:
    code, out, _ = run("trust", str(EXAMPLES / "trust-policy.json"), "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["findings"] == []
    assert document["max_severity"] == "none"
    assert "octo-org/octo-repo" in document["paths"][0]["description"]


@pytest.mark.parametrize(
    ("policy", "check"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}, "trust-anyone"),
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
            },
            "trust-mfa-bypass",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {
                        "token.actions.githubusercontent.com:sub": [
                            "repo:octo-org/app:ref:refs/heads/main",
                            "*",
                        ]
                    }
                },
            },
            "trust-oidc-any-tenant",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            "trust-service-confused-deputy",
        ),
    ],
)
def test_risky_statements_replay_to_allow(tmp_path: Path, policy: dict, check: str) -> None:
    path = write(tmp_path, "policy.json", {"Version": "2012-10-17", "Statement": [policy]})
    code, out, _ = run(
        "trust",
        str(path),
        "--format",
        "json",
        "--role-arn",
        "arn:aws:iam::111122223333:role/r",
        "--fail-on",
        "low",
    )
    findings = [f for f in json.loads(out)["findings"] if f["check"] == check]
    assert code == 1
    assert findings
    assert replay(path, findings[0]["witness"], tmp_path) == 0


def test_text_output_says_who_can_assume() -> None:
    code, out, _ = run("trust", str(EXAMPLES / "trust-policy.json"))
    assert code == 0
    assert "Who can assume" in out
    assert "refs/heads/main" in out


def test_malformed_policy_exits_2_with_a_pointer(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", {"Statement": [{"Effect": "Allow", "Action": "x"}]})
    code, _, err = run("trust", str(path))
    assert code == 2
    assert "#/Statement/0" in err
    assert "Traceback" not in err


def test_bad_role_arn_exits_2() -> None:
    code, _, err = run("trust", str(EXAMPLES / "trust-policy.json"), "--role-arn", "nope")
    assert code == 2
    assert "--role-arn" in err


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snapshot = tmp_path_factory.mktemp("demo") / "estate.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        code, _, _ = run("collect", "--demo", "--out", str(snapshot))
    assert code == 0
    return snapshot


def test_snapshot_role_by_name(demo_snapshot: Path) -> None:
    code, out, _ = run(
        "trust", "--snapshot", str(demo_snapshot), "github-no-sub", "--format", "json"
    )
    document = json.loads(out)
    assert code == 1
    assert document["max_severity"] == "critical"
    assert {f["check"] for f in document["findings"]} >= {"trust-oidc-any-tenant"}


def test_snapshot_well_pinned_role_is_clean(demo_snapshot: Path) -> None:
    code, out, _ = run(
        "trust", "--snapshot", str(demo_snapshot), "github-deploy-prod", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_snapshot_unknown_role_exits_2(demo_snapshot: Path) -> None:
    code, _, err = run("trust", "--snapshot", str(demo_snapshot), "no-such-role")
    assert code == 2
    assert "no-such-role" in err


def test_snapshot_ambiguous_name_asks_for_the_arn(demo_snapshot: Path) -> None:
    code, _, err = run("trust", "--snapshot", str(demo_snapshot), "OrganizationAccountAccessRole")
    assert code == 2
    assert "full ARN" in err
    arn = err.split(": ", 2)[-1].split(",")[0].split()[-1]
    code, out, _ = run("trust", "--snapshot", str(demo_snapshot), arn.strip(), "--format", "json")
    assert code in (0, 1)
    assert json.loads(out)["role"] == arn.strip()


def test_role_arn_with_snapshot_is_refused(demo_snapshot: Path) -> None:
    code, _, err = run(
        "trust",
        "--snapshot",
        str(demo_snapshot),
        "github-no-sub",
        "--role-arn",
        "arn:aws:iam::1:role/x",
    )
    assert code == 2
    assert "--role-arn" in err


def test_extra_arguments_are_a_usage_error(demo_snapshot: Path) -> None:
    code, _, _ = run("trust", "--snapshot", str(demo_snapshot), "github-no-sub", "extra")
    assert code == 2


GET_ROLE_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_get_role_output_is_judged_as_its_role(tmp_path: Path) -> None:
    # `aws iam get-role` output: the document inside it, in the role's own account (so
    # its own account's root is not "another account").
    role = {
        "Role": {
            "RoleName": "deploy",
            "Arn": "arn:aws:iam::111122223333:role/deploy",
            "AssumeRolePolicyDocument": GET_ROLE_DOCUMENT,
        }
    }
    code, out, _ = run("trust", str(write(tmp_path, "role.json", role)), "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["role"] == "arn:aws:iam::111122223333:role/deploy"
    assert document["findings"] == []


@pytest.mark.parametrize(
    "embedded",
    [json.dumps(GET_ROLE_DOCUMENT), "%7B" + json.dumps(GET_ROLE_DOCUMENT)[1:].replace(" ", "%20")],
)
def test_create_role_input_holds_the_document_as_text(tmp_path: Path, embedded: str) -> None:
    given = {"RoleName": "deploy", "AssumeRolePolicyDocument": embedded}
    code, out, _ = run("trust", str(write(tmp_path, "input.json", given)), "--format", "json")
    assert code == 1, out  # judged in 123456789012: 111122223333 is another account
    checks = {f["check"] for f in json.loads(out)["findings"]}
    assert "trust-cross-account-no-external-id" in checks


def test_a_wrapped_document_that_is_not_json_is_bad_input(tmp_path: Path) -> None:
    given = {"RoleName": "deploy", "AssumeRolePolicyDocument": "{not json"}
    code, _, err = run("trust", str(write(tmp_path, "input.json", given)))
    assert code == 2
    assert "AssumeRolePolicyDocument" in err


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"Role": {"AssumeRolePolicyDocument": ' + "[" * 900 + "]" * 900 + "}}",
    ],
)
def test_a_deeply_nested_file_is_bad_input_not_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text(text)
    for args in (
        ["trust", str(path)],
        ["simulate", "--trust-policy", str(path), "--service", "ec2.amazonaws.com"],
    ):
        code, _, err = run(*args)
        assert code == 2
        assert "nested too deeply" in err


def test_a_policy_on_standard_input_is_judged_as_a_file_would_be(tmp_path: Path) -> None:
    """`aws iam get-role --role-name deploy | keyless trust -`: the role's own ARN names it."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    get_role = {
        "Role": {
            "Arn": "arn:aws:iam::111122223333:role/deploy",
            "RoleName": "deploy",
            "AssumeRolePolicyDocument": policy,
        }
    }
    result = CliRunner().invoke(cli, ["trust", "-", "--format", "json"], input=json.dumps(get_role))
    from_file = run("trust", str(write(tmp_path, "deploy.json", get_role)), "--format", "json")
    assert result.exit_code == from_file[0] == 1
    assert json.loads(result.stdout) == json.loads(from_file[1])
    assert json.loads(result.stdout)["role"] == "arn:aws:iam::111122223333:role/deploy"
    bare = CliRunner().invoke(cli, ["trust", "-"], input=json.dumps(policy))
    assert "arn:aws:iam::123456789012:role/stdin" in bare.stdout


def test_standard_input_that_is_not_a_policy_is_named_in_the_error() -> None:
    result = CliRunner().invoke(cli, ["trust", "-"], input="not json")
    assert result.exit_code == 2
    assert "(standard input)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "command"),
    [
        ("Roles", "aws iam list-roles"),
        ("RoleDetailList", "aws iam get-account-authorization-details"),
    ],
)
def test_output_listing_several_roles_is_refused_with_the_way_to_judge_them(
    tmp_path: Path, key: str, command: str
) -> None:
    listed = {key: [{"RoleName": "a", "Arn": "arn:aws:iam::111122223333:role/a"}]}
    code, out, err = run("trust", str(write(tmp_path, "roles.json", listed)))
    assert code == 2
    assert out == ""
    assert f"#/{key}: this is `{command}` output, with 1 role(s)" in err
    assert "keyless scan --input DIR" in err


def _github_policy(*providers: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
                },
            }
            for provider in providers
        ],
    }


OTHER_PROVIDER = "arn:aws:iam::999988887777:oidc-provider/token.actions.githubusercontent.com"


def test_a_role_of_another_account_than_its_provider_admits_nobody(tmp_path: Path) -> None:
    policy = write(tmp_path, "deploy.json", _github_policy(OTHER_PROVIDER))
    role = "arn:aws:iam::111122223333:role/deploy"
    code, out, _ = run("trust", str(policy), "--role-arn", role)
    assert code == 0, out
    assert "nobody through " + OTHER_PROVIDER in out
    assert "trust-dead-condition" in out
    assert "trust-oidc-any-tenant" not in out
    # Without --role-arn the policy's provider names the role's account: judged.
    code, out, _ = run("trust", str(policy))
    assert code == 1
    assert "trust-oidc-any-tenant" in out
    assert "arn:aws:iam::999988887777:role/deploy" in out


def test_providers_of_several_accounts_leave_the_roles_account_unknown(tmp_path: Path) -> None:
    """Which of two accounts' providers works depends on where the role lives: unknown, so
    neither is declared dead (that would hide the open one)."""
    policy = write(tmp_path, "deploy.json", _github_policy(GITHUB_PROVIDER, OTHER_PROVIDER))
    code, out, _ = run("trust", str(policy), "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["role"] == "arn:aws:iam::000000000000:role/deploy"
    assert not any(p["description"].startswith("nobody") for p in document["paths"])
    assert {f["check"] for f in document["findings"]} >= {"trust-oidc-any-tenant"}


def _custom_subject_policy(sub: str) -> dict:
    gh = "token.actions.githubusercontent.com"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{gh}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{gh}:sub": sub},
                },
            }
        ],
    }


@pytest.mark.parametrize(
    ("sub", "trigger"),
    [
        ("repo:octo-org/app:event_name:push", "an unprotected branch"),
        ("repo:octo-org/app:ref_type:branch", "an unprotected branch"),
        ("repo:octo-org/app:head_ref:feature", "a pull request"),
        ("repo:octo-org/app:base_ref:main", "a pull request"),
        ("repo:octo-org/*:event_name:*", "a pull request"),
    ],
)
def test_a_custom_subject_that_shows_its_trigger_is_reported(
    tmp_path: Path, sub: str, trigger: str
) -> None:
    """A custom template's event, ref type or pull request branch shows the run (it was
    "No trust findings"); every witness replays through `keyless simulate`."""
    policy = write(tmp_path, "deploy.json", _custom_subject_policy(sub))
    code, out, _ = run("trust", str(policy), "--format", "json")
    assert code == 1, out
    findings = json.loads(out)["findings"]
    found = [f for f in findings if f["check"] == "trust-oidc-untrusted-trigger"]
    assert any(f"{trigger} can assume it" in f["message"] for f in found), found
    for finding in found:
        assert finding["severity"] == "high"
        assert replay(policy, finding["witness"], tmp_path) == 0, finding


def test_a_custom_subject_pinned_to_the_default_branch_is_clean(tmp_path: Path) -> None:
    sub = "repo:octo-org/app:ref:refs/heads/main:event_name:push"
    policy = write(tmp_path, "deploy.json", _custom_subject_policy(sub))
    code, out, _ = run("trust", str(policy))
    assert code == 0, out
    assert "No trust findings" in out
