"""A Terraform module's calls of other modules (``module`` blocks): a local module is read
with the call's inputs, once per instance of its ``count``/``for_each``; a known community
module by its inputs (:mod:`keyless.iac.modules`); any other remote module is noted as not
read. https://developer.hashicorp.com/terraform/language/modules/syntax
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keyless.iac import modules as known_modules
from keyless.iac.hcl import Block
from keyless.iac.model import IacResource
from keyless.iac.module_switches import SwitchNotKnown
from keyless.iac.sources import ReadError
from keyless.iac.tffiles import TerraformFile, linked_part, may_declare_iam, read_directory
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

        def reads_remote(written: str, version: str | None) -> bool:
            try:
                found = known_modules.resources_from_module(
                    written, version, {}, address, file.path, block.position
                )
            except SwitchNotKnown:
                return True
            return found is not None

        if is_local_source(source.value):
            directory = file.path.parent / source.value
            # a linked module is not followed (reported unread), never assumed harmless
            read_here = linked_part(file.path.parent, source.value) is not None or (
                may_declare_iam(directory, module.cache, reads_remote)
            )
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
    local = is_local_source(source.value)
    for key, scope in instances.items():
        instance = address + instance_key(key)
        if local:
            _local_call(module, name, source.value, key, scope, result)
            continue
        inputs = {
            input_name: evaluator.evaluate(attribute.expression, scope)
            for input_name, attribute in block.body.attributes.items()
            if input_name not in _MODULE_META
        }
        try:
            known = known_modules.resources_from_module(
                source.value,
                constraint,
                inputs,
                instance,
                file.path,
                block.position,
                module.partition,
            )
        except SwitchNotKnown as error:
            # Whether (and what) it creates depends on the value: not read, never clean.
            reason = f"{instance}: what it creates is not read: {error}"
            result.problems.append(ReadError(file.path, reason, block.position))
            continue
        if known is not None:
            result.resources.extend(known)
        else:
            result.notes.append(
                f"{instance} ({source.value}): remote module not read; "
                "pass `terraform show -json` output to judge what it creates"
            )


def _local_call(
    module: Module,
    name: str,
    source: str,
    key: int | str | None,
    scope: Mapping[str, Node],
    result: ModuleResult,
) -> None:
    called = local_instance(module, name, source, key, scope)
    result.problems.extend(called.problems)
    if called.module is None:
        if called.note is not None:
            result.notes.append(called.note)
        return
    found = called.module.read()
    result.resources.extend(found.resources)
    result.notes.extend(found.notes)
    result.problems.extend(found.problems)


def is_local_source(source: str) -> bool:
    """A module ``source`` that is a local path: Terraform reads one only when it starts
    with ``./`` or ``../`` (anything else is looked up in a registry or fetched).
    https://developer.hashicorp.com/terraform/language/modules/sources#local-paths"""
    return source.startswith(("./", "../"))


def call_source(module: Module, block: Block, file: TerraformFile) -> str | None:
    """A module call's ``source`` when it is a known string."""
    attribute = block.body.attributes.get("source")
    if attribute is None:
        return None
    value = module.evaluators[file.path].evaluate(attribute.expression).value
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class CalledInstance:
    """One instance of a local module call as read: the module (None when it is not
    read), the problems met reading its directory, and why it is not read (``reason``;
    ``note`` when that is a note rather than a problem)."""

    module: Module | None
    problems: tuple[ReadError, ...] = ()
    reason: str = ""
    note: str | None = None


def local_instance(
    module: Module, name: str, source: str, key: int | str | None, scope: Mapping[str, Node]
) -> CalledInstance:
    """The instance ``key`` of ``module``'s call ``name`` of the local module at
    ``source``, read with the call's inputs evaluated in ``scope`` (``count.index``,
    ``each``): built once per instance, whether what it creates or one of its outputs is
    read first."""
    cached = module.called_instances.get((name, key))
    if cached is not None:
        return cached
    block, file = module.calls[name]
    address = f"{module.prefix}module.{name}{instance_key(key)}"
    inputs = CallInputs(block, module, file, scope)
    made = _read_instance(module, address, source, inputs, block, file)
    module.called_instances[(name, key)] = made
    return made


def _read_instance(
    module: Module,
    address: str,
    source: str,
    inputs: CallInputs,
    block: Block,
    file: TerraformFile,
) -> CalledInstance:
    link = linked_part(file.path.parent, source)
    if link is not None:
        # As the walker treats a linked directory (sources.discover): not followed, so a
        # link cannot pull in a directory outside the one scanned; reported unread.
        reason = f"{address}: its source {source} goes through a symbolic link; not followed"
        return CalledInstance(None, (ReadError(link, _LINK_REASON),), reason)
    directory = (file.path.parent / source).resolve()
    if directory in module.parents:
        # Terraform installs modules call by call and never ends such a loop (`terraform
        # init` fails): nothing of it is deployed, so a note.
        reason = f"{address}: module calls loop back to {source}; not read"
        return CalledInstance(None, (), reason, reason)
    if module.depth >= _MAX_MODULE_DEPTH:
        # Deployable, but past what keyless follows: what it creates is not read (exit 3).
        reason = f"{address}: module calls nest more than {_MAX_MODULE_DEPTH} deep; not read"
        return CalledInstance(None, (ReadError(file.path, reason, block.position),), reason)
    files, problems = read_directory(directory, module.cache)
    if not files and not problems:
        reason = f"{address}: {source} holds no .tf files"
        return CalledInstance(None, (), reason, reason)
    child = module.child(directory, files, inputs, f"{address}.")
    return CalledInstance(child, tuple(problems))


_LINK_REASON = "symbolic link not followed"


class CallInputs(Mapping[str, Node]):
    """A module call's arguments (its inputs), each evaluated when the called module first
    reads it, once: Terraform evaluates each input variable on its own, so an input may
    use an output of the same call that does not depend on it; one that comes back to
    itself is unknown (Terraform refuses the cycle).
    https://developer.hashicorp.com/terraform/language/modules/syntax#accessing-module-output-values
    """

    def __init__(
        self, block: Block, module: Module, file: TerraformFile, scope: Mapping[str, Node]
    ):
        self._expressions = {
            name: attribute.expression
            for name, attribute in block.body.attributes.items()
            if name not in _MODULE_META
        }
        self._evaluator = module.evaluators[file.path]
        self._scope = scope
        self._values: dict[str, Node] = {}
        self._evaluating: set[str] = set()

    def __getitem__(self, name: str) -> Node:
        if name in self._values:
            return self._values[name]
        expression = self._expressions[name]
        if name in self._evaluating:
            return self._evaluator.unknown(expression, "the module input refers to itself")
        self._evaluating.add(name)
        try:
            value = self._evaluator.evaluate(expression, self._scope)
        finally:
            self._evaluating.discard(name)
        self._values[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._expressions  # without evaluating it

    def __iter__(self) -> Iterator[str]:
        return iter(self._expressions)

    def __len__(self) -> int:
        return len(self._expressions)


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
