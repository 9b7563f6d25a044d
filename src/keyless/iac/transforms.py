"""What a template leaves to a transform that keyless does not run.

CloudFormation runs a template's transforms before it creates anything: a macro of the
account's own (``Transform: [OrgRoles]``) or ``AWS::Include`` (a snippet kept in S3) can
add or rewrite any resource, and an ``AWS::LanguageExtensions`` loop
(``Fn::ForEach::Name`` under ``Resources``) creates resources whose logical IDs and
properties are written once for every item. Their IAM resources are not in the template
as written, so such a template is reported as not read in full, never as clean.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html

AWS's own transforms that keyless reads around are not reported: ``AWS::Serverless``
(the roles it creates trust a service, or the function's own document,
:mod:`keyless.iac.sam`), ``AWS::LanguageExtensions`` itself (its functions are unknown
values where they are used), ``AWS::CodeDeployBlueGreen`` (no IAM) and
``AWS::SecretsManager`` (a rotation function whose role trusts Lambda).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from keyless.iac.values import Node, get, text

#: Transforms written by AWS whose output keyless judges (or that create no trust).
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-reference.html
_READ_AROUND = (
    "AWS::Serverless-2016-10-31",
    "AWS::LanguageExtensions",
    "AWS::CodeDeployBlueGreen",
    "AWS::SecretsManager-2020-07-23",
    "AWS::SecretsManager-2024-09-16",
)
_FOR_EACH = "Fn::ForEach::"


def unread_parts(root: Node, read_types: Collection[str]) -> Iterator[str]:
    """Why parts of the template are not read: each transform that may write resources
    keyless does not see, and each ``Fn::ForEach`` loop under ``Resources`` that creates a
    resource of one of ``read_types``."""
    for name, node in _transforms(get(root, "Transform")):
        if name in _READ_AROUND:
            continue
        where = f"line {node.position.line}"
        if name is None:
            yield f"Transform at {where}: not a name keyless knows, so what it writes is not read"
        elif name == "AWS::Include":
            yield (
                f"Transform AWS::Include at {where}: the snippet it inserts (kept in S3) is not "
                "read, so the resources it adds are not judged"
            )
        else:
            yield (
                f"Transform {name} at {where}: a macro rewrites the template before "
                "CloudFormation creates it; keyless does not run it, so what it creates or "
                "changes is not judged"
            )
    resources = get(root, "Resources")
    members = resources.value if resources is not None else None
    if not isinstance(members, Mapping):
        return
    for key, node in members.items():
        if key == "Fn::Transform":
            yield (
                f"Resources.Fn::Transform at line {node.position.line}: the resources a "
                "transform (AWS::Include) inserts are not read, so they are not judged"
            )
        elif key.startswith(_FOR_EACH) and _creates(node, read_types):
            yield (
                f"Resources.{key} at line {node.position.line}: the IAM resources an "
                "AWS::LanguageExtensions loop creates are not read, so they are not judged"
            )


def _transforms(written: Node | None) -> Iterator[tuple[str | None, Node]]:
    """The transforms named at the top of the template (a name, a list of names, or
    ``{Name, Parameters}`` mappings); an entry that names none is ``(None, node)``."""
    if written is None:
        return
    items = written.value if isinstance(written.value, tuple) else (written,)
    for item in items:
        name = text(item) if isinstance(item.value, str) else text(get(item, "Name"))
        yield name, item


def _creates(loop: Node, read_types: Collection[str]) -> bool:
    """The loop's body (nested loops too) declares a resource of one of ``read_types``;
    a ``Type`` keyless does not know (an intrinsic function) counts, as it may be one."""
    stack = [loop]
    while stack:
        value = stack.pop().value
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            kind = value.get("Type")
            if kind is not None and (not isinstance(kind.value, str) or kind.value in read_types):
                return True
            stack.extend(value.values())
    return False
