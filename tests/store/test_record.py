"""The record of a scan result: its findings are made as they are read, so that recording
an organization's scan never holds every finding's record at once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from keyless.findings import Finding
from keyless.store import open_store, record_of_result
from keyless.store.record import FindingRecords
from tests.store.support import estate, scan


class _Counted(Sequence[Finding]):
    """``findings``, counting how many were read."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = findings
        self.read = 0

    def __len__(self) -> int:
        return len(self.findings)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | Sequence[Finding]:
        self.read += 1
        return self.findings[index]

    def __iter__(self) -> Iterator[Finding]:
        for finding in self.findings:
            self.read += 1
            yield finding


def test_finding_records_are_made_as_they_are_read() -> None:
    findings = _Counted(tuple(scan(estate(users=5)).findings))
    records = FindingRecords(findings)
    assert len(records) == len(findings.findings) > 2
    assert findings.read == 0
    first = next(iter(records))
    assert findings.read == 1
    assert (first.check, first.resource) == (
        findings.findings[0].check,
        findings.findings[0].resource,
    )


def test_the_records_equal_the_same_records_held_in_a_tuple() -> None:
    record = record_of_result(scan(estate()))
    assert isinstance(record.findings, FindingRecords)  # not unpacked into a tuple
    held = tuple(record.findings)
    assert record.findings == held
    assert held == record.findings
    assert record.findings != held[:-1]
    assert record.findings[-1] == held[-1]
    assert record.findings[1:] == held[1:]


def test_a_recorded_result_reads_back_with_every_finding(tmp_path: Path) -> None:
    result = scan(estate(users=4))
    with open_store(tmp_path / "h.db", create=True) as store:
        loaded = store.load(store.record(record_of_result(result)))
    assert [(f.check, f.account, f.resource) for f in loaded.findings] == [
        (f.check, f.account, f.resource) for f in result.findings
    ]
    assert len(loaded.findings) > 4
