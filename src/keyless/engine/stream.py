"""The account-by-account scan: an organization checked one account at a time, so that
peak memory is set by the largest account plus the findings, not by the organization.

The split (see docs/organizations.md, "Scanning account by account"):

* **Per account** - every check of scope ``user``, ``role`` and ``account`` runs while the
  account is loaded, with a fresh cache of parsed identity policies. The estate such a
  check sees (``CheckContext.inventory``) is the *outline*: the organization and every
  account's ID (the trust checks ask only which accounts belong to the organization).
* **What crosses** - each account is then kept as its outline (:func:`outline`): its
  metadata, data-set states, failed calls and users (what the organization checks and
  the reports read: people's names, emails, console passwords, keys), without its roles,
  groups, managed policies, providers and Roles Anywhere objects, which are the bulk of a
  large account. Findings are kept as they are found.
* **Organization-wide** - the checks of scope ``organization``
  (``user-duplicated-across-accounts``, ``org-identity-center-missing``) run once at the
  end over the outlined accounts. A new organization check that needs more than users
  and account metadata must add it to :func:`outline`.

:func:`keyless.engine.run_checks` stays the way to check an Inventory held whole (tests,
``keyless plan``): both give the same findings for the same estate.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterable
from datetime import UTC, datetime

from keyless.checks._policies import ParsedPolicies
from keyless.checks.registry import Check, Scope, all_checks
from keyless.config import Config
from keyless.engine.groups import Schedule, Tally, judge, replay, schedule
from keyless.engine.result import ScanResult
from keyless.engine.run import _result
from keyless.idp.subject_grammar import forget_filled
from keyless.model import Account, Inventory
from keyless.patterns import forget_memoised

#: The scopes checked while an account is loaded, in the order run_checks runs them.
PER_ACCOUNT = tuple(s for s in Scope if s not in (Scope.ORGANIZATION, Scope.WORKFLOW))

#: With workers, small accounts are held (loaded, scheduled, not yet judged) until their
#: prepared groups are this many, so that starting the workers pays; ...
BATCH_GROUPS = 1_000
#: ... or until they hold this many roles, so that memory stays about a large account's.
BATCH_ROLES = 5_000


def outline(account: Account) -> Account:
    """What is kept of ``account`` once its own checks ran: everything but its roles,
    groups, managed policies, identity providers and Roles Anywhere objects."""
    return dataclasses.replace(
        account,
        roles=(),
        groups=(),
        policies=(),
        oidc_providers=(),
        saml_providers=(),
        trust_anchors=(),
        rolesanywhere_profiles=(),
    )


def run_checks_by_account(
    estate: Inventory,
    accounts: Iterable[Account],
    config: Config | None = None,
    *,
    now: datetime | None = None,
    now_basis: str = "clock",
    checks: Iterable[Check] | None = None,
    workers: int = 1,
) -> ScanResult:
    """Run ``checks`` (default: every estate check) over ``accounts``, one at a time.

    ``estate`` is the organization and every account at least by ID (its accounts are
    what checks see as the estate while an account is checked); ``accounts`` yields each
    account whole, in order, and may load it only when asked (a generator over files).
    The result's inventory holds the :func:`outline` of each account.

    With ``workers`` above 1, the trust analyses of a large account, or of a few small
    ones held together (:data:`BATCH_GROUPS`, :data:`BATCH_ROLES`), are judged in that
    many processes; the result is the same.
    """
    config = config or Config()
    if now is None:
        now, now_basis = datetime.now(UTC), "clock"
    selected = [c for c in (all_checks() if checks is None else checks) if c.function is not None]
    tally = {c.id: Tally() for c in selected}
    scopes = [(s, [c for c in selected if c.scope is s]) for s in PER_ACCOUNT]
    kept: list[Account] = []
    held: list[tuple[Account, list[Schedule]]] = []

    def check_held() -> None:
        work = [group for _, plans in held for plan in plans for group in plan.groups]
        # The trust analyses memoise automata (half a million small objects for a messy
        # account) that are dropped below, and make few reference cycles (about 2,000
        # objects there): with the cyclic GC on between groups, its first collection walked
        # all of them (a third of a second), then again in the older generations. Paused
        # until they are dropped, it walks only what the checks keep. (Forked workers
        # inherit the pause, and exit after their batch.)
        paused = gc.isenabled()
        gc.disable()
        try:
            judged = judge(work, estate, workers)
            for account, plans in held:
                for plan in plans:
                    replay(plan, estate, tally, judged)
                kept.append(outline(account))
            held.clear()
            forget_memoised()  # the next accounts have policies of their own
            forget_filled()
        finally:
            if paused:
                gc.enable()

    for account in accounts:
        policies = ParsedPolicies()  # documents are per account: nothing to share later
        plans = [
            schedule(scope, of_scope, estate, config, now, policies, (account,))
            for scope, of_scope in scopes
            if of_scope
        ]
        held.append((account, plans))
        groups = sum(len(plan.prepared) for _, plans in held for plan in plans)
        roles = sum(len(a.roles) for a, _ in held)
        if workers < 2 or groups >= BATCH_GROUPS or roles >= BATCH_ROLES:
            check_held()
        del account, policies, plans
    check_held()
    inventory = dataclasses.replace(estate, accounts=tuple(kept))
    of_organization = [c for c in selected if c.scope is Scope.ORGANIZATION]
    if of_organization:
        plan = schedule(
            Scope.ORGANIZATION, of_organization, inventory, config, now, ParsedPolicies()
        )
        replay(plan, inventory, tally)
    return _result(selected, tally, inventory, config, now, now_basis)
