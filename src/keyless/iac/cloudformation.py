"""CloudFormation templates (YAML or JSON) and CDK synth output, read with positions.

``AWS::IAM::User`` (and its ``LoginProfile``), ``AWS::IAM::AccessKey``, ``AWS::IAM::Role``
and ``AWS::IAM::OIDCProvider`` are read; intrinsic functions are evaluated where the
template alone decides them (:mod:`keyless.iac.intrinsics`). A CDK app's
``cdk.out/*.template.json`` is a CloudFormation template whose resources carry their
construct path (``aws:cdk:path``), which names them here.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html

An ``AWS::CloudFormation::StackSet`` whose ``TemplateBody`` holds a template (a string,
YAML or JSON) is read as a template of its own, with the StackSet's ``Parameters``: its
IAM resources are named ``Role (in StackSet Name)`` and placed at the StackSet (inside
the string, lines are the string's, not the file's). ``AWS::CloudFormation::Stack`` takes
only a ``TemplateURL``, which is not read.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from keyless.files import describe_size
from keyless.iac import sam, transforms
from keyless.iac.cognito_roles import (
    ATTACHMENTS,
    Attachment,
    cloudformation_attachment,
    with_attachments,
)
from keyless.iac.intrinsics import Template, getatt_parts
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.model import IacResource, ResourceKind, SourceKind, location
from keyless.iac.partitions import resource_in
from keyless.iac.sources import ReadError
from keyless.iac.tfobjects import trust_document
from keyless.iac.values import Node, Position, get, known_texts, mapping, relocated, text
from keyless.iac.yamlpos import YamlSyntaxError, parse_yaml

#: The property holding an OIDC provider's client IDs, where it is not ``ClientIdList``.
_CLIENT_IDS = {"Custom::AWSCDKOpenIdConnectProvider": "ClientIDList"}

_KINDS = {
    "AWS::IAM::User": ResourceKind.USER,
    "AWS::IAM::AccessKey": ResourceKind.ACCESS_KEY,
    "AWS::IAM::Role": ResourceKind.ROLE,
    "AWS::IAM::OIDCProvider": ResourceKind.OIDC_PROVIDER,
    # aws_iam.OpenIdConnectProvider: a Lambda-backed custom resource that creates the provider.
    "Custom::AWSCDKOpenIdConnectProvider": ResourceKind.OIDC_PROVIDER,
}
_NAMES = {
    ResourceKind.USER: "UserName",
    ResourceKind.ROLE: "RoleName",
    ResourceKind.ACCESS_KEY: "UserName",
}


#: The largest ``TemplateBody`` a StackSet takes, in bytes (CreateStackSet's limit).
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html
MAX_STACK_SET_BODY_BYTES = 51_200
#: StackSets inside StackSets' bodies read, at most (each body is smaller than its own).
_MAX_NESTING = 4
_STACK_SET = "AWS::CloudFormation::StackSet"
#: Stacks of another template (in S3, or SAM's application): not read, a note says so.
#: What a note on a resource a false condition leaves out says of the parameters' values.
PARAMETERS_HINT = "(--parameter judges another deployment)"
#: The same inside a StackSet's body, whose parameters the StackSet's ``Parameters`` give
#: (else their defaults): ``--parameter`` sets the outer template's, not these.
_STACK_SET_PARAMETERS_HINT = "(the StackSet's Parameters give them, else their defaults)"
_NESTED = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")

#: The largest template parsed, YAML or JSON: twice CloudFormation's own maximum (1 MB,
#: from S3). A Terraform plan (``terraform show -json``) is read by :mod:`keyless.iac.plan`
#: and not capped here: a plan of a large configuration is legitimately large.
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
MAX_TEMPLATE_CHARACTERS = 2 * 1024 * 1024


def parse_template(path: Path, source: str) -> Node:
    """A template's text as a node tree (JSON when it starts with ``{``, else YAML).
    Raises :class:`ReadError` naming the position of the first error, or for a template
    over :data:`MAX_TEMPLATE_CHARACTERS`."""
    is_json = source.lstrip().startswith("{")
    if len(source) > MAX_TEMPLATE_CHARACTERS:
        # The round-trip YAML parser takes seconds per megabyte (10 MB: over a minute),
        # the positioned JSON parser seconds and hundreds of MB for 35 MB, and
        # CloudFormation itself accepts at most 1 MB of template.
        raise ReadError(
            path,
            f"a {'JSON' if is_json else 'YAML'} template of {describe_size(len(source))}, "
            f"larger than the {describe_size(MAX_TEMPLATE_CHARACTERS)} keyless parses "
            "(CloudFormation accepts 1 MB at most)",
        )
    if is_json:
        try:
            return parse_json(source)
        except JsonSyntaxError as error:
            raise ReadError(path, f"malformed JSON: {error}") from None
    try:
        return parse_yaml(source)
    except YamlSyntaxError as error:
        raise ReadError(path, f"malformed YAML: {error}") from None


def is_template(root: Node) -> bool:
    """A mapping with a ``Resources`` mapping whose types are ``AWS::``/``Custom::`` (or a
    template version, a ``Transform``, an ``Fn::ForEach`` loop of resources)."""
    resources = get(root, "Resources")
    if resources is None or not isinstance(resources.value, Mapping):
        return False
    if get(root, "AWSTemplateFormatVersion") is not None or get(root, "Transform") is not None:
        return True
    if any(key.startswith("Fn::ForEach::") for key in resources.value):
        return True  # resources written only in AWS::LanguageExtensions loops
    types = [text(get(r, "Type")) or "" for r in resources.value.values()]
    return any(t.startswith(("AWS::", "Custom::")) for t in types)


def read_template(
    path: Path,
    root: Node,
    parameters: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
    problems: list[ReadError] | None = None,
    placed: Position | None = None,
) -> list[IacResource]:
    """The IAM resources of a parsed template; ``parameters`` give parameters' values as
    a deployment does (over their defaults). IAM resources the stack does not create (a
    false ``Condition``) are told to ``notes``, placed at ``placed`` when the template's
    lines are not ``path``'s (a Terraform stack's ``template_body``); a StackSet's
    ``TemplateBody`` that cannot be read (its roles not judged) to ``problems``."""
    template = Template(root, parameters)
    found = _read(path, root, template, notes, problems, (), placed)
    partition = template.partition
    return found if partition is None else [resource_in(r, partition) for r in found]


def _read(
    path: Path,
    root: Node,
    template: Template,
    notes: list[str] | None,
    problems: list[ReadError] | None,
    within: tuple[str, ...],
    placed: Position | None,
) -> list[IacResource]:
    """The resources of ``root``; inside a StackSet's body (``within`` names the StackSets
    around it, outermost first) they and the notes are named ``… (in StackSet OUTER/INNER)``
    and notes placed at ``placed``, the outermost StackSet, whose lines the bodies' are not."""
    resources = get(root, "Resources")
    if resources is None or not isinstance(resources.value, Mapping):
        return []
    source = SourceKind.CDK if _is_cdk(path, resources.value) else SourceKind.CLOUDFORMATION
    suffix = f" {_in_stack_sets(within)}" if within else ""
    hint = _STACK_SET_PARAMETERS_HINT if within else PARAMETERS_HINT
    found: list[IacResource] = []
    attachments: list[Attachment] = []  # identity pools' role attachments
    arns: dict[str, str] = {}  # each role's ARN, by address, when there are any
    # The roles SAM creates for serverless functions are judged beside the template's own.
    # AWS::LanguageExtensions loops are written out where the template decides them.
    written = transforms.expand_loops(resources.value, template.evaluate)
    declared = {**written, **sam.created_roles(root, written)}
    attaching = any(text(get(d, "Type")) in ATTACHMENTS for d in declared.values())
    for logical_id, declaration in declared.items():
        resource_type = text(get(declaration, "Type")) or ""
        kind = _KINDS.get(resource_type)
        if resource_type in _NESTED and notes is not None:
            where = location(path, placed or declaration.position)
            # The CDK writes a nested stack's template beside this one (aws:asset:path).
            asset = text(get(declaration, "Metadata", "aws:asset:path"))
            which = f"its template, {asset}," if asset else "its template"
            notes.append(
                f"{where}: {logical_id} ({resource_type}): nested stack not read here; "
                f"{which} is judged only when scanned{suffix}"
            )
        if resource_type in ATTACHMENTS:
            if _false_condition(template, declaration) is None:
                attachments.append(
                    cloudformation_attachment(
                        logical_id + suffix, get(declaration, "Properties"), template.evaluate
                    )
                )
            continue
        if kind is None and resource_type != _STACK_SET:
            continue
        condition = _false_condition(template, declaration)
        if condition is not None:
            if notes is not None:
                where = location(path, placed or declaration.position)
                notes.append(
                    f"{where}: {logical_id} is not created: its condition {condition} is false "
                    f"with the parameters' values {hint}{suffix}"
                )
            continue
        if kind is None:  # a StackSet the stack creates
            found.extend(
                _stack_set(path, logical_id, declaration, template, notes, problems, within, placed)
            )
            continue
        if (
            kind is ResourceKind.ROLE
            and problems is not None
            and transforms.written_by_transform(declaration, _KINDS)
        ):
            continue  # its trust policy is not read: reported as such below (unread_parts)
        address = _address(logical_id, declaration)
        properties = get(declaration, "Properties")
        name = None
        if kind in _NAMES:
            name_node = get(properties, _NAMES[kind])
            name = text(template.evaluate(name_node)) if name_node is not None else None
        trust = None
        trust_position = None
        if kind is ResourceKind.ROLE:
            policy = get(properties, "AssumeRolePolicyDocument")
            if policy is not None:
                trust_position = policy.position
                trust = trust_document(template.evaluate(policy))
            if attaching:
                at = declaration.position
                getatt = Node((Node(logical_id, at), Node("Arn", at)), at)
                arn = text(template.evaluate(Node(mapping({"Fn::GetAtt": getatt}), at)))
                if arn is not None:
                    arns[address + suffix] = arn
        provider_arn = audiences = None
        if kind is ResourceKind.OIDC_PROVIDER:
            # Its Ref is its ARN (from its Url), as a role's Federated principal names it.
            at = declaration.position
            ref = Node(mapping({"Ref": Node(logical_id, at)}), at)
            provider_arn = text(template.evaluate(ref))
            # The CDK's custom resource spells it ClientIDList (aws-cdk-lib's
            # aws-iam/lib/oidc-provider.ts); AWS::IAM::OIDCProvider, ClientIdList.
            clients = get(properties, _CLIENT_IDS.get(resource_type, "ClientIdList"))
            audiences = known_texts(template.evaluate(clients)) if clients is not None else None
        found.append(
            IacResource(
                kind=kind,
                address=address + suffix,
                type=resource_type,
                path=path,
                position=declaration.position,
                source=source,
                name=name,
                trust=trust,
                trust_position=trust_position,
                provider_arn=provider_arn,
                audiences=audiences,
            )
        )
        login = get(properties, "LoginProfile")
        if kind is ResourceKind.USER and login is not None and _is_set(template, login):
            found.append(
                IacResource(
                    kind=ResourceKind.LOGIN_PROFILE,
                    address=f"{address}.LoginProfile{suffix}",
                    type=resource_type,
                    path=path,
                    position=login.position,
                    source=source,
                    name=name,
                )
            )
    if attachments:
        found = with_attachments(found, attachments, arns)
    if problems is not None:
        read_types = {*_KINDS, _STACK_SET, sam.FUNCTION}
        for reason in transforms.unread_parts(root, written, read_types):
            problems.append(ReadError(path, reason + suffix))
    outputs = _secret_outputs(path, root, resources.value, source)
    for output in list(outputs):
        output_node = get(root, "Outputs", output.address.removeprefix("Outputs."))
        condition = _false_condition(template, output_node) if output_node is not None else None
        if condition is None:
            continue
        outputs.remove(output)  # as a resource whose condition is false: not created
        if notes is not None:
            where = location(path, placed or output.position)
            notes.append(
                f"{where}: {output.address} is not created: its condition {condition} is false "
                f"with the parameters' values {hint}{suffix}"
            )
    found.extend(replace(resource, address=resource.address + suffix) for resource in outputs)
    return found


def _in_stack_sets(within: tuple[str, ...]) -> str:
    """``(in StackSet OUTER/INNER)``: the StackSets a body is read inside, outermost first."""
    return f"(in StackSet {'/'.join(within)})"


def _stack_set(
    path: Path,
    logical_id: str,
    declaration: Node,
    template: Template,
    notes: list[str] | None,
    problems: list[ReadError] | None,
    within: tuple[str, ...],
    placed: Position | None,
) -> list[IacResource]:
    """The IAM resources of a StackSet's inline ``TemplateBody`` (inside the StackSets
    ``within``), named and placed as inside it; none (and a problem) when the body cannot be
    read."""
    written = get(declaration, "Properties", "TemplateBody")
    if written is None:
        return []  # TemplateURL: a template in S3, not read
    outer = _address(logical_id, declaration)
    around = f" {_in_stack_sets(within)}" if within else ""

    def unreadable(reason: str) -> list[IacResource]:
        if problems is not None:
            problems.append(ReadError(path, f"{outer}.TemplateBody: {reason}{around}"))
        return []

    body = text(template.evaluate(written))
    if body is None:
        return unreadable("not known from the template alone, so its roles are not judged")
    if len(body.encode("utf-8")) > MAX_STACK_SET_BODY_BYTES:
        return unreadable(
            f"{describe_size(len(body.encode('utf-8')))}, larger than the "
            f"{MAX_STACK_SET_BODY_BYTES:,} bytes CloudFormation accepts for a StackSet"
        )
    if len(within) >= _MAX_NESTING:
        return unreadable("StackSets nested too deeply to read")
    try:
        inner = parse_template(path, body)
    except ReadError as error:
        return unreadable(f"{error.reason} (lines of the TemplateBody)")
    if not is_template(inner):
        return unreadable("not a CloudFormation template (no Resources)")
    given, unknown = _stack_set_parameters(template, get(declaration, "Properties", "Parameters"))
    found = _read(
        path,
        inner,
        Template(inner, given, unknown),
        notes,
        problems,
        (*within, outer),
        placed or declaration.position,
    )
    return [_inside(resource, declaration.position, written.position) for resource in found]


def _inside(resource: IacResource, position: Position, body: Position) -> IacResource:
    """``resource`` of a StackSet's body placed at the StackSet (its trust policy at the
    ``TemplateBody``); a StackSet around this one places it again, at its own."""
    return replace(
        resource,
        position=position,
        trust=relocated(resource.trust, body) if resource.trust is not None else None,
        trust_position=body if resource.trust_position is not None else None,
    )


def _stack_set_parameters(
    template: Template, written: Node | None
) -> tuple[dict[str, str], dict[str, str]]:
    """The values a StackSet gives its template's parameters (``[{ParameterKey,
    ParameterValue}]``): those known, and those it gives a value keyless does not know."""
    given: dict[str, str] = {}
    unknown: dict[str, str] = {}
    evaluated = template.evaluate(written) if written is not None else None
    items = evaluated.value if evaluated is not None else ()
    for item in items if isinstance(items, tuple) else ():
        key = text(get(item, "ParameterKey"))
        if key is None:
            continue
        value_node = get(item, "ParameterValue")
        value = text(value_node) if value_node is not None else None
        if value is not None:
            given[key] = value
        else:
            unknown[key] = "the StackSet gives it a value not known from the template alone"
    return given, unknown


def _false_condition(template: Template, declaration: Node) -> str | None:
    """The resource's ``Condition`` when it is false with the parameters' values
    (defaults, or ``--parameter``): the stack does not create it, as Terraform's
    ``count = 0``. An undecided condition leaves the resource judged.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html"""
    name = text(get(declaration, "Condition"))
    if name is None or template.condition(name, declaration.position) is not False:
        return None
    return name


def _is_set(template: Template, value: Node) -> bool:
    """Whether a property is set once its intrinsics are evaluated: ``AWS::NoValue``
    (``!If [Cond, {...}, !Ref AWS::NoValue]`` with a false condition) removes it, as a
    null would. An undecided choice leaves it set (reported, never assumed away)."""
    return template.evaluate(value).value is not None


def _secret_outputs(
    path: Path, root: Node, resources: Mapping[str, Node], source: SourceKind
) -> list[IacResource]:
    """Outputs whose value holds an access key's ``SecretAccessKey`` (``Fn::GetAtt``, or
    ``${Key.SecretAccessKey}`` in ``Fn::Sub``): one per output, named by the key."""
    outputs = get(root, "Outputs")
    if outputs is None or not isinstance(outputs.value, Mapping):
        return []
    keys = {
        name
        for name, declaration in resources.items()
        if text(get(declaration, "Type")) == "AWS::IAM::AccessKey"
    }
    found: list[IacResource] = []
    for name, output in outputs.value.items():
        exposed = next(_secret_keys(get(output, "Value"), keys), None)
        if exposed is not None:
            found.append(
                IacResource(
                    kind=ResourceKind.SECRET_OUTPUT,
                    address=f"Outputs.{name}",
                    type="AWS::CloudFormation::Output",
                    path=path,
                    position=output.position,
                    source=source,
                    name=exposed,
                )
            )
    return found


def _secret_keys(node: Node | None, keys: set[str]) -> Iterator[str]:
    """The access keys whose secret ``node`` reads."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        value = current.value
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            attribute = value.get("Fn::GetAtt")
            named = getatt_parts(attribute) if attribute is not None else None
            if named is not None:
                key, read = text(named[0]), text(named[1])
                if key in keys and read == "SecretAccessKey":
                    yield str(key)
            written = value.get("Fn::Sub")
            template = written.value[0] if written and isinstance(written.value, tuple) else written
            for key in keys:
                if text(template) and f"${{{key}.SecretAccessKey}}" in str(text(template)):
                    yield key
            stack.extend(value.values())


def _address(logical_id: str, declaration: Node) -> str:
    """The logical ID; in CDK output, the construct path that the code names."""
    cdk_path = text(get(declaration, "Metadata", "aws:cdk:path"))
    return f"{logical_id} ({cdk_path})" if cdk_path else logical_id


def _is_cdk(path: Path, resources: Mapping[str, Node]) -> bool:
    if "cdk.out" in path.parts:
        return True
    return any(get(r, "Metadata", "aws:cdk:path") is not None for r in resources.values())
