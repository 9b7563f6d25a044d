"""Take docs/report.png and docs/plan-report.png: the demo's scan and plan HTML reports
in headless Chromium (`make screenshot`).

python -m tests.render.screenshot [OUTPUT.png]          # the scan report
python -m tests.render.screenshot --plan [OUTPUT.png]   # the plan report
"""

from __future__ import annotations

import base64
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from keyless.collect.demo.build import demo_inventory
from keyless.engine import run_checks
from keyless.model import Inventory
from keyless.plan.build import PlanInputs, make_plan
from keyless.render import Format, RenderOptions, render
from keyless.store import History, open_store, record_of_result
from tests.builders import ADMIN_POLICY_ARN, make_key, make_user
from tests.render.browser import Browser, find_chromium

WEEKS = 8


def weekly_history(demo: Inventory, now: datetime, store: Path) -> History:
    """The recorded scans of the weeks before ``now`` (see the module's docstring)."""
    prod = next(a for a in demo.accounts if a.alias == "acme-prod")
    with open_store(store, create=True) as opened:
        for week in range(WEEKS):
            when = now - timedelta(weeks=WEEKS - 1 - week)
            legacy = tuple(
                make_user(
                    f"legacy-ci-{n}",
                    account_id=prod.id,
                    path="/ci/",
                    keys=[make_key(age_days=400 + 60 * n, last_used_days=200, now=when)],
                    attached=[ADMIN_POLICY_ARN] if n == 0 else [],
                    now=when,
                )
                for n in range(WEEKS - 1 - week)
            )
            accounts = tuple(
                replace(a, users=a.users + legacy) if a.id == prod.id else a for a in demo.accounts
            )
            inventory = replace(demo, accounts=accounts, collected_at=when)
            opened.record(record_of_result(run_checks(inventory, now=when)))
        return opened.history()


ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1280, 1500
NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def scan_report(work: Path) -> str:
    """The demo's scan report, with eight weeks of recorded history for its burn-down."""
    demo = demo_inventory(NOW)
    history = weekly_history(demo, NOW, work / "history.sqlite3")
    return render(run_checks(demo, now=NOW), Format.HTML, RenderOptions(history=history))


def plan_report(work: Path) -> str:
    """The demo's plan report (what `keyless plan --demo --format html` shows)."""
    plan = make_plan(demo_inventory(NOW), PlanInputs(as_of=NOW))
    return render(replace(plan, generated_at=NOW), Format.HTML, RenderOptions())


REPORTS = {"scan": (scan_report, "report.png"), "plan": (plan_report, "plan-report.png")}


def main(argv: list[str]) -> int:
    """``[--plan] [OUTPUT.png]``: the scan report (or the plan's) as a PNG."""
    kind = "plan" if argv[:1] == ["--plan"] else "scan"
    argv = argv[1:] if kind == "plan" else argv
    build, name = REPORTS[kind]
    output = Path(argv[0]) if argv else ROOT / "docs" / name
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium: apt-get install chromium", file=sys.stderr)
        return 2
    # Chromium's helper processes may still write to the profile as it closes.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as work:
        report = Path(work) / "report.html"
        report.write_text(build(Path(work)), encoding="utf-8")
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
