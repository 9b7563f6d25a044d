"""AWS's answers read whole or not at all: every page of an IAM listing, and each answer
converted inside the call that fetched it, so that an answer keyless cannot read is a
failed call (recorded, its sources failed: exit code 3), never a traceback and never a
part taken for the whole.

IAM pages with ``IsTruncated`` and ``Marker``
(https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html, "Pagination"). A page
that says ``IsTruncated: true`` but gives no ``Marker`` (a proxy or an emulator that
dropped it) ends botocore's paginator as if it were the last page: the rest of the listing
was silently missing and the account looked complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from keyless.collect.formats.auth_details import DetailsError

T = TypeVar("T")


def iam_pages(client: Any, operation: str, **arguments: Any) -> Iterator[Mapping[str, Any]]:
    """Every page of the IAM listing ``operation``; :class:`DetailsError` for a page
    that says more follow without saying where."""
    for index, page in enumerate(client.get_paginator(operation).paginate(**arguments)):
        yield page
        if page.get("IsTruncated") is True and not page.get("Marker"):
            raise DetailsError(
                f"page {index + 1} says IsTruncated but gives no Marker, so the pages after"
                " it cannot be asked for",
                f"/{index}/IsTruncated" if index else "/IsTruncated",
            )


def converted(convert: Callable[[], T], pointer: str = "") -> T:
    """``convert()``, its ``ValueError`` (an answer of the wrong shape) as a
    :class:`DetailsError` at ``pointer`` (the collector records it as a failed call)."""
    try:
        return convert()
    except DetailsError:
        raise
    except ValueError as error:
        index = getattr(error, "index", None)
        raise DetailsError(str(error), pointer if index is None else f"{pointer}/{index}") from None
