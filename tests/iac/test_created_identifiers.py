"""Identifiers known only after deploy that name a resource the same code creates (an
identity pool's ID, a Roles Anywhere trust anchor's ARN, a SAML provider's ARN): the trust
policy is judged with a stand-in for that resource, not left unjudged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.iac.scan import scan
from keyless.iac.trust import assess_file

COGNITO_TF = """
resource "aws_cognito_identity_pool" "main" {
  identity_pool_name = "app"
}

resource "aws_iam_role" "authenticated" {
  name = "cognito-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        AMR
      }
    }]
  })
}
"""
AMR = '"ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }'

COGNITO_CFN = """
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  Authenticated:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                cognito-identity.amazonaws.com:aud: !Ref Pool
              ForAnyValue:StringLike:
                cognito-identity.amazonaws.com:amr: AMR
"""

ROLES_ANYWHERE_CFN = """
Resources:
  Anchor:
    Type: AWS::RolesAnywhere::TrustAnchor
    Properties:
      Name: on-premises
      Source:
        SourceType: AWS_ACM_PCA
        SourceData:
          AcmPcaArn: arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x
  Workload:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: rolesanywhere.amazonaws.com}
            Action: [sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity]
            Condition:
              ArnEquals:
                aws:SourceArn: !GetAtt Anchor.TrustAnchorArn
              StringEquals:
                aws:PrincipalTag/x509Subject/CN: server01
"""

ROLES_ANYWHERE_TF = """
resource "aws_rolesanywhere_trust_anchor" "anchor" {
  name = "on-premises"
}

resource "aws_iam_role" "workload" {
  name = "workload"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "rolesanywhere.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
      Condition = {
        ArnEquals    = { "aws:SourceArn" = aws_rolesanywhere_trust_anchor.anchor.arn }
        StringEquals = { "aws:PrincipalTag/x509Subject/CN" = "server01" }
      }
    }]
  })
}
"""

SAML_TF = """
resource "aws_iam_saml_provider" "okta" {
  name                   = "okta"
  saml_metadata_document = "<EntityDescriptor/>"
}

resource "aws_iam_role" "admin" {
  name = "okta-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_saml_provider.okta.arn }
      Action    = "sts:AssumeRoleWithSAML"
      Condition = { StringEquals = { "SAML:aud" = "https://signin.aws.amazon.com/saml" } }
    }]
  })
}
"""

SAML_CFN = """
Resources:
  Okta:
    Type: AWS::IAM::SAMLProvider
    Properties:
      SamlMetadataDocument: <EntityDescriptor/>
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !GetAtt Okta.Arn}
            Action: sts:AssumeRoleWithSAML
            Condition:
              StringEquals: {SAML:aud: https://signin.aws.amazon.com/saml}
"""


def _scan(tmp_path: Path, name: str, text: str) -> tuple[set[str], int]:
    (tmp_path / name).write_text(text)
    result = scan([tmp_path])
    return {f.check for f in result.findings}, len(result.unread)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("main.tf", COGNITO_TF.replace("AMR", AMR)),
        ("template.yaml", COGNITO_CFN.replace("AMR", "authenticated")),
        ("template.yaml", ROLES_ANYWHERE_CFN),
        ("main.tf", ROLES_ANYWHERE_TF),
        ("main.tf", SAML_TF),
        ("template.yaml", SAML_CFN),
    ],
)
def test_a_role_pinned_to_a_resource_the_code_creates_is_judged_clean(
    tmp_path: Path, name: str, text: str
) -> None:
    assert _scan(tmp_path, name, text) == (set(), 0)


@pytest.mark.parametrize(
    ("guests", "severity"),
    [
        ("", "low"),  # allow_unauthenticated_identities defaults to false
        ("allow_unauthenticated_identities = false", "low"),
        ("allow_unauthenticated_identities = true", "critical"),
        ("allow_unauthenticated_identities = var.guests", "critical"),
    ],
)
def test_a_cognito_role_without_amr_is_critical_only_when_the_pool_may_admit_guests(
    tmp_path: Path, guests: str, severity: str
) -> None:
    text = COGNITO_TF.replace("AMR", "").replace(
        'identity_pool_name = "app"', f'identity_pool_name = "app"\n  {guests}'
    )
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    (finding,) = result.findings
    assert finding.check == "trust-cognito-unauthenticated"
    assert finding.severity.value == severity
    assert result.unread == ()


@pytest.mark.parametrize(("guests", "severity"), [("false", "low"), ("true", "critical")])
def test_a_cloudformation_pool_s_guest_access_sets_the_severity(
    tmp_path: Path, guests: str, severity: str
) -> None:
    text = COGNITO_CFN.replace(
        "AllowUnauthenticatedIdentities: true", f"AllowUnauthenticatedIdentities: {guests}"
    )
    text = text.replace(
        "ForAnyValue:StringLike:\n                cognito-identity.amazonaws.com:amr: AMR\n", ""
    )
    (tmp_path / "template.yaml").write_text(text)
    (finding,) = scan([tmp_path]).findings
    assert finding.severity.value == severity


def test_the_finding_says_which_identifier_stands_for_the_created_resource(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(COGNITO_TF.replace("AMR", ""))
    (finding,) = scan([tmp_path]).findings
    said = " ".join(finding.evidence["stand_ins"])
    assert "identity pool the code creates (aws_cognito_identity_pool.main)" in said
    assert finding.witness is not None
    assert finding.witness["claims"]["aud"] in said


@pytest.mark.parametrize(
    "provider",
    [
        'data "aws_iam_openid_connect_provider" "github" {\n'
        '  url = "https://token.actions.githubusercontent.com"\n}',
        'resource "aws_iam_openid_connect_provider" "github" {\n'
        '  url            = "https://token.actions.githubusercontent.com"\n'
        '  client_id_list = ["sts.amazonaws.com"]\n}',
        # looked up by its ARN
        'data "aws_iam_openid_connect_provider" "github" {\n  arn = "arn:aws:iam::111122223333:'
        'oidc-provider/token.actions.githubusercontent.com"\n}',
    ],
)
def test_an_oidc_provider_s_id_is_its_arn(tmp_path: Path, provider: str) -> None:
    kind = "data." if provider.startswith("data") else ""
    role = f"""
resource "aws_iam_role" "ci" {{
  name = "ci"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = {kind}aws_iam_openid_connect_provider.github.id }}
      Condition = {{
        StringEquals = {{
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main"
        }}
      }}
    }}]
  }})
}}
"""
    assert _scan(tmp_path, "main.tf", provider + role) == (set(), 0)


@pytest.mark.parametrize(
    ("guests", "severity", "exit_code"),
    [("", "low", 0), ("allow_unauthenticated_identities = true", "critical", 1)],
)
def test_keyless_trust_on_the_file_gives_the_guest_severity_keyless_iac_gives(
    tmp_path: Path, guests: str, severity: str, exit_code: int
) -> None:
    text = COGNITO_TF.replace("AMR", "").replace(
        'identity_pool_name = "app"', f'identity_pool_name = "app"\n  {guests}'
    )
    path = tmp_path / "main.tf"
    path.write_text(text)
    (role,) = assess_file(path).roles
    (finding,) = role.assessment.findings
    (scanned,) = scan([tmp_path]).findings
    assert (finding.check, finding.severity.value) == (scanned.check, severity)
    assert finding.message == scanned.message
    result = CliRunner().invoke(cli, ["trust", str(path), "--format", "json"])
    assert result.exit_code == exit_code
    (judged,) = json.loads(result.stdout)["roles"]
    assert [f["severity"] for f in judged["findings"]] == [severity]
