"""IAM Identity Center posture, read from the management (or delegated-admin) account.

Whether an instance exists, its permission sets (managed policies, customer-managed
policy references, inline policy) and its account assignments, with the names of the
assigned users and groups resolved through the identity store where possible. Identity
Center is regional: the session's region must be the instance's.

Failures are recorded, never swallowed: a failed ``ListInstances`` makes the state
``failed`` (so ``org-identity-center-missing`` is not evaluated); a failure further in
is kept in ``IdentityCenter.failed_calls``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import orjson

from keyless.collect.formats import values
from keyless.collect.formats.auth_details import DetailsError
from keyless.collect.formats.names import checked_name
from keyless.collect.live.account import CallRecorder, client
from keyless.collect.live.answers import converted
from keyless.duplicate_keys import InexactNumber, find_duplicate_key
from keyless.model import (
    AVAILABLE,
    AccountAssignment,
    DatasetState,
    DatasetStatus,
    IdentityCenter,
    PermissionSet,
)

if TYPE_CHECKING:
    import boto3


def collect_identity_center(
    session: boto3.Session,
    *,
    account_ids: Iterable[str],
    endpoint_url: str | None = None,
    max_workers: int = 8,
) -> tuple[IdentityCenter | None, DatasetStatus]:
    """The organization's Identity Center instance (``None`` when there is none) and
    the state of that answer: ``available`` (read, with or without an instance) or
    ``failed`` with the reason. Assignments are read for every account in
    ``account_ids`` and permission set, ``max_workers`` calls at a time."""
    calls = CallRecorder()
    sso = client(session, "sso-admin", endpoint_url)
    instances = calls.call("sso-admin", "ListInstances", lambda: _instances(sso))
    if instances is None:
        return None, DatasetStatus(DatasetState.FAILED, calls.last_reason())
    if not instances:
        return None, AVAILABLE
    # An organization has at most one organization instance of Identity Center.
    instance_arn, store_id = instances[0]
    permission_sets = _permission_sets(sso, instance_arn, calls, max_workers)
    assignments = _assignments(
        sso,
        instance_arn,
        [ps.arn for ps in permission_sets],
        list(account_ids),
        calls,
        max_workers,
    )
    store = client(session, "identitystore", endpoint_url)
    names = _principal_names(store, store_id, assignments, calls, max_workers)
    named = tuple(
        AccountAssignment(
            account_id=a["AccountId"],
            permission_set_arn=a["PermissionSetArn"],
            principal_type=a["PrincipalType"],
            principal_id=a["PrincipalId"],
            principal_name=names.get((a["PrincipalType"], a["PrincipalId"])),
        )
        for a in assignments
    )
    center = IdentityCenter(
        instance_arn=instance_arn,
        identity_store_id=store_id,
        permission_sets=permission_sets,
        assignments=named,
        failed_calls=tuple(calls.failed),
    )
    return center, AVAILABLE


def _paginate(sso: Any, operation: str, **arguments: Any) -> list[Mapping[str, Any]]:
    return list(sso.get_paginator(operation).paginate(**arguments))


def _listed(pages: list[Mapping[str, Any]], key: str, read: Any = None) -> list[Any]:
    """The entries under ``key`` of every page, each through ``read`` (an answer of
    another shape is a recorded ``UnreadableResponse``, never a traceback)."""

    def entries() -> list[Any]:
        found = [item for page in pages for item in values.listing(page.get(key), key)]
        return [read(item) for item in found] if read else found

    return converted(entries, f"/{key}")


def _instances(sso: Any) -> list[tuple[str, str]]:
    def read(entry: Any) -> tuple[str, str]:
        entry = values.obj(entry, "an instance")
        return values.text(entry, "InstanceArn"), values.text(entry, "IdentityStoreId", "")

    return _listed(_paginate(sso, "list_instances"), "Instances", read)


def _text(item: Any) -> str:
    return values.checked_text(item, "an ARN")


def _permission_sets(
    sso: Any, instance_arn: str, calls: CallRecorder, max_workers: int
) -> tuple[PermissionSet, ...]:
    arns = calls.call(
        "sso-admin",
        "ListPermissionSets",
        lambda: _listed(
            _paginate(sso, "list_permission_sets", InstanceArn=instance_arn),
            "PermissionSets",
            _text,
        ),
    )
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        found = list(
            pool.map(lambda arn: _permission_set(sso, instance_arn, arn, calls), arns or ())
        )
    return tuple(sorted((ps for ps in found if ps is not None), key=lambda ps: ps.name))


def _permission_set(
    sso: Any, instance_arn: str, arn: str, calls: CallRecorder
) -> PermissionSet | None:
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    details = calls.call(
        "sso-admin",
        "DescribePermissionSet",
        lambda: _described(sso.describe_permission_set(**ids), arn),
    )
    if details is None:
        return None
    managed = calls.call(
        "sso-admin",
        "ListManagedPoliciesInPermissionSet",
        lambda: _listed(
            _paginate(sso, "list_managed_policies_in_permission_set", **ids),
            "AttachedManagedPolicies",
            lambda policy: values.text(values.obj(policy, "a policy"), "Arn"),
        ),
    )
    customer = calls.call(
        "sso-admin",
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        lambda: _listed(
            _paginate(sso, "list_customer_managed_policy_references_in_permission_set", **ids),
            "CustomerManagedPolicyReferences",
            _reference,
        ),
    )
    inline = calls.call(
        "sso-admin",
        "GetInlinePolicyForPermissionSet",
        lambda: _inline_document(sso.get_inline_policy_for_permission_set(**ids)),
    )
    name, description, duration = details
    return PermissionSet(
        arn=arn,
        name=name,
        description=description,
        session_duration=duration,
        managed_policies=tuple(managed or ()),
        customer_managed_policies=tuple(customer or ()),
        inline_policy=inline,
    )


def _described(response: Mapping[str, Any], arn: str) -> tuple[str, str, str]:
    def read() -> tuple[str, str, str]:
        details = values.obj(response.get("PermissionSet") or {}, "PermissionSet")
        duration = details.get("SessionDuration")
        if type(duration) is int:
            # An ISO 8601 duration in AWS's answers; the emulator (moto) gives seconds.
            duration = f"PT{duration}S"
        return (
            values.text(details, "Name", arn.rsplit("/", 1)[-1]),
            values.text(details, "Description", ""),
            values.text({"SessionDuration": duration}, "SessionDuration", "") or "PT1H",
        )

    return converted(read, "/PermissionSet")


def _reference(entry: Any) -> str:
    ref = values.obj(entry, "a policy reference")
    return f"{values.text(ref, 'Path', '/')}{values.text(ref, 'Name')}"


def _inline_document(response: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The inline policy as parsed JSON (like every policy document of the model), or
    ``None`` when the permission set has none. One that cannot be read is a recorded
    failure (``UnreadableResponse``), never a permission set that looks policy-free."""
    text = response.get("InlinePolicy")
    if not text:
        return None
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise DetailsError(
            f"the inline policy is not valid JSON ({error})", "/InlinePolicy"
        ) from None
    if not isinstance(document, dict):
        raise DetailsError("the inline policy is not a JSON object", "/InlinePolicy")
    try:  # orjson kept the last of a key given twice (keyless.duplicate_keys.refuse_duplicate_keys)
        repeated = find_duplicate_key(text)
    except RecursionError:
        raise DetailsError("the inline policy is nested too deeply", "/InlinePolicy") from None
    except InexactNumber as error:
        raise DetailsError(f"the inline policy: {error}", f"/InlinePolicy{error.pointer}") from None
    if repeated is not None:
        raise DetailsError(
            "the inline policy has a key twice in one object: which one counts depends on"
            " the program reading it",
            f"/InlinePolicy{repeated[:200]}",
        )
    return document


def _assignments(
    sso: Any,
    instance_arn: str,
    permission_sets: list[str],
    account_ids: list[str],
    calls: CallRecorder,
    max_workers: int,
) -> list[Mapping[str, Any]]:
    def read(pair: tuple[str, str]) -> list[Mapping[str, Any]]:
        account_id, permission_set = pair
        found = calls.call(
            "sso-admin",
            "ListAccountAssignments",
            lambda: _listed(
                _paginate(
                    sso,
                    "list_account_assignments",
                    InstanceArn=instance_arn,
                    AccountId=account_id,
                    PermissionSetArn=permission_set,
                ),
                "AccountAssignments",
                _assignment,
            ),
        )
        return list(found or ())

    pairs = [(account, ps) for account in sorted(account_ids) for ps in permission_sets]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return [entry for entries in pool.map(read, pairs) for entry in entries]


_ASSIGNMENT = (("AccountId", None), ("PermissionSetArn", None), ("PrincipalType", None))


def _assignment(entry: Any) -> Mapping[str, str]:
    assignment = values.obj(entry, "an assignment")
    account, permission_set, kind = values.fields(assignment, _ASSIGNMENT)
    principal = values.text(assignment, "PrincipalId")
    return {
        # 12 digits, as a snapshot of it is read back (keyless.collect.offline.codec).
        "AccountId": checked_name("AccountId", account),
        "PermissionSetArn": permission_set,
        "PrincipalType": kind,
        "PrincipalId": principal,
    }


def _principal_names(
    store: Any,
    store_id: str,
    assignments: list[Mapping[str, Any]],
    calls: CallRecorder,
    max_workers: int,
) -> Mapping[tuple[str, str], str]:
    """Names of assigned users (``UserName``) and groups (``DisplayName``). A principal
    the store does not know keeps no name; other failures are recorded."""
    principals = sorted({(a["PrincipalType"], a["PrincipalId"]) for a in assignments})

    def name(principal: tuple[str, str]) -> tuple[tuple[str, str], str | None]:
        kind, principal_id = principal
        if kind == "USER":
            user = calls.call(
                "identitystore",
                "DescribeUser",
                lambda: store.describe_user(IdentityStoreId=store_id, UserId=principal_id),
                missing_ok=True,
            )
            return principal, (user or {}).get("UserName")
        group = calls.call(
            "identitystore",
            "DescribeGroup",
            lambda: store.describe_group(IdentityStoreId=store_id, GroupId=principal_id),
            missing_ok=True,
        )
        return principal, (group or {}).get("DisplayName")

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        resolved = list(pool.map(name, principals))
    return {principal: value for principal, value in resolved if value}
