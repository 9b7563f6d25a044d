"""The IAM request that makes each action: operation, client method and arguments.
Every request names the user it acts on (``UserName``), except ``DeleteVirtualMFADevice``,
whose serial came from ``ListMFADevices`` for that user. Public material (SSH keys,
certificates) and policy documents come from the action's detail (a backup)."""

from __future__ import annotations

import json
from typing import Any

from keyless.retire.model import Action, ActionKind

#: Deletions: one that finds nothing to delete has its effect already.
DELETIONS = frozenset(
    {
        ActionKind.DELETE_KEY,
        ActionKind.DELETE_LOGIN_PROFILE,
        ActionKind.DEACTIVATE_MFA,
        ActionKind.DELETE_VIRTUAL_MFA,
        ActionKind.DELETE_SSH_KEY,
        ActionKind.DELETE_SIGNING_CERTIFICATE,
        ActionKind.DELETE_SERVICE_CREDENTIAL,
        ActionKind.DELETE_USER,
    }
)
#: Creations: one that finds the thing there has its effect already.
CREATIONS = frozenset(
    {ActionKind.CREATE_USER, ActionKind.UPLOAD_SSH_KEY, ActionKind.UPLOAD_SIGNING_CERTIFICATE}
)


def request(action: Action) -> tuple[str, str, dict[str, Any]]:
    """The IAM operation, client method and arguments that make ``action``."""
    user = {"UserName": action.user}
    detail = action.detail
    kind = action.kind
    if kind in (ActionKind.DEACTIVATE_KEY, ActionKind.REACTIVATE_KEY):
        status = "Inactive" if kind is ActionKind.DEACTIVATE_KEY else "Active"
        return (
            "UpdateAccessKey",
            "update_access_key",
            {**user, "AccessKeyId": action.target, "Status": status},
        )
    if kind is ActionKind.CREATE_USER:
        arguments: dict[str, Any] = {**user, "Path": detail.get("path", "/")}
        if detail.get("tags"):
            arguments["Tags"] = [{"Key": k, "Value": v} for k, v in detail["tags"]]
        return "CreateUser", "create_user", arguments
    if kind is ActionKind.TAG_USER:
        return (
            "TagUser",
            "tag_user",
            {**user, "Tags": [{"Key": k, "Value": v} for k, v in detail["tags"]]},
        )
    if kind is ActionKind.PUT_INLINE_POLICY:
        return (
            "PutUserPolicy",
            "put_user_policy",
            {**user, "PolicyName": action.target, "PolicyDocument": json.dumps(detail["document"])},
        )
    if kind is ActionKind.UPLOAD_SSH_KEY:
        return (
            "UploadSSHPublicKey",
            "upload_ssh_public_key",
            {**user, "SSHPublicKeyBody": detail["body"]},
        )
    if kind is ActionKind.UPLOAD_SIGNING_CERTIFICATE:
        return (
            "UploadSigningCertificate",
            "upload_signing_certificate",
            {**user, "CertificateBody": detail["body"]},
        )
    if kind is ActionKind.DELETE_VIRTUAL_MFA:
        # The device is the user's (its serial came from ListMFADevices for this user).
        return (
            "DeleteVirtualMFADevice",
            "delete_virtual_mfa_device",
            {"SerialNumber": action.target},
        )
    if kind in (ActionKind.REMOVE_FROM_GROUP, ActionKind.ADD_TO_GROUP):
        operation = (
            "RemoveUserFromGroup" if kind is ActionKind.REMOVE_FROM_GROUP else "AddUserToGroup"
        )
        return operation, _snake(operation), {**user, "GroupName": action.target}
    operation, parameter = _SIMPLE[kind]
    arguments = dict(user)
    if parameter:
        arguments[parameter] = action.target
    return operation, _snake(operation), arguments


# kind -> (operation, the parameter that takes the action's target)
_SIMPLE: dict[ActionKind, tuple[str, str | None]] = {
    ActionKind.DELETE_KEY: ("DeleteAccessKey", "AccessKeyId"),
    ActionKind.DELETE_LOGIN_PROFILE: ("DeleteLoginProfile", None),
    ActionKind.DEACTIVATE_MFA: ("DeactivateMFADevice", "SerialNumber"),
    ActionKind.DELETE_SSH_KEY: ("DeleteSSHPublicKey", "SSHPublicKeyId"),
    ActionKind.DELETE_SIGNING_CERTIFICATE: ("DeleteSigningCertificate", "CertificateId"),
    ActionKind.DELETE_SERVICE_CREDENTIAL: (
        "DeleteServiceSpecificCredential",
        "ServiceSpecificCredentialId",
    ),
    ActionKind.DETACH_POLICY: ("DetachUserPolicy", "PolicyArn"),
    ActionKind.DELETE_INLINE_POLICY: ("DeleteUserPolicy", "PolicyName"),
    ActionKind.DELETE_BOUNDARY: ("DeleteUserPermissionsBoundary", None),
    ActionKind.DELETE_USER: ("DeleteUser", None),
    ActionKind.PUT_BOUNDARY: ("PutUserPermissionsBoundary", "PermissionsBoundary"),
    ActionKind.ATTACH_POLICY: ("AttachUserPolicy", "PolicyArn"),
}


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))
