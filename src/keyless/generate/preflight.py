"""``keyless plan --check`` for what ``keyless generate`` refuses under some of its options
only, so that a plan ``--check`` passes does not then fail in ``generate``:

* ``--format``: CloudFormation refuses a value holding a dynamic reference
  (``{{resolve:…}}``, which it would resolve at deploy) and a template past its quotas
  (500 resources, 200 outputs, 1 MB); either format refuses two names whose identifiers
  meet. These are found by running generate's own code on the plan in memory (nothing is
  written), each format in turn, so the check and the generator cannot drift apart.
* ``--region``: a Roles Anywhere trust anchor the plan found is reused only in its own
  Region (trust anchors and profiles are regional); in another, generate needs
  ``--ca-cert`` or ``--pca-arn`` for a new one.
* ``--ca-cert`` / ``--pca-arn``: an account with Roles Anywhere roles and no trust anchor
  the plan found needs one of them for a new anchor.

With the format (``--generate-format``) given, its refusals are problems (exit 2) and the
other formats are not tried; without it, every format that holds roles is tried and a
refusal is an open item that says which format it depends on. The region is generate's
own default unless ``--generate-region`` names another, and the CA is a stand-in Private
CA unless ``--generate-ca-cert`` or ``--generate-pca-arn`` gives the one generate will be
given (then no trust anchor depends on an option). What resolves with an option of
generate (``--ca-cert``) is an open item, never a problem.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from keyless.config import Thresholds
from keyless.errors import InputError, quoted
from keyless.generate.build import GenerateOptions, plan_partition, resources
from keyless.generate.emit import emit
from keyless.generate.model import OutputFormat
from keyless.generate.roles_anywhere import PCA_ARN
from keyless.model import Inventory
from keyless.plan import grammars
from keyless.plan.check import CheckResult, check_plan
from keyless.plan.document import Problem

#: The formats that hold the plan's roles and names (``aws-config`` and ``scp`` hold
#: neither, and refuse nothing of a plan ``--check`` accepts).
FORMATS = (OutputFormat.TERRAFORM, OutputFormat.CLOUDFORMATION)
#: ``keyless generate --region``'s default.
DEFAULT_REGION = GenerateOptions(OutputFormat.TERRAFORM).region
# A Private CA of the shape generate takes, so that each account's trust anchor is a new
# one in the proof and the templates (one resource more than reusing the anchor found: the
# check errs on the side of the larger template).
_STAND_IN_CA = uuid.UUID("6b657930-6c65-7373-2d70-726566666c74")


def check_for_generate(
    document: Any,
    inventory: Inventory,
    thresholds: Thresholds | None = None,
    *,
    output_format: OutputFormat | None = None,
    region: str | None = None,
    ca_pem: str | None = None,
    pca_arn: str | None = None,
) -> CheckResult:
    """:func:`keyless.plan.check.check_plan`, then, on a plan without problems, what
    ``keyless generate`` would refuse with ``output_format`` (every format that holds roles
    when ``None``), ``region`` (generate's default when ``None``) and the CA of new trust
    anchors (``ca_pem`` or ``pca_arn``; when neither, what needs one is open): see the
    module doc."""
    if region is not None and not grammars.matches(grammars.REGION, region):
        raise InputError(f"{quoted(region)} is not an AWS region", where="--generate-region")
    if pca_arn is not None and not PCA_ARN.fullmatch(pca_arn):
        raise InputError(
            f"{quoted(pca_arn)} is not an AWS Private CA ARN", where="--generate-pca-arn"
        )
    if ca_pem is not None and pca_arn is not None:
        raise InputError("give --generate-ca-cert or --generate-pca-arn, not both")
    result = check_plan(document, inventory, thresholds)
    if result.problems:
        return result
    chosen = region or DEFAULT_REGION
    problems: list[Problem] = []
    shown = region or f"{chosen} (its default)"
    open_items = list(result.open_items)
    if ca_pem is None and pca_arn is None:
        open_items += [*_anchors_missing(document), *_anchor_regions(document, chosen, shown)]
    for name, refusal in _refusals(document, output_format, chosen, ca_pem, pca_arn):
        if output_format is None and name is not None:
            open_items.append(f"depends on --format: generate --format {name} refuses: {refusal}")
        else:
            what = f"generate --format {name}" if name else "generate"
            problems.append(Problem("", f"{what} refuses: {refusal}"))
    return replace(result, problems=tuple(problems), open_items=tuple(open_items))


def _refusals(
    document: Mapping[str, Any],
    output_format: OutputFormat | None,
    region: str,
    ca_pem: str | None,
    pca_arn: str | None,
) -> Iterator[tuple[str | None, str]]:
    """Each format's refusal (``None`` for the format: every format's), by generate's
    own code."""
    try:
        partition = plan_partition(document)
        options = GenerateOptions(
            OutputFormat.TERRAFORM, region=region, ca_pem=ca_pem, pca_arn=pca_arn
        )
        if document["roles_anywhere"] and ca_pem is None and pca_arn is None:
            account = document["roles_anywhere"][0]["account"]
            options = replace(options, pca_arn=_stand_in_ca(partition, region, account))
        generated, _ = resources(document, options)
    except InputError as error:
        yield None, error.message
        return
    for candidate in FORMATS if output_format is None else (output_format,):
        try:
            emit(generated, candidate)
        except InputError as error:
            yield candidate.value, error.message


def _stand_in_ca(partition: str, region: str, account: str) -> str:
    return f"arn:{partition}:acm-pca:{region}:{account}:certificate-authority/{_STAND_IN_CA}"


def _anchors_missing(document: Mapping[str, Any]) -> Iterator[str]:
    """An open item per account with Roles Anywhere roles and no trust anchor the plan
    found: generate refuses to write them without a CA for a new anchor
    (:func:`keyless.generate.roles_anywhere.roles_anywhere_resources`)."""
    by_account: dict[str, set[str]] = {}
    for entry in document["roles_anywhere"]:
        by_account.setdefault(entry["account"], set()).update(entry["trust_anchors"])
    for account, anchors in sorted(by_account.items()):
        if not anchors:
            yield (
                f"depends on --ca-cert: the plan has Roles Anywhere roles in {account} and "
                "found no trust anchor there: generate needs --ca-cert PEM (the CA that "
                "issues the workloads' certificates) or --pca-arn ARN (an AWS Private CA) "
                "for a new one; --generate-ca-cert / --generate-pca-arn check it here"
            )


def _anchor_regions(document: Mapping[str, Any], region: str, shown: str) -> Iterator[str]:
    """An open item per account whose Roles Anywhere roles have trust anchors the plan
    found, none of them in ``region``: generate reuses an anchor only in its own Region
    (:func:`keyless.generate.roles_anywhere.roles_anywhere_resources`), and needs a CA
    for a new one in any other."""
    by_account: dict[str, set[str]] = {}
    for entry in document["roles_anywhere"]:
        by_account.setdefault(entry["account"], set()).update(entry["trust_anchors"])
    for account, anchors in sorted(by_account.items()):
        regions = sorted({arn.split(":")[3] for arn in anchors})
        if regions and region not in regions:
            yield (
                f"depends on --region: the trust anchors the plan found in {account} are in "
                f"{', '.join(regions)}, and Roles Anywhere profiles work only with an anchor "
                f"of their own Region: generate --region {regions[0]}, or with --region "
                f"{shown} give it --ca-cert PEM or --pca-arn ARN for a new anchor"
            )
