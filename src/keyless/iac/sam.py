"""The execution roles AWS SAM creates for a template's ``AWS::Serverless::Function``.

A SAM function without a ``Role`` gets a role SAM writes as ``<LogicalId>Role``. Its trust
policy trusts ``lambda.amazonaws.com`` unless the function (or the template's ``Globals``)
gives an ``AssumeRolePolicyDocument``, which SAM writes into the role as it is: a role
whose trust policy the template writes, and which is judged like an ``AWS::IAM::Role``.
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-assumerolepolicydocument

``Globals.Function`` is merged into each function as SAM merges it (samtranslator's
``plugins/globals/globals.py``): mappings key by key, lists concatenated (the global items
first), any other value (an intrinsic function included) the function's own; a function's
``IgnoreGlobals`` (``"*"`` or a list of property names) leaves the global value out.
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
"""

from __future__ import annotations

from collections.abc import Mapping

from keyless.iac.values import Node, get, mapping, text

FUNCTION = "AWS::Serverless::Function"
#: The SAM resources for which SAM generates ``<LogicalId>Role`` when no ``Role`` is given.
_GENERATING_A_ROLE = (FUNCTION, "AWS::Serverless::StateMachine")
_POLICY = "AssumeRolePolicyDocument"
#: Keys of a one-key mapping SAM treats as a value, not merged (``is_intrinsics``).
_INTRINSIC_KEYS = ("Ref", "Condition")


def created_roles(root: Node, resources: Mapping[str, Node]) -> dict[str, Node]:
    """Declarations (``AWS::IAM::Role``, with the function's ``Condition``) of the roles SAM
    creates with a trust policy the template writes, keyed ``<LogicalId>Role (created by
    SAM for <LogicalId>)``. A function that keeps SAM's default trust (the Lambda service
    alone) is left out: there is nothing of the template's to judge in it."""
    inherited = get(root, "Globals", "Function", _POLICY)
    roles: dict[str, Node] = {}
    for logical_id, declaration in resources.items():
        if text(get(declaration, "Type")) != FUNCTION:
            continue
        properties = get(declaration, "Properties")
        role = get(properties, "Role")
        # A Role that may be AWS::NoValue (!If [Cond, !Ref AWS::NoValue, arn]) leaves SAM
        # creating one under that condition: judged, as an undecided condition is.
        if role is not None and not _may_be_no_value(role):
            continue
        own = get(properties, _POLICY)
        given = None if _ignores_global_policy(declaration) else inherited
        policy = own if given is None else given if own is None else _merged(given, own)
        if policy is None:
            continue
        at = declaration.position
        members = {
            "Type": Node("AWS::IAM::Role", at),
            "Properties": Node(mapping({_POLICY: policy}), policy.position),
        }
        condition = get(declaration, "Condition")
        if condition is not None:
            members["Condition"] = condition
        roles[f"{logical_id}Role (created by SAM for {logical_id})"] = Node(mapping(members), at)
    return roles


def generated_roles(resources: Mapping[str, Node]) -> dict[str, Node]:
    """The roles SAM generates, by the logical ID SAM gives them (``<LogicalId>Role``), for
    every function and state machine without a ``Role``: as ``AWS::IAM::Role``
    declarations without a ``RoleName`` (CloudFormation names them), with the resource's
    ``RolePath`` if any, so that a ``Ref`` or ``Fn::GetAtt … Arn`` of them in the template
    names that role.
    https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-function.html
    https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-statemachine.html
    """
    roles: dict[str, Node] = {}
    for logical_id, declaration in resources.items():
        if text(get(declaration, "Type")) not in _GENERATING_A_ROLE:
            continue
        properties = get(declaration, "Properties")
        role = get(properties, "Role")
        if role is not None and not _may_be_no_value(role):
            continue
        at = declaration.position
        members: dict[str, Node] = {}
        path = get(properties, "RolePath")
        if path is not None:
            members["Path"] = path
        role_declaration = {
            "Type": Node("AWS::IAM::Role", at),
            "Properties": Node(mapping(members), at),
        }
        roles[f"{logical_id}Role"] = Node(mapping(role_declaration), at)
    return roles


def _merged(inherited: Node, own: Node) -> Node:
    """``own`` merged over ``inherited`` as SAM's Globals are."""
    if isinstance(inherited.value, tuple) and isinstance(own.value, tuple):
        return Node((*inherited.value, *own.value), own.position)
    base, over = inherited.value, own.value
    if isinstance(base, Mapping) and isinstance(over, Mapping) and _merges(base) and _merges(over):
        members = dict(base)
        for key, item in over.items():
            members[key] = _merged(members[key], item) if key in members else item
        return Node(mapping(members), own.position)
    return own


def _merges(value: Mapping[str, Node]) -> bool:
    """A mapping SAM merges key by key: not an intrinsic function (``{"Fn::…": …}``)."""
    if len(value) != 1:
        return True
    (key,) = value
    return not (key in _INTRINSIC_KEYS or key.startswith("Fn::"))


def _ignores_global_policy(declaration: Node) -> bool:
    """The function's ``IgnoreGlobals`` leaves out the global trust policy."""
    ignored = get(declaration, "IgnoreGlobals")
    if ignored is None:
        return False
    if text(ignored) == "*":
        return True
    items = ignored.value if isinstance(ignored.value, tuple) else ()
    return any(text(item) == _POLICY for item in items)


def _may_be_no_value(node: Node) -> bool:
    """``node`` holds ``Ref: AWS::NoValue`` somewhere (a branch of ``Fn::If``)."""
    stack = [node]
    while stack:
        value = stack.pop().value
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            if text(value.get("Ref")) == "AWS::NoValue":
                return True
            stack.extend(value.values())
    return False
