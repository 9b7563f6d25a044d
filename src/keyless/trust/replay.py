"""Replay a *witness*: a JSON description of a caller that should (not) be able to assume a role.

A witness has one of five forms::

    {"claims": {...decoded OIDC token...}}
    {"principal": "arn:aws:iam::111122223333:user/alice", "context": {...}}
    {"saml": {...attributes...}}
    {"certificate": "-----BEGIN CERTIFICATE-----..." | {"subject": {...}, ...},
     "trust_anchor": "arn:aws:rolesanywhere:...:trust-anchor/..."}
    {"service": "sns.amazonaws.com", "context": {"aws:SourceAccount": "999988887777"}}

The service form is an AWS service principal calling ``sts:AssumeRole`` on behalf of a
resource; its ``context`` holds what the service sends (``aws:SourceAccount``,
``aws:SourceArn``, session tags for EKS Pod Identity).

Every form may add ``"context"`` (extra keys) and ``"action"`` (override the action).
The principal form also accepts ``"external_id"``, ``"mfa"`` and ``"org_id"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from keyless.errors import InputError
from keyless.idp.aws import aws_principal_request, service_request
from keyless.idp.oidc import web_identity_request
from keyless.idp.roles_anywhere import roles_anywhere_request
from keyless.idp.saml import saml_request
from keyless.model.arn import partition_or_aws
from keyless.policy.document import Policy
from keyless.policy.evaluate import Decision, Request, evaluate


def witness_request(
    witness: Mapping[str, Any], *, role_arn: str | None = None, partition: str | None = None
) -> Request:
    """The request a witness describes. Raises ``InputError`` for an unusable witness.

    ``partition`` (else the one of ``role_arn``, else ``aws``) is the role's: a SAML
    provider named by ``saml:doc`` is in it."""
    if not isinstance(witness, Mapping):
        raise InputError("a witness must be a JSON object")
    context = witness.get("context")
    if context is not None and not isinstance(context, Mapping):
        raise InputError("a witness's 'context' must be an object of key -> value(s)")
    forms = [n for n in ("claims", "principal", "saml", "certificate", "service") if n in witness]
    if len(forms) != 1:
        raise InputError(
            "a witness needs exactly one of 'claims', 'principal', 'saml', 'certificate' or "
            "'service'" + (f" (found {', '.join(forms)})" if forms else "")
        )
    form = forms[0]
    value = witness[form]
    if form == "claims":
        if not isinstance(value, Mapping):
            raise InputError("a witness's 'claims' must be an object (the decoded token)")
        request = web_identity_request(value, role_arn=role_arn, context=context)
    elif form == "principal":
        if not isinstance(value, str):
            raise InputError("a witness's 'principal' must be an ARN or account ID")
        request = aws_principal_request(
            value,
            context=context,
            external_id=witness.get("external_id"),
            mfa=bool(witness.get("mfa", False)),
            org_id=witness.get("org_id"),
            role_arn=role_arn,
        )
    elif form == "service":
        if not isinstance(value, str) or not value:
            raise InputError(
                "a witness's 'service' must be a service principal, e.g. sns.amazonaws.com"
            )
        request = service_request(value, context=context, role_arn=role_arn)
    elif form == "saml":
        if not isinstance(value, Mapping):
            raise InputError("a witness's 'saml' must be an object of attributes")
        if partition is None:
            partition = partition_or_aws(role_arn) if role_arn is not None else "aws"
        request = saml_request(value, context=context, partition=partition)
    else:
        anchor = witness.get("trust_anchor")
        if not isinstance(anchor, str):
            raise InputError("a certificate witness needs 'trust_anchor' (an ARN)")
        if not isinstance(value, str | Mapping):
            raise InputError("a witness's 'certificate' must be PEM text or an object")
        request = roles_anywhere_request(value, anchor, context=context)
    action = witness.get("action")
    if action is not None:
        if not isinstance(action, str) or not action:
            raise InputError("a witness's 'action' must be a non-empty string")
        request = replace(request, actions=(action,))
    return request


def evaluate_witness(
    policy: Policy,
    witness: Mapping[str, Any],
    *,
    role_arn: str | None = None,
    partition: str | None = None,
) -> Decision:
    """Evaluate the request a witness describes against ``policy``."""
    return evaluate(policy, witness_request(witness, role_arn=role_arn, partition=partition))
