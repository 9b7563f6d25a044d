"""``keyless plan --check``: validate a (hand-edited) plan against its source inventory.

A person may change a destination, rename a permission set or a role, move users
between targets; the plan must still be one ``keyless generate`` and ``keyless retire``
can act on. Every problem is reported with a JSON pointer, all at once:

* the document breaks the schema (then nothing else is checked);
* what the plan must hold on its own, the checks ``keyless generate`` makes too
  (:mod:`.consistency`): names within their AWS grammars and not used twice, lists that
  name each other consistently, OIDC subjects outside the role's repositories or with a
  wildcard under ``StringEquals``, valid inline policies, AWS's quotas (:mod:`.quotas`:
  managed policies on a role or a permission set, an OIDC role's trust policy length,
  roles in an account);
* the plan was made from another inventory (its fingerprint differs);
* a user is unknown, missing or listed twice, or names the wrong account;
* a destination the evidence forbids: a role for a user without access keys;
* a target that does not exist (an Identity Center user, a role), a name already taken
  in the account, an assignment no IAM user backs, a managed policy the account lacks;
* a target broader than its user: the never-broaden proof (:mod:`.prove`) is run again
  on the permissions the document now gives;
* an OIDC provider that is not the account's (and a warning, no problem, past a default
  quota that can be raised: roles, provisioned permission sets);
* a retirement of a user that is kept or undecided, or of a key the user does not have;
* ``retire`` for a user whose console password or access key is in use (within the
  thresholds, at the plan's ``as_of``): retiring it would lock a person or a job out.

What is not an error but still needs a person (undecided users, a role without
subjects, a certificate CN only proposed, a proof that could not be made) is returned
as an open item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from keyless.config import Thresholds
from keyless.errors import quoted
from keyless.model import Inventory
from keyless.plan.check_roles import ROLE_LISTS, check_roles
from keyless.plan.checking import Checker, references, unique_names
from keyless.plan.consistency import document_problems, ordered
from keyless.plan.document import Problem, permissions_from, schema_problems
from keyless.plan.model import Destination, ProofStatus
from keyless.plan.permissions import mode_for
from keyless.plan.principal import Mode
from keyless.plan.prove import prove
from keyless.plan.quotas import quota_warnings
from keyless.plan.signals import in_use
from keyless.plan.source import fingerprint


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Problems (exit 2 when any) and open items (exit 1 when any, and no problem);
    warnings change no exit code (a quota the plan passes that can be raised)."""

    problems: tuple[Problem, ...]
    open_items: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def check_plan(
    document: Any, inventory: Inventory, thresholds: Thresholds | None = None
) -> CheckResult:
    """Every problem of ``document`` against ``inventory`` (see the module doc). With
    ``thresholds`` (the ones the plan was made with: keyless.toml's), a retirement of a
    user still in use is a problem too; without, use is not judged."""
    problems = schema_problems(document)
    if problems:
        return CheckResult(problems)
    checker = Checker(document, inventory, thresholds)
    checker.problems.extend(document_problems(document))
    _source(checker)
    _users(checker)
    _identity_center(checker)
    check_roles(checker)
    _proofs(checker)
    _retire(checker)
    return CheckResult(
        ordered(checker.problems),
        tuple(dict.fromkeys(checker.open_items)),
        quota_warnings(document, inventory),
    )


def _source(c: Checker) -> None:
    found = c.document["source"]["fingerprint"]
    current = fingerprint(c.inventory)
    if found != current:
        c.fail(
            "/source/fingerprint",
            f"the plan was made from another inventory ({found[:19]}…, this one is "
            f"{current[:19]}…): plan again, or check against the inventory it was made from",
        )


def _users(c: Checker) -> None:
    for index, entry in enumerate(c.document["users"]):
        pointer = f"/users/{index}"
        arn = entry["arn"]
        user = c.inventory_users.get(arn)
        if user is None:
            c.fail(pointer, f"no IAM user {arn} in the inventory")
            continue
        if arn in c.entries:
            c.fail(pointer, f"{arn} is listed twice (also /users/{c.entries[arn][0]})")
            continue
        c.entries[arn] = (index, entry)
        if entry["account"] != user.account_id or entry["name"] != user.name:
            c.fail(pointer, f"account and name do not match {arn}")
        destination = Destination(entry["destination"])
        if destination.is_role and not user.access_keys:
            c.fail(
                f"{pointer}/destination",
                f"{destination} replaces access keys, and {user.name} has none",
            )
        if destination is Destination.RETIRE and c.thresholds is not None:
            for detail in in_use(user, c.users_account[arn], c.as_of, c.thresholds):
                c.fail(
                    f"{pointer}/destination",
                    f"{user.name} cannot be retired: {detail}; choose where it moves "
                    "(identity-center or a role), or keep it (use is judged with the "
                    "thresholds of keyless.toml, or keyless's defaults)",
                )
        if destination is Destination.UNDECIDED:
            # What would decide it, as the plan says (printed through printable()).
            what = "; ".join(str(item) for item in entry["would_decide"])
            c.open_items.append(
                f"{user.name} ({user.account_id}) is undecided" + (f": {what}" if what else "")
            )
        _target_shape(c, pointer, entry, destination)
    for arn, user in c.inventory_users.items():
        if arn not in c.entries:
            c.fail("/users", f"no entry for {arn} ({user.name})")


def _target_shape(
    c: Checker, pointer: str, entry: Mapping[str, Any], destination: Destination
) -> None:
    target = entry["target"]
    if not destination.migrates:
        if target is not None:
            c.fail(f"{pointer}/target", f"a user whose destination is {destination} has no target")
        return
    wanted = "identity_center_user" if destination is Destination.IDENTITY_CENTER else "role"
    if target is None or not target[wanted]:
        c.fail(f"{pointer}/target", f"destination {destination} needs target.{wanted}")
        return
    other = "role" if wanted == "identity_center_user" else "identity_center_user"
    if target[other] or (destination.is_role and target["permission_set"]):
        c.fail(f"{pointer}/target", f"destination {destination} takes only target.{wanted}")


def _identity_center(c: Checker) -> None:
    center = c.document["identity_center"]
    # Names used twice, unknown names and assignments listed twice are problems of the
    # document on its own (keyless.plan.consistency); here, what the inventory tells.
    sets = unique_names(center["permission_sets"])
    ic_users = unique_names(center["users"], key="user_name")
    for name, (index, ic_user) in ic_users.items():
        for position, arn in enumerate(ic_user["iam_users"]):
            found = c.entries.get(arn)
            pointer = f"/identity_center/users/{index}/iam_users/{position}"
            if found is None:
                c.fail(pointer, f"{arn} is not a user of the plan")
            elif ((found[1]["target"] or {}).get("identity_center_user") or "").lower() != name:
                c.fail(pointer, f"{arn} does not name {ic_user['user_name']} as its target")
    wanted_assignments: set[tuple[str, str, str]] = set()
    for arn, (index, entry) in c.entries.items():
        if Destination(entry["destination"]) is not Destination.IDENTITY_CENTER:
            continue
        target = entry["target"] or {}
        ic_name = (target.get("identity_center_user") or "").lower()
        if ic_name and ic_name not in ic_users:
            c.fail(f"/users/{index}/target", f"unknown Identity Center user {quoted(ic_name)}")
        elif ic_name and arn not in ic_users[ic_name][1]["iam_users"]:
            c.fail(f"/users/{index}/target", f"{ic_name} does not list {arn} in iam_users")
        chosen = target.get("permission_set")
        if chosen is not None and chosen.lower() in sets:
            wanted_assignments.add((entry["account"], ic_name, chosen.lower()))
    assigned: set[tuple[str, str, str]] = set()
    for index, assignment in enumerate(center["assignments"]):
        pointer = f"/identity_center/assignments/{index}"
        key = (
            assignment["account"],
            assignment["user_name"].lower(),
            assignment["permission_set"].lower(),
        )
        assigned.add(key)
        if key not in wanted_assignments:
            c.fail(
                pointer,
                f"gives {assignment['user_name']} {assignment['permission_set']} in "
                f"{assignment['account']}, which none of their IAM users there carries",
            )
    for account, user_name, chosen in sorted(wanted_assignments - assigned):
        c.fail(
            "/identity_center/assignments",
            f"missing: {user_name} {chosen} in {account} (a user's target names it)",
        )
    accounts_of_set: dict[str, set[str]] = defaultdict(set)
    for account, _, chosen in assigned:
        accounts_of_set[chosen].add(account)
    for name, (index, entry) in sets.items():
        pointer = f"/identity_center/permission_sets/{index}"
        references(c, pointer, entry, sorted(accounts_of_set.get(name, ())))


def _proofs(c: Checker) -> None:
    sets = {s["name"].lower(): s for s in c.document["identity_center"]["permission_sets"]}
    roles = {
        (r["account"], r["name"]): r for list_name in ROLE_LISTS for r in c.document[list_name]
    }
    organization = c.inventory.organization.id if c.inventory.organization else None
    for arn, (index, entry) in c.entries.items():
        destination = Destination(entry["destination"])
        target = entry["target"] or {}
        if destination is Destination.IDENTITY_CENTER:
            chosen = sets.get((target.get("permission_set") or "").lower())
        else:
            chosen = roles.get((entry["account"], target.get("role") or ""))
            chosen = chosen["permissions"] if chosen else None
        if not destination.migrates or chosen is None:
            continue
        try:
            permissions = permissions_from(chosen)
        except (KeyError, TypeError):
            continue
        user = c.inventory_users[arn]
        account = c.accounts[user.account_id]
        mode: Mode = mode_for(destination is Destination.IDENTITY_CENTER)
        proof = prove(user, account, mode, permissions, organization)
        if proof.status is ProofStatus.FAILED:
            c.fail(f"/users/{index}/target", f"broader than {user.name}: {proof.detail}")
        elif proof.status is ProofStatus.UNPROVED:
            c.open_items.append(f"{user.name} ({user.account_id}): not proved: {proof.detail}")


def _retire(c: Checker) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(c.document["retire"]):
        pointer = f"/retire/{index}"
        arn = entry["arn"]
        user = c.inventory_users.get(arn)
        destination = c.destination(arn)
        if user is None or destination is None:
            c.fail(pointer, f"{arn} is not a user of the plan")
            continue
        if arn in seen:
            c.fail(pointer, f"{arn} is retired twice")
        seen.add(arn)
        if destination in (Destination.KEEP, Destination.UNDECIDED):
            c.fail(pointer, f"{user.name} is {destination}: nothing of it may be retired")
        keys = {(k.slot, k.key_id) for k in user.access_keys}
        for position, key in enumerate(entry["keys"]):
            if (key["slot"], key["access_key_id"]) not in keys:
                c.fail(f"{pointer}/keys/{position}", f"{user.name} has no such access key")
    for arn, (index, entry) in c.entries.items():
        destination = Destination(entry["destination"])
        if destination not in (Destination.KEEP, Destination.UNDECIDED) and arn not in seen:
            c.fail(f"/users/{index}", f"{entry['name']} is {destination} but not in retire")
