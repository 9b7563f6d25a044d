"""The infrastructure-code checks: what a pull request must not add.

Trust policies are judged by the estate's own trust checks (``trust-*``, the same IDs
and witnesses as ``keyless trust``); these checks cover what only exists before it is
deployed: the long-lived identities the code is about to create.
"""

from __future__ import annotations

from inspect import cleandoc

from keyless.checks.registry import Check, Scope
from keyless.findings import Severity
from keyless.iac.model import ResourceKind

IAM_USER = Check(
    id="iac-iam-user",
    title="New IAM user in infrastructure code",
    severity=Severity.HIGH,
    scope=Scope.IAC,
    theme="iac",
    rationale=cleandoc(
        """
        The code creates an IAM user (Terraform ``aws_iam_user``, CloudFormation
        ``AWS::IAM::User``). An IAM user exists to hold long-lived credentials: a password
        or access keys that must be rotated, leak, and are per account. AWS recommends
        federation for people and roles with temporary credentials for workloads.
        https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp
        https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
        """
    ),
    remediation=(
        "People: sign in through IAM Identity Center (a permission set) instead. CI: "
        "assume a role through OIDC federation (`keyless workflows fix`). Workloads: an "
        "instance, task or Lambda role, or IAM Roles Anywhere outside AWS. If the user is "
        "truly needed (SES SMTP credentials), accept it in the baseline."
    ),
)

ACCESS_KEY = Check(
    id="iac-access-key",
    title="Access key created by infrastructure code",
    severity=Severity.HIGH,
    scope=Scope.IAC,
    theme="iac",
    rationale=cleandoc(
        """
        The code creates an access key (Terraform ``aws_iam_access_key``, CloudFormation
        ``AWS::IAM::AccessKey``): a permanent credential that works from anywhere until
        someone deletes it. Terraform keeps its secret in the state file in plain text
        unless a PGP key encrypts it, so everyone who can read the state holds the key.
        https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key
        https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
        """
    ),
    remediation=(
        "Give the workload a role with temporary credentials: OIDC federation for CI, a "
        "service role inside AWS, IAM Roles Anywhere outside it. Delete the key resource."
    ),
)

LOGIN_PROFILE = Check(
    id="iac-login-profile",
    title="Console password for an IAM user in infrastructure code",
    severity=Severity.HIGH,
    scope=Scope.IAC,
    theme="iac",
    rationale=cleandoc(
        """
        The code gives an IAM user a console password (Terraform
        ``aws_iam_user_login_profile``, a CloudFormation user's ``LoginProfile``). People
        who sign in with IAM users have one password per account, MFA is theirs to manage,
        and the initial password lands in the state or the template.
        https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user_login_profile
        https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html
        """
    ),
    remediation=(
        "Give the person access through IAM Identity Center (a permission set assigned to "
        "their identity-provider user or group) and remove the login profile."
    ),
)

SECRET_KEY_OUTPUT = Check(
    id="iac-secret-key-output",
    title="Secret access key exposed as a stack output",
    severity=Severity.CRITICAL,
    scope=Scope.IAC,
    theme="iac",
    rationale=cleandoc(
        """
        A CloudFormation output's value is an access key's secret
        (``Fn::GetAtt [Key, SecretAccessKey]``). Stack outputs are not secret: anyone
        allowed ``cloudformation:DescribeStacks`` on the stack, the console's Outputs tab
        and every tool that lists stacks show the key in plain text, for as long as the
        stack exists. AWS asks for the secret to be stored in Secrets Manager instead.
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-accesskey.html
        https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html
        """
    ),
    remediation=(
        "Replace the key with a role (OIDC federation for CI, a service role, IAM Roles "
        "Anywhere). Until then, write the secret into an `AWS::SecretsManager::Secret` and "
        "output that secret's ARN; deactivate and replace the key the output exposed."
    ),
)

HARDCODED_AWS_KEY = Check(
    id="iac-hardcoded-aws-key",
    title="An AWS access key is written into infrastructure code",
    severity=Severity.CRITICAL,
    scope=Scope.IAC,
    theme="iac",
    rationale=cleandoc(
        """
        An access key ID (``AKIA…``, ``ASIA…``) is written in a Terraform file, a plan or a
        template: an AWS provider's ``access_key``, a variable's default, a parameter's
        default, an environment variable of a function. Its secret is almost always
        written beside it. Anyone who can read the repository (its history, forks and
        clones too) holds the credential, and removing the line does not revoke it.
        Terraform's AWS provider takes credentials from the environment, a profile or a
        role when its block names none.
        https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration
        https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
        """
    ),
    remediation=(
        "Deactivate and delete the access key now (`aws iam update-access-key --status "
        "Inactive`, then `delete-access-key`) and review CloudTrail for its use. Remove it "
        "from the code and its history; let the provider take temporary credentials from "
        "its environment (a role assumed through OIDC in CI, a profile or IAM Identity "
        "Center on a workstation)."
    ),
)

#: The check that judges each kind of resource by its existence alone.
FOR_KIND = {
    ResourceKind.USER: IAM_USER,
    ResourceKind.ACCESS_KEY: ACCESS_KEY,
    ResourceKind.LOGIN_PROFILE: LOGIN_PROFILE,
    ResourceKind.SECRET_OUTPUT: SECRET_KEY_OUTPUT,
}
