"""The headless Chromium the browser tests share (one process per test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.render.browser import Browser, find_chromium

CHROMIUM = find_chromium()
# Browser tests are marked with this: slow, and skipped with the reason where there is
# no Chromium.
NEEDS_CHROMIUM = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium: `apt-get install chromium` (make test installs it when run as root)",
    ),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    assert CHROMIUM is not None
    chromium = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()
