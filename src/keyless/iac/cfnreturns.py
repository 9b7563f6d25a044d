"""What ``Ref`` and ``Fn::GetAtt`` return for the resources a CloudFormation template
declares, where the template alone decides it: a role's or user's name and ARN, an OIDC
provider's ARN, and the stand-ins of identifiers known only after deploy
(:mod:`keyless.iac.own_resources`). Each resource type's "Return values" section says what
its ``Ref`` and attributes are, e.g.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html#aws-resource-iam-role-return-values
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.model import DEPLOYING_ACCOUNT
from keyless.iac.own_resources import (
    created_note,
    eks_issuer,
    generated_name,
    guests_off_note,
    identity_pool_id,
    saml_provider_arn,
    trust_anchor_arn,
    trust_anchor_id,
)
from keyless.iac.partitions import provider_arn
from keyless.iac.tfobjects import OWN_ACCOUNT_NOTE
from keyless.iac.values import Node, Position, Unknown, get, text, unknowns

#: Evaluates a node's intrinsic functions (``AWS::NoValue`` is an unknown node here).
Evaluate = Callable[[Node, Position], Node]

#: EKS clusters whose OpenIdConnectIssuerUrl a template can read: CloudFormation's, and the
#: CDK's aws-eks cluster custom resource.
_EKS_CLUSTERS = ("AWS::EKS::Cluster", "Custom::AWSCDK-EKS-Cluster")
_CFN_JSON = "Custom::AWSCDKCfnJson"
# The CDK's OpenIdConnectProvider is a custom resource whose physical ID (its Ref) is the
# provider's ARN, like AWS::IAM::OIDCProvider's.
# https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.OpenIdConnectProvider.html
_OIDC_PROVIDERS = frozenset({"AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider"})
_SELF_REFERENCE = "its value refers to itself (a circular dependency CloudFormation refuses)"


class ReturnValues:
    """The ``Ref`` and ``Fn::GetAtt`` values of one template's ``resources``, whose
    properties are evaluated with ``evaluate`` (the template's intrinsic functions)."""

    def __init__(self, resources: Mapping[str, Node], evaluate: Evaluate):
        self.resources = resources
        self._evaluate = evaluate
        # The references being evaluated: a role named after its own ARN (or two resources
        # after each other's) is a cycle CloudFormation refuses; here it is unknown, not
        # an endless recursion.
        self._naming: set[str] = set()

    def ref(self, name: str, resource: Node, position: Position) -> Node:
        """``Ref`` of a role or user is its name; of an OIDC provider, its ARN."""
        if name in self._naming:
            return _unknown(f"Ref {name}", _SELF_REFERENCE, position)
        self._naming.add(name)
        try:
            return self._ref(name, resource, position)
        finally:
            self._naming.discard(name)

    def attribute(self, name: str, attribute: str, resource: Node, position: Position) -> Node:
        """``Fn::GetAtt`` of the resource ``name``'s ``attribute``."""
        written = f"{name}.{attribute}"
        if written in self._naming:
            return _unknown(written, _SELF_REFERENCE, position)
        self._naming.add(written)
        try:
            return self._attribute(name, attribute, resource, position)
        finally:
            self._naming.discard(written)

    def _ref(self, name: str, resource: Node, position: Position) -> Node:
        kind = text(get(resource, "Type"))
        properties = get(resource, "Properties")
        if kind in ("AWS::IAM::Role", "AWS::IAM::User"):
            key = "RoleName" if kind == "AWS::IAM::Role" else "UserName"
            fixed = get(properties, key)
            if fixed is not None:
                return self._evaluate(fixed, position)
            if kind == "AWS::IAM::User":
                # A user's name names its keys and password in messages: not a stand-in.
                return _unknown(f"Ref {name}", "CloudFormation generates its name", position)
            generated = generated_name(name)
            said = created_note("name of the role", name, generated)
            return Node(generated, position, (said,))
        if kind in _OIDC_PROVIDERS:
            return self._provider_arn(name, properties, position)
        created = self._created(name, kind, "Ref", position)
        if created is not None:
            return created
        return _unknown(f"Ref {name}", "known only after deploy", position)

    def _created(
        self, name: str, kind: str | None, attribute: str, position: Position
    ) -> Node | None:
        """An identifier of a resource the template creates, known only after deploy, as
        its stand-in (:mod:`keyless.iac.own_resources`): an identity pool's ID (``Ref``), a
        trust anchor's ARN or ID, a SAML provider's ARN (``Ref`` or ``Arn``), an EKS
        cluster's OIDC issuer (``OpenIdConnectIssuerUrl``)."""
        if kind == "AWS::Cognito::IdentityPool" and attribute in ("Ref", "Id"):
            pool = identity_pool_id(name)
            said: list[str] = [created_note("identity pool", name, pool)]
            guests = get(
                get(self.resources.get(name), "Properties"), "AllowUnauthenticatedIdentities"
            )
            allowed = self._evaluate(guests, position) if guests else None
            if allowed is None or allowed.value in (False, "false", "False"):
                said.append(guests_off_note(pool))
            return Node(pool, position, tuple(said))
        if kind == "AWS::RolesAnywhere::TrustAnchor":
            if attribute == "TrustAnchorArn":
                arn = trust_anchor_arn(name)
                notes = (created_note("trust anchor", name, arn), OWN_ACCOUNT_NOTE)
                return Node(arn, position, notes)
            if attribute in ("Ref", "TrustAnchorId"):
                return Node(trust_anchor_id(name), position)
        if kind in _EKS_CLUSTERS and attribute == "OpenIdConnectIssuerUrl":
            # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-cluster.html#aws-resource-eks-cluster-return-values
            # (the CDK's aws-eks cluster resource returns the same attribute)
            url = eks_issuer(name)
            return Node(url, position, (created_note("EKS cluster's OIDC issuer", name, url),))
        if kind == "AWS::IAM::SAMLProvider" and attribute in ("Ref", "Arn"):
            fixed = get(get(self.resources.get(name), "Properties"), "Name")
            provider = self._evaluate(fixed, position) if fixed else None
            if provider is not None and isinstance(provider.value, str):
                return Node(saml_provider_arn(provider.value), position, (OWN_ACCOUNT_NOTE,))
            arn = saml_provider_arn(name)
            return Node(arn, position, (created_note("SAML provider", name, arn),))
        return None

    def _provider_arn(self, name: str, properties: Node | None, position: Position) -> Node:
        url_node = get(properties, "Url")
        url = self._evaluate(url_node, position) if url_node else None
        if url is None or not isinstance(url.value, str):
            return _unknown(f"{name}.Arn", "the provider's Url is not known", position)
        host = url.value.removeprefix("https://")
        arn = provider_arn(DEPLOYING_ACCOUNT, host)
        return Node(arn, position, (OWN_ACCOUNT_NOTE, *url.notes))

    def _attribute(self, name: str, attribute: str, resource: Node, position: Position) -> Node:
        written = f"{name}.{attribute}"
        kind = text(get(resource, "Type"))
        created = self._created(name, kind, attribute, position)
        if created is not None:
            return created
        if kind == _CFN_JSON and attribute == "Value":
            return self._cfn_json(written, get(resource, "Properties", "Value"), position)
        if attribute != "Arn":
            return _unknown(written, "known only after deploy", position)
        properties = get(resource, "Properties")
        if kind in _OIDC_PROVIDERS:
            return self._provider_arn(written, properties, position)
        if kind in ("AWS::IAM::Role", "AWS::IAM::User"):
            key, noun = ("RoleName", "role") if kind == "AWS::IAM::Role" else ("UserName", "user")
            fixed = get(properties, key)
            path_node = get(properties, "Path")
            iam_name = self._evaluate(fixed, position) if fixed else None
            path = self._evaluate(path_node, position) if path_node else None
            generated = iam_name is None
            if iam_name is None:
                iam_name = Node(generated_name(name), position)
            if not isinstance(iam_name.value, str):
                cause = next(unknowns(iam_name), None)
                why = cause.reason if cause is not None else f"its {key} is not a string"
                return _unknown(written, why, position)
            prefix = path.value if path is not None and isinstance(path.value, str) else "/"
            arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:{noun}{prefix}{iam_name.value}"
            said = (created_note(noun, name, arn),) if generated else ()
            return Node(arn, position, (OWN_ACCOUNT_NOTE, *said))
        return _unknown(written, "known only after deploy", position)

    def _cfn_json(self, written: str, value: Node | None, position: Position) -> Node:
        """The CDK's ``CfnJson``: a custom resource whose ``Value`` attribute is its
        ``Value`` property (JSON text, joined at deploy from references) parsed. The CDK
        writes a trust condition whose keys hold a reference (an EKS cluster's issuer) so.
        https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.CfnJson.html"""
        found = self._evaluate(value, position) if value is not None else None
        if found is None or not isinstance(found.value, str):
            cause = next(unknowns(found), None) if found is not None else None
            why = cause.reason if cause is not None else "its Value is not JSON text"
            return _unknown(written, why, position)
        try:
            parsed = parse_json(found.value, pinned=found.position)
        except JsonSyntaxError as error:
            return _unknown(written, f"its Value is not JSON ({error})", position)
        return replace(parsed, notes=(*parsed.notes, *found.notes)) if found.notes else parsed


def _unknown(expression: str, reason: str, position: Position) -> Node:
    return Node(Unknown(expression, reason, position), position)
