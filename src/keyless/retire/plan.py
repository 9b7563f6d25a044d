"""``keyless retire --plan``: following a ``keyless/plan/v1`` document.

The plan is read and validated by :mod:`keyless.plan.document` (its reader and its JSON
Schema, the first check of ``keyless plan --check``). ``plan --check``'s other checks
compare the document with the inventory it was made from; retire cannot: the state it
reads is the one its own earlier runs changed (a deactivated key changes the plan's
fingerprint). What retire checks on top is what following the plan needs, all reported at
once (exit 2):

* the plan is recent: its evidence (``source.as_of``) is at most ``--max-plan-age-days``
  old, because a key unused then may be in use now;
* each ``retire`` entry is a user of the plan, in the account its ARN names, whose
  destination is not ``keep`` or ``undecided``, listed once, with valid names and key IDs;
* each entry carries the preconditions its destination requires (a hand-edited plan
  cannot drop the gate of a user that migrates), and a role destination names its role.

The selection is the plan's ``retire`` list; ``--user`` and ``--access-key-id`` only
narrow it (a user or key the plan does not retire is refused, exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from keyless.dates import iso
from keyless.errors import KeylessError, quoted
from keyless.plan.document import Problem, read_plan, schema_problems
from keyless.retire.planned import Planned, PlannedKey, PlanPrecondition
from keyless.retire.selection import (
    ACCESS_KEY_ID,
    KeyRef,
    Selection,
    SelectionError,
    Target,
    UserRef,
    parse_key,
    parse_user,
)

#: How old a plan's evidence may be (``--max-plan-age-days``).
DEFAULT_MAX_PLAN_AGE_DAYS = 30
_HELD = ("keep", "undecided")
_ROLE_DESTINATIONS = ("oidc-role", "roles-anywhere", "workload-role")
_REPLACEMENT_KIND = {
    "identity-center": "target-in-use",
    "oidc-role": "workflows-use-oidc",
    "roles-anywhere": "target-in-use",
    "workload-role": "target-in-use",
}


class PlanProblems(KeylessError):
    """The plan cannot be followed: every problem, each with its JSON pointer (exit 2)."""

    def __init__(self, path: str, problems: Iterable[Problem]):
        found = tuple(problems)
        noun = "problem" if len(found) == 1 else "problems"
        lines = "\n".join(f"{path}#{p.pointer}: {p.message}" for p in found)
        super().__init__(
            f"{len(found)} {noun} in the plan; nothing was done\n{lines}",
            where=path,
            hint="Plan again (`keyless plan … --out plan.json`), or fix the plan and check it "
            "with `keyless plan --check`.",
        )
        self.problems = found


@dataclass(frozen=True, slots=True)
class RetirePlan:
    """A validated plan, as retire follows it."""

    path: str
    fingerprint: str
    as_of: datetime
    retirements: tuple[Planned, ...]
    #: Users the plan keeps or leaves undecided, by (account, name): never selected.
    held: Mapping[tuple[str, str], str]
    #: When the plan's inventory was read (``source.collected_at``), if known.
    collected_at: datetime | None = None

    def select(
        self, users: Iterable[str] = (), keys: Iterable[str] = (), confirmed: Iterable[str] = ()
    ) -> Selection:
        """The plan's retire list, narrowed to ``users`` and ``keys`` when any are given;
        ``confirmed`` users have their person-checked preconditions confirmed."""
        chosen = self._narrowed(users, keys)
        confirmations = self._confirmations(confirmed)
        targets = []
        for planned, key_ids in chosen:
            planned = replace(planned, confirmed=(planned.account, planned.user) in confirmations)
            origin = f"--plan {self.path} {planned.account}:{planned.user}"
            if key_ids is not None:
                origin += " --access-key-id " + ",".join(key_ids)
            targets.append(
                Target(
                    planned.account,
                    planned.user,
                    key_ids,
                    key_ids is None,
                    origin,
                    plan=planned,
                )
            )
        return Selection(tuple(targets))

    def scope_refs(
        self, users: Iterable[str] = (), keys: Iterable[str] = ()
    ) -> tuple[frozenset[UserRef], frozenset[KeyRef]]:
        """The users (and named keys) of the plan that ``status`` and ``rollback`` cover."""
        chosen = self._narrowed(users, keys)
        user_refs = frozenset(UserRef(p.account, p.user) for p, ids in chosen if ids is None)
        key_refs = frozenset(
            KeyRef(p.account, key_id) for p, ids in chosen if ids is not None for key_id in ids
        )
        return user_refs, key_refs

    def record(self, selection: Selection) -> dict[str, Any]:
        """The plan and the confirmations a run follows, as the journal keeps them."""
        return {
            "path": self.path,
            "fingerprint": self.fingerprint,
            "as_of": iso(self.as_of),
            "confirmed": [
                {
                    "account": target.plan.account,
                    "user": target.plan.user,
                    "preconditions": [
                        {"kind": p.kind, "text": p.text} for p in target.plan.to_confirm
                    ],
                }
                for target in selection.targets
                if target.plan is not None and target.plan.confirmed
            ],
        }

    def _narrowed(
        self, users: Iterable[str], keys: Iterable[str]
    ) -> list[tuple[Planned, tuple[str, ...] | None]]:
        user_refs = [(text, parse_user(text)) for text in users]
        key_refs = [(text, parse_key(text)) for text in keys]
        if not user_refs and not key_refs:
            return [(planned, None) for planned in self.retirements]
        chosen: dict[tuple[str, str], tuple[Planned, tuple[str, ...] | None]] = {}
        for text, user_ref in user_refs:
            planned = self._user(text, user_ref)
            chosen[(planned.account, planned.user)] = (planned, None)
        for text, key_ref in key_refs:
            planned = self._key(text, key_ref)
            where = (planned.account, planned.user)
            if where in chosen and chosen[where][1] is None:
                continue  # the whole user is selected already
            earlier = chosen[where][1] or () if where in chosen else ()
            chosen[where] = (planned, (*earlier, key_ref.key_id))
        return [
            chosen[(p.account, p.user)] for p in self.retirements if (p.account, p.user) in chosen
        ]

    def _user(self, text: str, ref: UserRef) -> Planned:
        found = [
            p for p in self.retirements if p.user == ref.name and ref.account in (None, p.account)
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            accounts = ", ".join(p.account for p in found)
            raise SelectionError(
                f"{quoted(text)} is retired in several accounts of the plan ({accounts})",
                where="--user",
                hint="Name the account: ACCOUNT:NAME.",
            )
        held = [
            destination
            for (account, name), destination in self.held.items()
            if name == ref.name and ref.account in (None, account)
        ]
        if held:
            raise SelectionError(
                f"the plan's destination for {quoted(text)} is {held[0]}: it is never retired",
                where="--user",
                hint="Change its destination in the plan (then `keyless plan --check`) to "
                "retire it.",
            )
        raise SelectionError(
            f"{quoted(text)} is not in the plan's retire list ({self.path})",
            where="--user",
            hint="With --plan, --user only narrows the plan; without --plan it selects anyone.",
        )

    def _key(self, text: str, ref: KeyRef) -> Planned:
        for planned in self.retirements:
            if ref.account in (None, planned.account) and any(
                key.key_id == ref.key_id for key in planned.keys
            ):
                return planned
        without_ids = any(key.key_id is None for p in self.retirements for key in p.keys)
        raise SelectionError(
            f"{quoted(text)} is not a key of the plan's retire list ({self.path})",
            where="--access-key-id",
            hint="The plan lists keys without IDs (a credential report has none): narrow it "
            "with --user."
            if without_ids
            else "With --plan, --access-key-id only narrows the plan.",
        )

    def _confirmations(self, confirmed: Iterable[str]) -> frozenset[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for text in confirmed:
            ref = parse_user(text, "--confirmed")
            planned = [
                p
                for p in self.retirements
                if p.user == ref.name and ref.account in (None, p.account)
            ]
            if not planned:
                raise SelectionError(
                    f"{quoted(text)} is not in the plan's retire list: nothing to confirm",
                    where="--confirmed",
                )
            if len(planned) > 1:
                raise SelectionError(
                    f"{quoted(text)} is retired in several accounts of the plan",
                    where="--confirmed",
                    hint="Name the account: ACCOUNT:NAME.",
                )
            if not planned[0].to_confirm:
                raise SelectionError(
                    f"nothing of {quoted(text)} needs a person's confirmation: retire checks its "
                    "preconditions in AWS, and a confirmation never overrides those",
                    where="--confirmed",
                )
            found.add((planned[0].account, planned[0].user))
        return frozenset(found)


def load_plan(
    path: Path,
    *,
    now: datetime | None = None,
    max_age_days: int = DEFAULT_MAX_PLAN_AGE_DAYS,
) -> RetirePlan:
    """The plan at ``path``, validated (see the module doc); with ``now``, refused when its
    evidence is older than ``max_age_days``. :class:`PlanProblems` lists every problem."""
    return plan_from_document(read_plan(path), str(path), now=now, max_age_days=max_age_days)


def plan_from_document(
    document: Any,
    where: str,
    *,
    now: datetime | None = None,
    max_age_days: int = DEFAULT_MAX_PLAN_AGE_DAYS,
) -> RetirePlan:
    """:func:`load_plan` for a document already in memory (``where`` names it)."""
    problems = list(schema_problems(document))
    if problems:
        raise PlanProblems(where, problems)
    as_of = _as_of(document, problems, now, max_age_days)
    users = _listed_once(document["users"], problems)
    roles = {(r["account"], r["user"]): r["name"] for name in _ROLE_LISTS for r in document[name]}
    retirements: list[Planned] = []
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(document["retire"]):
        planned = _planned(entry, f"/retire/{index}", users, roles, as_of, problems)
        if planned is None:
            continue
        # IAM user names are unique per account regardless of case: alice and ALICE (or
        # two paths) name one user, whose retirement would be decided twice.
        identity = (entry["account"], entry["user"].lower())
        if identity in seen:
            problems.append(
                Problem(
                    f"/retire/{index}",
                    f"{entry['arn']} is retired twice (also /retire/{seen[identity]})",
                )
            )
        seen.setdefault(identity, index)
        retirements.append(planned)
    if not document["retire"]:
        problems.append(Problem("/retire", "the plan retires no user"))
    if problems:
        raise PlanProblems(where, sorted(problems, key=lambda p: _order(p.pointer)))
    held = {
        (entry["account"], entry["name"]): entry["destination"]
        for entry in document["users"]
        if entry["destination"] in _HELD
    }
    assert as_of is not None  # a missing as_of is a problem above
    collected = document["source"]["collected_at"]
    return RetirePlan(
        where,
        document["source"]["fingerprint"],
        as_of,
        tuple(retirements),
        held,
        datetime.fromisoformat(collected) if collected else None,
    )


_ROLE_LISTS = ("oidc_roles", "roles_anywhere", "workload_roles")


def _listed_once(
    entries: Iterable[Mapping[str, Any]], problems: list[Problem]
) -> dict[str, Mapping[str, Any]]:
    """The plan's users by ARN. A user listed twice (its ARN, or its name in any case in
    one account: IAM names ignore case) is a problem: the two entries may give it two
    destinations, ``keep`` and one that retires it, and retire would follow either."""
    users: dict[str, Mapping[str, Any]] = {}
    first: dict[object, int] = {}
    for index, entry in enumerate(entries):
        identity = (entry["account"], entry["name"].lower())
        earlier = first.get(identity, first.get(entry["arn"]))
        if earlier is not None:
            problems.append(
                Problem(
                    f"/users/{index}", f"{entry['arn']} is listed twice (also /users/{earlier})"
                )
            )
            continue
        first[identity] = first[entry["arn"]] = index
        users[entry["arn"]] = entry
    return users


#: How far a plan's ``as_of`` may be ahead of this machine's clock (clocks disagree).
_CLOCK_SKEW = timedelta(days=1)


def _as_of(
    document: Mapping[str, Any], problems: list[Problem], now: datetime | None, max_age: int
) -> datetime | None:
    text = document["source"]["as_of"]
    if text is None:
        problems.append(
            Problem("/source/as_of", "the plan does not say when its evidence was read")
        )
        return None
    as_of = datetime.fromisoformat(text)
    if now is not None and as_of - now > _CLOCK_SKEW:
        # Evidence from the future would pass every "no use since" gate (nothing is used
        # after a date that has not come), so a key in use today would look idle.
        problems.append(
            Problem(
                "/source/as_of",
                f"the plan's evidence is dated {text}, after now ({now:%Y-%m-%dT%H:%M:%SZ}):"
                " no plan is read in the future",
            )
        )
    if now is not None and now - as_of > timedelta(days=max_age):
        problems.append(
            Problem(
                "/source/as_of",
                f"the plan's evidence is {(now - as_of).days} days old (as of {text}), more "
                f"than --max-plan-age-days {max_age}: a key unused then may be in use now",
            )
        )
    return as_of


def _planned(
    entry: Mapping[str, Any],
    pointer: str,
    users: Mapping[str, Mapping[str, Any]],
    roles: Mapping[tuple[str, str], str],
    as_of: datetime | None,
    problems: list[Problem],
) -> Planned | None:
    arn = entry["arn"]
    user = users.get(arn)
    if user is None:
        problems.append(Problem(pointer, f"{arn} is not a user of the plan (/users)"))
        return None
    try:
        ref = parse_user(arn, "the plan")
    except SelectionError as error:
        problems.append(Problem(f"{pointer}/arn", error.message))
        return None
    if (ref.account, ref.name) != (entry["account"], entry["user"]) or (
        user["account"],
        user["name"],
    ) != (entry["account"], entry["user"]):
        problems.append(Problem(pointer, f"account and user do not match {arn}"))
        return None
    destination = user["destination"]
    if destination in _HELD:
        problems.append(
            Problem(pointer, f"{entry['user']} is {destination}: nothing of it may be retired")
        )
        return None
    keys = []
    for position, key in enumerate(entry["keys"]):
        key_id = key["access_key_id"]
        if key_id is not None and not ACCESS_KEY_ID.fullmatch(key_id):
            problems.append(
                Problem(
                    f"{pointer}/keys/{position}", f"not a long-term access key ID: {quoted(key_id)}"
                )
            )
        created = datetime.fromisoformat(key["created"]) if key["created"] else None
        keys.append(PlannedKey(key_id, created, key["status"] == "Active"))
    preconditions = tuple(PlanPrecondition(p["kind"], p["text"]) for p in entry["preconditions"])
    role = (user["target"] or {}).get("role")
    if destination in _ROLE_DESTINATIONS:
        planned_role = roles.get((entry["account"], arn))
        if not role or planned_role != role:
            problems.append(
                Problem(f"{pointer}", f"{entry['user']} is {destination}: its role is not planned")
            )
    has_credentials = bool(entry["keys"] or entry["console_password"] or entry["mfa_devices"])
    kinds = {p.kind for p in preconditions}
    wanted = {"no-use-since"} if has_credentials else set()
    if has_credentials and destination in _REPLACEMENT_KIND:
        wanted.add(_REPLACEMENT_KIND[destination])
    problems.extend(
        Problem(
            f"{pointer}/preconditions",
            f"{entry['user']} is {destination} and the plan's {kind} precondition is missing",
        )
        for kind in sorted(wanted - kinds)
    )
    if as_of is None:
        return None
    return Planned(
        account=entry["account"],
        user=entry["user"],
        destination=destination,
        role=role if destination in _ROLE_DESTINATIONS else None,
        keys=tuple(keys),
        console_password=bool(entry["console_password"]),
        preconditions=preconditions,
        as_of=as_of,
        pointer=pointer,
    )


def _order(pointer: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isascii() and p.isdigit() else (1, p) for p in pointer.split("/"))
