"""Declaring the ID token a rewritten GitLab job writes for STS, beside the tokens it
already has.

A job that already gets ``id_tokens:`` (its own, a template's, ``default:``'s) for
something else, such as Vault, still needs ``GITLAB_OIDC_TOKEN``: the token line reads it,
and an undeclared token is an empty variable. Where it goes depends on where the job's
tokens come from (https://docs.gitlab.com/ci/yaml/#extends,
https://docs.gitlab.com/ci/yaml/#default):

- its own ``id_tokens:``: the token joins that mapping;
- a template it ``extends``: the job gets its own ``id_tokens:`` with the token, which
  GitLab merges key by key with the template's (a deep merge of hashes), so both stay;
- ``default:``: a job's own ``id_tokens:`` *replaces* ``default:``'s (default keywords are
  never merged), so the job would lose the others: left for a person, with why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keyless.workflows.edits import entry_column, insert_before_first_key
from keyless.workflows.gitlab_jwt_fix import TOKEN_VARIABLE
from keyless.workflows.gitlab_pipeline import Job, Pipeline
from keyless.workflows.patch import Edit
from keyless.workflows.yamldoc import has_own, is_flow, is_map, own_items
from keyless.workflows.yamlout import layout_of, mapping_lines

STS_AUDIENCE = "sts.amazonaws.com"


def token_blocker(job: Job, pipeline: Pipeline) -> str | None:
    """Why ``fix`` cannot declare the job's token itself, or None when it can."""
    tokens: Any = job.keys.get("id_tokens")
    if tokens is None or (is_map(tokens) and TOKEN_VARIABLE in tokens):
        return None
    node = job.entry.node
    if has_own(node, "id_tokens"):
        own = node["id_tokens"]
        if not is_map(own) or is_flow(own) or not any(True for _ in own_items(own)):
            return (
                "its id_tokens are not a block mapping ({…}, a merge or a reference): add "
                f"{TOKEN_VARIABLE} with aud {STS_AUDIENCE} to them by hand"
            )
        return None
    default: Any = pipeline.default.node if pipeline.default is not None else None
    if is_map(default) and default.get("id_tokens") is tokens:
        return (
            "it gets its id_tokens from default:, which a job's own id_tokens would replace "
            f"(GitLab never merges default: into a job): add {TOKEN_VARIABLE} with aud "
            f"{STS_AUDIENCE} beside the default's tokens in the job by hand"
        )
    return None


def declare_token(lines: Sequence[str], job: Job) -> Edit | None:
    """The edit that gives the job ``GITLAB_OIDC_TOKEN`` for STS; None when it has it.
    The job must have no :func:`token_blocker`."""
    tokens: Any = job.keys.get("id_tokens")
    if is_map(tokens) and TOKEN_VARIABLE in tokens:
        return None
    token = {TOKEN_VARIABLE: {"aud": STS_AUDIENCE}}
    node = job.entry.node
    root = job.entry.document.root
    layout = layout_of(root, (root, job.entry.name))  # the job's own indentation
    if has_own(node, "id_tokens"):
        own = node["id_tokens"]
        return insert_before_first_key(lines, own, mapping_lines(token, entry_column(own), layout))
    # None, or a template's (merged with the job's own key by key).
    block = {"id_tokens": token}
    return insert_before_first_key(lines, node, mapping_lines(block, entry_column(node), layout))
