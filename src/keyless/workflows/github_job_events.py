"""The events and refs a job's ``if:`` lets through, for the ``sub`` values of its token.

A workflow run on ``push`` and ``pull_request`` often deploys from one job only, gated by
``if: github.event_name == 'push' && github.ref == 'refs/heads/main'``. A pull request's
run skips that job, so its token never says ``repo:O/R:pull_request``: the job's
subjects are the pushes to ``main``, not every trigger of the workflow.

Only conjunctions (``&&``) of these comparisons are read, with or without ``${{ }}``
(https://docs.github.com/en/actions/reference/workflows-and-actions/expressions):

- ``github.event_name == 'push'`` / ``!= 'pull_request'``: the events kept or dropped;
- ``github.ref == 'refs/heads/NAME'`` (or ``refs/tags/NAME``): a pull request's
  ``github.ref`` is ``refs/pull/N/merge``, so its events are dropped, and a push is
  narrowed to that branch (or tag).

Other conjuncts (``needs.build.result == 'success'``, ``always()``) only narrow further and
are passed over. A condition with ``||``, ``!`` (other than ``!=``, ``!cancelled()``) or
parentheses (other than the status functions) narrows nothing: the job is read as running
on every trigger, the broader and safe answer.
"""

from __future__ import annotations

import re
from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq, scalar_texts

_WRAPPED = re.compile(r"\s*\$\{\{(.*)\}\}\s*", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
# Property names and string comparisons are case-insensitive in expressions.
_EVENT = re.compile(r"github\s*\.\s*event_name\s*(==|!=)\s*'([^']{1,100})'", re.IGNORECASE)
_REF = re.compile(r"github\s*\.\s*ref\s*==\s*'refs/(heads|tags)/([^']{1,200})'", re.IGNORECASE)
_STATUS = re.compile(r"!?\s*(?:always|success|failure|cancelled)\s*\(\s*\)", re.IGNORECASE)
_PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_review", "pull_request_review_comment"}
)


def triggers_of(on: Any) -> dict[str, Any]:
    """A workflow's ``on:`` as event → its filters, in any of its three forms (a name, a
    list of names, a mapping)."""
    if isinstance(on, str):
        return {on: None}
    if is_seq(on):
        return dict.fromkeys(scalar_texts(on))
    if is_map(on):
        return {str(k): v for k, v in on.items()}
    return {}


def runs_for_pull_requests(workflow: Any, job: Any) -> bool:
    """Whether a ``pull_request`` event (or a review of one) can run ``job``, as far as
    its ``if:`` says. Such a run from a fork gets no secrets and no OIDC token: GitHub
    gives pull requests from public forks a read-only token whatever the workflow asks
    (https://github.blog/changelog/2021-04-20-github-actions-control-permissions-for-github_token),
    ``id-token`` included (JuliaCloud/AWS.jl#634)."""
    on = workflow.get("on") if is_map(workflow) else None
    return any(e in _PULL_REQUEST_EVENTS for e in narrowed_triggers(triggers_of(on), job.get("if")))


def narrowed_triggers(triggers: dict[str, Any], condition: Any) -> dict[str, Any]:
    """``triggers`` (event → its filters, as ``on:`` writes them) as far as the job's
    ``if:`` lets each through; ``triggers`` itself when the condition says nothing."""
    if not isinstance(condition, str) or len(condition) > 1000 or "workflow_call" in triggers:
        # A called workflow's `github` context is its caller's: its events are unknown here.
        return triggers
    wrapped = _WRAPPED.fullmatch(condition)
    expression = wrapped.group(1) if wrapped else condition
    masked = _STRING.sub(lambda m: "'" + "x" * (len(m.group(0)) - 2) + "'", expression)
    # Status checks (`always() && …`) say nothing of the event: each is one more conjunct.
    for found in reversed(list(_STATUS.finditer(masked))):
        start, end = found.span()
        expression = expression[:start] + "true" + expression[end:]
        masked = masked[:start] + "true" + masked[end:]
    if "${{" in expression or "||" in masked or "(" in masked or "!" in masked.replace("!=", ""):
        return triggers
    out = dict(triggers)
    start = 0
    for part in masked.split("&&"):
        atom = expression[start : start + len(part)].strip()
        start += len(part) + 2
        event, ref = _EVENT.fullmatch(atom), _REF.fullmatch(atom)
        if event is not None:
            name, equal = event.group(2).lower(), event.group(1) == "=="
            out = {e: c for e, c in out.items() if (e.lower() == name) is equal}
        elif ref is not None:
            out = {e: c for e, c in out.items() if e not in _PULL_REQUEST_EVENTS}
            if "push" in out:
                from ruamel.yaml.comments import CommentedMap  # as `on:` is read

                kind = "branches" if ref.group(1).lower() == "heads" else "tags"
                out["push"] = CommentedMap({kind: ref.group(2)})
    # No trigger left: the job never runs as read, or the reading is wrong; say nothing.
    return out or triggers
