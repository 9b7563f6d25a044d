"""Identity Center as a CloudFormation template for the management (or delegated
administrator) account: ``AWS::IdentityStore::User`` (or user ID parameters with an
external identity source), ``AWS::SSO::PermissionSet`` and ``AWS::SSO::Assignment``.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_SSO.html
"""

from __future__ import annotations

from typing import Any

from keyless.generate.model import Generated, IdentitySource
from keyless.generate.names import UniqueIds, logical_id


def literal(text: str) -> str | dict[str, str]:
    """``text`` as a property value CloudFormation and cfn-lint both read as itself. A
    ``${…}`` outside ``Fn::Sub`` is kept as written by CloudFormation, but cfn-lint takes it
    for a forgotten ``Fn::Sub`` (E1029, an error); inside ``Fn::Sub``, ``${!…}`` is the
    literal ``${…}``, so such text is written as a ``Fn::Sub`` of itself with each ``${``
    escaped. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html"""
    if "${" not in text:
        return text
    return {"Fn::Sub": text.replace("${", "${!")}


def _described(text: str) -> str:
    """A parameter's description (4,000 characters at most), where no intrinsic function
    is allowed: a ``${`` of a name in it is written ``$ {`` (see :func:`literal`)."""
    return text.replace("${", "$ {")[:4000]


def identity_center_template(generated: Generated) -> dict[str, Any]:
    """The template (see the module doc)."""
    center = generated.identity_center
    # Unique: two users of one parameter (an external source) would both be the one
    # principal its value names, given each other's permission sets.
    parameters = UniqueIds("CloudFormation parameter")
    parameters["InstanceArn"] = {
        "Type": "String",
        "Description": "The IAM Identity Center instance",
    }
    parameters["IdentityStoreId"] = {
        "Type": "String",
        "Description": "The instance's identity store",
    }
    resources = UniqueIds("CloudFormation logical ID")
    user_ids: dict[str, Any] = {}
    for user in center.users:
        identifier = logical_id("User", user.user_name)
        if center.source is IdentitySource.EXTERNAL:
            parameters[identifier] = {
                "Type": "String",
                "Description": _described(f"The Identity Store user ID of {user.user_name}"),
            }
            user_ids[user.user_name.lower()] = {"Ref": identifier}
            continue
        properties: dict[str, Any] = {
            "IdentityStoreId": {"Ref": "IdentityStoreId"},
            "UserName": literal(user.user_name),
            "DisplayName": literal(user.display_name),
            "Name": {
                "GivenName": literal(user.given_name),
                "FamilyName": literal(user.family_name),
            },
        }
        if user.email:
            properties["Emails"] = [{"Value": user.email, "Primary": True}]
        resources[identifier] = {"Type": "AWS::IdentityStore::User", "Properties": properties}
        user_ids[user.user_name.lower()] = {"Fn::GetAtt": [identifier, "UserId"]}
    for permission_set in center.permission_sets:
        permissions = permission_set.permissions
        properties = {
            "InstanceArn": {"Ref": "InstanceArn"},
            "Name": permission_set.name,
            "SessionDuration": permission_set.session_duration,
        }
        if permission_set.description:
            properties["Description"] = literal(permission_set.description)
        if permissions.aws_managed:
            properties["ManagedPolicies"] = list(permissions.aws_managed)
        if permissions.customer_managed:
            properties["CustomerManagedPolicyReferences"] = [
                {"Name": p.name, "Path": p.path} for p in permissions.customer_managed
            ]
        if permissions.inline is not None:
            properties["InlinePolicy"] = dict(permissions.inline)
        if permissions.boundary is not None:
            properties["PermissionsBoundary"] = _boundary(permissions.boundary)
        resources[logical_id("PermissionSet", permission_set.name)] = {
            "Type": "AWS::SSO::PermissionSet",
            "Properties": properties,
        }
    for account in sorted({a.account for a in center.assignments}):
        parameters[logical_id("Account", generated.label(account))] = {
            "Type": "String",
            "Description": _described(f"The account ID of {generated.label(account)}"),
            "Default": account,
            "AllowedPattern": "\\d{12}",
        }
    for assignment in center.assignments:
        identifier = logical_id(
            "Assignment",
            generated.label(assignment.account),
            assignment.user_name,
            assignment.permission_set,
        )
        resources[identifier] = {
            "Type": "AWS::SSO::Assignment",
            "Properties": {
                "InstanceArn": {"Ref": "InstanceArn"},
                "PermissionSetArn": {
                    "Fn::GetAtt": [
                        logical_id("PermissionSet", assignment.permission_set),
                        "PermissionSetArn",
                    ]
                },
                "PrincipalType": "USER",
                "PrincipalId": user_ids[assignment.user_name.lower()],
                "TargetType": "AWS_ACCOUNT",
                "TargetId": {"Ref": logical_id("Account", generated.label(assignment.account))},
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "keyless generate: Identity Center users, permission sets, assignments",
        "Parameters": parameters,
        "Resources": resources,
    }


def _boundary(arn: str) -> dict[str, Any]:
    if arn.split(":")[4] == "aws":
        return {"ManagedPolicyArn": arn}
    resource = arn.split(":", 5)[5].removeprefix("policy")
    path, _, name = resource.rpartition("/")
    return {"CustomerManagedPolicyReference": {"Name": name, "Path": f"{path}/"}}
