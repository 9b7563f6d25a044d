"""Take docs/report.png: the demo's HTML report in headless Chromium (`make screenshot`).

python -m tests.render.screenshot [OUTPUT.png]
"""

from __future__ import annotations

import base64
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from keyless.collect.demo.build import demo_inventory
from keyless.engine import run_checks
from keyless.render import Format, RenderOptions, render
from tests.render.browser import Browser, find_chromium

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1280, 1500


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else ROOT / "docs" / "report.png"
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium: apt-get install chromium", file=sys.stderr)
        return 2
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    html = render(run_checks(demo_inventory(now), now=now), Format.HTML, RenderOptions())
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.html"
        report.write_text(html, encoding="utf-8")
        browser = Browser(chromium, Path(work) / "profile")
        try:
            with browser.page() as page:
                page.send(
                    "Emulation.setDeviceMetricsOverride",
                    width=WIDTH,
                    height=HEIGHT,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                page.open(report.as_uri())
                shot = page.send("Page.captureScreenshot", format="png")
                if page.console_errors or len(page.requests) != 1:
                    print(f"the report misbehaved: {page.console_errors} {page.requests}")
                    return 1
        finally:
            browser.close()
    output.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
