"""AWS's answers read whole or not at all: every page of an IAM listing, so that a part
is never taken for the whole (a listing that cannot be followed is a failed call,
recorded, its sources failed: exit code 3).

IAM pages with ``IsTruncated`` and ``Marker``
(https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html, "Pagination"). A page
that says ``IsTruncated: true`` but gives no ``Marker`` (a proxy or an emulator that
dropped it) ends botocore's paginator as if it were the last page: the rest of the listing
was silently missing and the account looked complete.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from keyless.collect.formats.auth_details import DetailsError


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
