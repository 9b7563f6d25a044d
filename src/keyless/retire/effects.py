"""Whether an action's effect holds in a user's current state: how a run that resumes
after a crash settles an action recorded as intended but never as done. If AWS shows the
effect, the call was made before the crash (it is recorded as done and not made again);
if not, it was not (it is recorded as not done, and the run decides it again).
"""

from __future__ import annotations

from keyless.retire.model import Action, ActionKind, UserAttributes, UserState

#: Kinds whose effect can only be seen in the user's attributes.
NEEDS_ATTRIBUTES = frozenset(
    {
        ActionKind.DEACTIVATE_MFA,
        ActionKind.DELETE_VIRTUAL_MFA,
        ActionKind.DELETE_SSH_KEY,
        ActionKind.DELETE_SIGNING_CERTIFICATE,
        ActionKind.DELETE_SERVICE_CREDENTIAL,
        ActionKind.REMOVE_FROM_GROUP,
        ActionKind.DETACH_POLICY,
        ActionKind.DELETE_INLINE_POLICY,
        ActionKind.ADD_TO_GROUP,
        ActionKind.ATTACH_POLICY,
        ActionKind.PUT_INLINE_POLICY,
        ActionKind.UPLOAD_SSH_KEY,
        ActionKind.UPLOAD_SIGNING_CERTIFICATE,
    }
)

#: Kinds that create or restore something: they cannot hold for a user that is gone.
_RESTORING = frozenset(
    {
        ActionKind.REACTIVATE_KEY,
        ActionKind.CREATE_USER,
        ActionKind.TAG_USER,
        ActionKind.PUT_BOUNDARY,
        ActionKind.ADD_TO_GROUP,
        ActionKind.ATTACH_POLICY,
        ActionKind.PUT_INLINE_POLICY,
        ActionKind.UPLOAD_SSH_KEY,
        ActionKind.UPLOAD_SIGNING_CERTIFICATE,
    }
)


def holds(action: Action, state: UserState) -> bool:
    """True when ``state`` shows ``action`` done. A backup is never "done" by the look of
    AWS: one recorded as intended only is taken again (nothing destructive follows a
    backup before it is recorded)."""
    kind = action.kind
    if kind is ActionKind.BACKUP_USER:
        return False
    if not state.exists:
        return kind not in _RESTORING
    key = state.key(action.target)
    if kind is ActionKind.DEACTIVATE_KEY:
        return key is None or not key.active
    if kind is ActionKind.REACTIVATE_KEY:
        return key is not None and key.active
    if kind is ActionKind.DELETE_KEY:
        return key is None
    if kind is ActionKind.DELETE_LOGIN_PROFILE:
        return not state.login_profile
    if kind is ActionKind.DELETE_BOUNDARY:
        return state.boundary is None
    if kind is ActionKind.PUT_BOUNDARY:
        return state.boundary == action.target
    if kind is ActionKind.DELETE_USER:
        return False
    if kind is ActionKind.CREATE_USER:
        return True
    if kind is ActionKind.TAG_USER:
        return set(_pairs(action)) <= set(state.tags)
    if state.attributes is None:  # pragma: no cover - the run reads them for these kinds
        raise ValueError(f"{kind} needs the user's attributes")
    return _holds_in(action, state.attributes)


def _holds_in(action: Action, attributes: UserAttributes) -> bool:
    kind, target = action.kind, action.target
    assigned = {device.serial for device in attributes.mfa_devices}
    present: dict[ActionKind, set[str]] = {
        ActionKind.DEACTIVATE_MFA: assigned,
        ActionKind.DELETE_VIRTUAL_MFA: assigned | set(attributes.leftover_virtual_mfa),
        ActionKind.DELETE_SSH_KEY: {key.id for key in attributes.ssh_keys},
        ActionKind.DELETE_SIGNING_CERTIFICATE: {cert.id for cert in attributes.certificates},
        ActionKind.DELETE_SERVICE_CREDENTIAL: {c.id for c in attributes.service_credentials or ()},
        ActionKind.REMOVE_FROM_GROUP: set(attributes.groups),
        ActionKind.DETACH_POLICY: set(attributes.attached_policies),
        ActionKind.DELETE_INLINE_POLICY: {policy.name for policy in attributes.inline_policies},
    }
    if kind in present:
        return target not in present[kind]
    if kind is ActionKind.ADD_TO_GROUP:
        return target in attributes.groups
    if kind is ActionKind.ATTACH_POLICY:
        return target in attributes.attached_policies
    if kind is ActionKind.PUT_INLINE_POLICY:
        document = action.detail.get("document")
        return any(p.name == target and p.document == document for p in attributes.inline_policies)
    if kind is ActionKind.UPLOAD_SSH_KEY:
        return _body(action) in {_normal(key.body) for key in attributes.ssh_keys}
    if kind is ActionKind.UPLOAD_SIGNING_CERTIFICATE:
        return _body(action) in {_normal(cert.body) for cert in attributes.certificates}
    raise ValueError(f"no effect known for {kind}")  # pragma: no cover


def _pairs(action: Action) -> list[tuple[str, str]]:
    return [(str(key), str(value)) for key, value in action.detail.get("tags", ())]


def _body(action: Action) -> str:
    return _normal(str(action.detail.get("body", "")))


def _normal(body: str) -> str:
    """Public key and certificate bodies compared without line breaks and spaces (IAM
    returns them re-wrapped)."""
    return "".join(body.split())
