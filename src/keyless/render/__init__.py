"""Every output document and format, behind one interface: :func:`render`.

What a command produced (a :class:`~keyless.engine.ScanResult` of an estate or of CI files,
a :class:`~keyless.engine.TrustAssessment`, a simulated
:class:`~keyless.policy.evaluate.Decision`, a workflows :class:`~keyless.workflows.model.FixResult`,
a :class:`~keyless.store.diff.Diff` of two scans, a :class:`~keyless.store.history.History`,
a migration :class:`~keyless.plan.model.Plan`)
goes in with a :class:`Format`; text comes out (:func:`render`), or UTF-8 pieces of it
(:func:`render_chunks`, which writes a scan's JSON and SARIF without holding them whole).
The tables below are the only place that knows which formats a document has; renderer
modules load when first used.

Every renderer treats names, tags, policy text and file content as hostile: JSON and SARIF
through their serialisers, terminal text through rich with markup escaped, HTML through
Jinja2 with autoescaping, Markdown through :func:`keyless.render.markdown.escape`, so a
crafted value can neither break the structure nor forge a line.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from keyless.errors import InputError
from keyless.findings import Severity

if TYPE_CHECKING:
    from rich.console import Console

    from keyless.store.history import History


class Format(StrEnum):
    """Output formats, as the ``--format`` option spells them."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    GITHUB = "github"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render text: colour (a terminal), line width, the ``--fail-on`` threshold and
    ``--allow-partial`` choice a scan's footer explains, and the recorded history a report
    may chart (its burn-down)."""

    color: bool = False
    width: int = 120
    fail_on: Severity = Severity.HIGH
    allow_partial: bool = False
    history: History | None = None
    writing_baseline: bool = False
    """``keyless iac --write-baseline``: the findings are being accepted, and the command
    exits 0 (or 3) whatever their severity."""


# document kind -> format -> "module:function"; a function takes (value, options) -> str.
_RENDERERS: dict[str, dict[Format, str]] = {
    "scan": {
        Format.TEXT: "keyless.render.text:scan_text",
        Format.JSON: "keyless.render.jsonout:scan_json",
        Format.SARIF: "keyless.render.sarif:sarif_text",
        Format.HTML: "keyless.render.html:scan_html",
        Format.MARKDOWN: "keyless.render.markdown:scan_markdown",
    },
    "workflows-scan": {
        Format.TEXT: "keyless.render.workflows:workflows_scan_text",
        Format.JSON: "keyless.render.workflows:workflows_scan_json",
        Format.SARIF: "keyless.render.sarif:sarif_text",
    },
    "workflows-fix": {
        Format.TEXT: "keyless.render.workflows:workflows_fix_text",
        Format.JSON: "keyless.render.workflows:workflows_fix_json",
    },
    "iac": {
        Format.TEXT: "keyless.render.iac:iac_text",
        Format.JSON: "keyless.render.iac:iac_json",
        Format.SARIF: "keyless.render.iac:iac_sarif",
        Format.GITHUB: "keyless.render.iac:iac_github",
    },
    "trust-file": {
        Format.TEXT: "keyless.render.iac:trust_file_text",
        Format.JSON: "keyless.render.iac:trust_file_json",
    },
    "trust": {
        Format.TEXT: "keyless.render.trust:trust_text_renderer",
        Format.JSON: "keyless.render.trust:trust_json_renderer",
    },
    "simulate": {
        Format.TEXT: "keyless.render.simulate:simulate_text",
        Format.JSON: "keyless.render.simulate:simulate_json",
    },
    "diff": {
        Format.TEXT: "keyless.render.diff:diff_text",
        Format.JSON: "keyless.render.diff:diff_json",
        Format.MARKDOWN: "keyless.render.diff:diff_markdown",
    },
    "history": {
        Format.TEXT: "keyless.render.history:history_text",
        Format.JSON: "keyless.render.history:history_json",
        Format.HTML: "keyless.render.history:history_html",
    },
    "plan": {
        Format.TEXT: "keyless.render.plan:plan_text",
        Format.JSON: "keyless.render.plan:plan_json",
        Format.MARKDOWN: "keyless.render.plan:plan_markdown",
        Format.HTML: "keyless.render.plan_html:plan_html",
    },
    "retire": {
        Format.TEXT: "keyless.render.retire:report_text",
        Format.JSON: "keyless.render.retire:report_json",
    },
    "retire-status": {
        Format.TEXT: "keyless.render.retire:status_text",
        Format.JSON: "keyless.render.retire:status_json",
    },
    "retire-demo": {Format.TEXT: "keyless.render.retire:demo_text"},
}


# document kind -> format -> "module:function" for the documents that can be written piece
# by piece; a function takes (value, options) -> an iterator of UTF-8 pieces whose join is
# the text its _RENDERERS twin gives.
_CHUNKED: dict[str, dict[Format, str]] = {
    "scan": {
        Format.JSON: "keyless.render.jsonout:scan_chunks",
        Format.SARIF: "keyless.render.sarif:sarif_chunks",
    },
}


def document_kind(value: object) -> str:
    """Which document ``value`` renders as (``scan``, ``workflows-scan``, ``iac``,
    ``trust``...)."""
    # Each document's module is imported only when the value is not of an earlier kind:
    # a scan loads neither the workflows, the planner nor the history store to render.
    from keyless.engine import ScanResult, TrustAssessment

    if isinstance(value, ScanResult):
        return value.command
    if isinstance(value, TrustAssessment):
        return "trust"
    from keyless.plan.model import Plan
    from keyless.policy.evaluate import Decision
    from keyless.store.diff import Diff
    from keyless.store.history import History
    from keyless.workflows.model import FixResult

    if isinstance(value, Decision):
        return "simulate"
    if isinstance(value, FixResult):
        return "workflows-fix"
    if isinstance(value, Diff):
        return "diff"
    if isinstance(value, History):
        return "history"
    from keyless.iac.trust import FileTrust  # loads the IaC readers only when needed

    if isinstance(value, FileTrust):
        return "trust-file"
    if isinstance(value, Plan):
        return "plan"
    from keyless.retire.demo import DemoWalk
    from keyless.retire.model import Report
    from keyless.retire.status import StatusReport

    if isinstance(value, Report):
        return "retire"
    if isinstance(value, StatusReport):
        return "retire-status"
    if isinstance(value, DemoWalk):
        return "retire-demo"
    raise TypeError(f"nothing renders a {type(value).__name__}")


def formats(kind: str) -> tuple[Format, ...]:
    """The formats a document kind has, for a command's ``--format`` choices."""
    return tuple(_RENDERERS[kind])


def render(value: object, fmt: Format, options: RenderOptions | None = None) -> str:
    """``value`` as ``fmt``. A format the document does not have is an input error."""
    kind = document_kind(value)
    target = _RENDERERS[kind].get(Format(fmt))
    if target is None:
        known = ", ".join(_RENDERERS[kind])
        raise InputError(f"{kind} output has no {fmt} format (it has {known})", where="--format")
    module_name, name = target.split(":")
    renderer: Callable[[Any, RenderOptions], str] = getattr(
        importlib.import_module(module_name), name
    )
    return renderer(value, options or RenderOptions())


def render_chunks(
    value: object, fmt: Format, options: RenderOptions | None = None
) -> Iterator[bytes]:
    """``value`` as ``fmt``, in UTF-8 pieces: what :func:`render` gives, encoded. A scan's
    JSON and SARIF documents are made as they are written, their findings serialised one
    at a time (so an organization's findings are never all held as text); other documents
    come whole, in one piece, rendered before this returns."""
    kind = document_kind(value)
    target = _CHUNKED.get(kind, {}).get(Format(fmt))
    if target is None:
        return iter((render(value, fmt, options).encode(),))
    module_name, name = target.split(":")
    renderer: Callable[[Any, RenderOptions], Iterator[bytes]] = getattr(
        importlib.import_module(module_name), name
    )
    return renderer(value, options or RenderOptions())


def console_text(
    draw: Callable[[Console], None], options: RenderOptions, *, soft_wrap: bool = False
) -> str:
    """What ``draw`` prints on a rich console, captured as text (with colour codes only
    when ``options.color``)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        soft_wrap=soft_wrap,
    )
    draw(console)
    return buffer.getvalue()
