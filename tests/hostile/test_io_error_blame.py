"""An I/O error is blamed on what failed. ``write_atomic`` called an error raised while the
content was being made (its generator reading an input) a failure to write the output
file; and an I/O error (EIO) that names no file, which a read through an open handle
raises as well as a write to a terminal that hung up, was called "cannot write to standard
output". ``/proc/self/mem`` is a regular file on Linux whose first read fails with EIO."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyless.cli import streams
from keyless.errors import InputError
from keyless.files import write_atomic

FAILING = Path("/proc/self/mem")
needs_failing_file = pytest.mark.skipif(
    not FAILING.is_file(), reason="needs Linux's /proc/self/mem, a file whose read fails"
)


def _reading(path: Path) -> Iterator[bytes]:
    yield b"first chunk\n"
    with path.open("rb") as file:
        yield file.read(1)  # an OSError with no file name (read through the handle)


def _opening(path: Path) -> Iterator[bytes]:
    yield b"first chunk\n"
    yield path.read_bytes()  # an OSError naming the file


@needs_failing_file
def test_a_generator_failing_to_read_is_not_blamed_on_the_output(tmp_path: Path) -> None:
    output = tmp_path / "snapshot.json"
    output.write_text("old")
    with pytest.raises(InputError) as caught:
        write_atomic(output, _reading(FAILING), "the snapshot")
    error = caught.value
    assert error.message == (
        f"an input could not be read while making the snapshot: {os.strerror(errno.EIO)}"
    )
    assert "cannot write" not in error.describe()
    assert error.where is None
    assert error.hint is not None
    assert f"{output} was not written" in error.hint
    assert output.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot.json"]


def test_a_generator_failing_to_open_its_input_names_that_input(tmp_path: Path) -> None:
    missing = tmp_path / "shard.json"
    output = tmp_path / "merged.json"
    with pytest.raises(InputError) as caught:
        write_atomic(output, _opening(missing), "the merged snapshot")
    error = caught.value
    assert error.where == str(missing)
    assert error.message.startswith("cannot read this file while making the merged snapshot: ")
    assert not output.exists()


def test_a_failed_write_still_names_the_output(tmp_path: Path) -> None:
    # The tell-apart is only about the generator: an error of the output stays the output's.
    output = tmp_path / "missing-directory" / "out.json"
    with pytest.raises(InputError) as caught:
        write_atomic(output, iter([b"x"]))
    assert caught.value.where == str(output)


def test_a_nameless_eio_is_not_called_a_write_to_standard_output() -> None:
    failure = OSError(errno.EIO, os.strerror(errno.EIO))
    assert not streams.is_unwritable_stream(failure)
    assert streams.is_nameless_io_failure(failure)


@needs_failing_file
def test_a_real_read_eio_is_said_as_an_io_error(capsys: pytest.CaptureFixture[str]) -> None:
    with FAILING.open("rb") as file, pytest.raises(OSError, match="Input/output") as caught:
        file.read(1)
    error = caught.value
    assert error.filename is None
    assert not streams.is_unwritable_stream(error)
    # Under capsys standard output has no descriptor, so silencing it touches no real one.
    assert streams.end_nameless_io_failure(error) == 2
    said = capsys.readouterr().err
    assert "cannot write to standard output" not in said
    assert said == (
        "keyless: error: an input/output error on standard output or on a file being read"
        f" (a failing disk, device or terminal): {os.strerror(errno.EIO)}\n"
    )


@pytest.mark.parametrize("code", [errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_write_only_failures_are_still_standard_output(code: int) -> None:
    assert streams.is_unwritable_stream(OSError(code, os.strerror(code)))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_write_failure_naming_a_file_is_that_file_s(code: int) -> None:
    assert not streams.is_unwritable_stream(OSError(code, os.strerror(code), "named.json"))
