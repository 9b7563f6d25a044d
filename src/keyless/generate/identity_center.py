"""Identity Center for people: users (created, or looked up when an external IdP
provisions them), permission sets with everything they attach, and one account
assignment per person, permission set and account.

Assignments name users, not groups: a group per permission set would give every member
the set in every account any member has it in, broader than the plan. The generated
README says how to move to groups once the assignments are applied.
https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from keyless.errors import InputError, quoted
from keyless.generate.model import (
    AssignmentSpec,
    IcUser,
    IdentityCenterSpec,
    IdentitySource,
    PermissionSetSpec,
)
from keyless.plan.document import permissions_from

#: ISO 8601 durations Identity Center takes for a session: 1 to 12 hours.
SESSION_DURATION = re.compile(r"PT(?:[1-9]|1[0-2])H")


def check_session_duration(value: str) -> str:
    """``value`` when Identity Center accepts it as a session duration."""
    if not SESSION_DURATION.fullmatch(value):
        raise InputError(
            f"{quoted(value)} is not a session duration from PT1H to PT12H",
            where="--session-duration",
        )
    return value


def identity_center(
    document: Mapping[str, Any], source: IdentitySource, session_duration: str
) -> IdentityCenterSpec:
    """The Identity Center part of ``document`` (a plan :mod:`keyless.plan.consistency`
    accepted: its display names and descriptions are what the Identity Store and Identity
    Center take, written as they are through the emitter's quoting)."""
    center = document["identity_center"]
    users = []
    for entry in center["users"]:
        # The given name is the display name's first word, the family name the others
        # (or the given name again: both are required).
        words = entry["display_name"].split() or [entry["user_name"]]
        users.append(
            IcUser(
                user_name=entry["user_name"],
                display_name=entry["display_name"],
                given_name=words[0],
                family_name=" ".join(words[1:]) or words[0],
                email=entry["email"],
            )
        )
    sets = tuple(
        PermissionSetSpec(
            name=entry["name"],
            description=entry["description"],
            permissions=permissions_from(entry),
            session_duration=session_duration,
        )
        for entry in center["permission_sets"]
    )
    # The plan's check matches an assignment's user and permission set to the lists
    # ignoring case (Identity Center's names are unique that way); the generated code
    # refers to them by identifiers derived from the spelling, so an assignment naming
    # ``ADMINS`` for the set ``admins`` pointed at a resource no file defines (a dangling
    # Terraform reference, cfn-lint's E1010) and at a role name no account has in
    # ``~/.aws/config``. Each is written in the list's spelling.
    set_names = {entry["name"].lower(): entry["name"] for entry in center["permission_sets"]}
    user_names = {entry["user_name"].lower(): entry["user_name"] for entry in center["users"]}
    assignments = tuple(
        sorted(
            {
                AssignmentSpec(
                    a["account"],
                    user_names.get(a["user_name"].lower(), a["user_name"]),
                    set_names.get(a["permission_set"].lower(), a["permission_set"]),
                )
                for a in center["assignments"]
            }
        )
    )
    return IdentityCenterSpec(source, tuple(users), sets, assignments)
