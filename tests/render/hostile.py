"""An estate whose names are attacks on the report formats: markup, script, a closing
``</script>``, Markdown links and table pipes, a mention. Collectors accept such names from
exports and snapshots, so every renderer must show them as text."""

from __future__ import annotations

from keyless.engine import ScanResult, run_checks
from keyless.model import Inventory, User
from keyless.plan.model import Plan
from tests.builders import NOW, make_account, make_inventory, make_key, make_user

HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>",
    "</script><script>window.pwned=1</script>",
    "x|y`z[a](javascript:alert(3))",
    "@security-team",
    "*bold* _em_ ~~gone~~ $x$ &amp; <b>b</b>",
)
HOSTILE_ALIAS = "</title><svg onload=alert(4)>"
# A CI user (its key used, under /ci/) named as markup: its plan is an OIDC role that
# needs a person, so the name reaches the open questions and their advice too.
HOSTILE_CI_USER = "ci-<script>window.pwned=5</script>"
HOSTILE_PATH = "/ci/</script><img src=x onerror=alert(6)>/"


def hostile_estate(*extra: User) -> Inventory:
    """One account (with a hostile alias) whose users, one per hostile name, each hold a
    400-day-old key: every name reaches findings, tables and charts."""
    users = [
        make_user(name, keys=[make_key(age_days=400 + n)], console=True)
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    return make_inventory(make_account(users=[*users, *extra], alias=HOSTILE_ALIAS))


def hostile_scan() -> ScanResult:
    return run_checks(hostile_estate(), now=NOW)


def hostile_plan() -> Plan:
    """The hostile estate planned, with a CI user whose name and path are markup (the
    path closes a ``</script>``); a person must name its repositories."""
    from tests.plan.support import plan_of

    ci = make_user(
        HOSTILE_CI_USER,
        path=HOSTILE_PATH,
        keys=[make_key(age_days=30, last_used_days=1)],
    )
    return plan_of(hostile_estate(ci))
