"""One repository's GitLab pipeline as GitLab assembles it: the root file and its local
includes, and for each job what it really gets from templates.

A job's configuration is its own keys, over those of the templates it ``extends`` (hashes
merged deeply, arrays replaced, the last template winning:
https://docs.gitlab.com/ci/yaml/#extends), over ``default:`` and the top-level
``variables:`` (unless ``inherit:`` says otherwise: https://docs.gitlab.com/ci/yaml/#inherit).
YAML merge keys are already resolved by the reader. Each resolved value remembers where it
is written, so ``fix`` can tell a job's own keys from a template other jobs share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from keyless.workflows.gitlab_keys import KEY_VARIABLES, SCRIPT_SECTIONS, jobs_of, variable_value
from keyless.workflows.model import WorkflowFile
from keyless.workflows.yamldoc import Document, has_own, is_map, is_seq, origin_of, scalar_texts

#: GitLab resolves at most this many levels of `extends`.
MAX_EXTENDS = 11
#: GitLab follows `!reference` tags at most this many levels deep.
MAX_REFERENCES = 10
_TAG = "!reference"
# Keywords `default:` can hold that matter here: https://docs.gitlab.com/ci/yaml/#default
_DEFAULTABLE = ("before_script", "after_script", "id_tokens")


@dataclass(frozen=True, slots=True)
class Entry:
    """A top-level entry of a pipeline file: a job, a hidden template or ``default``."""

    name: str
    node: Any
    file: WorkflowFile
    document: Document


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable as a job gets it, and the mapping (in which entry) it is written in."""

    value: Any
    site: Any
    entry: Entry | None  # None for the top-level `variables:`
    document: Document


@dataclass(frozen=True, slots=True)
class Section:
    """A script section as a job gets it: the sequence, the mapping it is written in and
    the top-level entry that holds it (what ``!reference [NAME, section]`` names; None
    when no entry does, e.g. the deprecated global ``before_script``)."""

    name: str
    script: Any
    host: Any
    entry: Entry | None
    own: bool
    document: Document


@dataclass(frozen=True)
class Job:
    """A concrete job with what it really gets."""

    entry: Entry
    variables: Mapping[str, Variable]
    sections: Mapping[str, Section]
    keys: Mapping[str, Any] = field(default_factory=dict)  # other resolved keywords
    missing: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The job's name."""
        return self.entry.name

    @property
    def is_trigger(self) -> bool:
        """A trigger job: it starts another pipeline and runs no script of its own
        (https://docs.gitlab.com/ci/yaml/#trigger)."""
        return "trigger" in self.keys

    @property
    def hook(self) -> tuple[Any, Any] | None:
        """(the ``hooks:`` mapping, its ``pre_get_sources_script``) the job gets (its own,
        a template's or ``default:``'s): a script GitLab runs with the job's variables
        before it fetches the repository
        (https://docs.gitlab.com/ci/yaml/#hookspre_get_sources_script). None without one."""
        hooks: Any = self.keys.get("hooks")
        if is_map(hooks) and "pre_get_sources_script" in hooks:
            return hooks, hooks.get("pre_get_sources_script")
        return None

    def key_variables(self) -> dict[str, Variable]:
        """The AWS key variables the job gets, with non-empty values."""
        return {
            name: var
            for name, var in self.variables.items()
            if name in KEY_VARIABLES
            and isinstance(variable_value(var.value), str)
            and variable_value(var.value)
        }


@dataclass(frozen=True)
class Pipeline:
    """The GitLab configuration of one repository."""

    entries: Mapping[str, Entry]
    variables: tuple[Entry, ...]  # the files' top-level `variables:`, root file last
    default: Entry | None
    legacy: Mapping[str, Section]
    #: ``workflow:`` (its ``rules:`` may set variables for every job).
    workflow: Entry | None = None

    def jobs(self) -> Iterator[Job]:
        """Every concrete (not hidden) job, resolved."""
        for entry in self.entries.values():
            if not entry.name.startswith(".") and entry.name != "default":
                yield resolve(self, entry)

    def entry_holding(self, node: Any) -> Entry | None:
        """The top-level entry whose mapping is ``node``."""
        return next((e for e in self.entries.values() if e.node is node), None) or (
            self.default if self.default is not None and self.default.node is node else None
        )


def assemble(files: Iterable[tuple[WorkflowFile, Document]]) -> Pipeline:
    """The pipeline of one repository from its GitLab files (includes first, the root
    ``.gitlab-ci.yml`` last: its definitions win, as GitLab merges them)."""
    ordered = sorted(files, key=lambda fd: (fd[0].path.name == ".gitlab-ci.yml", str(fd[0].path)))
    entries: dict[str, Entry] = {}
    variables: list[Entry] = []
    default: Entry | None = None
    workflow: Entry | None = None
    legacy: dict[str, Section] = {}
    for file, document in ordered:
        root = document.root
        if not is_map(root):
            continue
        for name, node in jobs_of(root):
            entries[name] = Entry(name, node, file, document)
        if is_map(root.get("variables")):
            variables.append(Entry("variables", root["variables"], file, document))
        if is_map(root.get("default")):
            default = Entry("default", root["default"], file, document)
        if is_map(root.get("workflow")):
            workflow = Entry("workflow", root["workflow"], file, document)
        for section in SCRIPT_SECTIONS:
            if is_seq(root.get(section)):
                legacy[section] = Section(section, root[section], root, None, False, document)
    return Pipeline(entries, tuple(variables), default, legacy, workflow)


def _chain(
    pipeline: Pipeline, entry: Entry, depth: int, missing: list[str], seen: set[str]
) -> list[Entry]:
    """The templates ``entry`` extends, lowest priority first (nested ones before). Each
    template is expanded once, so cycles and diamonds cost nothing extra."""
    spec = entry.node.get("extends")
    names = [spec] if isinstance(spec, str) else scalar_texts(spec) if is_seq(spec) else []
    out: list[Entry] = []
    for name in names:
        template = pipeline.entries.get(name)
        if template is None:
            missing.append(name)
        elif depth < MAX_EXTENDS and name not in seen:
            seen.add(name)
            out += [*_chain(pipeline, template, depth + 1, missing, seen), template]
    return out


def _inherits(entry: Entry, what: str, key: str) -> bool:
    inherit = entry.node.get("inherit")
    setting: Any = inherit.get(what) if is_map(inherit) else None
    if setting is False:
        return False
    if is_seq(setting):
        return key in [s for s in setting if isinstance(s, str)]
    return True


def resolve(pipeline: Pipeline, entry: Entry) -> Job:
    """What a job gets from itself, its templates, ``default:`` and the top level."""
    missing: list[str] = []
    layers = [*_chain(pipeline, entry, 0, missing, {entry.name}), entry]
    variables: dict[str, Variable] = {}
    for scope in pipeline.variables:
        for name, value in scope.node.items():
            if _inherits(entry, "variables", str(name)):
                site = origin_of(scope.node, name)
                variables[str(name)] = Variable(value, site, None, scope.document)
    keys: dict[str, Any] = {}
    for layer in layers:
        for name, value in layer.node.items():
            keys[str(name)] = value
        scope, holder = dereferenced(pipeline, layer.node.get("variables"), layer)
        if is_map(scope) and holder is not None:
            for name, value in scope.items():
                variables[str(name)] = Variable(
                    dereferenced(pipeline, value, holder)[0],
                    origin_of(scope, name),
                    holder,
                    holder.document,
                )
    sections: dict[str, Section] = {}
    for section in SCRIPT_SECTIONS:
        found = _section(pipeline, entry, layers, section)
        if found is not None:
            sections[section] = found
    default: Any = pipeline.default.node if pipeline.default is not None else None
    for keyword in ("id_tokens", "hooks"):  # default: keywords the job may inherit
        inherited = is_map(default) and keyword in default
        if keyword not in keys and inherited and _inherits(entry, "default", keyword):
            keys[keyword] = default[keyword]
    return Job(entry, variables, sections, keys, tuple(dict.fromkeys(missing)))


def is_reference(value: Any) -> bool:
    """Whether ``value`` is a ``!reference [NAME, key, …]`` tag."""
    return is_seq(value) and getattr(getattr(value, "tag", None), "value", None) == _TAG


def dereferenced(pipeline: Pipeline, value: Any, entry: Entry) -> tuple[Any, Entry | None]:
    """``value``, or what a ``!reference [NAME, key, …]`` tag names (followed as GitLab
    does, at most 10 levels deep: https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags),
    with the entry it is written in (``entry`` for a value that is no reference). (None,
    None) when the reference names nothing among the files read."""
    for _ in range(MAX_REFERENCES):
        if not is_reference(value):
            return value, entry
        path = scalar_texts(value)
        target = pipeline.entries.get(path[0]) if path and len(path) == len(value) else None
        if target is None:
            return None, None
        node: Any = target.node
        for key in path[1:]:
            node = node.get(key) if is_map(node) else None
        value, entry = node, target
    return None, None


def _section(pipeline: Pipeline, entry: Entry, layers: list[Entry], section: str) -> Section | None:
    for layer in reversed(layers):
        script = layer.node.get(section)
        if script is None:
            continue
        host = origin_of(layer.node, section)
        holder = layer if host is layer.node else pipeline.entry_holding(host)
        own = layer is entry and has_own(entry.node, section)
        return Section(section, script, host, holder, own, layer.document)
    default = pipeline.default
    if section in _DEFAULTABLE and default is not None and _inherits(entry, "default", section):
        script = default.node.get(section)
        if script is not None:
            host = origin_of(default.node, section)
            holder = default if host is default.node else None
            return Section(section, script, host, holder, False, default.document)
    if section in pipeline.legacy and _inherits(entry, "default", section):
        return pipeline.legacy[section]
    return None
