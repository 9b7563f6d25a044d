"""JSON and SARIF written piece by piece are the documents written whole, byte for byte,
whatever the strings in them: quotes, backslashes, NULs, the placeholder's own shape,
escapes spelled out as text, line separators and characters outside the BMP."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keyless.cli.output import emit_chunks
from keyless.config import Config, Ignore
from keyless.engine import ScanResult, run_checks
from keyless.render import Format, RenderOptions, render, render_chunks
from keyless.render.jsonout import CHUNK_BYTES, Streamed, dump_chunks, dumps, scan_document
from keyless.render.sarif import sarif_text
from tests.builders import NOW, make_account, make_inventory, make_key, make_user

HOSTILE = (
    'quote " and \\ backslash',
    "nul \x00 inside",
    "\x00" + "0" * 32 + ":0",  # a placeholder's shape, with a token no one was given
    '"\\u0000' + "f" * 32 + ':0"',  # the placeholder as the skeleton spells it, as text
    "\\u0000 spelled out, \\n too",
    "line\nbreak\r\tand\u2028separator\u2029",
    "unicode: é 漢字 \U0001f511 \u202eevil\u202c",
    ']}, {"forged": true}, [{',
)


def document(streamed: bool, items: list[Any]) -> dict[str, Any]:
    """A document with an array at the top, one deep inside, and an empty one."""

    def array(values: list[Any]) -> list[Any] | Streamed:
        return Streamed(iter(values)) if streamed else values

    return {
        "schema": "test/v1",
        HOSTILE[0]: HOSTILE[3],
        "findings": array(items),
        "runs": [{"tool": {"name": HOSTILE[2]}, "results": array(items[::-1]), "kind": 1}],
        "empty": array([]),
        "after": list(HOSTILE),
    }


def hostile_items(count: int) -> list[Any]:
    return [
        {
            "n": n,
            "text": HOSTILE[n % len(HOSTILE)],
            "nested": {"list": [HOSTILE[(n + 1) % len(HOSTILE)], None, 1.5], "empty": {}},
            "scalars": [],
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 2, 300])
def test_dump_chunks_is_dumps_byte_for_byte(count: int) -> None:
    items = hostile_items(count)
    chunks = list(dump_chunks(document(True, items)))
    whole = dumps(document(False, items))
    assert b"".join(chunks) == whole


def test_a_string_that_guessed_the_token_is_refused_not_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Were the token known in advance (here: forced to the zeros of HOSTILE[2]), a
    string could pass for a placeholder: the count of placeholders catches it."""
    monkeypatch.setattr(secrets, "token_hex", lambda _: "0" * 32)
    with pytest.raises(RuntimeError, match="placeholder"):
        list(dump_chunks(document(True, hostile_items(3))))


def test_dump_chunks_yields_pieces_as_it_goes() -> None:
    items = hostile_items(2_000)
    assert sum(len(dumps(i)) for i in items) > 4 * CHUNK_BYTES
    chunks = list(dump_chunks({"findings": Streamed(iter(items))}))
    assert len(chunks) > 4
    assert max(len(c) for c in chunks) < 2 * CHUNK_BYTES


def test_dump_chunks_reads_a_streamed_array_only_while_writing() -> None:
    read: list[int] = []

    def items() -> Iterator[int]:
        for n in range(3):
            read.append(n)
            yield n

    chunks = dump_chunks({"a": Streamed(items())})
    assert read == []
    assert b"".join(chunks) == dumps({"a": [0, 1, 2]})
    assert read == [0, 1, 2]


def hostile_scan(users: int = 300) -> ScanResult:
    """An estate whose user names carry every hostile string, with enough findings for
    several blocks and pieces, and an ignore so that suppressed findings are reported."""
    names = [f"{HOSTILE[n % len(HOSTILE)]}-{n}" for n in range(users)]
    account = make_account(
        users=[
            make_user(name, keys=[make_key(age_days=400 + n)], console=True)
            for n, name in enumerate(names)
        ],
        alias=HOSTILE[1],
    )
    ignore = Ignore("key-not-rotated", reason=HOSTILE[5], resource="*-1?", source=HOSTILE[0])
    return run_checks(make_inventory(account), Config(ignores=(ignore,)), now=NOW)


def test_a_scan_streamed_is_the_scan_document_byte_for_byte() -> None:
    result = hostile_scan()
    assert len(result.findings) > 600
    assert result.suppressed
    streamed = b"".join(render_chunks(result, Format.JSON))
    assert streamed == dumps(scan_document(result))
    assert streamed.decode() == render(result, Format.JSON)


def test_a_scan_streamed_as_sarif_is_the_sarif_log_byte_for_byte() -> None:
    result = hostile_scan()
    streamed = b"".join(render_chunks(result, Format.SARIF))
    assert streamed.decode() == sarif_text(result, RenderOptions())


@pytest.mark.parametrize("fmt", [Format.TEXT, Format.MARKDOWN, Format.HTML])
def test_other_formats_come_whole_in_one_piece(fmt: Format) -> None:
    result = hostile_scan(users=20)
    (piece,) = render_chunks(result, fmt)
    assert piece == render(result, fmt).encode()


def test_emit_chunks_writes_the_file_whole(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    emit_chunks(iter([b'{"a": ', "\u00e9".encode(), b"}\n"]), report)
    assert report.read_text() == '{"a": \u00e9}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_emit_chunks_interrupted_leaves_the_old_file_and_nothing_else(
    tmp_path: Path, stop: type[BaseException]
) -> None:
    report = tmp_path / "report.json"
    report.write_text("the previous report\n")

    def chunks() -> Iterator[bytes]:
        yield b"x" * CHUNK_BYTES
        raise stop

    with pytest.raises(stop):
        emit_chunks(chunks(), report)
    assert report.read_text() == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_emit_chunks_to_standard_output_decodes_across_pieces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = "caf\u00e9 \U0001f511\n"
    data = text.encode()
    emit_chunks(iter([data[:4], data[4:9], data[9:]]))  # split inside characters
    assert capsys.readouterr().out == text
