"""What a plan must hold on its own, whatever inventory it was made from: the checks
``keyless plan --check`` and ``keyless generate`` share, so that a plan ``plan --check``
accepts is never refused by ``generate`` for a reason ``plan --check`` could have told.

Every permission set, Identity Center user and role a list names exists; names,
descriptions and display names fit their AWS grammars (:mod:`.grammars`: refused, never
changed) and names are not used twice; emails are plain addresses;
account IDs are 12 digits and listed once; OIDC repositories fit their platform's grammar
and subjects belong to them, with no wildcard under ``StringEquals`` and only characters
IAM takes; inline policies are valid policies whose strings IAM takes; managed policies,
roles per account and trust policy lengths are within AWS's quotas (:mod:`.quotas`);
trust anchors are the role's account's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from keyless.errors import InputError, quoted
from keyless.people import normalize_email
from keyless.plan import grammars
from keyless.plan.document import Problem
from keyless.plan.links import foreign_subjects, is_repository
from keyless.plan.partition import STS_AUDIENCES, arn_partition, partition_of
from keyless.plan.policy_grammar import inline_policy_problems
from keyless.plan.providers import provider_problems
from keyless.plan.quotas import managed_policy_problems, role_count_problems, trust_length_problems
from keyless.plan.targets import PROVIDERS, platform_provider
from keyless.plan.tenants import PLATFORMS as TENANT_PLATFORMS
from keyless.plan.tenants import tenant_problems

ROLE_LISTS = ("oidc_roles", "roles_anywhere", "workload_roles")
_REPOSITORY = {"github": "ORG/REPO", "gitlab": "GROUP/PROJECT"}
_SUBJECT_TEXT = re.compile(r"[\x20-\x7e\xa0-\xff]+")

Fail = Callable[[str, str], None]


def ordered(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """``problems`` once each, in document order (then by message)."""
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: (_order(p.pointer), p.message)))


def _order(pointer: str) -> tuple[tuple[int, int | str], ...]:
    # A key of digits that is no list index (int() refuses past 4,300 digits) sorts as
    # text, after the indexes (an int and a str are never compared).
    return tuple(
        (0, int(p)) if p.isascii() and p.isdigit() and len(p) <= 18 else (1, p)
        for p in pointer.split("/")
    )


def document_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Every problem of ``document`` (a document the plan schema accepts) on its own (see
    the module doc)."""
    problems: list[Problem] = []

    def fail(pointer: str, message: str) -> None:
        problems.append(Problem(pointer, message))

    accounts = _accounts(fail, document["source"]["accounts"])
    _labels(fail, document["source"]["accounts"])
    _partition(fail, document)
    sets = _identity_center(fail, document["identity_center"], accounts)
    for index, user in enumerate(document["users"]):
        chosen = (user["target"] or {}).get("permission_set")
        if chosen is not None and chosen.lower() not in sets:
            fail(f"/users/{index}/target", f"unknown permission set {quoted(chosen)}")
    roles: dict[tuple[str, str], str] = {}
    for list_name in ROLE_LISTS:
        for index, role in enumerate(document[list_name]):
            pointer = f"/{list_name}/{index}"
            key = (role["account"], role["name"].lower())
            if not grammars.matches(grammars.ROLE_NAME, role["name"]):
                fail(f"{pointer}/name", f"{quoted(role['name'])} is not an IAM role name")
            if key in roles:
                fail(
                    f"{pointer}/name",
                    f"role name {quoted(role['name'])} is used twice ({roles[key]})",
                )
            roles.setdefault(key, pointer)
            if role["account"] not in accounts:
                fail(f"{pointer}/account", f"account {role['account']} is not in the plan")
            _permissions(fail, f"{pointer}/permissions", role["permissions"])
    # IAM's "Roles per account" (keyless.plan.quotas).
    for where, message in role_count_problems(document):
        fail(where, message)
    for index, role in enumerate(document["oidc_roles"]):
        _oidc(fail, f"/oidc_roles/{index}", role)
    for index, role in enumerate(document["roles_anywhere"]):
        _anchors(fail, f"/roles_anywhere/{index}", role)
    return problems


def _accounts(fail: Fail, listed: Iterable[Mapping[str, Any]]) -> set[str]:
    accounts: set[str] = set()
    for index, account in enumerate(listed):
        if not grammars.matches(grammars.ACCOUNT_ID, account["id"]):
            fail(
                f"/source/accounts/{index}/id",
                f"{quoted(account['id'])} is not a 12-digit account ID",
            )
        if account["id"] in accounts:
            # Its two aliases would name it twice (two variables, providers, templates
            # of one account), or one silently in place of the other.
            fail(f"/source/accounts/{index}/id", f"account {account['id']} is listed twice")
        accounts.add(account["id"])
    return accounts


def account_labels(accounts: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """``(id, label)`` of each account: the label generated names (Terraform variables
    and providers, CloudFormation parameters, profiles) are derived from, its alias, else
    its ID. A label two accounts would share, ignoring case (an organization's account
    names need not be unique), gets the account's ID after it: one shared name would send
    both accounts' assignments to one of them."""
    wanted = [(a["id"], a["alias"] or a["id"]) for a in accounts]
    counts = Counter(label.casefold() for _, label in wanted)
    return tuple(
        (id_, label if counts[label.casefold()] == 1 else f"{label}-{id_}") for id_, label in wanted
    )


def shared_label(labels: Iterable[tuple[str, str]]) -> str | None:
    """Why two accounts would still share a label (a plan edited so that one's alias is
    another's label with its ID), or None."""
    seen: dict[str, str] = {}
    for id_, label in labels:
        other = seen.setdefault(label.casefold(), id_)
        if other != id_:
            return (
                f"accounts {other} and {id_} would share the name {quoted(label)} in the"
                " generated code"
            )
    return None


def _labels(fail: Fail, accounts: Iterable[Mapping[str, Any]]) -> None:
    shared = shared_label(account_labels(accounts))
    if shared is not None:
        fail("/source/accounts", f"{shared}: give the accounts distinct aliases")


def _partition(fail: Fail, document: Mapping[str, Any]) -> None:
    """One partition keyless knows for the whole plan (its users' and providers' ARNs,
    :mod:`.partition`); in China none of the roles whose service principals keyless does
    not know there (some end in ``.amazonaws.com.cn``): a service or Roles Anywhere role."""
    arns = [user["arn"] for user in document["users"]]
    arns += [r["provider"]["arn"] for r in document["oidc_roles"] if r["provider"]["arn"]]
    try:
        partition = partition_of(arns, where="the plan")
    except InputError as error:
        fail("/users", error.message)
        return
    if partition != "aws-cn":
        return
    for list_name in ("workload_roles", "roles_anywhere"):
        for index, role in enumerate(document[list_name]):
            fail(
                f"/{list_name}/{index}",
                f"role {role['name']} is a service or Roles Anywhere role in the aws-cn"
                " partition, whose service principals keyless does not know: move its user"
                " to another destination, or create the role by hand",
            )


def _identity_center(fail: Fail, center: Mapping[str, Any], accounts: set[str]) -> set[str]:
    """The permission sets (lower-cased names) the plan lists; the problems of them, of
    its Identity Center users and of its assignments."""
    sets: set[str] = set()
    for index, entry in enumerate(center["permission_sets"]):
        pointer = f"/identity_center/permission_sets/{index}"
        name = entry["name"]
        if not grammars.matches(grammars.PERMISSION_SET_NAME, name):
            fail(f"{pointer}/name", f"{quoted(name)} is not a permission set name")
        if name.lower() in sets:
            fail(f"{pointer}/name", f"permission set name {quoted(name)} is used twice")
        if not grammars.matches(grammars.PERMISSION_SET_DESCRIPTION, entry["description"]):
            fail(
                f"{pointer}/description",
                f"{quoted(entry['description'])} is not a permission set description (Identity"
                " Center takes tabs, line breaks and Latin-1 letters, digits and punctuation)",
            )
        sets.add(name.lower())
        _permissions(fail, pointer, entry, permission_set=True)
    people: set[str] = set()
    for index, entry in enumerate(center["users"]):
        pointer = f"/identity_center/users/{index}/user_name"
        name = entry["user_name"]
        if not grammars.is_identity_store_name(name):
            fail(
                pointer,
                f"{quoted(name)} is not an Identity Store user name (1 to 128 letters, digits,"
                " symbols and punctuation of any script; no space, line break, control or"
                " bidirectional formatting character)",
            )
        if name.lower() in people:
            fail(pointer, f"Identity Center user name {quoted(name)} is used twice")
        people.add(name.lower())
        if not grammars.is_identity_store_display_name(entry["display_name"]):
            fail(
                f"/identity_center/users/{index}/display_name",
                f"{quoted(entry['display_name'])} is not an Identity Store display name"
                " (letters, digits, symbols and punctuation of any script, spaces, tabs and"
                " line breaks, with a word; no control or bidirectional formatting character)",
            )
        _email(fail, f"/identity_center/users/{index}/email", entry["email"])
    assigned: set[tuple[str, str, str]] = set()
    for index, entry in enumerate(center["assignments"]):
        pointer = f"/identity_center/assignments/{index}"
        # Identity Center holds one assignment per account, principal and permission set,
        # names ignoring case; generate wrote one of them, so a plan of 100,000 repeats
        # was taken whole.
        given = (entry["account"], entry["user_name"].lower(), entry["permission_set"].lower())
        if given in assigned:
            fail(pointer, "the same assignment is listed twice")
        assigned.add(given)
        if given[2] not in sets:
            fail(pointer, f"unknown permission set {quoted(entry['permission_set'])}")
        if given[1] not in people:
            fail(pointer, f"unknown Identity Center user {quoted(entry['user_name'])}")
        if entry["account"] not in accounts:
            fail(pointer, f"account {entry['account']} is not an account of the plan")
    return sets


def _anchors(fail: Fail, pointer: str, role: Mapping[str, Any]) -> None:
    # An existing anchor becomes the role's ``ArnEquals aws:SourceArn`` (and the
    # credential_process line): a name, a wildcard (ArnEquals matches ``*`` per ARN part)
    # or another account's anchor would make a role no certificate can use, or one that
    # another account's CA issues certificates for.
    # https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
    for position, arn in enumerate(role["trust_anchors"]):
        where = f"{pointer}/trust_anchors/{position}"
        if not grammars.matches(grammars.TRUST_ANCHOR_ARN, arn):
            fail(where, grammars.not_an_arn(arn, "a Roles Anywhere trust anchor"))
        elif arn.split(":")[4] != role["account"] or arn.split(":")[1] != arn_partition(
            role["user"]
        ):
            fail(where, f"{quoted(arn)} is not a trust anchor of the role's account")


def _email(fail: Fail, pointer: str, email: str | None) -> None:
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
    fail: Fail, pointer: str, entry: Mapping[str, Any], *, permission_set: bool = False
) -> None:
    """A role's permissions, or with ``permission_set`` a permission set's (Identity
    Center's policy path grammar and inline policy size)."""
    paths = grammars.IDENTITY_CENTER_POLICY_PATH if permission_set else grammars.IAM_PATH
    # AWS's quotas on managed policies (keyless.plan.quotas).
    for where, message in managed_policy_problems(pointer, entry, permission_set=permission_set):
        fail(where, message)
    for position, arn in enumerate(entry["aws_managed_policies"]):
        if not grammars.matches(grammars.MANAGED_POLICY_ARN, arn):
            fail(f"{pointer}/aws_managed_policies/{position}", grammars.not_an_arn(arn, "a policy"))
    for position, ref in enumerate(entry["customer_managed_policies"]):
        where = f"{pointer}/customer_managed_policies/{position}"
        if not grammars.matches(grammars.POLICY_NAME, ref["name"]):
            fail(f"{where}/name", f"{quoted(ref['name'])} is not a policy name")
        if not grammars.matches(paths, ref["path"]):
            kind = "an Identity Center policy" if permission_set else "an IAM"
            fail(f"{where}/path", f"{quoted(ref['path'])} is not {kind} path")
    boundary = entry["permissions_boundary"]
    if boundary is not None and not grammars.matches(grammars.MANAGED_POLICY_ARN, boundary):
        fail(f"{pointer}/permissions_boundary", grammars.not_an_arn(boundary, "a policy"))
    # The schema only says it is an object (keyless.plan.policy_grammar).
    for where, message in inline_policy_problems(
        f"{pointer}/inline_policy", entry["inline_policy"], permission_set=permission_set
    ):
        fail(where, message)


def _oidc(fail: Fail, pointer: str, role: Mapping[str, Any]) -> None:
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
    # IAM's "Role trust policy length" (keyless.plan.quotas).
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
