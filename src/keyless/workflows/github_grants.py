"""The token permissions a GitHub job rewritten by ``fix`` is given: ``id-token: write``
beside what it had (its own block extended, or the workflow's copied down), or, when the
workflow declares none, only what its steps use the token for; and a workflow-wide
``id-token: write`` narrowed to the jobs that use it.
https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from keyless.errors import quoted, quoted_list
from keyless.workflows import permissions as perms
from keyless.workflows.edits import Plan, entry_column, insert_before_first_key, key_block
from keyless.workflows.github import describe_step, shown_name, steps_of
from keyless.workflows.model import Unfixed
from keyless.workflows.patch import Edit
from keyless.workflows.pwn_request import untrusted_call
from keyless.workflows.yamldoc import is_flow, is_map, own_items, value_position
from keyless.workflows.yamlout import Layout, layout_of, mapping_lines

NARROW_PERMISSIONS_NOTE = (
    "the workflow declared no permissions, so the job now gets only what keyless could "
    "tell its steps use (and id-token: write)"
)


def _current_permissions(permissions: Any) -> dict[str, str]:
    if permissions == "read-all":
        return dict.fromkeys((s for s in perms.SCOPES if s != "id-token"), "read")
    if permissions == "write-all":
        return dict.fromkeys(perms.SCOPES, "write")
    if is_map(permissions):
        return perms.copied(perms.texts(permissions))
    return {}


def grant_permissions(
    result: Plan,
    lines: Sequence[str],
    root: Any,
    name: str,
    job: Any,
    extra: dict[str, str],
    callee_unknown: tuple[str, ...] = (),
) -> list[Edit]:
    """One edit giving ``job`` ``id-token: write`` while keeping what it had: its own
    block is extended; otherwise the workflow's are copied down; when the workflow
    declares none, the job gets what its steps (and ``extra``, a called workflow's
    needs) use the token for, and a note for each of ``callee_unknown``, the called
    workflow's token uses keyless cannot tell the permissions of: a called workflow gets
    no more than its caller grants
    (https://docs.github.com/en/actions/sharing-automations/reusing-workflows#access-and-permissions)."""
    own = job.get("permissions")
    workflow = root.get("permissions") if is_map(root) else None
    layout = layout_of(root, (root.get("jobs"), name))  # the job's own indentation
    if own == "write-all" or (own is None and workflow == "write-all"):
        return []
    if is_map(own) and own.get("id-token") == "write":
        return []
    if is_map(own) and not is_flow(own) and len(own):
        if "id-token" in own:
            line, column = value_position(own, "id-token")
            text = lines[line]
            old = str(own["id-token"])
            return [
                Edit(
                    line,
                    line + 1,
                    (text[:column] + "write" + text[column + len(old) :].rstrip("\r\n"),),
                )
            ]
        _, end, _ = key_block(lines, own, list(own)[-1])
        block = mapping_lines({"id-token": "write"}, entry_column(own), layout)
        return [Edit(end, end, tuple(block))]
    column = entry_column(job)
    if own is not None:
        entries = {**_current_permissions(own), "id-token": "write"}
        start, end, _ = key_block(lines, job, "permissions")
        return [
            Edit(
                start,
                end,
                tuple(mapping_lines({"permissions": perms.id_token_last(entries)}, column, layout)),
            )
        ]
    if workflow is not None:
        entries = {**_current_permissions(workflow), "id-token": "write"}
    else:
        needs = perms.job_needs((s for _, s in steps_of(job)), describe_step)
        entries = perms.ordered(perms.union(needs.permissions, extra, {"id-token": "write"}))
        result.notes.append(f"job {quoted(name)}: {NARROW_PERMISSIONS_NOTE}")
        for unknown in needs.unknown:
            result.notes.append(
                f"job {quoted(name)}: {unknown}; keyless cannot tell which permissions that needs: "
                "add them to the job's permissions"
            )
        called = job.get("uses")
        if isinstance(called, str):
            result.notes += [
                f"job {quoted(name)} calls {shown_name(called)}, whose {unknown}; keyless "
                "cannot tell which permissions that needs: add them to this job's permissions "
                "too (a called workflow gets no more than its caller grants)"
                for unknown in callee_unknown
            ]
    block = mapping_lines({"permissions": perms.id_token_last(entries)}, column, layout)
    return [insert_before_first_key(lines, job, block)]


def narrow_workflow_id_token(lines: Sequence[str], root: Any, layout: Layout) -> list[Edit]:
    """The edit removing a workflow-wide ``id-token: write`` (jobs that use the token are
    given it in their own block); none when the block is not a block mapping."""
    permissions = root.get("permissions")
    if not is_map(permissions) or is_flow(permissions):
        return []
    if [k for k, _ in own_items(permissions)] == ["id-token"]:
        start, end, column = key_block(lines, root, "permissions")
        return [Edit(start, end, tuple(mapping_lines({"permissions": {}}, column, layout)))]
    start, end, _ = key_block(lines, permissions, "id-token")
    return [Edit(start, end)]


def broad_grant_note(root: Any, jobs: Mapping[str, Any], rewritten: Sequence[str]) -> str:
    """What to say when the workflow's ``id-token: write`` could not be narrowed
    (``permissions: write-all``, a flow mapping): every job without permissions of its
    own keeps it, and any of them whose token carries a subject the role trusts can
    assume the role."""
    others = [n for n, job in jobs.items() if n not in rewritten and "permissions" not in job]
    written = (
        "permissions: write-all"
        if root.get("permissions") == "write-all"
        else ("permissions (in flow style)")
    )
    who = f" (jobs {quoted_list(others)} too)" if others else ""
    return (
        f"the workflow's {written} was left as it is: it gives id-token: write to every job "
        f"without permissions of its own{who}, and any of them whose token carries a subject "
        "the role trusts can assume it; replace it with the permissions each job needs "
        "(workflow-broad-id-token)"
    )


def refused_grant(root: Any, name: str, job: Any, repository_root: Path | None) -> Unfixed | None:
    """Why job ``name``, which calls a rewritten reusable workflow, is not granted
    ``id-token: write``: it hands that workflow the pull request's code in a run on
    ``pull_request_target`` or ``workflow_run`` (:func:`.pwn_request.untrusted_call`).
    None when it may be granted."""
    untrusted = untrusted_call(root, job, repository_root) if repository_root else None
    if untrusted is None:
        return None
    return Unfixed(
        name,
        f"it {untrusted}: given id-token: write, code from a fork could request the OIDC "
        "token and assume the role (workflow-untrusted-checkout-id-token); run the pull "
        "request's code in a job without credentials and grant it by hand",
    )
