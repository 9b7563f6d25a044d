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
    #: The templates each (template, depth) extends, resolved once for every job: a file
    #: of many jobs over a wide web of templates resolves each template once.
    extended: dict[tuple[str, int], tuple[list[Entry], tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

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
    pipeline: Pipeline,
    entry: Entry,
    depth: int,
    resolving: set[str],
    memo: dict[tuple[str, int], tuple[list[Entry], tuple[str, ...]]],
) -> tuple[list[Entry], tuple[str, ...]]:
    """The templates ``entry`` extends, lowest priority first, as GitLab applies them:
    each template resolved with its own templates, then merged over the previous one in
    the order written (https://docs.gitlab.com/ci/yaml/#extends). A template reached
    twice (``extends: [.a, .b]`` both extending ``.base``) counts where it is applied
    last: ``.b``'s ``.base`` is merged over ``.a``, so a key of ``.base`` that ``.a``
    changed comes back, and applying a layer again later makes its earlier application
    moot (a deep merge is associative). Also the names of templates not among the files
    read. Each (template, depth) is expanded once (``memo``, shared by the pipeline's
    jobs), so a diamond costs nothing extra; a cycle (``resolving``) ends."""
    key = (entry.name, depth)
    if key in memo:
        return memo[key]
    spec = entry.node.get("extends")
    names = [spec] if isinstance(spec, str) else scalar_texts(spec) if is_seq(spec) else []
    out: list[Entry] = []
    missing: list[str] = []
    resolving.add(entry.name)
    for name in names:
        template = pipeline.entries.get(name)
        if template is None:
            missing.append(name)
        elif depth < MAX_EXTENDS and name not in resolving:
            layers, lost = _chain(pipeline, template, depth + 1, resolving, memo)
            out += [*layers, template]
            missing += lost
    resolving.discard(entry.name)
    last = {id(layer): index for index, layer in enumerate(out)}
    layers = [layer for index, layer in enumerate(out) if last[id(layer)] == index]
    memo[key] = (layers, tuple(dict.fromkeys(missing)))
    return memo[key]


def _deep_merged(lower: Any, upper: Any, made: set[int]) -> Any:
    """``upper`` merged over ``lower`` as GitLab's ``extends`` merges: hashes key by key,
    recursively; anything else (a list, a scalar, null) replaces what is below
    (https://docs.gitlab.com/ci/yaml/#extends; ``variables: null`` removes a template's
    variables: https://gitlab.com/gitlab-org/gitlab/-/merge_requests/72511). A hash made
    of both is a new mapping holding the written values (no position of its own), its id
    in ``made``: merged into again in place, so many layers cost no copies; one side
    alone is returned as written."""
    if not (is_map(lower) and is_map(upper)):
        return upper
    if all(key in upper and not (is_map(v) and is_map(upper[key])) for key, v in lower.items()):
        return upper  # nothing of `lower` stays
    if not len(upper):
        return lower
    from ruamel.yaml.comments import CommentedMap

    if id(lower) in made:
        merged = lower
    else:
        merged = CommentedMap()
        made.add(id(merged))
        for key, value in lower.items():
            merged[key] = value
    for key, value in upper.items():
        merged[key] = _deep_merged(merged[key], value, made) if key in merged else value
    return merged


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
    templates, missing = _chain(pipeline, entry, 0, set(), pipeline.extended)
    layers = [*templates, entry]
    made: set[int] = set()  # the mappings merged here, which may be merged into again
    variables: dict[str, Variable] = {}
    for scope in pipeline.variables:
        for name, value in scope.node.items():
            if _inherits(entry, "variables", str(name)):
                site = origin_of(scope.node, name)
                variables[str(name)] = Variable(value, site, None, scope.document)
    # The job's and its templates' variables, merged as `extends` merges hashes: a
    # variable of a deeper template stays unless a later layer sets it (or `variables:
    # null` removes them all); over the top-level ones, which `inherit:` governs.
    layered: dict[str, Variable] = {}
    keys: dict[str, Any] = {}
    for layer in layers:
        for name, value in layer.node.items():
            keys[str(name)] = _deep_merged(keys.get(str(name)), value, made)
        if "variables" in layer.node and layer.node["variables"] is None:
            layered.clear()
        scope, holder = dereferenced(pipeline, layer.node.get("variables"), layer)
        if is_map(scope) and holder is not None:
            for name, value in scope.items():
                below = layered.get(str(name))
                written = dereferenced(pipeline, value, holder)[0]
                if below is not None and is_map(below.value) and is_map(written):
                    # `{description: …}` over `{value: $KEY, …}`: the value, and so the
                    # place fix edits, stays the lower layer's unless this one sets it.
                    merged = _deep_merged(below.value, written, made)
                    if "value" not in written:
                        layered[str(name)] = Variable(
                            merged, below.site, below.entry, below.document
                        )
                        continue
                    written = merged
                layered[str(name)] = Variable(
                    written, origin_of(scope, name), holder, holder.document
                )
    variables |= layered
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
