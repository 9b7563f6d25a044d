"""What Terraform objects evaluate to where the code alone decides it.

The data sources keyless evaluates (policy documents, the caller's account, the
partition, an OIDC provider by URL), the attributes IAM computes from a resource's
arguments (a role's or user's ARN, a provider's ARN), a trust policy attribute read as a
document, and the :class:`~keyless.iac.model.IacResource` an IAM resource block declares.
The deploying account is not known from code: it is written as
:data:`~keyless.iac.model.DEPLOYING_ACCOUNT`, and each value that stands for it carries
:data:`OWN_ACCOUNT_NOTE` (CloudFormation's intrinsics use the same notes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from keyless.iac.hcl import Block
from keyless.iac.hcleval import Evaluator
from keyless.iac.model import (
    DEPLOYING_ACCOUNT,
    DEPLOYING_ORGANIZATION,
    IacResource,
    ResourceKind,
    SourceKind,
)
from keyless.iac.own_resources import (
    created_note,
    eks_issuer,
    guests_off_note,
    identity_pool_id,
    saml_provider_arn,
    trust_anchor_arn,
    trust_anchor_id,
)
from keyless.iac.partitions import ASSUMED_NOTE, Partition, provider_arn
from keyless.iac.policy_document import json_text_document, translate
from keyless.iac.tffiles import TerraformFile
from keyless.iac.values import (
    Attributes,
    JsonText,
    Node,
    Position,
    StandIn,
    Unknown,
    known_texts,
    mapping,
)

# A service name as service principals spell it (``ecs-tasks``, ``monitoring.rds``), and
# the regions whose service principals end in amazonaws.com (commercial and GovCloud; China
# and the isolated partitions have their own suffixes).
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}", re.ASCII)
_COMMERCIAL_OR_GOVCLOUD = re.compile(r"(?!cn-)[a-z]{2}-(?:gov-)?[a-z]+-\d", re.ASCII)

OWN_ACCOUNT_NOTE = StandIn(f"the deploying account is shown as {DEPLOYING_ACCOUNT}")
OWN_ORGANIZATION_NOTE = StandIn(
    f"the deploying account's organization is shown as {DEPLOYING_ORGANIZATION}"
)
PARTITION_NOTE = ASSUMED_NOTE


def data_object(
    block: Block, evaluator: Evaluator, scope: Mapping[str, Node], partition: Partition | None
) -> Node:
    """The object of a data source keyless evaluates (else unknown, read at plan time);
    ``partition`` is the one the code deploys to, if it says."""
    kind = block.labels[0]
    position = block.position
    if kind == "aws_iam_policy_document":
        rendered = translate(
            block, lambda tree, extra: evaluator.evaluate(tree, {**scope, **extra})
        )
        return _data(block, {"json": rendered, "minified_json": rendered})
    if kind == "aws_caller_identity":
        account = Node(DEPLOYING_ACCOUNT, position, (OWN_ACCOUNT_NOTE,))
        return _data(block, {"account_id": account, "id": account})
    if kind == "aws_organizations_organization":
        # The organization "the user's account belongs to": the deploying account's, whatever
        # its ID (`aws:PrincipalOrgID = data.aws_organizations_organization.this.id` pins
        # one organization). Its other attributes are read at plan time.
        # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organization
        organization = Node(DEPLOYING_ORGANIZATION, position, (OWN_ORGANIZATION_NOTE,))
        return _data(block, {"id": organization})
    if kind == "aws_partition":
        return _data(block, _partition_members(partition, position))
    if kind == "aws_service_principal":
        return _service_principal(block, evaluator, scope, partition)
    if kind == "aws_iam_openid_connect_provider":
        url = block.body.attributes.get("url")
        by_arn = block.body.attributes.get("arn")
        if url is None and by_arn is not None:
            # Looked up by its ARN: that is its ARN and id.
            arn = evaluator.evaluate(by_arn.expression, scope)
            return _data(block, {"arn": arn, "id": arn})
        if url is not None:
            host = evaluator.evaluate(url.expression, scope)
            # The provider's id is its ARN, as the resource's is.
            arn = _provider_arn(host)
            return _data(block, {"arn": arn, "id": arn, "url": host})
    # Any other data source: what it reads is known at plan time, and so are its arguments
    # but those whose schema keeps them as written. Terraform does not hold a data source's
    # result to its configuration: an Optional+Computed argument is whatever the provider
    # reads back (data.aws_route53_zone's name lower-cased, without its final dot; a name
    # in the case IAM stores it), so only the arguments of _ECHOED are taken as written:
    # data.tls_certificate.x.url is the URL written, the issuer an OIDC provider is
    # usually created from.
    members = {}
    echoed = _ECHOED.get(kind, frozenset())
    for name, attribute in block.body.attributes.items():
        if name in _DATA_META:
            continue
        if name in echoed:
            members[name] = evaluator.evaluate(attribute.expression, scope)
            continue
        where = f"data.{kind}.{block.labels[1]}.{name}"
        members[name] = Node(Unknown(where, _READ_BACK, attribute.position), attribute.position)
    return _data(block, members)


#: A data block's meta-arguments: not attributes of its object.
_DATA_META = frozenset({"count", "for_each", "depends_on", "provider"})
#: Arguments of data sources keyless does not evaluate that the provider keeps as written
#: (Optional, not Computed, in its schema).
#: https://registry.terraform.io/providers/hashicorp/tls/latest/docs/data-sources/certificate
_ECHOED: Mapping[str, frozenset[str]] = {
    "tls_certificate": frozenset({"url", "content", "verify_chain"}),
}
_READ_BACK = (
    "a data source's argument is read back at plan time (the provider may return another "
    "value than the one written)"
)


def _partition_members(partition: Partition | None, position: Position) -> dict[str, Node]:
    """``data.aws_partition``'s ``partition`` and ``dns_suffix``: the partition the code
    deploys to, else ``aws`` (assumed, and said)."""
    if partition is None:
        return {
            "partition": Node("aws", position, (PARTITION_NOTE,)),
            "dns_suffix": Node("amazonaws.com", position, (PARTITION_NOTE,)),
        }
    suffix = partition.dns_suffix
    return {
        "partition": Node(partition.name, position, (partition.note,)),
        "dns_suffix": (
            Node(suffix, position, (partition.note,))
            if suffix is not None
            else Node(
                Unknown(
                    "data.aws_partition.dns_suffix",
                    f"the DNS suffix of {partition.name} is not known to keyless",
                    position,
                ),
                position,
            )
        ),
    }


def _service_principal(
    block: Block, evaluator: Evaluator, scope: Mapping[str, Node], partition: Partition | None
) -> Node:
    """``data.aws_service_principal``: ``SERVICE.amazonaws.com`` in the aws partition, as
    ``data.aws_partition`` is judged there. A region outside it (``cn-…``, ``us-iso…``),
    its own or the AWS provider's, may take another suffix (``logs.amazonaws.com.cn``):
    read at plan time.
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/service_principal
    """
    attributes = block.body.attributes
    service = attributes.get("service_name")
    region = attributes.get("region")
    name = evaluator.evaluate(service.expression, scope) if service is not None else None
    where = f"data.aws_service_principal.{block.labels[1]}"
    chosen: object = partition.region if partition is not None else None
    if region is not None:
        chosen = evaluator.evaluate(region.expression, scope).value
    if chosen is not None and (
        not isinstance(chosen, str) or not _COMMERCIAL_OR_GOVCLOUD.fullmatch(chosen)
    ):
        reason = "its region may be of a partition whose service principals differ"
        return Node(Unknown(where, reason, block.position), block.position)
    if name is None or not isinstance(name.value, str) or not _SERVICE.fullmatch(name.value):
        reason = "its service_name is not known from the code"
        return Node(Unknown(where, reason, block.position), block.position)
    position = block.position
    suffix = Node("amazonaws.com", position, (PARTITION_NOTE,))
    principal = Node(f"{name.value}.amazonaws.com", name.position, (PARTITION_NOTE,))
    return _data(block, {"name": principal, "suffix": suffix, "service": name})


def _data(block: Block, members: Mapping[str, Node]) -> Node:
    """A data source's object: the attributes keyless knows; the others are read at plan."""
    address = f"data.{block.labels[0]}.{block.labels[1]}"
    attributes = Attributes(members, address, block.position, "read at plan time")
    return Node(attributes, block.position)


def resource_object(block: Block, evaluator: Evaluator, scope: Mapping[str, Node]) -> Node:
    """A resource's arguments, and the attributes IAM computes from them."""
    members = {
        name: evaluator.evaluate(a.expression, scope)
        for name, a in block.body.attributes.items()
        if name not in ("count", "for_each", "depends_on", "provider")
    }
    kind = block.labels[0]
    name = members.get("name")
    path = members.get("path") or Node("/", block.position)
    if kind in ("aws_iam_role", "aws_iam_user") and name is not None:
        resource = "role" if kind == "aws_iam_role" else "user"
        if isinstance(name.value, str) and isinstance(path.value, str):
            arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:{resource}{path.value}{name.value}"
            members["arn"] = Node(arn, block.position, (OWN_ACCOUNT_NOTE,))
            members["id"] = name
    if kind == "aws_iam_openid_connect_provider" and "url" in members:
        # id is the ARN too:
        # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_openid_connect_provider#attribute-reference
        members["arn"] = members["id"] = _provider_arn(members["url"])
    address = f"{block.labels[0]}.{block.labels[1]}"
    members.update(_created_identifiers(kind, address, members, block))
    return Node(Attributes(members, address, block.position), block.position)


def _created_identifiers(
    kind: str, address: str, members: Mapping[str, Node], block: Block
) -> dict[str, Node]:
    """Identifiers known only after apply that name the resource the code creates
    (:mod:`keyless.iac.own_resources`): an identity pool's ID, a trust anchor's ARN, a
    SAML provider's ARN (from its name)."""
    position = block.position
    if kind == "aws_cognito_identity_pool":
        pool = identity_pool_id(address)
        said: list[str] = [created_note("identity pool", address, pool)]
        # allow_unauthenticated_identities defaults to false.
        guests = members.get("allow_unauthenticated_identities")
        if guests is None or guests.value is False:
            said.append(guests_off_note(pool))
        return {"id": Node(pool, position, tuple(said))}
    if kind == "aws_eks_cluster":
        # identity[0].oidc[0].issuer: the cluster's own issuer, whatever its ID will be
        # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_cluster#identity
        url = eks_issuer(address)
        issuer = Node(url, position, (created_note("EKS cluster's OIDC issuer", address, url),))
        oidc = Node((Node(mapping({"issuer": issuer}), position),), position)
        return {"identity": Node((Node(mapping({"oidc": oidc}), position),), position)}
    if kind == "aws_rolesanywhere_trust_anchor":
        arn = trust_anchor_arn(address)
        note = (created_note("trust anchor", address, arn), OWN_ACCOUNT_NOTE)
        return {"arn": Node(arn, position, note), "id": Node(trust_anchor_id(address), position)}
    name = members.get("name")
    if kind == "aws_iam_saml_provider" and name is not None and isinstance(name.value, str):
        arn = saml_provider_arn(name.value)
        return {"arn": Node(arn, position, (OWN_ACCOUNT_NOTE,))}
    return {}


def trust_document(node: Node) -> Node:
    """A trust policy attribute's value as a structured document: ``jsonencode`` and
    policy documents as they are, JSON strings (heredocs) parsed with their positions."""
    value = node.value
    if isinstance(value, JsonText):
        return value.document
    if isinstance(value, str):
        return json_text_document(node, "the trust policy")
    return node


def _string_argument(node: Node) -> Node:
    """``assume_role_policy`` as Terraform takes it: the AWS provider's schema types it a
    string, so an object or a list (a ``.tf.json`` policy written as a JSON object, an
    HCL object without ``jsonencode``, a whole ``data.aws_iam_policy_document``) is refused
    before anything is deployed ("Inappropriate value for attribute "assume_role_policy":
    string required", as in https://github.com/antonputra/tutorials/issues/98). It is
    unknown, never judged as the policy it would have been. So is JSON text that starts
    with whitespace (a heredoc ``<<EOF`` whose JSON is indented): the provider refuses it
    ("contains an invalid JSON policy: leading space characters are not allowed",
    ``verify.ValidIAMPolicyJSON`` in terraform-provider-aws)."""
    value = node.value
    if isinstance(value, str) and value[:1] in (" ", "\t", "\r", "\n"):
        reason = (
            "the AWS provider refuses it: the policy starts with whitespace (leading space "
            "characters are not allowed; write the heredoc as <<-EOF, or trim it)"
        )
        return Node(Unknown("assume_role_policy", reason, node.position), node.position)
    if isinstance(value, Mapping | tuple) and not isinstance(value, JsonText):
        what = "an object" if isinstance(value, Mapping) else "a list"
        reason = (
            f"Terraform refuses it: assume_role_policy is a string, and {what} was given "
            "(write the policy as jsonencode(...) or JSON text)"
        )
        return Node(Unknown("assume_role_policy", reason, node.position), node.position)
    return node


def _provider_arn(url: Node) -> Node:
    """``arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`` for a provider's URL."""
    if not isinstance(url.value, str):
        return url
    host = url.value.removeprefix("https://")
    arn = provider_arn(DEPLOYING_ACCOUNT, host)
    # The URL's own notes (a stand-in issuer of a cluster the code creates) stay with it.
    return Node(arn, url.position, (*url.notes, OWN_ACCOUNT_NOTE))


def iac_resource(
    kind: ResourceKind,
    block: Block,
    file: TerraformFile,
    evaluator: Evaluator,
    address: str,
    scope: Mapping[str, Node],
) -> IacResource:
    """The resource keyless judges, as one instance of an IAM resource block declares it."""
    # A key or a login profile is named by its user.
    named_by = "name" if kind in (ResourceKind.USER, ResourceKind.ROLE) else "user"
    name_attribute = block.body.attributes.get(named_by)
    name = evaluator.evaluate(name_attribute.expression, scope) if name_attribute else None
    trust = None
    trust_position = None
    if kind is ResourceKind.ROLE:
        attribute = block.body.attributes.get("assume_role_policy")
        if attribute is not None:
            trust_position = attribute.position
            trust = trust_document(
                _string_argument(evaluator.evaluate(attribute.expression, scope))
            )
    provider_arn = audiences = None
    if kind is ResourceKind.OIDC_PROVIDER:
        url = block.body.attributes.get("url")
        arn = _provider_arn(evaluator.evaluate(url.expression, scope)) if url else None
        provider_arn = arn.value if arn is not None and isinstance(arn.value, str) else None
        clients = block.body.attributes.get("client_id_list")
        audiences = known_texts(evaluator.evaluate(clients.expression, scope)) if clients else None
    return IacResource(
        kind=kind,
        address=address,
        type=block.labels[0],
        path=file.path,
        position=block.position,
        source=SourceKind.TERRAFORM,
        name=name.value if name is not None and isinstance(name.value, str) else None,
        trust=trust,
        trust_position=trust_position,
        provider_arn=provider_arn,
        audiences=audiences,
    )
