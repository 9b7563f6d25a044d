"""`keyless history` output: sparklines, and the text, JSON and HTML of 100 scans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from keyless.render import Format, RenderOptions, render
from keyless.render.history import SPARK_WIDTH, sparkline
from keyless.store import History, open_store
from tests.store.support import record


def test_a_sparkline_goes_from_lowest_to_highest() -> None:
    assert sparkline([0, 7]) == "▁█"
    assert sparkline([5, 5, 5]) == "▁▁▁"


def test_an_unknown_value_is_a_gap() -> None:
    assert sparkline([1, None, 3]) == "▁ █"


def test_a_long_series_is_sampled_with_its_ends() -> None:
    line = sparkline(list(range(100)))
    assert len(line) == SPARK_WIDTH
    assert (line[0], line[-1]) == ("▁", "█")


@pytest.fixture(scope="module")
def hundred(tmp_path_factory: pytest.TempPathFactory) -> History:
    """100 weekly scans, the CI account losing a user every other week."""
    store = tmp_path_factory.mktemp("history") / "h.db"
    with open_store(store, create=True) as opened:
        for week in range(100):
            opened.record(record(users=60 - week // 2, days_later=7 * week))
        return opened.history()


def test_one_hundred_scans_in_text(hundred: History) -> None:
    text = render(hundred, Format.TEXT, RenderOptions(width=160))
    assert "100 scans" in text
    assert "The last 30 scans" in text
    assert "60 → 11" in text  # the CI account: 60 users, then 11


def test_one_hundred_scans_in_json(hundred: History) -> None:
    document = json.loads(render(hundred, Format.JSON))
    assert len(document["scans"]) == 100
    assert [s["total"]["users"] for s in document["scans"]][:3] == [61, 61, 60]


def test_one_hundred_scans_chart_every_point(hundred: History) -> None:
    html = render(hundred, Format.HTML)
    overall = html[html.index('id="chart-overall"') : html.index("</figure>")]
    lines = re.findall(r'<polyline class="series [^"]+" points="([^"]+)"', overall)
    assert len(lines) == 7  # four severities, active keys, users, suppressed
    assert [len(points.split(" ")) for points in lines] == [100] * 7
    assert html.count('class="account-chart"') == 2


def test_an_empty_store_says_so(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.db", create=True) as opened:
        empty = opened.history()
    assert "No scans recorded yet" in render(empty, Format.TEXT)
    assert "No scans recorded yet" in render(empty, Format.HTML)
