"""Snapshots: an Inventory written once and analysed offline later.

A versioned JSON document (``keyless/snapshot/v1``, described in ``docs/snapshot.md``)
written by explicit converters, field by field, so that the format changes only when
this module says so. The model holds no secrets, and neither does a snapshot: access
key IDs (identifiers, not credentials), dates and flags only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import orjson

from keyless.collect.formats.dates import to_utc
from keyless.errors import InputError
from keyless.files import read_json
from keyless.model import (
    AccessKey,
    Account,
    AccountAssignment,
    AccountStatus,
    Dataset,
    DatasetState,
    DatasetStatus,
    FailedCall,
    Group,
    IdentityCenter,
    InlinePolicy,
    Inventory,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    OidcProvider,
    Organization,
    PermissionSet,
    PolicyRef,
    Role,
    RolesAnywhereProfile,
    RootCredentials,
    SamlProvider,
    TrustAnchor,
    User,
)
from keyless.model.iam import EMPTY_TAGS

SCHEMA = "keyless/snapshot/v1"
T = TypeVar("T")


def _plain_json(value: object) -> object:
    """Policy documents are read-only Mappings of any kind; JSON knows only dicts."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_snapshot(inventory: Inventory, path: str | Path) -> None:
    """Write ``inventory`` to ``path`` as a ``keyless/snapshot/v1`` document."""
    data = orjson.dumps(dump_inventory(inventory), default=_plain_json, option=orjson.OPT_INDENT_2)
    target = Path(path)
    try:
        target.write_bytes(data)
    except OSError as error:
        reason = f"cannot write the snapshot: {error.strerror}"
        raise InputError(reason, where=str(target)) from None


def load_snapshot(path: str | Path) -> Inventory:
    """Read a snapshot written by :func:`write_snapshot`. Raises :class:`InputError` for
    an unreadable file, malformed JSON, an unknown schema or a malformed document."""
    source = Path(path)
    document = read_json(source, "the snapshot")
    return parse_inventory(document, where=str(source))


def parse_inventory(document: Any, *, where: str = "snapshot") -> Inventory:
    """An Inventory from a parsed snapshot document."""
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema != SCHEMA:
        found = f"schema {schema!r}" if schema else "no schema field"
        raise InputError(
            f"not a keyless snapshot this version can read: {found}; supported: {SCHEMA!r}",
            where=where,
            hint="Write the snapshot again with this version of keyless (keyless collect).",
        )
    try:
        return _inventory(document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise InputError(f"malformed snapshot: {reason}", where=where) from None


# -- writing ---------------------------------------------------------------------------


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dump_inventory(inventory: Inventory) -> dict[str, Any]:
    """The snapshot document of ``inventory``."""
    return {
        "schema": SCHEMA,
        "source": inventory.origin,
        "collected_at": _date(inventory.collected_at),
        "organization": _dump_org(inventory.organization) if inventory.organization else None,
        "accounts": [_dump_account(a) for a in inventory.accounts],
    }


def _dump_status(status: DatasetStatus) -> dict[str, Any]:
    return {"state": status.state.value, "reason": status.reason}


def _dump_failed(call: FailedCall) -> dict[str, Any]:
    return {
        "service": call.service,
        "operation": call.operation,
        "code": call.code,
        "message": call.message,
    }


def _dump_org(org: Organization) -> dict[str, Any]:
    center = org.identity_center
    return {
        "id": org.id,
        "management_account_id": org.management_account_id,
        "identity_center_state": _dump_status(org.identity_center_state),
        "identity_center": None
        if center is None
        else {
            "instance_arn": center.instance_arn,
            "identity_store_id": center.identity_store_id,
            "permission_sets": [
                {
                    "arn": p.arn,
                    "name": p.name,
                    "description": p.description,
                    "session_duration": p.session_duration,
                    "managed_policies": list(p.managed_policies),
                    "customer_managed_policies": list(p.customer_managed_policies),
                    "inline_policy": p.inline_policy,
                }
                for p in center.permission_sets
            ],
            "assignments": [
                {
                    "account_id": a.account_id,
                    "permission_set_arn": a.permission_set_arn,
                    "principal_type": a.principal_type,
                    "principal_id": a.principal_id,
                    "principal_name": a.principal_name,
                }
                for a in center.assignments
            ],
            "failed_calls": [_dump_failed(c) for c in center.failed_calls],
        },
    }


def _dump_key(key: AccessKey) -> dict[str, Any]:
    return {
        "slot": key.slot,
        "active": key.active,
        "key_id": key.key_id,
        "created": _date(key.created),
        "last_used": _date(key.last_used),
        "last_used_service": key.last_used_service,
        "last_used_region": key.last_used_region,
    }


def _dump_refs(refs: tuple[PolicyRef, ...]) -> list[dict[str, str]]:
    return [{"arn": r.arn, "name": r.name} for r in refs]


def _dump_inline(policies: tuple[InlinePolicy, ...]) -> list[dict[str, Any]]:
    return [{"name": p.name, "document": p.document} for p in policies]


def _dump_user(user: User) -> dict[str, Any]:
    login = user.login_profile
    return {
        "account_id": user.account_id,
        "name": user.name,
        "arn": user.arn,
        "user_id": user.user_id,
        "path": user.path,
        "created": _date(user.created),
        "login_profile": None
        if login is None
        else {
            "created": _date(login.created),
            "password_last_used": _date(login.password_last_used),
            "password_last_changed": _date(login.password_last_changed),
        },
        "mfa_active": user.mfa_active,
        "mfa_devices": [
            {"serial": d.serial, "virtual": d.virtual, "enabled": _date(d.enabled)}
            for d in user.mfa_devices
        ],
        "access_keys": [_dump_key(k) for k in user.access_keys],
        "groups": list(user.groups),
        "attached_policies": _dump_refs(user.attached_policies),
        "inline_policies": _dump_inline(user.inline_policies),
        "tags": dict(user.tags),
        "permissions_boundary": user.permissions_boundary,
    }


def _dump_role(role: Role) -> dict[str, Any]:
    return {
        "account_id": role.account_id,
        "name": role.name,
        "arn": role.arn,
        "trust_policy": role.trust_policy,
        "role_id": role.role_id,
        "path": role.path,
        "created": _date(role.created),
        "description": role.description,
        "attached_policies": _dump_refs(role.attached_policies),
        "inline_policies": _dump_inline(role.inline_policies),
        "last_used": _date(role.last_used),
        "last_used_region": role.last_used_region,
        "tags": dict(role.tags),
        "permissions_boundary": role.permissions_boundary,
        "max_session_duration": role.max_session_duration,
    }


def _dump_account(account: Account) -> dict[str, Any]:
    root = account.root
    return {
        "id": account.id,
        "alias": account.alias,
        "name": account.name,
        "email": account.email,
        "partition": account.partition,
        "status": account.status.value,
        "error": account.error,
        "collected_at": _date(account.collected_at),
        "sources": {s.value: _dump_status(st) for s, st in account.datasets.items()},
        "failed_calls": [_dump_failed(c) for c in account.failed_calls],
        "root": None
        if root is None
        else {
            "password_enabled": root.password_enabled,
            "password_last_used": _date(root.password_last_used),
            "mfa_active": root.mfa_active,
            "access_keys": [_dump_key(k) for k in root.access_keys],
        },
        "users": [_dump_user(u) for u in account.users],
        "groups": [
            {
                "name": g.name,
                "arn": g.arn,
                "group_id": g.group_id,
                "path": g.path,
                "attached_policies": _dump_refs(g.attached_policies),
                "inline_policies": _dump_inline(g.inline_policies),
            }
            for g in account.groups
        ],
        "roles": [_dump_role(r) for r in account.roles],
        "policies": [
            {
                "arn": p.arn,
                "name": p.name,
                "document": p.document,
                "policy_id": p.policy_id,
                "path": p.path,
                "default_version_id": p.default_version_id,
                "attachment_count": p.attachment_count,
            }
            for p in account.policies
        ],
        "oidc_providers": [
            {
                "arn": p.arn,
                "url": p.url,
                "client_ids": list(p.client_ids),
                "thumbprints": list(p.thumbprints),
                "created": _date(p.created),
            }
            for p in account.oidc_providers
        ],
        "saml_providers": [
            {
                "arn": p.arn,
                "name": p.name,
                "valid_until": _date(p.valid_until),
                "created": _date(p.created),
            }
            for p in account.saml_providers
        ],
        "trust_anchors": [
            {"arn": t.arn, "name": t.name, "enabled": t.enabled, "source_type": t.source_type}
            for t in account.trust_anchors
        ],
        "rolesanywhere_profiles": [
            {"arn": p.arn, "name": p.name, "role_arns": list(p.role_arns), "enabled": p.enabled}
            for p in account.rolesanywhere_profiles
        ],
    }


# -- reading ---------------------------------------------------------------------------


def _all(items: Any, convert: Callable[[Any], T]) -> tuple[T, ...]:
    if not isinstance(items, list):
        raise ValueError(f"expected a list, found {type(items).__name__}")
    return tuple(convert(item) for item in items)


def _tags(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value)) if value else EMPTY_TAGS


def _status(d: Mapping[str, Any]) -> DatasetStatus:
    return DatasetStatus(DatasetState(d["state"]), d["reason"])


def _failed(d: Mapping[str, Any]) -> FailedCall:
    return FailedCall(d["service"], d["operation"], d["code"], d["message"])


def _key(d: Mapping[str, Any]) -> AccessKey:
    return AccessKey(
        slot=d["slot"],
        active=d["active"],
        key_id=d["key_id"],
        created=to_utc(d["created"]),
        last_used=to_utc(d["last_used"]),
        last_used_service=d["last_used_service"],
        last_used_region=d["last_used_region"],
    )


def _refs(items: Any) -> tuple[PolicyRef, ...]:
    return _all(items, lambda d: PolicyRef(d["arn"], d["name"]))


def _inline(items: Any) -> tuple[InlinePolicy, ...]:
    return _all(items, lambda d: InlinePolicy(d["name"], d["document"]))


def _user(d: Mapping[str, Any]) -> User:
    login = d["login_profile"]
    return User(
        account_id=d["account_id"],
        name=d["name"],
        arn=d["arn"],
        user_id=d["user_id"],
        path=d["path"],
        created=to_utc(d["created"]),
        login_profile=None
        if login is None
        else LoginProfile(
            created=to_utc(login["created"]),
            password_last_used=to_utc(login["password_last_used"]),
            password_last_changed=to_utc(login["password_last_changed"]),
        ),
        mfa_active=d["mfa_active"],
        mfa_devices=_all(
            d["mfa_devices"], lambda m: MfaDevice(m["serial"], m["virtual"], to_utc(m["enabled"]))
        ),
        access_keys=_all(d["access_keys"], _key),
        groups=tuple(d["groups"]),
        attached_policies=_refs(d["attached_policies"]),
        inline_policies=_inline(d["inline_policies"]),
        tags=_tags(d["tags"]),
        permissions_boundary=d["permissions_boundary"],
    )


def _role(d: Mapping[str, Any]) -> Role:
    return Role(
        account_id=d["account_id"],
        name=d["name"],
        arn=d["arn"],
        trust_policy=d["trust_policy"],
        role_id=d["role_id"],
        path=d["path"],
        created=to_utc(d["created"]),
        description=d["description"],
        attached_policies=_refs(d["attached_policies"]),
        inline_policies=_inline(d["inline_policies"]),
        last_used=to_utc(d["last_used"]),
        last_used_region=d["last_used_region"],
        tags=_tags(d["tags"]),
        permissions_boundary=d["permissions_boundary"],
        max_session_duration=d["max_session_duration"],
    )


def _account(d: Mapping[str, Any]) -> Account:
    root = d["root"]
    return Account(
        id=d["id"],
        alias=d["alias"],
        name=d["name"],
        email=d["email"],
        partition=d["partition"],
        status=AccountStatus(d["status"]),
        error=d["error"],
        collected_at=to_utc(d["collected_at"]),
        datasets=MappingProxyType({Dataset(k): _status(v) for k, v in d["sources"].items()}),
        failed_calls=_all(d["failed_calls"], _failed),
        root=None
        if root is None
        else RootCredentials(
            password_enabled=root["password_enabled"],
            password_last_used=to_utc(root["password_last_used"]),
            mfa_active=root["mfa_active"],
            access_keys=_all(root["access_keys"], _key),
        ),
        users=_all(d["users"], _user),
        groups=_all(
            d["groups"],
            lambda g: Group(
                g["name"],
                g["arn"],
                g["group_id"],
                g["path"],
                _refs(g["attached_policies"]),
                _inline(g["inline_policies"]),
            ),
        ),
        roles=_all(d["roles"], _role),
        policies=_all(
            d["policies"],
            lambda p: ManagedPolicy(
                p["arn"],
                p["name"],
                p["document"],
                p["policy_id"],
                p["path"],
                p["default_version_id"],
                p["attachment_count"],
            ),
        ),
        oidc_providers=_all(
            d["oidc_providers"],
            lambda p: OidcProvider(
                p["arn"],
                p["url"],
                tuple(p["client_ids"]),
                tuple(p["thumbprints"]),
                to_utc(p["created"]),
            ),
        ),
        saml_providers=_all(
            d["saml_providers"],
            lambda p: SamlProvider(
                p["arn"], p["name"], to_utc(p["valid_until"]), to_utc(p["created"])
            ),
        ),
        trust_anchors=_all(
            d["trust_anchors"],
            lambda t: TrustAnchor(t["arn"], t["name"], t["enabled"], t["source_type"]),
        ),
        rolesanywhere_profiles=_all(
            d["rolesanywhere_profiles"],
            lambda p: RolesAnywhereProfile(
                p["arn"], p["name"], tuple(p["role_arns"]), p["enabled"]
            ),
        ),
    )


def _identity_center(d: Mapping[str, Any] | None) -> IdentityCenter | None:
    if d is None:
        return None
    return IdentityCenter(
        instance_arn=d["instance_arn"],
        identity_store_id=d["identity_store_id"],
        permission_sets=_all(
            d["permission_sets"],
            lambda p: PermissionSet(
                p["arn"],
                p["name"],
                p["description"],
                p["session_duration"],
                tuple(p["managed_policies"]),
                tuple(p["customer_managed_policies"]),
                p["inline_policy"],
            ),
        ),
        assignments=_all(
            d["assignments"],
            lambda a: AccountAssignment(
                a["account_id"],
                a["permission_set_arn"],
                a["principal_type"],
                a["principal_id"],
                a["principal_name"],
            ),
        ),
        failed_calls=_all(d["failed_calls"], _failed),
    )


def _inventory(d: Mapping[str, Any]) -> Inventory:
    org = d["organization"]
    return Inventory(
        accounts=_all(d["accounts"], _account),
        organization=None
        if org is None
        else Organization(
            org["id"],
            org["management_account_id"],
            _identity_center(org["identity_center"]),
            _status(org["identity_center_state"]),
        ),
        origin=d["source"],
        collected_at=to_utc(d["collected_at"]),
    )
