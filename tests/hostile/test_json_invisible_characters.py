"""JSON output carried bidirectional overrides raw: orjson escapes only the ASCII
controls, so a workflow file named ``de\\u202eploy.yml`` (or a policy, a message quoting
one) put a raw U+202E into ``keyless workflows scan --format json`` and every other
document of :mod:`keyless.render.jsonout` and plans: `cat`, `less`, a code review of a
committed report or `jq .` then showed text reordered. Every character that is not
printable (bidi controls and isolates, C1 controls, line and paragraph separators,
zero-width and unassigned characters) is now written as its ``\\uXXXX`` escape: the same
JSON value, nothing invisible on screen. Text, Markdown, SARIF and HTML already escape or
neutralise them (``tests/hostile/test_terminal_escapes.py``,
``test_sarif_invisible_characters.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from keyless.cli import cli
from keyless.plan.document import dumps as plan_dumps
from keyless.render.jsonout import Streamed, dump_chunks, dumps
from tests.workflows.builders import GITHUB_CONFIGURE_KEYS


def _invisible(data: bytes) -> list[str]:
    """The characters of ``data`` (UTF-8) that are not printable, line breaks aside."""
    return [char for char in data.decode("utf-8") if not char.isprintable() and char != "\n"]


def test_a_workflow_file_name_with_an_override_is_escaped_in_json(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "de\u202eploy.yml").write_text(GITHUB_CONFIGURE_KEYS)
    result = CliRunner().invoke(cli, ["workflows", "scan", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert _invisible(result.stdout_bytes) == []
    assert b"de\\u202eploy.yml" in result.stdout_bytes
    # The value is unchanged: a JSON reader gets the file's name back.
    document = json.loads(result.stdout)
    assert any(finding["file"].endswith("de\u202eploy.yml") for finding in document["findings"])


TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(TEXT, VALUES, max_size=5))
def test_every_document_is_written_visible_and_reads_back_the_same(
    document: dict[str, object],
) -> None:
    for written in (dumps(document), plan_dumps(document)):
        assert _invisible(written) == []
        assert json.loads(written) == document


@given(st.dictionaries(TEXT, VALUES, max_size=3), st.lists(VALUES, max_size=5))
def test_streamed_documents_are_the_same_bytes(
    document: dict[str, object], items: list[object]
) -> None:
    whole = dumps({**document, "items": items})
    assert b"".join(dump_chunks({**document, "items": Streamed(iter(items))})) == whole
