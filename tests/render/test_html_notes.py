"""The scan report's notes (what the collectors or readers left out on purpose) are not
things that could not be read: they have their own section, and a scan whose only
entries are notes still says everything was read."""

from __future__ import annotations

from dataclasses import replace

from keyless.engine import run_checks
from keyless.render import Format, RenderOptions, render
from tests.builders import NOW, make_account, make_inventory

NOTE = "123456789012: a credential report row of <b>gone</b>, a user the details lack"


def _sections(html: str) -> dict[str, str]:
    """Each top-level section's HTML by its id."""
    found: dict[str, str] = {}
    for chunk in html.split('<section id="')[1:]:
        name, _, rest = chunk.partition('"')
        found[name] = rest.split("</section>")[0]
    return found


def test_notes_alone_leave_everything_read() -> None:
    result = replace(run_checks(make_inventory(make_account()), now=NOW), notes=(NOTE,))
    sections = _sections(render(result, Format.HTML, RenderOptions()))
    assert "Everything was read" in sections["unread"]
    assert "gone" not in sections["unread"]
    assert "a credential report row of &lt;b&gt;gone&lt;/b&gt;" in sections["notes"]


def test_without_notes_there_is_no_notes_section() -> None:
    result = run_checks(make_inventory(make_account()), now=NOW)
    assert "notes" not in _sections(render(result, Format.HTML, RenderOptions()))
