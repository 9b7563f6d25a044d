"""``keyless iac`` as a library call: read the paths, judge what they create, and return a
:class:`~keyless.engine.ScanResult` (``command="iac"``).

New users, access keys and login profiles are findings by their existence. Every trust
policy whose value is known goes through the estate's trust checks in one pass (roles with
the same policy are analysed once), so the IDs and witnesses are those of
``keyless trust``; each finding is placed at the offending statement or principal where
the reader knows it (:mod:`keyless.iac.located`). A trust policy with an unknown part is
not judged: it is reported as unread (exit code 3), naming the expression and why, unless
stand-ins judge it (:mod:`keyless.iac.roles`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from keyless.checks.registry import Check
from keyless.config import Config
from keyless.engine import CheckRun, ScanResult, apply_ignores, run_checks
from keyless.findings import Finding
from keyless.iac.baseline import Baseline
from keyless.iac.checks import FOR_KIND, HARDCODED_AWS_KEY
from keyless.iac.located import existence_finding, literal_key_finding, located
from keyless.iac.model import DEPLOYING_ACCOUNT, IacModel
from keyless.iac.oidc_providers import declared_providers
from keyless.iac.read import Tally, read_paths
from keyless.iac.registry import CHECKS, trust_checks
from keyless.iac.roles import JudgedRole, holds_for_any_name, roles_to_judge
from keyless.model import AVAILABLE, Account, Dataset, Inventory, OidcProvider


def scan(
    paths: Iterable[Path],
    config: Config | None = None,
    *,
    var_files: Sequence[Path] = (),
    parameters: Mapping[str, str] | None = None,
    baseline: Baseline | None = None,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
    progress: Tally | None = None,
) -> ScanResult:
    """Read ``paths`` and judge every IAM user, access key, login profile and trust policy
    found. Ignores of ``config`` and the ``baseline``'s accepted findings are counted as
    suppressed, never dropped. ``progress(done, total)`` counts the files read."""
    model = read_paths(paths, var_files=var_files, parameters=parameters, progress=progress)
    return judge(model, config, baseline=baseline, checks=checks, now=now)


def judge(
    model: IacModel,
    config: Config | None = None,
    *,
    baseline: Baseline | None = None,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Judge an already read model."""
    now = now or datetime.now(UTC)
    selected = [c for c in (*CHECKS, *trust_checks()) if checks is None or c.id in checks]
    wanted = {c.id for c in selected}
    found: list[Finding] = []
    counts = dict.fromkeys(wanted, 0)
    for resource in model.resources:
        check = FOR_KIND.get(resource.kind)
        if check is not None and check.id in wanted:
            counts[check.id] += 1
            found.append(existence_finding(check, resource))
    if HARDCODED_AWS_KEY.id in wanted:
        counts[HARDCODED_AWS_KEY.id] = len(model.files)
        found.extend(literal_key_finding(key) for key in model.literal_keys)
    judged, unread = roles_to_judge(model.resources)
    trust = [c for c in selected if c.theme == "trust"]
    if judged and trust:
        for c in trust:
            counts[c.id] = len(judged)
        trust_found = _trust_findings(judged, trust, now, declared_providers(model.resources))
        found.extend(trust_found)
        flagged = {str(f.evidence["address"]) for f in trust_found}
        unread += [
            j.not_judged
            for j in judged
            if j.not_judged is not None and (j.resource.address not in flagged or j.leaves_out)
        ]
    else:
        unread += [j.not_judged for j in judged if j.not_judged is not None]
    kept, suppressed = apply_ignores(found, (config or Config()).ignores)
    if baseline is not None:
        kept, accepted = baseline.apply(kept)
        suppressed = (*suppressed, *accepted)
    runs = tuple(
        CheckRun(c, evaluated=counts[c.id], findings=sum(f.check == c.id for f in kept))
        for c in selected
    )
    return ScanResult(
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        now=now,
        command="iac",
        check_runs=runs,
        suppressed=tuple(suppressed),
        files=model.files,
        unread=(*model.unread, *unread),
        notes=model.notes,
        ignores=(config or Config()).ignores,
    )


def _trust_findings(
    judged: list[JudgedRole],
    checks: list[Check],
    now: datetime,
    oidc_providers: tuple[OidcProvider, ...] = (),
) -> list[Finding]:
    """Every trust check over every judged role, in one engine pass; the OIDC providers
    the code declares are the deploying account's (their audiences decide what a role
    without an ``aud`` condition accepts)."""
    by_arn = {j.role.arn: j for j in judged}
    account = Account(
        id=DEPLOYING_ACCOUNT,
        roles=tuple(j.role for j in judged),
        oidc_providers=oidc_providers,
        datasets=dict.fromkeys(Dataset, AVAILABLE),
    )
    result = run_checks(Inventory(accounts=(account,), origin="iac"), now=now, checks=checks)
    return [
        located(finding, role)
        for finding in result.findings
        if (role := by_arn.get(finding.resource)) is not None
        and (not role.is_partial or holds_for_any_name(finding, role))
    ]
