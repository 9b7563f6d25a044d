"""An identity pool's role attachment says which role guests get: a role the pool
attaches as its guest (unauthenticated) role is meant for them, so its missing ``amr`` pin
is low; a role it attaches as its authenticated role that guests can take stays critical.
``keyless iac`` and ``keyless trust FILE`` agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan
from keyless.iac.trust import assess_file

ROLE_TF = """
resource "aws_iam_role" "{label}" {{
  {name}
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "cognito-identity.amazonaws.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals = {{
          "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id
        }}
        {amr}
      }}
    }}]
  }})
}}
"""
POOL_TF = """
resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "app"
  allow_unauthenticated_identities = true
}
"""
ATTACHMENT_TF = """
resource "aws_cognito_identity_pool_roles_attachment" "main" {{
  identity_pool_id = {pool}
  roles = {{
    {roles}
  }}
}}
"""
GUEST_AMR = (
    '"ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "unauthenticated" }'
)


def _terraform(
    tmp_path: Path,
    roles: str,
    *,
    name: str = 'name = "guest"',
    amr: str = "",
    pool: str = "aws_cognito_identity_pool.main.id",
) -> Path:
    text = (
        POOL_TF
        + ROLE_TF.format(label="guest", name=name, amr=amr)
        + ATTACHMENT_TF.format(pool=pool, roles=roles)
    )
    path = tmp_path / "main.tf"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ['name = "guest"', ""])
def test_the_pool_s_guest_role_without_the_amr_pin_is_low(tmp_path: Path, name: str) -> None:
    """The guest role, named or not (its ARN then known only after apply): it was
    critical, as if guests were not whom the role is for."""
    path = _terraform(tmp_path, "unauthenticated = aws_iam_role.guest.arn", name=name)
    result = scan([tmp_path])
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.check == "trust-cognito-unauthenticated"
    assert finding.severity.value == "low"
    assert "identity pool's guest role it is attached as" in finding.message
    assert "pin cognito-identity.amazonaws.com:amr to unauthenticated" in finding.message
    said = " ".join(finding.evidence["stand_ins"])
    assert "(aws_cognito_identity_pool_roles_attachment.main)" in said
    # keyless trust on the same file says the same
    (role,) = assess_file(path).roles
    (trusted,) = role.assessment.findings
    assert (trusted.severity, trusted.message) == (finding.severity, finding.message)


def test_the_pool_s_guest_role_with_the_amr_pin_is_clean(tmp_path: Path) -> None:
    _terraform(tmp_path, "unauthenticated = aws_iam_role.guest.arn", amr=GUEST_AMR)
    result = scan([tmp_path])
    assert (result.findings, result.unread) == ((), ())


@pytest.mark.parametrize(
    "roles",
    [
        "authenticated = aws_iam_role.guest.arn",
        # the same role for both: guests get what signed-in identities get
        "authenticated = aws_iam_role.guest.arn\n    unauthenticated = aws_iam_role.guest.arn",
    ],
)
def test_an_authenticated_role_guests_can_take_stays_critical(tmp_path: Path, roles: str) -> None:
    _terraform(tmp_path, roles)
    (finding,) = scan([tmp_path]).findings
    assert finding.severity.value == "critical"
    assert "attaches it as its authenticated role" in finding.message


@pytest.mark.parametrize(
    ("pool", "roles"),
    [
        # another pool's guest role: guests of the pool the trust pins are not its guests
        (
            '"us-east-1:11111111-2222-3333-4444-555555555555"',
            "unauthenticated = aws_iam_role.guest.arn",
        ),
        # which pool is not known
        ("var.pool", "unauthenticated = aws_iam_role.guest.arn"),
        # a role of another account with the same name is not this one
        (
            "aws_cognito_identity_pool.main.id",
            'unauthenticated = "arn:aws:iam::111122223333:role/guest"',
        ),
    ],
)
def test_a_guest_role_of_something_else_stays_critical(
    tmp_path: Path, pool: str, roles: str
) -> None:
    _terraform(tmp_path, roles, pool=pool)
    findings = [f for f in scan([tmp_path]).findings if f.check == "trust-cognito-unauthenticated"]
    (finding,) = findings
    assert finding.severity.value == "critical"


COGNITO_CFN = """
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  GuestRole:
    Type: AWS::IAM::Role
    Properties:
      ROLE_NAME
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                cognito-identity.amazonaws.com:aud: !Ref Pool
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        KIND: !GetAtt GuestRole.Arn
"""


@pytest.mark.parametrize("role_name", ["RoleName: guest", "Path: /"])
@pytest.mark.parametrize(
    ("kind", "severity"), [("unauthenticated", "low"), ("authenticated", "critical")]
)
def test_a_cloudformation_role_attachment_says_which_role_guests_get(
    tmp_path: Path, role_name: str, kind: str, severity: str
) -> None:
    text = COGNITO_CFN.replace("ROLE_NAME", role_name).replace("KIND", kind)
    (tmp_path / "template.yaml").write_text(text)
    result = scan([tmp_path])
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.check == "trust-cognito-unauthenticated"
    assert finding.severity.value == severity
    assert "attach" in finding.message
