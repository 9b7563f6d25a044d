"""Why a GitLab job cannot be rewritten automatically, and where its keys are written.

:func:`key_usage` finds the variable sites and ``export`` lines of one job's keys, and
whether it hands them on (re-exports, credential files); :func:`blockers` says why a
person must rewrite it (keys for another endpoint, several key pairs, a named profile,
flow style, templates not read); :func:`shared_blockers` leaves every job that shares
keys with a job left as it is. :mod:`.gitlab_fix` rewrites the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from keyless.errors import quoted
from keyless.workflows.evidence import (
    profile_writes,
    reexports,
    script_reexports,
    unseen_endpoint_reason,
    writes_session_token,
)
from keyless.workflows.gitlab_keys import (
    EXPORT,
    KEY_VARIABLES,
    ScriptsBeside,
    exports_temporary,
    key_variables,
    matrix_keys,
    rule_keys,
    variable_value,
)
from keyless.workflows.gitlab_pipeline import Job, Pipeline, Section, dereferenced, is_reference
from keyless.workflows.gitlab_reach import Reach, store_signs
from keyless.workflows.yamldoc import (
    Document,
    has_own,
    is_flow,
    is_map,
    is_seq,
    origin_of,
    own_items,
    scalar_texts,
)


@dataclass(frozen=True, slots=True)
class KeyUsage:
    """Where one job's keys are written: variable sites and export lines."""

    variables: dict[int, tuple[Any, list[str], Document]]
    exports: list[tuple[Section, int]]
    handoffs: bool = False  # re-exports or credential-file writes: a person's job
    #: Key variables its ``rules:`` set when a rule matches: they outrank its variables.
    rule_keys: tuple[str, ...] = ()
    #: Key variables its ``parallel:matrix`` sets, one instance each.
    matrix_keys: tuple[str, ...] = ()
    #: Key variables whose value is a ``!reference`` to another entry's: the scan reports
    #: the keys where they are written, there.
    referenced: bool = False

    @property
    def uses_keys(self) -> bool:
        """Whether the job gets keys at all (written, exported or handed on)."""
        return bool(
            self.variables or self.exports or self.handoffs or self.rule_keys or self.matrix_keys
        )


def keys_not_reported(job: Job, usage: KeyUsage, beside: ScriptsBeside, reach: Reach) -> bool:
    """Every key the job gets is written where the scan reports none (beside another
    endpoint, named for an S3-compatible store, run by scripts that talk to one, or not a
    credential: :func:`~keyless.workflows.gitlab_keys.key_variables`; or where every job
    that gets them sends them to another store: :class:`~.gitlab_reach.Reach`, as the scan
    judges them), and every script section that exports keys is run only by jobs that
    send them to another store (:class:`~.gitlab_reach.Reach` too): nothing for ``fix`` to
    rewrite or to leave to a person. ``beside``: the pipeline's :class:`ScriptsBeside`."""
    own: Any = job.entry.node.get("variables")
    return (
        bool(usage.variables or usage.exports)
        and all(reach.for_another_store(section.script) for section, _ in usage.exports)
        and not usage.handoffs
        and not usage.referenced
        and all(
            reach.for_another_store(site)
            or not key_variables(
                site,
                _top_variables(document),
                beside.of(job.name, job.entry.node) if site is own else (),
            )
            for site, _, document in usage.variables.values()
        )
    )


def _top_variables(document: Document) -> Any:
    root = document.root
    return root.get("variables") if is_map(root) else None


def key_usage(job: Job) -> KeyUsage:
    """Where ``job``'s keys are written (variable sites, each once, and the ``export``
    lines of sections that do not obtain temporary credentials), and whether it hands
    them on."""
    variables: dict[int, tuple[Any, list[str], Document]] = {}
    for name, var in job.key_variables().items():
        variables.setdefault(id(var.site), (var.site, [], var.document))[1].append(name)
    exports = [
        (section, index)
        for section in job.sections.values()
        if is_seq(section.script) and not _exports_temporary(section)
        for index, line in enumerate(section.script)
        if isinstance(line, str) and EXPORT.match(line)
    ]
    handoffs = any(
        reexports(name, value)
        for name, var in job.variables.items()
        if isinstance(value := variable_value(var.value), str)
    ) or any(
        (not token and profile_writes(line)) or script_reexports(line)
        for line, _, token in _script_lines(job)
        if not EXPORT.match(line)
    )
    rules = tuple(dict.fromkeys(k for _, _, keys in rule_keys(job.keys.get("rules")) for k in keys))
    matrix = matrix_keys(job.keys.get("parallel"))
    return KeyUsage(
        variables,
        exports,
        handoffs,
        rules,
        tuple(dict.fromkeys(k for _, _, ks in matrix for k in ks)),
        referenced=any(
            is_reference(var.site.get(name)) for name, var in job.key_variables().items()
        ),
    )


def _lines(job: Job) -> Iterator[str]:
    for line, temporary, _ in _script_lines(job):
        if not (temporary and EXPORT.match(line)):
            yield line


def _script_lines(job: Job) -> Iterator[tuple[str, bool, bool]]:
    """Each script line, whether its section's key exports are temporary credentials the
    script obtains, and whether the section writes a session token into a profile: the
    scan reports neither such exports nor such profile writes (``gitlab._exports``,
    ``gitlab._handoffs``), so ``fix`` neither rewrites nor leaves them."""
    for section in job.sections.values():
        lines = (
            [line for line in section.script if isinstance(line, str)]
            if is_seq(section.script)
            else []
        )
        temporary = _exports_temporary(section)
        token = writes_session_token("\n".join(lines))
        for line in lines:
            yield line, temporary, token


def _exports_temporary(section: Section) -> bool:
    script = section.script
    if not is_seq(script):
        return False
    indices = tuple(
        i for i, line in enumerate(script) if isinstance(line, str) and EXPORT.match(line)
    )
    return bool(indices) and exports_temporary(script, indices)


def referenced_key_sites(pipeline: Pipeline) -> dict[int, str]:
    """``id`` of each mapping whose AWS key variable another variable reads one by one
    (``FOO: !reference [.aws, variables, AWS_ACCESS_KEY_ID]``) → the reading entry's
    name: removing the key there would leave that reference naming nothing, which GitLab
    refuses (https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags)."""
    found: dict[int, str] = {}
    for entry in pipeline.entries.values():
        variables = entry.node.get("variables")
        for _, value in own_items(variables) if is_map(variables) else ():
            path = scalar_texts(value) if is_seq(value) else []
            if len(path) != 3 or path[1] != "variables" or path[2] not in KEY_VARIABLES:
                continue
            target = pipeline.entries.get(path[0])
            if target is None:
                continue
            held, _ = dereferenced(pipeline, target.node.get("variables"), target)
            site = origin_of(held, path[2]) if is_map(held) else None
            if site is not None:
                found.setdefault(id(site), entry.name)
    return found


def blockers(job: Job, usage: KeyUsage, referenced: Mapping[int, str] | None = None) -> list[str]:
    """Why ``job`` must be rewritten by a person, each reason once; none when ``fix``
    can rewrite it. ``referenced``: :func:`referenced_key_sites`."""
    reasons: list[str] = []
    for key in usage.variables:
        reader = (referenced or {}).get(key)
        if reader is not None:
            reasons.append(
                f"its keys are written where the job {quoted(reader)} reads one with "
                "!reference: rewrite both by hand"
            )
    if usage.matrix_keys:
        reasons.append(
            f"its parallel:matrix sets {', '.join(usage.matrix_keys)} for each instance: "
            "each may be another IAM user, even of another account, and one role cannot "
            "stand for them all; give each instance its own role by hand"
        )
    if usage.rule_keys:
        reasons.append(
            f"its rules set {', '.join(usage.rule_keys)} when they match (rules:variables), "
            "which outrank every other variable: rewrite it by hand"
        )
    if job.missing:
        reasons.append(
            f"it extends {', '.join(job.missing)}, not defined in the files read (an include "
            "from another project, a remote file or a CI/CD template): keys or scripts may be "
            "set there; rewrite it by hand"
        )
    for name, var in job.variables.items():
        value = variable_value(var.value)
        reason = reexports(name, value) if isinstance(value, str) else None
        if reason:
            reasons.append(
                f"{reason}: the tool that reads {name} needs the key pair itself; rewrite "
                "it by hand"
            )
    for line, temporary, token in _script_lines(job):
        if EXPORT.match(line) and "--profile" in line:
            if not temporary:
                reasons.append(
                    "a script writes the keys into a named profile (aws configure set … "
                    "--profile): rewrite it by hand"
                )
        elif not EXPORT.match(line):
            found = [None if token else profile_writes(line), *script_reexports(line)]
            reasons += [f"a script: {r}; rewrite it by hand" for r in found if r]
    pairs = {
        str(variable_value(v.value))
        for n, v in job.key_variables().items()
        if n == "AWS_ACCESS_KEY_ID"
    }
    pairs |= {
        line.split("=", 1)[1].strip().strip("'\"")
        for line in _lines(job)
        if EXPORT.match(line) and "AWS_ACCESS_KEY_ID=" in line
    }
    # As the scan judges them (gitlab_reach): everything the job gets is read.
    signs = store_signs(job)
    if signs.evidence:
        reasons.append(
            "its keys do not look like AWS keys ("
            + "; ".join(signs.evidence)
            + "): an AWS role cannot replace them, so they are left"
        )
    elif signs.unseen:
        reasons.append(unseen_endpoint_reason(signs.unseen))
    if signs.elsewhere:
        reasons.append(
            "a script line sends its keys to another store ("
            + "; ".join(signs.elsewhere)
            + ") while another calls AWS with them: a role would not serve that store; "
            "give that line its own keys and rewrite the job by hand"
        )
    if len(pairs) > 1:
        reasons.append(
            f"it uses {len(pairs)} different key pairs: one role cannot stand for both; "
            "rewrite it by hand"
        )
    for site, _, _ in usage.variables.values():
        if is_flow(site):
            reasons.append(
                "its key variables are written in flow style ({…}): use block style, or "
                "rewrite it by hand"
            )
    first = first_section(job)
    if first is not None and not first.own and first.entry is None:
        reasons.append(
            f"its {first.name} comes from the deprecated global {first.name}, which cannot "
            "be referenced: give the job its own"
        )
    if first is not None and first.own and is_flow(first.script):
        reasons.append(
            f"its {first.name} is written in flow style ([…]): use block style, or rewrite by hand"
        )
    if _hook_uses_aws(job):
        reasons.append(
            "its hooks:pre_get_sources_script uses AWS, and runs before the clone and the "
            "script that would write the OIDC token file: rewrite it by hand"
        )
    node = job.entry.node
    if is_flow(node) or not any(True for _ in node.non_merged_items()):
        reasons.append(
            "the job is written in flow style or only merges a template: rewrite it by hand"
        )
    if not usage.variables and "variables" in node and not has_own(node, "variables"):
        reasons.append("its variables are merged in from an anchor (<<): rewrite it by hand")
    written = has_own(node, "variables")
    own: Any = node.get("variables") if written else None
    if not usage.variables and written and own is None and "extends" in node:
        # `variables: null` drops the templates' variables; a mapping would bring them
        # back (https://gitlab.com/gitlab-org/gitlab/-/merge_requests/72511).
        reasons.append(
            "its variables: null drops its templates' variables, which variables of its own "
            "would bring back: add AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE by hand"
        )
    # `variables:` of its own fix can write beside (a block mapping) or over (null, `{}`)
    writable = own is None or (is_map(own) and (not is_flow(own) or not len(own)))
    if not usage.variables and written and not writable:
        reasons.append(
            "its variables are not a block mapping (flow style or a !reference): rewrite it by hand"
        )
    return list(dict.fromkeys(reasons))


# An `aws` command or an AWS variable (`$AWS_ACCESS_KEY_ID`, `AWS_PROFILE=…`) in a line.
_AWS_USE = re.compile(r"(?<![\w-])aws(?![\w-])|\bAWS_[A-Z_]+")


def _hook_uses_aws(job: Job) -> bool:
    """Whether the job's ``hooks:pre_get_sources_script`` (its own, a template's or
    ``default:``'s) uses AWS: GitLab runs it before it fetches the repository
    (https://docs.gitlab.com/ci/yaml/#hookspre_get_sources_script), before any script
    line the rewrite adds, so it would lose the keys and have no token file yet."""
    script: Any = job.hook[1] if job.hook is not None else None
    lines = [script] if isinstance(script, str) else list(script) if is_seq(script) else []
    return any(isinstance(line, str) and _AWS_USE.search(line) for line in lines)


def shared_blockers(
    key_jobs: list[Job], usage: dict[str, KeyUsage], blocked: dict[str, list[str]]
) -> dict[str, list[str]]:
    """``blocked`` and every job that shares a key site or an export section with a
    blocked job, to a fixed point: shared keys are replaced only when every job is."""
    users: dict[tuple[int, int], set[str]] = {}
    for job in key_jobs:
        for key in usage[job.name].variables:
            users.setdefault((key, -1), set()).add(job.name)
        for section, _ in usage[job.name].exports:
            users.setdefault((id(section.script), -2), set()).add(job.name)
    out = dict(blocked)
    changed = True
    while changed:
        changed = False
        for names in users.values():
            stuck = sorted(n for n in names if n in out)
            for name in sorted(names - out.keys()) if stuck else ():
                out[name] = [
                    "it shares its keys (a template, anchor or top-level variables) with job "
                    f"{quoted(stuck[0])}, which is left as it is"
                ]
                changed = True
    return out


def first_section(job: Job) -> Section | None:
    """The section the token line goes at the top of: ``before_script``, else ``script``."""
    return job.sections.get("before_script") or job.sections.get("script")
