"""Decoding the credential report CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from keyless.collect.formats.credential_report import COLUMNS, parse_credential_report
from keyless.errors import InputError

HEADER = ",".join(COLUMNS)
ROW = (
    "ci,arn:aws:iam::123456789012:user/ci,2022-01-01T00:00:00+00:00,false,not_supported,N/A,"
    "N/A,false,true,2022-01-02T00:00:00+00:00,2023-01-01T10:00:00+00:00,us-east-1,sts,"
    "false,2022-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A"
)


def test_placeholders_become_none_and_dates_are_aware() -> None:
    report = parse_credential_report(f"{HEADER}\n{ROW}\n".encode())
    row = report.users["arn:aws:iam::123456789012:user/ci"]
    assert row.login_profile is None
    active, inactive = row.access_keys
    assert active.active
    assert active.created == datetime(2022, 1, 2, tzinfo=UTC)
    assert active.last_used == datetime(2023, 1, 1, 10, tzinfo=UTC)
    assert (active.last_used_region, active.last_used_service) == ("us-east-1", "sts")
    assert not inactive.active
    assert inactive.slot == 2
    assert inactive.last_used is None
    assert inactive.last_used_region is None
    assert report.root is None


def test_empty_key_slots_are_not_keys() -> None:
    row = ROW.replace("true,2022-01-02T00:00:00+00:00", "false,N/A").replace(
        "false,2022-02-01T00:00:00+00:00", "false,N/A"
    )
    report = parse_credential_report(f"{HEADER}\n{row}\n")
    assert report.users["arn:aws:iam::123456789012:user/ci"].access_keys == ()


def test_bad_date_names_line_and_column() -> None:
    row = ROW.replace("2023-01-01T10:00:00+00:00", "yesterday")
    with pytest.raises(
        InputError, match=r"line 2, column access_key_1_last_used_date is 'yesterday'"
    ):
        parse_credential_report(f"{HEADER}\n{row}\n", where="r.csv")


def test_short_row_is_rejected() -> None:
    with pytest.raises(InputError, match="line 2 has 2 fields"):
        parse_credential_report(f"{HEADER}\na,b\n")


def test_empty_file_is_rejected() -> None:
    with pytest.raises(InputError, match="empty"):
        parse_credential_report(b"")


def test_reordered_columns_are_rejected() -> None:
    header = ",".join((COLUMNS[1], COLUMNS[0], *COLUMNS[2:]))
    with pytest.raises(InputError, match="not in the documented order"):
        parse_credential_report(header + "\n")
