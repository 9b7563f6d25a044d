"""Text files in the encodings other than UTF-8 that their byte-order mark names.

JSON (RFC 8259 §8.1) and the credential report are UTF-8, but Windows PowerShell 5.1
writes UTF-16 LE, with its mark, for `aws … > file.json`: such a file is read as the same
text in UTF-8, never as malformed bytes."""

from __future__ import annotations

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
