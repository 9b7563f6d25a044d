"""trust-oidc-missing-audience judged against the IAM OIDC provider's audience list.

STS accepts a token only when its ``aud`` is one of the provider's client IDs ("If you remove
an audience, identities federating with the audience cannot assume roles associated with the
audience"): https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
A trust policy without ``aud`` accepts exactly that list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keyless.findings import Finding
from keyless.model import Dataset, OidcProvider
from tests.builders import make_account, make_role
from tests.checks.support import findings
from tests.trust.support import GH, GITHUB_PROVIDER, assert_real_witness, assess, github

CHECK = "trust-oidc-missing-audience"
NO_AUD = github({"StringEquals": {f"{GH}:sub": "repo:example-org/deploy:ref:refs/heads/main"}})
CUSTOM = "https://github.com/example-org"


def run(*audiences: str, **account: Any) -> tuple[Finding, ...]:
    provider = OidcProvider(arn=GITHUB_PROVIDER, url=f"https://{GH}", client_ids=tuple(audiences))
    role = make_role("deploy", trust=NO_AUD)
    result = findings(CHECK, make_account(roles=[role], oidc_providers=(provider,), **account))
    for finding in result:
        assert_real_witness(NO_AUD, finding.witness)
    return result


def test_a_provider_of_the_vendors_audience_only_is_no_finding() -> None:
    # GitHub's AWS guide registers sts.amazonaws.com alone: a token for anything else is
    # refused by STS before the trust policy is read.
    assert run("sts.amazonaws.com") == ()


def test_a_provider_of_one_custom_audience_is_no_finding() -> None:
    assert run(CUSTOM) == ()


def test_a_provider_of_several_audiences_is_reported_with_a_listed_one() -> None:
    (finding,) = run("sts.amazonaws.com", CUSTOM)
    assert "any of the 2 audiences its OIDC provider lists" in finding.message
    assert f"sts.amazonaws.com, {CUSTOM}" in finding.message
    assert finding.evidence["audiences"] == ["sts.amazonaws.com", CUSTOM]
    # Another relying party's audience, not the one the vendor's action requests.
    assert finding.witness is not None
    assert finding.witness["claims"]["aud"] == CUSTOM


def test_unread_providers_are_said_to_be_unknown() -> None:
    (finding,) = run("sts.amazonaws.com", missing=[Dataset.OIDC_PROVIDERS])
    assert "that list is unknown" in finding.message
    assert "OIDC providers of 111122223333 were not read" in finding.message
    assert finding.evidence["audiences"] is None


def test_a_provider_entry_without_client_ids_is_unknown_not_clean() -> None:
    # list-open-id-connect-providers gives only the ARN (docs/export-format.md).
    (finding,) = run()
    assert "lists no client IDs" in finding.message


def test_a_provider_not_among_those_read_is_unknown() -> None:
    other = OidcProvider(
        arn="arn:aws:iam::111122223333:oidc-provider/gitlab.com",
        url="https://gitlab.com",
        client_ids=("https://gitlab.com",),
    )
    role = make_role("deploy", trust=NO_AUD)
    (finding,) = findings(CHECK, make_account(roles=[role], oidc_providers=(other,)))
    assert "is not among the OIDC providers read" in finding.message


def test_a_policy_judged_alone_does_not_assume_a_list() -> None:
    problems = [f for f in assess(NO_AUD).findings if f.check == CHECK]
    (finding,) = problems
    assert "that list is unknown: the trust policy is judged alone" in finding.message


def test_the_offline_export_carries_the_list(tmp_path: Path) -> None:
    from keyless.collect.offline.export import load_export

    role = {
        "RoleName": "deploy",
        "RoleId": "AROAEXAMPLE000000001",
        "Arn": "arn:aws:iam::111122223333:role/deploy",
        "Path": "/",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": NO_AUD,
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "InstanceProfileList": [],
        "Tags": [],
    }
    details = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [role],
        "Policies": [],
    }
    (tmp_path / "authorization-details.json").write_text(json.dumps(details))
    providers = [
        {"Arn": GITHUB_PROVIDER, "Url": GH, "ClientIDList": ["sts.amazonaws.com"]},
    ]
    (tmp_path / "oidc-providers.json").write_text(json.dumps(providers))
    assert findings(CHECK, load_export(tmp_path)) == ()


# ----- keyless iac: the providers the code declares ------------------------------------------

TF_ROLE = """
resource "aws_iam_role" "ci" {{
  name = "ci"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = {principal} }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{ StringEquals = {{
        "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main"
      }} }}
    }}]
  }})
}}
"""
TF_PROVIDER = """
resource "aws_iam_openid_connect_provider" "github" {{
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = {clients}
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}}
"""
BY_REFERENCE = "aws_iam_openid_connect_provider.github.arn"


def _iac(tmp_path: Path, text: str) -> list[str]:
    from keyless.iac.scan import scan

    (tmp_path / "main.tf").write_text(text)
    return [f.message for f in scan([tmp_path]).findings if f.check == CHECK]


def test_iac_a_declared_provider_of_one_audience_is_no_finding(tmp_path: Path) -> None:
    text = TF_PROVIDER.format(clients='["sts.amazonaws.com"]') + TF_ROLE.format(
        principal=BY_REFERENCE
    )
    assert _iac(tmp_path, text) == []


def test_iac_a_declared_provider_of_two_audiences_is_named(tmp_path: Path) -> None:
    text = TF_PROVIDER.format(clients=f'["sts.amazonaws.com", "{CUSTOM}"]') + TF_ROLE.format(
        principal=BY_REFERENCE
    )
    (message,) = _iac(tmp_path, text)
    assert f"2 audiences its OIDC provider lists (sts.amazonaws.com, {CUSTOM})" in message


def test_iac_a_provider_the_code_does_not_declare_is_unknown(tmp_path: Path) -> None:
    arn = f'"arn:aws:iam::123456789012:oidc-provider/{GH}"'
    (message,) = _iac(tmp_path, TF_ROLE.format(principal=arn))
    assert f"arn:aws:iam::123456789012:oidc-provider/{GH} is not declared in the code" in message


def test_iac_client_ids_the_code_leaves_open_are_unknown(tmp_path: Path) -> None:
    text = (
        'variable "audiences" {\n  type = list(string)\n}\n'
        + TF_PROVIDER.format(clients="var.audiences")
        + TF_ROLE.format(principal=BY_REFERENCE)
    )
    (message,) = _iac(tmp_path, text)
    assert "the code does not fix the client IDs" in message


def test_iac_a_cloudformation_provider_of_one_audience_is_no_finding(tmp_path: Path) -> None:
    from keyless.iac.scan import scan

    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Provider:\n"
        "    Type: AWS::IAM::OIDCProvider\n"
        "    Properties:\n"
        "      Url: https://token.actions.githubusercontent.com\n"
        "      ClientIdList: [sts.amazonaws.com]\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Principal: {Federated: !Ref Provider}\n"
        "            Action: sts:AssumeRoleWithWebIdentity\n"
        "            Condition:\n"
        "              StringEquals:\n"
        f"                {GH}:sub: repo:acme/app:ref:refs/heads/main\n"
    )
    result = scan([tmp_path])
    assert [f for f in result.findings if f.check == CHECK] == []
    assert not result.unread


def test_a_long_audience_list_is_cut_in_the_message_and_whole_in_the_evidence() -> None:
    audiences = [f"client-{n:03}" for n in range(100)]
    (finding,) = run(*audiences)
    assert "any of the 100 audiences" in finding.message
    assert "client-004 and 95 more" in finding.message
    assert "client-005" not in finding.message
    assert finding.evidence["audiences"] == audiences


@pytest.mark.parametrize(
    ("check", "sub"),
    [
        ("trust-oidc-any-tenant", "*"),
        ("trust-oidc-broad-subject", "repo:example-org/*"),
        ("trust-oidc-untrusted-trigger", "repo:example-org/deploy:*"),
    ],
)
def test_every_oidc_witness_carries_an_audience_the_provider_accepts(check: str, sub: str) -> None:
    # The provider lists a custom audience only: a token for sts.amazonaws.com is refused
    # by STS before the trust policy is read, so no witness may carry it.
    trust = github({"StringLike": {f"{GH}:sub": sub}})
    provider = OidcProvider(arn=GITHUB_PROVIDER, url=f"https://{GH}", client_ids=(CUSTOM,))
    role = make_role("deploy", trust=trust)
    found = findings(check, make_account(roles=[role], oidc_providers=(provider,)))
    assert found
    for finding in found:
        assert_real_witness(trust, finding.witness)
        assert finding.witness is not None
        assert finding.witness["claims"]["aud"] == CUSTOM
