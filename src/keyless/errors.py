"""Errors a user can cause. The CLI prints them once, without a traceback, and exits 2."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: How much of a value a message quotes: a 100 KB argument must not become a 100 KB error.
QUOTED_CHARACTERS = 200


def quoted(value: object, limit: int = QUOTED_CHARACTERS) -> str:
    """``value`` as a message quotes it: ``repr`` (a line break or an escape sequence is
    shown as text, on one line), cut at ``limit`` characters with an ellipsis. A value
    that is not a string (a number, a list from a JSON file) is its ``repr``, cut."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "…")
    shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


# A URL's user information (`https://user:token@github.com/acme/app`, or `user:token@…`
# without a scheme): a token pasted with a repository, never echoed in a message.
# (A scheme is tried only where one can start: each position of a long run of letters
# scanning the rest of it was quadratic, minutes for a 100 KB value.)
_URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@|\A[^/@:]*:[^/@]*@"
)


def quoted_hiding_credentials(text: str) -> str:
    """``text`` as :func:`quoted` shows it, a URL's user information (a token) replaced by
    ``…``: ``'https://…@github.com/acme/app'``."""
    return quoted(hiding_credentials(text))


def hiding_credentials(text: str) -> str:
    """``text`` with every URL's user information (a token, ``user:password``) replaced by
    ``…``, not quoted: for text a message already frames."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group(1) or ''}…@", text)


#: How much of a JSON pointer a message shows: its keys are the document's, and a key of
#: 30,000 characters makes a pointer as long.
SHOWN_POINTER = 300


def shown_pointer(pointer: str, limit: int = SHOWN_POINTER) -> str:
    """``pointer`` as a message shows it: whole up to ``limit`` characters, else its start
    and an ellipsis (the message after it still says what is wrong)."""
    return pointer if len(pointer) <= limit else pointer[:limit] + "…"


def quoted_list(values: Iterable[str], most: int = 5) -> str:
    """``values`` as a message lists them: sorted, each :func:`quoted`, the first ``most``
    only (``'a', 'b' and 3 more``): a file or an option may hold thousands."""
    ordered = sorted(values)
    shown = ", ".join(quoted(value) for value in ordered[:most])
    return shown + (f" and {len(ordered) - most:,} more" if len(ordered) > most else "")


class NotDecided(Exception):
    """A check could not decide a question about its subject within keyless's bounds (a
    trust policy crafted to make an exact answer astronomical): the subject is recorded as
    not evaluated by that check, never as clean, and the scan goes on."""


class KeylessError(Exception):
    """An error the user can fix: a bad file, a malformed policy, an unreachable account.

    ``where`` names the file, JSON pointer or account; ``hint`` says what to do.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def describe(self) -> str:
        """One paragraph for a person: where, what, and what to do."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n{self.hint}"
        return text


class InputError(KeylessError):
    """A file or directory given to keyless cannot be used as it is."""


class ConfigError(KeylessError):
    """``keyless.toml`` (or ``--config``) is invalid."""


class PolicyError(KeylessError):
    """A policy document is invalid; ``where`` is a JSON pointer into it."""

    def __init__(
        self, message: str, *, pointer: str = "", source: str | None = None, hint: str | None = None
    ):
        where = f"{source}#{pointer}" if source else (pointer or "/")
        super().__init__(message, where=where, hint=hint)
        self.pointer = pointer
        self.source = source


class CollectionError(KeylessError):
    """Collecting from AWS failed as a whole (no credentials, unreachable endpoint)."""


class AwsUnavailable(CollectionError):
    """AWS could not be reached (refused, timed out, closed, TLS), or answered the first
    call with an error of its own (throttled, unavailable): nothing of the account was
    read. Exit code 3, as for any estate not read whole; not 2, since nothing the user
    typed is wrong, and never 0."""

    exit_code = 3
