"""``terraform show -json`` output: the resolved truth of a plan (or of a state).

Every value a plan knows is resolved (variables, modules, data sources), so a plan is
preferred to the configuration when both are given. Resources come from
``planned_values`` (a plan) or ``values`` (a state), through every child module; a value
known only after apply is absent there and is reported unknown.
https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, ResourceKind, SourceKind
from keyless.iac.partitions import provider_arn as oidc_provider_arn
from keyless.iac.sources import ReadError
from keyless.iac.tfobjects import trust_document
from keyless.iac.values import Node, Unknown, get, known_texts, text

_KINDS = {
    "aws_iam_user": ResourceKind.USER,
    "aws_iam_access_key": ResourceKind.ACCESS_KEY,
    "aws_iam_user_login_profile": ResourceKind.LOGIN_PROFILE,
    "aws_iam_role": ResourceKind.ROLE,
    "aws_iam_openid_connect_provider": ResourceKind.OIDC_PROVIDER,
}
_MAX_MODULES = 10_000
_BY_USER = frozenset({ResourceKind.ACCESS_KEY, ResourceKind.LOGIN_PROFILE})


def parse_plan(path: Path, source: str) -> Node:
    """The plan's JSON with positions. Raises :class:`ReadError`."""
    try:
        return parse_json(source)
    except JsonSyntaxError as error:
        raise ReadError(path, f"malformed JSON: {error}") from None


def is_plan(root: Node) -> bool:
    """``format_version`` and ``planned_values`` or ``values``: Terraform's JSON output."""
    if get(root, "format_version") is None:
        return False
    return get(root, "planned_values") is not None or get(root, "values") is not None


def read_plan(path: Path, root: Node) -> list[IacResource]:
    """The IAM resources a plan (or state) holds."""
    values = get(root, "planned_values") or get(root, "values")
    found: list[IacResource] = []
    for resource in _resources(get(values, "root_module")):
        kind = _KINDS.get(text(get(resource, "type")) or "")
        if kind is None or (text(get(resource, "mode")) or "managed") != "managed":
            continue
        address = text(get(resource, "address")) or "?"
        attributes = get(resource, "values")
        trust = None
        trust_position = None
        if kind is ResourceKind.ROLE:
            policy = get(attributes, "assume_role_policy")
            if policy is None:
                unknown = Unknown(
                    address, "the trust policy is known only after apply", resource.position
                )
                trust, trust_position = Node(unknown, resource.position), resource.position
            else:
                trust, trust_position = trust_document(policy), policy.position
        provider_arn = audiences = None
        if kind is ResourceKind.OIDC_PROVIDER:
            # A state's or plan's provider that exists has its ARN; a new one is named as
            # the Terraform reader names it (the deploying account, its URL's host).
            url = text(get(attributes, "url"))
            host = url.removeprefix("https://") if url else None
            made = oidc_provider_arn(DEPLOYING_ACCOUNT, host) if host else None
            provider_arn = text(get(attributes, "arn")) or made
            audiences = known_texts(get(attributes, "client_id_list"))
        found.append(
            IacResource(
                kind=kind,
                address=address,
                type=text(get(resource, "type")) or "",
                path=path,
                position=resource.position,
                source=SourceKind.TERRAFORM_PLAN,
                # A key or a login profile is named by its user.
                name=text(get(attributes, "user" if kind in _BY_USER else "name")),
                trust=trust,
                trust_position=trust_position,
                provider_arn=provider_arn,
                audiences=audiences,
            )
        )
    return found


def _resources(module: Node | None) -> Iterator[Node]:
    stack = [module]
    seen = 0
    while stack:
        current = stack.pop(0)
        seen += 1
        if current is None or seen > _MAX_MODULES:
            continue
        resources = get(current, "resources")
        if resources is not None and isinstance(resources.value, tuple):
            yield from (r for r in resources.value if isinstance(r.value, Mapping))
        children = get(current, "child_modules")
        if children is not None and isinstance(children.value, tuple):
            stack.extend(children.value)
