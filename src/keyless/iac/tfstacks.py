"""CloudFormation stacks a Terraform module deploys: ``aws_cloudformation_stack`` and
``aws_cloudformation_stack_set`` create whatever their template declares, IAM users, keys
and roles included. A template written in ``template_body`` (a heredoc, ``file()``,
``jsonencode()``) is read as a template (:mod:`keyless.iac.cloudformation`) with the
stack's ``parameters``, its resources named under the stack's address and placed at the
stack's block (the body's own lines are not the file's); one keyless cannot read is
reported unread, never clean; a template in S3 (``template_url``) is a note, as a nested
stack's is.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudformation_stack
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudformation_stack_set
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from keyless.iac.cloudformation import (
    PARAMETERS_HINT,
    is_template,
    parse_template,
    read_template,
)
from keyless.iac.hcl import Block
from keyless.iac.hcleval import Evaluator
from keyless.iac.model import IacResource
from keyless.iac.sources import ReadError
from keyless.iac.tffiles import TerraformFile
from keyless.iac.values import JsonText, Node, Unknown, relocated, unknowns

_STACK_PARAMETERS = "(the stack's parameters)"


@dataclass
class StackResult:
    """What one stack's template holds: its IAM resources, and what was not read."""

    resources: list[IacResource] = field(default_factory=list)
    problems: list[ReadError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def stack_resources(
    address: str,
    block: Block,
    file: TerraformFile,
    evaluator: Evaluator,
    scope: Mapping[str, Node],
) -> StackResult:
    """The IAM resources of the template the stack at ``address`` deploys."""
    result = StackResult()
    written = block.body.attributes.get("template_body")
    if written is None:
        if "template_url" in block.body.attributes:
            result.notes.append(
                f"{address}: its template_url (a template in S3) is not read; the template "
                "is judged only when scanned"
            )
        return result

    def unread(reason: str) -> StackResult:
        where = f"{address}.template_body: {reason}"
        result.problems.append(ReadError(file.path, where, block.position))
        return result

    body = evaluator.evaluate(written.expression, scope)
    root = _template_root(file, body)
    if isinstance(root, str):
        return unread(root)
    untyped = _resource_of_unknown_type(root)
    if untyped is not None:
        return unread(f"the Type of {untyped} is not known, so what it creates is not judged")
    if not is_template(root):
        return unread("not a CloudFormation template (no Resources)")
    given = _parameters(block, evaluator, scope)
    if isinstance(given, str):
        return unread(given)
    inner_problems: list[ReadError] = []
    inner_notes: list[str] = []
    found = read_template(file.path, root, given, inner_notes, inner_problems, block.position)
    for problem in inner_problems:
        unread(f"{problem.reason} (lines of the template_body)")
    # What the template leaves out (a false condition, a nested stack) is told, placed at
    # the stack's block; its parameters are the stack's, not --parameter's.
    result.notes.extend(
        f"{note.replace(PARAMETERS_HINT, _STACK_PARAMETERS)} (in {address}.template_body)"
        for note in inner_notes
    )
    for resource in found:
        trust = relocated(resource.trust, block.position) if resource.trust else None
        result.resources.append(
            replace(
                resource,
                address=f"{address}.{resource.address}",
                position=block.position,
                trust=trust,
                trust_position=block.position if trust is not None else None,
            )
        )
    return result


def _template_root(file: TerraformFile, body: Node) -> Node | str:
    """The template's node tree, or why it is not read."""
    value = body.value
    if isinstance(value, JsonText):
        return value.document  # jsonencode({...}): the object is the template
    if isinstance(value, str):
        try:
            return parse_template(file.path, value)
        except ReadError as error:
            return error.reason
    cause = next(unknowns(body), None)
    if cause is not None:
        return f"{cause.reason} ({cause.expression}), so what it creates is not judged"
    return "not a string"


def _resource_of_unknown_type(root: Node) -> str | None:
    """A resource whose ``Type`` the code leaves unknown (``Type = var.kind`` in a
    ``jsonencode`` body): it may be an IAM one."""
    resources = root.value.get("Resources") if isinstance(root.value, Mapping) else None
    if resources is None or not isinstance(resources.value, Mapping):
        return None
    for name, declaration in resources.value.items():
        kind = declaration.value.get("Type") if isinstance(declaration.value, Mapping) else None
        if kind is not None and isinstance(kind.value, Unknown):
            return name
    return None


def _parameters(
    block: Block, evaluator: Evaluator, scope: Mapping[str, Node]
) -> dict[str, str] | str:
    """The stack's ``parameters`` (a map of strings), or why they are not known: the
    template's defaults would stand for values the stack gives."""
    written = block.body.attributes.get("parameters")
    if written is None:
        return {}
    value = evaluator.evaluate(written.expression, scope)
    if not isinstance(value.value, Mapping):
        cause = next(unknowns(value), None)
        if cause is not None:
            return f"its parameters are not known: {cause.reason} ({cause.expression})"
        return "its parameters are not a map"
    given: dict[str, str] = {}
    for name, item in value.value.items():
        if isinstance(item.value, Unknown):
            return f"its parameter {name} is not known: {item.value.reason}"
        if isinstance(item.value, bool):
            given[name] = "true" if item.value else "false"
        elif isinstance(item.value, str | int):
            given[name] = str(item.value)
        else:
            return f"its parameter {name} is not a string"
    return given
