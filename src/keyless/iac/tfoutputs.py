"""A module call's outputs, ``module.NAME.OUTPUT``, evaluated as Terraform evaluates them.

An output is evaluated in the module that declares it, its variables bound to the call's
arguments (:class:`~keyless.iac.tfcalls.CallInputs`). A call without ``count`` or
``for_each`` is an object of the module's outputs; with ``count`` a list of such objects
(``module.NAME[0].OUTPUT``), with ``for_each`` a map of them by key
(``module.NAME["key"].OUTPUT``).
https://developer.hashicorp.com/terraform/language/expressions/references#child-module-outputs
https://developer.hashicorp.com/terraform/language/values/outputs

Only a local module (``source = "./…"``) is read: a module from a registry or a Git
repository is not in the code scanned, so its outputs stay unknown and say so (what
depends on one, a role's trust policy, is reported not judged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keyless.errors import quoted
from keyless.iac.hcl import HclSyntaxError
from keyless.iac.hclrefs import Reference
from keyless.iac.tfcalls import call_source, is_local_source, local_instance
from keyless.iac.tfinstances import instance_key
from keyless.iac.values import Attributes, Node, Unknown, mapping, notes

if TYPE_CHECKING:
    from keyless.iac.terraform import Module


def module_value(module: Module, reference: Reference) -> tuple[Node, int]:
    """The value ``module.NAME…`` names in ``module``, and how many of the reference's
    steps that used (the others are taken in the value, as for any object)."""
    steps = reference.steps
    name = steps[0].name
    assert name is not None
    found = module.calls.get(name)
    if found is None:
        return _unknown(reference, f"no module call {quoted(name)} in this module"), len(steps)
    block, file = found
    source = call_source(module, block, file)
    if source is None:
        return _unknown(reference, f"module.{name}: its source is not known"), len(steps)
    if not is_local_source(source):
        reason = (
            f"module.{name} calls a remote module ({source}), whose outputs are not read; "
            "pass `terraform show -json` output to judge what depends on them"
        )
        return _unknown(reference, reason), len(steps)
    if name in module.expanding_calls:
        reason = "the module call's count or for_each refers to its own outputs"
        return _unknown(reference, reason), len(steps)
    module.expanding_calls.add(name)
    try:
        instances = module.instances(block, file)
    finally:
        module.expanding_calls.discard(name)
    if isinstance(instances, Node):
        return instances, len(steps)

    def output(key: int | str | None, output_name: str) -> Node:
        called = local_instance(module, name, source, key, instances[key])
        if called.module is None:
            return _unknown(reference, called.reason)
        return output_value(called.module, output_name, reference, not called.problems)

    def whole(key: int | str | None) -> Node:
        called = local_instance(module, name, source, key, instances[key])
        child = called.module
        if child is None:
            return _unknown(reference, called.reason)
        complete = not called.problems
        members = {n: output_value(child, n, reference, complete) for n in child.outputs}
        address = f"{module.prefix}module.{name}{instance_key(key)}"
        # An output the module does not declare is refused by Terraform, or in a file
        # that could not be read: unknown either way, never a value to judge.
        reason = _NO_SUCH_OUTPUT if complete else _UNREAD_OUTPUT
        # Every output it declares when every file of it was read: the object as a whole
        # (jsonencode(module.x), its keys) is then known; else not.
        whole_object = Attributes(members, address, reference.position, reason, exact=complete)
        return Node(whole_object, reference.position)

    if list(instances) == [None]:
        if len(steps) > 1 and steps[1].name is not None:
            return output(None, steps[1].name), 2
        return whole(None), 1
    index = steps[1].index if len(steps) > 2 and steps[2].name is not None else None
    if index is not None and not notes(index):  # no key chosen on a stand-in
        key = index.value
        if not isinstance(key, bool) and isinstance(key, int | str) and key in instances:
            output_name = steps[2].name
            assert output_name is not None
            return output(key, output_name), 3
    objects = {key: whole(key) for key in instances}
    if "count" in block.body.attributes:
        return Node(tuple(objects.values()), reference.position), 1
    return Node(mapping({str(k): v for k, v in objects.items()}), reference.position), 1


_NO_SUCH_OUTPUT = "the module declares no such output: Terraform refuses the reference"
_UNREAD_OUTPUT = "not among the outputs of the module's files keyless could read"


def output_value(child: Module, name: str, reference: Reference, complete: bool) -> Node:
    """The value of ``child``'s output ``name``, evaluated once (``complete``: every file
    of the module was read, so an output it does not declare does not exist)."""
    if name in child.output_values:
        return child.output_values[name]
    if ("output", name) in child.twice:
        reason = f"the output {quoted(name)} is declared twice in the module: Terraform refuses it"
        return _unknown(reference, reason)
    found = child.outputs.get(name)
    if found is None:
        said = _NO_SUCH_OUTPUT if complete else _UNREAD_OUTPUT
        return _unknown(reference, f"{quoted(name)}: {said}")
    if name in child.evaluating_outputs:
        return _unknown(reference, f"the output {quoted(name)} refers to itself")
    block, file = found
    try:
        attribute = block.body.attributes.get("value")
    except HclSyntaxError as error:
        return _unknown(reference, f"the output block could not be parsed: {error}")
    if attribute is None:
        return _unknown(reference, f"the output {quoted(name)} has no value: Terraform refuses it")
    child.evaluating_outputs.add(name)
    try:
        value = child.evaluators[file.path].evaluate(attribute.expression)
    finally:
        child.evaluating_outputs.discard(name)
    child.output_values[name] = value
    return value


def _unknown(reference: Reference, reason: str) -> Node:
    return Node(Unknown(reference.text, reason, reference.position), reference.position)
