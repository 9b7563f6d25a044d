"""Terraform configurations read as Terraform evaluates them, as far as the code tells.

A module is a directory of ``.tf`` files
(https://developer.hashicorp.com/terraform/language/modules). Variables take the value a
module call passes, else the root module's ``terraform.tfvars`` / ``*.auto.tfvars`` (and
``--var-file``), else their default; locals, ``data "aws_iam_policy_document"`` and the
attributes of IAM resources declared in the configuration are evaluated; ``count`` and
``for_each`` expand into instances with Terraform's addresses. Modules with a local
``source`` are read with the inputs of their call, and their outputs evaluated
(:mod:`~keyless.iac.tfoutputs`); known community modules are read by their inputs
(:mod:`keyless.iac.modules`); other remote modules are noted as not read.

This module is a :class:`Module`: the scope its references resolve in, and the walk over
what it declares and calls. Parsing files is :mod:`~keyless.iac.tffiles`'s, expanding
``count``/``for_each`` :mod:`~keyless.iac.tfinstances`'s, reading the modules it calls
:mod:`~keyless.iac.tfcalls`'s, and what data sources and IAM resources evaluate to
:mod:`~keyless.iac.tfobjects`'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lark import Tree

from keyless.errors import quoted
from keyless.iac.cognito_roles import terraform_attachments, with_attachments
from keyless.iac.hcl import Block, HclSyntaxError
from keyless.iac.hcleval import Evaluator
from keyless.iac.hclfiles import FileAccess
from keyless.iac.hclrefs import Reference
from keyless.iac.partitions import Partition, one_partition, resource_in
from keyless.iac.sources import ReadError
from keyless.iac.tfcalls import CalledInstance, ModuleResult, read_call
from keyless.iac.tfconform import mismatch
from keyless.iac.tffiles import RESOURCE_KINDS, STACK_TYPES, DirectoryCache, TerraformFile
from keyless.iac.tfinstances import instance_key, instances_of
from keyless.iac.tfobjects import data_object, iac_resource, resource_object
from keyless.iac.tfoutputs import module_value
from keyless.iac.tfstacks import stack_resources
from keyless.iac.tftypes import typed
from keyless.iac.values import Node, Unknown, mapping, name_stand_in, relocated


class Module:
    """One instance of a module: its files, its variables' values and its address."""

    def __init__(
        self,
        directory: Path,
        files: list[TerraformFile],
        *,
        inputs: Mapping[str, Node] | None = None,
        prefix: str = "",
        depth: int = 0,
        parents: tuple[Path, ...] = (),
        cache: DirectoryCache | None = None,
        file_access: FileAccess | None = None,
        partition: Partition | None = None,
    ):
        self.directory = directory
        self.file_access = file_access
        self.cache = cache if cache is not None else {}
        self.files = files
        #: The variables' values a call gives (evaluated as they are read: tfcalls.CallInputs).
        self.inputs: Mapping[str, Node] = inputs if inputs is not None else {}
        self.prefix = prefix
        self.depth = depth
        self.parents = parents
        self.evaluators = {
            f.path: Evaluator(f.text, self.resolve, f.path, file_access) for f in files
        }
        self.variables: dict[str, tuple[Block, TerraformFile]] = {}
        self.locals: dict[str, tuple[Tree[Any], TerraformFile]] = {}
        self.data: dict[tuple[str, str], tuple[Block, TerraformFile]] = {}
        self.declared: dict[tuple[str, str], tuple[Block, TerraformFile]] = {}
        self.calls: dict[str, tuple[Block, TerraformFile]] = {}
        self.outputs: dict[str, tuple[Block, TerraformFile]] = {}
        #: Each instance of a local module call, once read (:func:`tfcalls.local_instance`).
        self.called_instances: dict[tuple[str, int | str | None], CalledInstance] = {}
        #: Output values once evaluated, the outputs being evaluated and the calls being
        #: expanded (:mod:`~keyless.iac.tfoutputs`): what comes back to itself is unknown.
        self.output_values: dict[str, Node] = {}
        self.evaluating_outputs: set[str] = set()
        self.expanding_calls: set[str] = set()
        self.providers: list[tuple[Block, TerraformFile]] = []
        #: What the module declares twice (``("resource", type, name)``, ``("local", name)``
        #: ...): Terraform refuses such a module, so neither declaration is judged.
        self.twice: set[tuple[str, ...]] = set()
        for file in files:
            for block in file.body.blocks:
                self._index(block, file)
        self._local_values: dict[str, Node] = {}
        self._evaluating: set[str] = set()
        #: The partition the code deploys to: a called module's is its caller's, the root
        #: module's its AWS providers' regions' (None: not said, aws is assumed).
        self.partition = partition if depth > 0 else self._provider_partition()

    def _index(self, block: Block, file: TerraformFile) -> None:
        if block.type == "variable" and len(block.labels) == 1:
            self._once(("var", *block.labels), block.labels[0] in self.variables)
            self.variables[block.labels[0]] = (block, file)
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                self._once(("local", name), name in self.locals)
                self.locals[name] = (attribute.expression, file)
        elif block.type == "data" and len(block.labels) == 2:
            self._once(("data", *block.labels), (block.labels[0], block.labels[1]) in self.data)
            self.data[(block.labels[0], block.labels[1])] = (block, file)
        elif block.type == "resource" and len(block.labels) == 2:
            labels = (block.labels[0], block.labels[1])
            self._once(("resource", *labels), labels in self.declared)
            self.declared[labels] = (block, file)
        elif block.type == "module" and len(block.labels) == 1:
            self._once(("module", *block.labels), block.labels[0] in self.calls)
            self.calls[block.labels[0]] = (block, file)
        elif block.type == "output" and len(block.labels) == 1:
            self._once(("output", *block.labels), block.labels[0] in self.outputs)
            self.outputs[block.labels[0]] = (block, file)
        elif block.type == "provider" and block.labels == ("aws",):
            self.providers.append((block, file))

    def _once(self, key: tuple[str, ...], seen: bool) -> None:
        """Record ``key`` as declared twice when ``seen`` (in this file or another)."""
        if seen:
            self.twice.add(key)

    def _provider_partition(self) -> Partition | None:
        """The one partition the ``region`` of every ``provider "aws"`` block is in."""
        regions: list[str] = []
        for block, file in self.providers:
            attribute = block.body.attributes.get("region")
            if attribute is None:
                return None  # from the environment or the profile: not in the code
            region = self.evaluators[file.path].evaluate(attribute.expression).value
            if not isinstance(region, str):
                return None
            regions.append(region)
        return one_partition(regions)

    # ----- references ------------------------------------------------------------------------

    def resolve(self, reference: Reference) -> tuple[Node, int]:
        """The value a reference names, and how many of its steps that used.

        A value defined in another file, or computed from another resource or a data
        source other than a policy document, is placed where the reference is: a finding
        then points into the file and resource it is about."""
        node, used, defined_in = self._resolve(reference)
        if defined_in is None or defined_in != reference.path:
            node = relocated(node, reference.position)
        return node, used

    def _resolve(self, reference: Reference) -> tuple[Node, int, Path | None]:
        """The value, the steps used, and the file it is defined in (None: relocate)."""
        root, steps = reference.root, reference.steps
        first = steps[0].name if steps else None
        if _declaration(root, [step.name for step in steps[:2]]) in self.twice:
            return _unknown(reference, _TWICE), len(steps), reference.path
        if root == "var" and first is not None:
            return self.variable(first, reference), 1, None
        if root == "local" and first is not None:
            found_local = self.locals.get(first)
            return self.local(first, reference), 1, found_local[1].path if found_local else None
        if root == "data" and len(steps) >= 2 and first is not None and steps[1].name:
            found = self.data.get((first, steps[1].name))
            if found is None:
                return _unknown(reference, "no such data source in this module"), len(steps), None
            value = self._instances_value(
                found, reference, lambda b, e, s: data_object(b, e, s, self.partition)
            )
            keeps = first == "aws_iam_policy_document"
            return value, 2, found[1].path if keeps else None
        if root == "path" and first in ("module", "root") and self.file_access is not None:
            # Only file() and templatefile() make use of them; they read inside the roots.
            where = self.directory if first == "module" else self.file_access.working_directory
            return Node(os.path.abspath(where), reference.position), 1, reference.path
        if root == "module" and first is not None:
            # An output is evaluated in the module that declares it: reported where used.
            return (*module_value(self, reference), None)
        if root in ("module", "path", "terraform", "self", "each", "count"):
            reason = {
                "module": "a module call is named by module.NAME",
                "each": "each is only defined in a resource with for_each",
                "count": "count is only defined in a resource with count",
            }.get(root, f"{root}.* is not evaluated")
            return _unknown(reference, reason), len(steps), reference.path
        if first is not None and (root, first) in self.declared:
            found = self.declared[(root, first)]
            return self._instances_value(found, reference, resource_object), 1, None
        return _unknown(reference, "not evaluated"), len(steps), reference.path

    def variable(self, name: str, reference: Reference) -> Node:
        """A variable's value: the call's input, else the variables files', else the default."""
        found = self.variables.get(name)
        if name in self.inputs:
            return self._checked(name, self.inputs[name], found, reference, "input")
        if found is None:
            return _unknown(
                reference, f"no variable {quoted(name)} is declared", stand_in=name_stand_in(name)
            )
        block, file = found
        default = block.body.attributes.get("default")
        if default is None:
            return _unknown(
                reference,
                "the variable has no default: give it in a .tfvars file or pass a plan",
                stand_in=name_stand_in(name),
            )
        value = self.evaluators[file.path].evaluate(default.expression)
        return self._checked(name, value, found, reference, "default")

    def _checked(
        self,
        name: str,
        value: Node,
        found: tuple[Block, TerraformFile] | None,
        reference: Reference,
        what: str,
    ) -> Node:
        """``value`` as the variable's type makes it, or unknown when its type cannot hold
        it: Terraform refuses such a default ("Invalid default value for variable") or such
        a value ("Invalid value for input variable"), so there is no value to judge.
        https://developer.hashicorp.com/terraform/language/values/variables#type-constraints
        """
        declared = found[0].body.attributes.get("type") if found is not None else None
        if found is not None and declared is not None:
            wrong = mismatch(declared.expression, value, what)
            if wrong is not None:
                written = self.evaluators[found[1].path].source(declared.expression)
                return _unknown(
                    reference,
                    f"{wrong}: Terraform refuses the variable's {what} (type {written})",
                )
        return self._typed(name, value, found)

    def _typed(self, name: str, value: Node, found: tuple[Block, TerraformFile] | None) -> Node:
        """A variable's value as its type makes it: an object type's ``optional(...)``
        attributes fill those the value lacks or holds as null, with null or their default
        (:mod:`~keyless.iac.tftypes`)."""
        if found is None:
            return value
        declared = found[0].body.attributes.get("type")
        if declared is None:
            return value
        evaluator = self.evaluators[found[1].path]
        return typed(declared.expression, value, f"var.{name}", evaluator.evaluate)

    def local(self, name: str, reference: Reference) -> Node:
        """A local value, evaluated once."""
        if name in self._local_values:
            return self._local_values[name]
        found = self.locals.get(name)
        if found is None:
            return _unknown(reference, f"no local {quoted(name)} is declared")
        if name in self._evaluating:
            return _unknown(reference, "the local refers to itself")
        self._evaluating.add(name)
        try:
            expression, file = found
            value = self.evaluators[file.path].evaluate(expression)
        finally:
            self._evaluating.discard(name)
        self._local_values[name] = value
        return value

    def _instances_value(
        self,
        found: tuple[Block, TerraformFile],
        reference: Reference,
        build: Callable[[Block, Evaluator, Mapping[str, Node]], Node],
    ) -> Node:
        """The object of a resource or data source; a list or map of objects when it has
        ``count`` or ``for_each``."""
        block, file = found
        try:
            instances = self.instances(block, file)
        except HclSyntaxError as error:
            reason = f"its block could not be parsed: {error}"
            return Node(Unknown(reference.text, reason, reference.position), reference.position)
        if isinstance(instances, Node):
            return instances
        evaluator = self.evaluators[file.path]
        if list(instances) == [None]:
            return build(block, evaluator, instances[None])
        objects = {key: build(block, evaluator, scope) for key, scope in instances.items()}
        if all(isinstance(k, int) for k in objects):
            return Node(tuple(objects.values()), block.position)
        return Node(mapping({str(k): v for k, v in objects.items()}), block.position)

    def instances(
        self, block: Block, file: TerraformFile
    ) -> dict[int | str | None, Mapping[str, Node]] | Node:
        """Instance keys and the scope of each: :func:`~keyless.iac.tfinstances.instances_of`."""
        return instances_of(block, self.evaluators[file.path])

    # ----- what the module declares ------------------------------------------------------------

    def read(self) -> ModuleResult:
        """The IAM resources of this module and of the modules it calls."""
        result = ModuleResult()
        for (kind, local_name), (block, file) in self.declared.items():
            resource_kind = RESOURCE_KINDS.get(kind)
            if kind in STACK_TYPES:
                self._read_stacks(kind, local_name, block, file, result)
                continue
            if resource_kind is None:
                continue
            address = f"{self.prefix}{kind}.{local_name}"
            if ("resource", kind, local_name) in self.twice:
                result.problems.append(ReadError(file.path, f"{address}: {_TWICE}", block.position))
                continue
            instances = self.instances(block, file)
            if isinstance(instances, Node):
                unknown = instances.value
                assert isinstance(unknown, Unknown)
                result.problems.append(
                    ReadError(
                        file.path,
                        f"{address}: {unknown.reason} ({unknown.expression})",
                        block.position,
                    )
                )
                continue
            for key, scope in instances.items():
                result.resources.append(
                    iac_resource(
                        resource_kind,
                        block,
                        file,
                        self.evaluators[file.path],
                        address + instance_key(key),
                        scope,
                    )
                )
        attachments, keys = terraform_attachments(
            self.declared, self.instances, self.evaluators, self.prefix
        )
        if attachments:
            result.resources = with_attachments(result.resources, attachments, keys)
        for name, (block, file) in self.calls.items():
            if ("module", name) in self.twice:
                where = f"{self.prefix}module.{name}"
                result.problems.append(ReadError(file.path, f"{where}: {_TWICE}", block.position))
                continue
            read_call(self, name, block, file, result)
        if self.depth == 0 and self.partition is not None:
            result.resources = [resource_in(r, self.partition) for r in result.resources]
        return result

    def _read_stacks(
        self, kind: str, local_name: str, block: Block, file: TerraformFile, result: ModuleResult
    ) -> None:
        """The IAM resources of the CloudFormation template each instance of a stack
        resource deploys (:mod:`keyless.iac.tfstacks`)."""
        address = f"{self.prefix}{kind}.{local_name}"
        if ("resource", kind, local_name) in self.twice:
            result.problems.append(ReadError(file.path, f"{address}: {_TWICE}", block.position))
            return
        instances = self.instances(block, file)
        if isinstance(instances, Node):
            unknown = instances.value
            assert isinstance(unknown, Unknown)
            reason = f"{address}: {unknown.reason} ({unknown.expression})"
            result.problems.append(ReadError(file.path, reason, block.position))
            return
        for key, scope in instances.items():
            evaluator = self.evaluators[file.path]
            found = stack_resources(address + instance_key(key), block, file, evaluator, scope)
            result.resources.extend(found.resources)
            result.problems.extend(found.problems)
            result.notes.extend(found.notes)

    def child(
        self, directory: Path, files: list[TerraformFile], inputs: Mapping[str, Node], prefix: str
    ) -> Module:
        """The module a call of this one reads from ``directory``, with the call's inputs,
        its resources' addresses under ``prefix``."""
        return Module(
            directory,
            files,
            inputs=inputs,
            prefix=prefix,
            depth=self.depth + 1,
            parents=(*self.parents, self.directory.resolve()),
            cache=self.cache,
            file_access=self.file_access,
            partition=self.partition,
        )


def _unknown(reference: Reference, reason: str, *, stand_in: str | None = None) -> Node:
    unknown = Unknown(reference.text, reason, reference.position, stand_in)
    return Node(unknown, reference.position)


#: Why a name declared twice in one module is not judged.
_TWICE = (
    "declared twice in the module: Terraform refuses it (a duplicate resource, data "
    "source, module call, variable or local value), so neither declaration is judged"
)


def _declaration(root: str, names: list[str | None]) -> tuple[str | None, ...]:
    """The key in :attr:`Module.twice` a reference's first steps name."""
    if root in ("var", "local", "module"):
        return (root, *names[:1])
    if root == "data":
        return ("data", *names[:2])
    return ("resource", root, *names[:1])
