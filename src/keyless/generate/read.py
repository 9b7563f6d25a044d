"""Reading the plan ``keyless generate`` acts on: every error at once, nothing written.

A plan is checked in two ways. Always, on its own: the ``keyless/plan/v1`` schema, then
what the emitted code would need to hold (every permission set, Identity Center user and
role that a list names exists, names fit their AWS grammars, emails are plain addresses,
account IDs are 12 digits, OIDC repositories fit their platform's grammar, OIDC subjects
belong to their role's repositories and have no wildcard under ``StringEquals``, inline
policies are valid policies whose strings IAM takes). And, when the inventory the plan
was made from is given (``--demo``, ``--input``, ``--snapshot``), with ``keyless plan
--check``'s validation: a plan of another inventory (stale), an unknown user, a broader
target.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keyless.errors import KeylessError, quoted, shown_pointer
from keyless.generate import names
from keyless.generate.roles_anywhere import TRUST_ANCHOR_ARN
from keyless.model import Inventory
from keyless.people import normalize_email
from keyless.plan.check import check_plan
from keyless.plan.document import Problem, read_plan, schema_problems
from keyless.plan.links import foreign_subjects, is_repository
from keyless.plan.partition import STS_AUDIENCES, arn_partition
from keyless.plan.policy_grammar import inline_policy_problems
from keyless.plan.providers import provider_problems
from keyless.plan.quotas import (
    managed_policy_problems,
    role_count_problems,
    trust_length_problems,
)
from keyless.plan.targets import PROVIDERS, platform_provider
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS
from keyless.plan.tenants import tenant_problems

_REPOSITORY = {"github": "ORG/REPO", "gitlab": "GROUP/PROJECT"}
_ROLE_LISTS = ("oidc_roles", "roles_anywhere", "workload_roles")
_SUBJECT_TEXT = re.compile(r"[\x20-\x7e\xa0-\xff]+")


class PlanProblems(KeylessError):
    """The plan cannot be generated from: every problem, each with its JSON pointer."""

    def __init__(self, path: str, problems: tuple[Problem, ...]):
        noun = "error" if len(problems) == 1 else "errors"
        lines = "\n".join(f"{path}#{shown_pointer(p.pointer)}: {p.message}" for p in problems)
        super().__init__(
            f"{len(problems)} {noun} in the plan; nothing was written\n{lines}",
            where=path,
            hint="Fix the plan (or plan again), then check it with `keyless plan --check`.",
        )
        self.problems = problems


def load_plan(path: Path, inventory: Inventory | None = None) -> Mapping[str, Any]:
    """The validated plan at ``path``; :class:`PlanProblems` lists everything wrong."""
    document = read_plan(path)
    problems = plan_problems(document, inventory)
    if problems:
        raise PlanProblems(str(path), problems)
    result: Mapping[str, Any] = document
    return result


def plan_problems(document: Any, inventory: Inventory | None = None) -> tuple[Problem, ...]:
    """Every problem of ``document`` (see the module doc), in document order."""
    problems = schema_problems(document)
    if problems:
        return problems
    found: list[Problem] = []
    if inventory is not None:
        found.extend(check_plan(document, inventory).problems)
    found.extend(_consistency(document))
    ordered = sorted(dict.fromkeys(found), key=lambda p: (_order(p.pointer), p.message))
    return tuple(ordered)


def _order(pointer: str) -> tuple[tuple[int, int | str], ...]:
    # A key of digits that is no list index (int() refuses past 4,300 digits) sorts as text.
    return tuple(
        (0, int(p)) if p.isascii() and p.isdigit() and len(p) <= 18 else (1, p)
        for p in pointer.split("/")
    )


def _consistency(document: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []

    def fail(pointer: str, message: str) -> None:
        problems.append(Problem(pointer, message))

    accounts: set[str] = set()
    for index, account in enumerate(document["source"]["accounts"]):
        if not names.matches(names.ACCOUNT_ID, account["id"]):
            fail(
                f"/source/accounts/{index}/id",
                f"{quoted(account['id'])} is not a 12-digit account ID",
            )
        if account["id"] in accounts:
            # Its two aliases would name it twice (two variables, providers, templates
            # of one account), or one silently in place of the other.
            fail(f"/source/accounts/{index}/id", f"account {account['id']} is listed twice")
        accounts.add(account["id"])
    center = document["identity_center"]
    sets: dict[str, int] = {}
    for index, entry in enumerate(center["permission_sets"]):
        pointer = f"/identity_center/permission_sets/{index}"
        if not names.matches(names.PERMISSION_SET_NAME, entry["name"]):
            fail(f"{pointer}/name", f"{quoted(entry['name'])} is not a permission set name")
        if entry["name"].lower() in sets:
            fail(f"{pointer}/name", f"permission set {quoted(entry['name'])} is listed twice")
        if not names.matches(names.PERMISSION_SET_DESCRIPTION, entry["description"]):
            fail(
                f"{pointer}/description",
                f"{quoted(entry['description'])} is not a permission set description (Identity"
                " Center takes tabs, line breaks and Latin-1 letters, digits and punctuation)",
            )
        sets[entry["name"].lower()] = index
        _permissions(fail, pointer, entry, permission_set=True)
    people: set[str] = set()
    for index, entry in enumerate(center["users"]):
        pointer = f"/identity_center/users/{index}/user_name"
        if not names.is_identity_store_name(entry["user_name"]):
            fail(
                pointer,
                f"{quoted(entry['user_name'])} is not an Identity Store user name (1 to 128"
                " letters, digits, symbols and punctuation of any script; no space, line break,"
                " control or bidirectional formatting character)",
            )
        if entry["user_name"].lower() in people:
            fail(pointer, f"Identity Center user {quoted(entry['user_name'])} is listed twice")
        people.add(entry["user_name"].lower())
        _email(fail, f"/identity_center/users/{index}/email", entry["email"])
    assigned: set[tuple[str, str, str]] = set()
    for index, entry in enumerate(center["assignments"]):
        pointer = f"/identity_center/assignments/{index}"
        # Identity Center holds one assignment per account, principal and permission set,
        # names ignoring case (plan --check refuses a repeat the same way); generate wrote
        # one of them, so a plan of 100,000 repeats was taken whole.
        given = (entry["account"], entry["user_name"].lower(), entry["permission_set"].lower())
        if given in assigned:
            fail(pointer, "the same assignment is listed twice")
        assigned.add(given)
        if entry["permission_set"].lower() not in sets:
            fail(pointer, f"unknown permission set {quoted(entry['permission_set'])}")
        if entry["user_name"].lower() not in people:
            fail(pointer, f"unknown Identity Center user {quoted(entry['user_name'])}")
        if entry["account"] not in accounts:
            fail(pointer, f"account {entry['account']} is not an account of the plan")
    for index, user in enumerate(document["users"]):
        chosen = (user["target"] or {}).get("permission_set")
        if chosen is not None and chosen.lower() not in sets:
            fail(f"/users/{index}/target", f"unknown permission set {quoted(chosen)}")
    roles: set[tuple[str, str]] = set()
    for list_name in _ROLE_LISTS:
        for index, role in enumerate(document[list_name]):
            pointer = f"/{list_name}/{index}"
            key = (role["account"], role["name"].lower())
            if not names.matches(names.ROLE_NAME, role["name"]):
                fail(f"{pointer}/name", f"{quoted(role['name'])} is not an IAM role name")
            if key in roles:
                fail(f"{pointer}/name", f"role name {quoted(role['name'])} is used twice")
            roles.add(key)
            if role["account"] not in accounts:
                fail(f"{pointer}/account", f"account {role['account']} is not in the plan")
            _permissions(fail, f"{pointer}/permissions", role["permissions"])
    # IAM's "Roles per account" (keyless.plan.quotas, which plan --check uses too).
    for where, message in role_count_problems(document):
        fail(where, message)
    for index, role in enumerate(document["oidc_roles"]):
        _oidc(fail, f"/oidc_roles/{index}", role)
    for index, role in enumerate(document["roles_anywhere"]):
        _anchors(fail, f"/roles_anywhere/{index}", role)
    return problems


def _anchors(fail: Any, pointer: str, role: Mapping[str, Any]) -> None:
    # An existing anchor becomes the role's ``ArnEquals aws:SourceArn`` (and the
    # credential_process line): a name, a wildcard (ArnEquals matches ``*`` per ARN part)
    # or another account's anchor would make a role no certificate can use, or one that
    # another account's CA issues certificates for.
    # https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
    for position, arn in enumerate(role["trust_anchors"]):
        where = f"{pointer}/trust_anchors/{position}"
        if not names.matches(TRUST_ANCHOR_ARN, arn):
            fail(where, names.not_an_arn(arn, "a Roles Anywhere trust anchor"))
        elif arn.split(":")[4] != role["account"] or arn.split(":")[1] != arn_partition(
            role["user"]
        ):
            fail(where, f"{quoted(arn)} is not a trust anchor of the role's account")


def _email(fail: Any, pointer: str, email: str | None) -> None:
    # The address becomes the Identity Store user's primary email in generated code: held
    # to what the planner takes from an email tag (keyless.people.normalize_email).
    if email is not None and (email != email.strip() or normalize_email(email) is None):
        fail(
            pointer,
            f"{quoted(email)} is not an email address (local@domain: letters, digits and"
            " . _ % + = - before the @, a domain of two or more labels; no space, quote,"
            " line break or control character)",
        )


def _permissions(
    fail: Any, pointer: str, entry: Mapping[str, Any], *, permission_set: bool = False
) -> None:
    """A role's permissions, or with ``permission_set`` a permission set's (Identity
    Center's policy path grammar and inline policy size)."""
    paths = names.IDENTITY_CENTER_POLICY_PATH if permission_set else names.IAM_PATH
    # AWS's quotas on managed policies (keyless.plan.quotas, which plan --check uses too).
    for where, message in managed_policy_problems(pointer, entry, permission_set=permission_set):
        fail(where, message)
    for position, arn in enumerate(entry["aws_managed_policies"]):
        if not names.matches(names.MANAGED_POLICY_ARN, arn):
            fail(f"{pointer}/aws_managed_policies/{position}", names.not_an_arn(arn, "a policy"))
    for position, ref in enumerate(entry["customer_managed_policies"]):
        where = f"{pointer}/customer_managed_policies/{position}"
        if not names.matches(names.POLICY_NAME, ref["name"]):
            fail(f"{where}/name", f"{quoted(ref['name'])} is not a policy name")
        if not names.matches(paths, ref["path"]):
            kind = "an Identity Center policy" if permission_set else "an IAM"
            fail(f"{where}/path", f"{quoted(ref['path'])} is not {kind} path")
    boundary = entry["permissions_boundary"]
    if boundary is not None and not names.matches(names.MANAGED_POLICY_ARN, boundary):
        fail(f"{pointer}/permissions_boundary", names.not_an_arn(boundary, "a policy"))
    # Checked whether or not the plan's source is given: the schema only says it is an
    # object (keyless.plan.policy_grammar, which plan --check uses too).
    for where, message in inline_policy_problems(
        f"{pointer}/inline_policy", entry["inline_policy"], permission_set=permission_set
    ):
        fail(where, message)


def _oidc(fail: Any, pointer: str, role: Mapping[str, Any]) -> None:
    platform = role["platform"]
    if platform not in PROVIDERS and platform not in TENANT_PLATFORMS:
        fail(f"{pointer}/platform", f"unknown CI platform {quoted(platform)}")
        return
    # The ARN becomes the role's Federated principal: another issuer's, account's or
    # partition's provider would be trusted instead (keyless.plan.providers).
    for where, message in provider_problems(role):
        fail(f"{pointer}{where}", message)
    for index, subject in enumerate(role["subjects"]):
        value, where = subject["value"], f"{pointer}/subjects/{index}"
        if not _SUBJECT_TEXT.fullmatch(value):
            # Written into the role's trust policy, where IAM takes U+0020 to U+00FF (and
            # tabs and line breaks, which no token's claim holds).
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
            fail(
                f"{where}/value",
                f"{quoted(value)} holds a character IAM refuses in a trust policy (printable"
                " U+0020 to U+00FF only)",
            )
        if subject["operator"] not in ("StringEquals", "StringLike"):
            fail(f"{where}/operator", f"{quoted(subject['operator'])}: StringEquals or StringLike")
        elif subject["operator"] == "StringEquals" and any(ch in value for ch in "*?"):
            fail(where, f"{quoted(value)} has a wildcard, which StringEquals compares literally")
    # IAM's "Role trust policy length" (keyless.plan.quotas, which plan --check uses too).
    for where, message in trust_length_problems(pointer, role):
        fail(where, message)
    if platform in TENANT_PLATFORMS:
        for where, message in tenant_problems(role):
            fail(f"{pointer}{where}", message)
        return
    partition = arn_partition(role["user"]) or "aws"
    if partition not in STS_AUDIENCES:
        fail(
            f"{pointer}/user",
            f"keyless does not know the values of the partition {quoted(partition)}",
        )
        return
    issuer, audience = platform_provider(platform, partition)
    provider = role["provider"]
    if provider["issuer"] != issuer or provider["audience"] != audience:
        fail(f"{pointer}/provider", f"{platform} tokens come from {issuer} ({audience})")
    for index, repository in enumerate(role["repositories"]):
        if not is_repository(platform, repository):
            fail(
                f"{pointer}/repositories/{index}",
                f"{quoted(repository)} is not a {platform} repository ({_REPOSITORY[platform]})",
            )
    values = [subject["value"] for subject in role["subjects"]]
    for index in foreign_subjects(platform, role["repositories"], values):
        fail(
            f"{pointer}/subjects/{index}",
            f"{quoted(values[index])} is not a subject of the role's repositories",
        )
