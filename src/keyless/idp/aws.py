"""Requests by AWS principals and service principals (``sts:AssumeRole``): the keys STS
sets for the caller.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from types import MappingProxyType

from keyless.idp.common import ExtraContext, add_context, with_session_actions
from keyless.policy.conditions import ContextValue
from keyless.policy.document import AwsPrincipalForm
from keyless.policy.evaluate import ASSUME_ROLE, Caller, CallerType, Request, aws_caller, role_of
from keyless.policy.identifiers import checked_external_id, checked_principal

_PRINCIPAL_TYPE = {
    AwsPrincipalForm.USER: "User",
    AwsPrincipalForm.ROLE: "AssumedRole",
    AwsPrincipalForm.ASSUMED_ROLE: "AssumedRole",
    AwsPrincipalForm.ACCOUNT: "Account",
    AwsPrincipalForm.FEDERATED_USER: "FederatedUser",
}


def principal_context(
    caller: Caller, *, mfa: bool = False, org_id: str | None = None
) -> dict[str, ContextValue]:
    """``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``, MFA keys, and
    ``aws:PrincipalIsAWSService`` ``"false"`` ("present in the request context for all
    signed API requests that use AWS credentials", "true" only for a service principal:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).

    ``aws:MultiFactorAuthPresent`` is absent for long-term access keys (users, root) unless
    ``mfa`` says the caller authenticated with MFA; role and federated-user sessions carry
    ``"false"`` without MFA.
    """
    if caller.arn is None or caller.account is None or caller.form is None:
        raise ValueError("principal_context needs an AWS caller with an ARN and account")
    keys: dict[str, ContextValue] = {}

    def put(key: str, value: str) -> None:
        keys[key.lower()] = ContextValue(key, (value,))

    role = role_of(caller)
    if role is not None:
        # For a session, aws:PrincipalArn is the role's ARN. The real one includes the
        # role's path, which a session ARN does not show.
        partition = caller.arn.split(":")[1]
        principal_arn = (
            caller.arn
            if caller.form is AwsPrincipalForm.ROLE
            else f"arn:{partition}:iam::{role[0]}:role/{role[1]}"
        )
    else:
        principal_arn = caller.arn
    put("aws:PrincipalArn", principal_arn)
    put("aws:PrincipalAccount", caller.account)
    put("aws:PrincipalType", _PRINCIPAL_TYPE[caller.form])
    if caller.form is AwsPrincipalForm.USER:
        put("aws:username", caller.arn.rsplit("/", 1)[-1])
    if mfa:
        put("aws:MultiFactorAuthPresent", "true")
        put("aws:MultiFactorAuthAge", "0")
    elif caller.form in (
        AwsPrincipalForm.ROLE,
        AwsPrincipalForm.ASSUMED_ROLE,
        AwsPrincipalForm.FEDERATED_USER,
    ):
        put("aws:MultiFactorAuthPresent", "false")
    if org_id:
        put("aws:PrincipalOrgID", org_id)
    # Present in every signed request, "false" for an IAM principal (see below).
    put("aws:PrincipalIsAWSService", "false")
    return keys


def aws_principal_request(
    principal: str,
    *,
    context: ExtraContext | None = None,
    external_id: str | None = None,
    mfa: bool = False,
    org_id: str | None = None,
    unique_id: str | None = None,
    role_arn: str | None = None,
) -> Request:
    """An ``sts:AssumeRole`` request by ``principal`` (an IAM/STS ARN or account ID).

    ``external_id`` sets ``sts:ExternalId``; ``org_id`` ``aws:PrincipalOrgID``;
    ``context`` adds or overrides keys (session tags there add ``sts:TagSession``).
    """
    # Checked against IAM's grammar first: the ARN is shown to people, and a newline in it
    # must not become a line of output.
    caller = aws_caller(checked_principal(principal, where=None), unique_id=unique_id)
    keys = principal_context(caller, mfa=mfa, org_id=org_id)
    if external_id is not None:
        checked_external_id(external_id, where=None)
        keys["sts:externalid"] = ContextValue("sts:ExternalId", (external_id,))
    add_context(keys, context)
    return Request(
        caller=caller,
        actions=with_session_actions(ASSUME_ROLE, keys),
        context=MappingProxyType(keys),
        resource=role_arn,
    )


def service_request(
    service: str, *, context: ExtraContext | None = None, role_arn: str | None = None
) -> Request:
    """An ``sts:AssumeRole`` call by the AWS service principal ``service`` for a resource.

    ``context`` holds what the service sends (``aws:SourceAccount``, ``aws:SourceArn``);
    session tags there add ``sts:TagSession``, as for EKS Pod Identity.
    """
    # aws:PrincipalIsAWSService is "true" when a service principal makes the call itself,
    # and aws:PrincipalServiceName is then its name (``context`` may override both).
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalservicename
    name = service.strip()
    keys: dict[str, ContextValue] = {
        "aws:principalisawsservice": ContextValue("aws:PrincipalIsAWSService", ("true",)),
        "aws:principalservicename": ContextValue("aws:PrincipalServiceName", (name,)),
    }
    add_context(keys, context)
    return Request(
        caller=Caller(CallerType.SERVICE, provider=name),
        actions=with_session_actions(ASSUME_ROLE, keys),
        context=MappingProxyType(keys),
        resource=role_arn,
    )
