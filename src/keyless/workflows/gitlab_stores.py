"""GitLab CI: whether the keys a job runs with go to another store than AWS (Cloudflare
R2, MinIO, an endpoint off ``amazonaws.com``), judged as a GitHub job's are
(:mod:`.github_other_stores`): one rule for the scan (:mod:`.gitlab_keys`,
:mod:`.gitlab_reach`) and ``fix`` (:mod:`.gitlab_blockers`).

The job's variables speak for every command it runs (``AWS_ENDPOINT_URL`` set to R2's
host, keys named ``$R2_…``). A script line speaks for itself only: a line that passes
``--endpoint-url https://x.r2.cloudflarestorage.com`` says nothing of another line of
the job that runs ``aws s3 sync dist s3://site`` with the same keys, as one GitHub step's
endpoint says nothing of another step's ``aws`` command. When a line calls AWS plainly,
the other lines' stores are no evidence: the keys are reported as AWS's, and ``fix``
leaves the job for a person (:attr:`StoreSigns.elsewhere`), since a role would not serve
that store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from keyless.workflows.evidence import calls_aws, endpoint_evidence, unseen_endpoints


@dataclass(frozen=True, slots=True)
class StoreSigns:
    """What a job shows of where its keys go: ``evidence``, reasons they are another
    store's (:func:`~keyless.workflows.evidence.endpoint_evidence`); ``unseen``, endpoints
    that name no host (:func:`~keyless.workflows.evidence.unseen_endpoints`);
    ``elsewhere``, what script lines show of another store while another line calls AWS
    with the same keys (no evidence then)."""

    evidence: tuple[str, ...]
    unseen: tuple[str, ...]
    elsewhere: tuple[str, ...] = ()


def store_signs(
    variables: Iterable[tuple[str, str]],
    lines: Iterable[str],
    sources: Iterable[str],
    defined: Mapping[str, str] | None = None,
) -> StoreSigns:
    """Where the keys of a job go. ``variables``: (name, value) of the variables it runs
    with; ``lines``: its script lines (each item of a script section, a block included);
    ``sources``: the values its keys are set from (``$R2_ACCESS_KEY``); ``defined``: what
    a ``$NAME`` in an endpoint takes (:func:`~keyless.workflows.evidence.expanded`)."""
    variables = list(variables)
    lines = list(lines)
    values = [value for _, value in variables]
    own = endpoint_evidence(variables, values, sources, unseen=False, defined=defined)
    plain = any(calls_aws(line) for line in lines)
    # A line on a local emulator (LocalStack) says nothing when another calls AWS: it
    # takes any keys, AWS's too.
    shown = endpoint_evidence([], lines, [], unseen=False, defined=defined, emulators=not plain)
    evidence = own if plain else tuple(dict.fromkeys([*own, *shown]))
    elsewhere = shown if plain and not own else ()
    return StoreSigns(evidence, unseen_endpoints(variables, lines, defined), elsewhere)
