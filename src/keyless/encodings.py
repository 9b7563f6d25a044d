"""Text files in the encodings other than UTF-8 that their byte-order mark names.

JSON (RFC 8259 §8.1) and the credential report are UTF-8, but Windows PowerShell 5.1
writes UTF-16 LE, with its mark, for `aws … > file.json`: such a file is read as the same
text in UTF-8, never as malformed bytes. And JSON keyless writes for people to read, with
its invisible characters escaped (:func:`json_invisibles_escaped`)."""

from __future__ import annotations

import re

from keyless.errors import InputError

#: Byte-order marks of the encodings a text file may be in besides UTF-8 (RFC 7159
#: allowed these for JSON). UTF-32 LE is tested before UTF-16 LE: it starts so.
_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def as_utf8(data: bytes, what: str, where: str) -> bytes:
    """``data`` as UTF-8: re-encoded when it opens with the byte-order mark of UTF-16 or
    UTF-32 (the mark dropped), as it is otherwise. Text that does not decode in the
    encoding its mark names is refused, saying so."""
    for mark, encoding in _MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(encoding).encode("utf-8")
            except UnicodeDecodeError as error:  # strict: no lone surrogates come through
                raise InputError(
                    f"{what} starts with the byte-order mark of {encoding.upper()} but is not"
                    f" {encoding.upper()} text (byte {error.start + len(mark)}: {error.reason})",
                    where=where,
                    hint="Save the file as UTF-8.",
                ) from None
    return data


def undecodable_at(data: bytes) -> int | None:
    """The offset of the first byte of ``data`` that is not part of UTF-8 text, or None
    when ``data`` is UTF-8. orjson names such bytes "str is not valid UTF-8: surrogates not
    allowed" at line 1, column 1, wherever they are: readers say where instead."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return None


#: The first bytes of the archives an export file is sometimes left in, and how to say so.
_ARCHIVES = (
    (b"\x1f\x8b", "gzip-compressed (decompress it first: gunzip)"),
    (b"PK\x03\x04", "a zip archive (unzip it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed (decompress it first: unxz)"),
    (b"BZh", "bzip2-compressed (decompress it first: bunzip2)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (decompress it first: unzstd)"),
)


def archive_kind(data: bytes) -> str | None:
    """What archive ``data`` opens like (``gzip-compressed (…)``), or None: a file that is
    not UTF-8 text because it was left compressed is told as such, not as a bad byte."""
    return next((kind for magic, kind in _ARCHIVES if data.startswith(magic)), None)


# DEL, or one UTF-8 encoded character of two to four bytes (the JSON serialisers' output
# is valid UTF-8, so these are whole characters).
_MULTIBYTE = re.compile(
    rb"\x7f|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def json_invisibles_escaped(data: bytes) -> bytes:
    """UTF-8 JSON ``data`` with every character that is not printable (a bidirectional
    override such as U+202E, an isolate, a C1 control, a line or paragraph separator, a
    zero-width or unassigned character) written as its ``\\uXXXX`` escape: the same JSON
    value, but `cat report.json`, `less`, a code review of a committed SARIF file or
    `jq .` (which writes strings back with such characters raw) no longer reorders or
    hides text around it. orjson escapes only the ASCII controls but DEL, `"` and `\\`. Outside
    strings a JSON document holds ASCII alone, so every such character is inside a
    string, where an escape is equivalent (RFC 8259 §7)."""
    if data.isascii() and b"\x7f" not in data:
        return data
    return _MULTIBYTE.sub(_escaped, data)


def _escaped(match: re.Match[bytes]) -> bytes:
    char = match.group().decode("utf-8")
    if char.isprintable():
        return match.group()
    code = ord(char)
    if code <= 0xFFFF:
        return b"\\u%04x" % code
    code -= 0x10000
    return b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
