"""An argument or file name holding bytes that are not UTF-8 (``$'\\xff'`` in a shell):
Python reads each such byte as a lone surrogate (PEP 383), which messages showed as
``\\udcff``. Every message shows the byte as the user typed it, ``\\xff``: an error's
place and text (also where the message quotes the value with repr()), a "wrote" line,
and the renderers' escaped text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keyless.cli import cli
from keyless.render.untrusted import printable

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="only Linux file systems take names that are not UTF-8"
)


def keyless(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def undecodable(directory: Path, name: bytes) -> str:
    """``directory/name`` as Python reads it from argv or the file system."""
    return os.fsdecode(os.fsencode(directory) + b"/" + name)


def test_a_missing_input_is_named_with_its_bytes(tmp_path: Path) -> None:
    result = keyless("scan", "--input", undecodable(tmp_path, b"\xff\xfe"))

    assert result.exit_code == 2, result.output
    assert "\\xff\\xfe: --input does not exist" in result.stderr
    assert "\\udc" not in result.stderr


def test_a_value_quoted_in_the_message_is_shown_with_its_bytes(tmp_path: Path) -> None:
    result = keyless("plan", "--input", str(tmp_path), "--link", os.fsdecode(b"ci\xff=a/b"))

    assert result.exit_code == 2, result.output
    assert "'ci\\xff'" in result.stderr
    assert "\\udc" not in result.stderr


def test_a_typed_backslash_u_is_shown_as_typed(tmp_path: Path) -> None:
    result = keyless("plan", "--input", str(tmp_path), "--link", "ci\\udcff=a/b")

    assert result.exit_code == 2, result.output
    assert "'ci\\\\udcff'" in result.stderr


def test_the_output_folder_is_named_with_its_bytes(demo_plan: Path, tmp_path: Path) -> None:
    out = undecodable(tmp_path, b"out\xff")

    result = keyless("generate", str(demo_plan), "--format", "aws-config", "--out", out)

    assert result.exit_code == 0, result.output
    assert "wrote " + str(tmp_path) + "/out\\xff: " in result.stderr


def test_a_trust_policy_file_not_named_in_utf8_says_so(tmp_path: Path) -> None:
    path = undecodable(tmp_path, b"trust\xff.json")
    Path(path).write_text('{"Version": "2012-10-17", "Statement": []}')

    result = keyless("trust", path)

    assert result.exit_code == 2, result.output
    assert "trust\\xff.json is not UTF-8" in result.stderr
    assert "control character" not in result.stderr


def test_printable_writes_an_escaped_byte_as_typed() -> None:
    assert printable(os.fsdecode(b"a\xffb\n")) == "a\\xffb\\n"
    assert printable("\ud800") == "\\ud800"  # a surrogate no file name holds
