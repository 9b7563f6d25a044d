"""A Terraform module's calls of other modules (``module`` blocks): a local module is read
with the call's inputs, once per instance of its ``count``/``for_each``; a known community
module by its inputs (:mod:`keyless.iac.modules`); any other remote module is noted as not
read. https://developer.hashicorp.com/terraform/language/modules/syntax
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keyless.iac import modules as known_modules
from keyless.iac.hcl import Block
from keyless.iac.model import IacResource
from keyless.iac.sources import ReadError
from keyless.iac.tffiles import TerraformFile, may_declare_iam, read_directory
from keyless.iac.tfinstances import instance_key
from keyless.iac.values import Node, Unknown

if TYPE_CHECKING:
    from keyless.iac.terraform import Module

_MODULE_META = frozenset(
    {"source", "version", "providers", "count", "for_each", "depends_on", "lifecycle"}
)
_MAX_MODULE_DEPTH = 16


@dataclass
class ModuleResult:
    """What reading a module produced: resources, and notes on what was not read."""

    resources: list[IacResource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[ReadError] = field(default_factory=list)


def read_call(
    module: Module, name: str, block: Block, file: TerraformFile, result: ModuleResult
) -> None:
    """Read what the call ``name`` of ``module`` creates into ``result``: a local module
    with the call's inputs, once per instance; a known community module by its inputs
    (:mod:`keyless.iac.modules`); any other remote module is noted as not read."""
    evaluator = module.evaluators[file.path]
    source_attribute = block.body.attributes.get("source")
    source = evaluator.evaluate(source_attribute.expression) if source_attribute else None
    version_attribute = block.body.attributes.get("version")
    version = evaluator.evaluate(version_attribute.expression) if version_attribute else None
    constraint = None if version is None else _constraint_text(version)
    address = f"{module.prefix}module.{name}"
    if source is None or not isinstance(source.value, str):
        result.notes.append(f"{address}: its source is not known; not read")
        return
    instances = module.instances(block, file)
    if isinstance(instances, Node):
        unknown = instances.value
        assert isinstance(unknown, Unknown)

        def reads_remote(written: str, version: str | None = None) -> bool:
            found = known_modules.resources_from_module(
                written, version, {}, address, file.path, block.position
            )
            return found is not None

        if source.value.startswith(("./", "../")):
            directory = file.path.parent / source.value
            read_here = may_declare_iam(directory, module.cache, reads_remote)
        else:
            read_here = reads_remote(source.value, constraint)
        if not read_here:
            result.notes.append(f"{address}: its count or for_each is not known; not read")
            return
        # The module's IAM resources would be created that many times, or none: what
        # they are is not known, so not read (never clean).
        result.problems.append(
            ReadError(
                file.path,
                f"{address}: what it creates is not read: its count or for_each is not "
                f"known: {unknown.reason} ({unknown.expression})",
                block.position,
            )
        )
        return
    for key, scope in instances.items():
        inputs = {
            input_name: evaluator.evaluate(attribute.expression, scope)
            for input_name, attribute in block.body.attributes.items()
            if input_name not in _MODULE_META
        }
        instance = address + instance_key(key)
        if source.value.startswith(("./", "../")):
            _local_call(module, instance, source.value, inputs, block, file, result)
            continue
        known = known_modules.resources_from_module(
            source.value,
            constraint,
            inputs,
            instance,
            file.path,
            block.position,
            module.partition,
        )
        if known is not None:
            result.resources.extend(known)
        else:
            result.notes.append(
                f"{instance} ({source.value}): remote module not read; "
                "pass `terraform show -json` output to judge what it creates"
            )


def _local_call(
    module: Module,
    address: str,
    source: str,
    inputs: Mapping[str, Node],
    block: Block,
    file: TerraformFile,
    result: ModuleResult,
) -> None:
    directory = (file.path.parent / source).resolve()
    if module.depth >= _MAX_MODULE_DEPTH or directory in module.parents:
        result.notes.append(f"{address}: module calls nest too deeply or in a loop; not read")
        return
    files, problems = read_directory(directory, module.cache)
    result.problems.extend(problems)
    if not files and not problems:
        result.notes.append(f"{address}: {source} holds no .tf files")
        return
    child = module.child(directory, files, inputs, f"{address}.")
    found = child.read()
    result.resources.extend(found.resources)
    result.notes.extend(found.notes)
    result.problems.extend(found.problems)


def _constraint_text(version: Node) -> str:
    """A module call's ``version`` as text: a number as written, an expression Terraform
    does not allow there (``var.v``) as its text, so that it is reported as a constraint
    keyless does not read rather than taken for no ``version`` at all."""
    value = version.value
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.expression
    return str(value)
