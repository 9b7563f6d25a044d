"""Roles an AWS service assumes for a workload that ran on keys (an instance profile, a
task or function role). The trust admits the service principal alone; the probes check
that another service is denied.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.generate.model import Probe, RoleKind, RoleSpec
from keyless.idp.aws import service_request
from keyless.plan.document import permissions_from

_OTHER_SERVICE = "keyless-near-miss.amazonaws.com"


def workload_roles(document: Mapping[str, Any]) -> tuple[RoleSpec, ...]:
    """One role per ``workload_roles`` entry of the plan."""
    roles = []
    for index, entry in enumerate(document["workload_roles"]):
        service = entry["service"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Service",
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        roles.append(
            RoleSpec(
                kind=RoleKind.WORKLOAD,
                account=entry["account"],
                name=entry["name"],
                description=f"keyless: assumed by {service}"[:1000],
                trust=trust,
                permissions=permissions_from(entry["permissions"]),
                probes=(
                    Probe(f"the service {service}", service_request(service), True),
                    Probe(
                        f"another service: {_OTHER_SERVICE}", service_request(_OTHER_SERVICE), False
                    ),
                ),
                pointer=f"/workload_roles/{index}",
            )
        )
    return tuple(roles)
