"""GitLab CI: the shape of a pipeline file and which of its values and script lines are
long-lived AWS keys.

Jobs are the top-level mappings that are no global keyword
(https://docs.gitlab.com/ci/yaml/#global-keywords); a variable's value is written plain
or with a description (https://docs.gitlab.com/ci/yaml/#variablesdescription). Keys are
the AWS key variables set to a CI/CD variable or to a literal that looks like a key, set
by ``variables:``, a rule's ``variables:`` or a ``parallel:matrix`` entry, or exported by
``export`` / ``aws configure set`` lines of a script section. :mod:`.gitlab` reads a file
with these; :mod:`.gitlab_pipeline`, :mod:`.gitlab_blockers` and :mod:`.gitlab_fix` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from keyless.errors import quoted
from keyless.workflows.evidence import unseen_endpoint_note
from keyless.workflows.gitlab_stores import store_signs
from keyless.workflows.hardcoded import find_literals
from keyless.workflows.keyuse import is_store_reference
from keyless.workflows.yamldoc import is_map, is_seq, origin_of, own_items

KEY_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

# Top-level keywords that are not jobs: https://docs.gitlab.com/ci/yaml/#global-keywords
RESERVED = frozenset(
    {
        "default", "include", "stages", "variables", "workflow", "image", "services",
        "cache", "before_script", "after_script", "spec",
    }
)  # fmt: skip

SCRIPT_SECTIONS = ("before_script", "script", "after_script")

#: The route of a job's (or ``default:``'s) ``hooks:pre_get_sources_script``, a script
#: GitLab runs before it fetches the repository, with the job's variables
#: (https://docs.gitlab.com/ci/yaml/#hookspre_get_sources_script).
HOOK_SECTION = "hooks.pre_get_sources_script"

EXPORT = re.compile(
    r"^\s*(export\s+(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)\s*=|"
    r"aws\s+configure\s+set\s+(aws_access_key_id|aws_secret_access_key|aws_session_token)\b)"
)


def jobs_of(root: Any) -> Iterator[tuple[str, Any]]:
    """(name, mapping) of every job and hidden template (``.name``) in a file."""
    for name, job in own_items(root):
        if str(name) not in RESERVED and is_map(job):
            yield str(name), job


def variable_value(value: Any) -> Any:
    """A variable's value: ``NAME: value`` or ``NAME: {value: …, description: …}``
    (https://docs.gitlab.com/ci/yaml/#variablesdescription)."""
    return value.get("value") if is_map(value) else value


def key_variables(
    variables: Any, outer: Any = None, scripts: Sequence[str] = ()
) -> tuple[str, ...]:
    """The AWS key variables a ``variables:`` mapping sets (merged ones included), but
    none beside another store's endpoint. ``outer``: the file's top-level ``variables:``,
    which an endpoint's ``$NAME`` may name (:func:`defined_values`); ``scripts``: the
    script lines that run with them (:class:`ScriptsBeside`), read for a store's host or
    endpoint as the variables are. The one rule of what the scan reports and ``fix``
    leaves as another store's (:func:`~keyless.workflows.gitlab_blockers.keys_not_reported`)."""
    if not is_map(variables):
        return ()
    keys = tuple(
        str(k)
        for k, v in variables.items()
        if k in KEY_VARIABLES and _is_credential(variable_value(v))
    )
    if keys and _for_another_store(variables, outer, scripts):
        return ()
    return keys


class ScriptsBeside:
    """The script lines that surely run with the keys a job writes in its own
    ``variables:``, as a GitHub step's ``run:`` runs with its ``env:``
    (:func:`key_variables` reads them). Built once for the files ``roots`` (a pipeline's,
    or one file the scan reads)."""

    def __init__(self, roots: Iterable[Any]) -> None:
        self._extended: set[str] = set()
        self._holders: dict[int, int] = {}
        for root in roots:
            for _, node in jobs_of(root):
                extends: Any = node.get("extends")
                names = (
                    [extends] if isinstance(extends, str) else extends if is_seq(extends) else []
                )
                self._extended.update(n for n in names if isinstance(n, str))
                variables: Any = node.get("variables")
                if is_map(variables):
                    self._holders[id(variables)] = self._holders.get(id(variables), 0) + 1

    def of(self, name: str, node: Any) -> list[str]:
        """The lines of job ``name``'s script sections (its hook's too), when its
        ``variables:`` are its own (no other entry holds them, none is merged in) and no
        entry extends it. None for a template, ``default:``, or a job another one extends
        or shares its variables with: their keys reach scripts written elsewhere, which
        may call AWS (https://docs.gitlab.com/ci/yaml/#extends)."""
        variables: Any = node.get("variables") if is_map(node) else None
        if (
            not is_map(variables)
            or name == "default"
            or name.startswith(".")
            or name in self._extended
            or self._holders.get(id(variables)) != 1
            or any(
                origin_of(variables, k) is not variables for k in KEY_VARIABLES if k in variables
            )
        ):
            return []
        hook: Any = node.get("hooks")
        sections = [node.get(s) for s in SCRIPT_SECTIONS]
        sections.append(hook.get("pre_get_sources_script") if is_map(hook) else None)
        return [
            line
            for script in sections
            for line in (script if is_seq(script) else [script])
            if isinstance(line, str)
        ]


#: How ``fix`` begins the reason it leaves a pipeline whose ``workflow:rules`` set keys for
#: every job: the keys the scan finds there are that item, not another.
WORKFLOW_RULES_LEFT = "workflow:rules set "


def rule_keys(rules: Any) -> Iterator[tuple[int, Any, tuple[str, ...]]]:
    """(index, ``variables:`` mapping, AWS key variables it sets) of each rule of
    ``rules`` (a job's or ``workflow:``'s) that sets AWS keys when it matches: a job's
    rule variables outrank its other variables, ``workflow:``'s reach every job
    (https://docs.gitlab.com/ci/yaml/#rulesvariables,
    https://docs.gitlab.com/ci/yaml/#workflowrulesvariables)."""
    for index, rule in enumerate(rules if is_seq(rules) else ()):
        variables = rule.get("variables") if is_map(rule) else None
        keys = key_variables(variables)
        if keys:
            yield index, variables, keys


def _is_credential(value: Any) -> bool:
    """A key variable's value that can hold a credential: a CI/CD variable (``$NAME``,
    ``${NAME}``) or a literal that looks like a real key. A literal such as ``testing`` or
    ``test`` (moto, LocalStack) is not one; a real key written out is the hard-coded-key
    check's business as well."""
    if not isinstance(value, str) or not value:
        return False
    return "$" in value or is_store_reference(value) or any(find_literals(f"aws secret: {value}"))


def string_values(variables: Any) -> list[tuple[str, str]]:
    """(name, value) of each variable of a ``variables:`` mapping whose value is a string."""
    if not is_map(variables):
        return []
    return [
        (str(k), value) for k, v in variables.items() if isinstance(value := variable_value(v), str)
    ]


def defined_values(*mappings: Any) -> dict[str, str]:
    """The values a ``$NAME`` in a variable or script line takes from ``mappings``
    (``variables:`` mappings, outermost first: a later one overrides): GitLab expands a
    variable used in another variable
    (https://docs.gitlab.com/ci/variables/#use-cicd-variables-in-other-variables)."""
    return {name: value for mapping in mappings for name, value in string_values(mapping)}


def _for_another_store(variables: Any, outer: Any, scripts: Sequence[str]) -> bool:
    """Keys set beside an endpoint that is not AWS's, or named for an S3-compatible store
    (``$MINIO_ACCESS_KEY``, ``$R2_…``), or run by ``scripts`` that visibly talk to another
    store (``--endpoint-url https://x.r2.cloudflarestorage.com``) and never call AWS
    plainly (:func:`~.gitlab_stores.store_signs`): not AWS keys. An
    endpoint that names no host once the file's variables are put in
    (``AWS_ENDPOINT_URL: $S3_ENDPOINT``, a CI/CD setting) is no such sign: it may be AWS's
    (:class:`UnseenNotes`)."""
    pairs = string_values(variables)
    sources = [v for k, v in pairs if k in KEY_VARIABLES]
    defined = defined_values(outer, variables)
    return bool(store_signs(pairs, scripts, sources, defined).evidence)


class UnseenNotes:
    """For keys a file's ``variables:`` mapping sets beside an endpoint that names no
    host (a CI/CD variable's), what a finding adds: keyless cannot tell AWS's from
    another store's. Built once per file; each note is worked out once (a file of
    thousands of templates and jobs asks for thousands)."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._extenders: dict[str, list[Any]] | None = None
        self._texts: dict[str | None, list[str]] = {}
        self._notes: dict[tuple[str | None, int], str] = {}

    def note(self, job: str | None, variables: Any) -> str:
        """The note for keys ``variables`` (of ``job``; None: the top level) sets: the
        job's variables and scripts are read (a template's: those of the jobs that extend
        it; the top level's or ``default:``'s: every job's); "" when no endpoint there
        names no host, or when one there is visibly another store's."""
        key = (job, id(variables))
        if key not in self._notes:
            self._notes[key] = self._worked_out(job, variables)
        return self._notes[key]

    def _worked_out(self, job: str | None, variables: Any) -> str:
        root = self._root
        top: Any = root.get("variables") if is_map(root) else None
        node: Any = root.get(job) if job is not None and is_map(root) else None
        own: Any = node.get("variables") if is_map(node) else None
        pairs = [*string_values(variables), *string_values(own), *string_values(top)]
        defined = defined_values(top, own, variables)
        signs = store_signs(pairs, self._texts_of(job, node), [], defined)
        if signs.evidence:
            return ""  # fix says these do not look like AWS keys
        return unseen_endpoint_note(signs.unseen)

    def _texts_of(self, job: str | None, node: Any) -> list[str]:
        scope = None if job in (None, "default") else job
        if scope not in self._texts:
            root = self._root
            if scope is None:
                holders = [root, root.get("default"), *(n for _, n in jobs_of(root))]
            else:
                holders = [node, *self._extending(scope)]
            self._texts[scope] = [
                line
                for holder in holders
                if is_map(holder)
                for _, script in own_scripts(holder, hooks=holder is not root)
                for line in (script if is_seq(script) else [script])
                if isinstance(line, str)
            ]
        return self._texts[scope]

    def _extending(self, template: str) -> list[Any]:
        """The jobs (and templates) that extend ``template`` directly."""
        if self._extenders is None:
            self._extenders = {}
            for _, job in jobs_of(self._root):
                extends: Any = job.get("extends")
                names = (
                    [extends] if isinstance(extends, str) else extends if is_seq(extends) else []
                )
                for name in dict.fromkeys(n for n in names if isinstance(n, str)):
                    self._extenders.setdefault(name, []).append(job)
        return self._extenders.get(template, [])


def own_scripts(node: Any, hooks: bool) -> Iterator[tuple[str, Any]]:
    """(route, script) of each script section written in ``node`` itself (merged ones,
    ``<<: *x``, are reported where written); with ``hooks`` (a job or ``default:``, not
    the top level, where ``hooks`` would be a job's name), its
    ``hooks:pre_get_sources_script`` too (:data:`HOOK_SECTION`)."""
    own = {str(k) for k, _ in own_items(node)}
    for section in SCRIPT_SECTIONS:
        if section in own:
            yield section, node.get(section)
    hook: Any = node.get("hooks") if hooks and "hooks" in own else None
    if is_map(hook) and "pre_get_sources_script" in hook:
        yield HOOK_SECTION, hook.get("pre_get_sources_script")


def shown_section(section: str) -> str:
    """A section as a message names it: ``hooks:pre_get_sources_script`` for the hook."""
    return "hooks:pre_get_sources_script" if section == HOOK_SECTION else section


# An export's value computed when the script runs: `$(…)` or backticks.
_COMPUTED = re.compile(
    r"(?:=|aws_(?:access_key_id|secret_access_key|session_token))\s*[\"']?\s*(?:\$\(|`)"
)


_ASSUMES_ROLE = re.compile(r"\bsts\s+assume-role(?:-with-web-identity|-with-saml)?\b")


def exports_temporary(script: Any, indices: tuple[int, ...]) -> bool:
    """Whether the exported keys are temporary credentials the script obtains itself: a
    session token is exported with them, and each value is computed when the script runs
    (or the section assumes a role with ``aws sts assume-role…``). A session token only
    comes with temporary credentials.
    https://docs.gitlab.com/ci/cloud_services/aws/"""
    lines = [str(script[i]) for i in indices]
    if not any("session_token" in line.lower() for line in lines):
        return False
    if all(_COMPUTED.search(line) for line in lines):
        return True
    return any(isinstance(line, str) and _ASSUMES_ROLE.search(line) for line in script)


def matrix_keys(parallel: Any) -> Iterator[tuple[int, Any, tuple[str, ...]]]:
    """(index, entry, AWS key variables it sets) of each entry of a job's
    ``parallel: matrix:`` that sets AWS keys for the instances it makes: a value is one
    string or a list of them, one instance each (https://docs.gitlab.com/ci/yaml/#parallelmatrix)."""
    matrix: Any = parallel.get("matrix") if is_map(parallel) else None
    for index, entry in enumerate(matrix if is_seq(matrix) else ()):
        if not is_map(entry):
            continue
        keys = tuple(
            str(k)
            for k, v in entry.items()
            if k in KEY_VARIABLES
            and any(_is_credential(item) for item in (v if is_seq(v) else [v]))
        )
        if keys:
            yield index, entry, keys


def scope_of(job: str | None) -> str:
    """Who gets what is written in ``job``, as a message says it: a name starting with a
    dot is a hidden job, a template the jobs that extend it get it from
    (https://docs.gitlab.com/ci/jobs/#hide-a-job); ``default:`` gives it to every job."""
    if job is None:
        return "every job"
    if job == "default":
        return "every job (default:)"
    if job.startswith("."):
        return f"template {quoted(job)}"
    return f"job {quoted(job)}"
