"""``keyless trust``: who can assume a role, and the trust findings with witnesses.

Exit codes: 0 nothing at or above ``--fail-on``, 1 findings at or above it, 2 bad input,
3 a role of an infrastructure file whose trust policy could not be judged, or a check that
could not decide the role within keyless's bound of work (listed as not evaluated).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from keyless.cli.output import emit, render_options
from keyless.cli.paths import FilePath
from keyless.engine import assess_trust
from keyless.errors import InputError, PolicyError, quoted, shown_pointer
from keyless.files import STDIN, has_undecodable_name, path_text, read_text, source_name
from keyless.findings import Severity
from keyless.model import Inventory, Role
from keyless.model.arn import parse_arn
from keyless.policy.identifiers import checked_role_arn, checked_role_name_or_arn, checked_text
from keyless.policy.wrapped import TRUST_FILE_BYTES, TRUST_FILE_HINT, load_trust_file
from keyless.render import Format, formats, render
from keyless.trust.owner import UNKNOWN_ACCOUNT, named_accounts, owner_partition

DEFAULT_ACCOUNT = "123456789012"


def _checked_name(path: Path, where: str) -> None:
    """A file name the findings can name: UTF-8, without control characters."""
    if has_undecodable_name(path):
        raise InputError(
            f"the file name {path_text(path)} is not UTF-8, so no finding could name it",
            where=where,
            hint="Rename the file (or copy it to a UTF-8 name) and run again.",
        )
    checked_text(str(path), "the file name", where)


def read_trust_text(path: str | Path) -> str:
    """A trust policy file's text (``-``: standard input), up to
    :data:`~keyless.policy.wrapped.TRUST_FILE_BYTES`: more is an InputError saying why."""
    return read_text(
        path, "the trust policy", marked=True, limit=TRUST_FILE_BYTES, limit_hint=TRUST_FILE_HINT
    )


def _policy_role(path: Path, role_arn: str | None) -> Role:
    _checked_name(path, "POLICY")
    found, _ = load_trust_file(read_trust_text(path), source=source_name(path))
    document = found.document
    if role_arn is None:
        # `aws iam get-role` output names the role (its ARN checked as it was read).
        role_arn = found.role_arn
    if role_arn is None:
        # The role is named by the file's RoleName (`create-role --cli-input-json` input,
        # get-role output without an Arn; checked as it was read), else after the file:
        # only the characters IAM allows in one. Its account is the one the policy's own
        # providers and source conditions name, its partition the one its principals' ARNs
        # name (trust does not cross partitions).
        stem = "stdin" if str(path) == STDIN else path.stem
        name = found.role_name or re.sub(r"[^A-Za-z0-9_+=,.@-]", "-", stem)[:64] or "role"
        named = named_accounts(document)
        # Several accounts named (providers of two accounts): which is the role's is unknown.
        owner = next(iter(named)) if len(named) == 1 else UNKNOWN_ACCOUNT if named else None
        owner = owner or DEFAULT_ACCOUNT
        partition = owner_partition(document) or "aws"
        arn = f"arn:{partition}:iam::{owner}:role/{name}"
    else:
        arn = checked_role_arn(role_arn)
    parsed = parse_arn(arn)
    assert parsed is not None  # checked_role_arn: an ARN
    return Role(
        account_id=parsed.account,
        name=parsed.resource.rsplit("/", 1)[-1],
        arn=arn,
        trust_policy=document,
    )


def _snapshot_role(snapshot: Path, wanted: str) -> tuple[Role, Inventory, str]:
    """The role named ``wanted`` in the snapshot, its estate, and the JSON pointer to its
    trust policy there (the snapshot's accounts and roles are read in the order written)."""
    from keyless.collect.offline.snapshot import load_snapshot

    _checked_name(snapshot, "--snapshot")
    checked_role_name_or_arn(wanted, "ROLE")
    inventory = load_snapshot(snapshot)
    matches = [
        (role, inventory, f"/accounts/{a}/roles/{r}/trust_policy")
        for a, account in enumerate(inventory.accounts)
        for r, role in enumerate(account.roles)
        if wanted in (role.name, role.arn)
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        arns = ", ".join(role.arn for role, _, _ in matches)
        raise InputError(
            f"{len(matches)} roles are named {wanted} in the snapshot: {arns}",
            where=str(snapshot),
            hint="Give the role's full ARN.",
        )
    raise InputError(
        f"no role named {wanted} in the snapshot",
        where=str(snapshot),
        hint="Give the role's name or full ARN.",
    )


def _stored_policy_error(
    error: PolicyError, snapshot: Path, pointer: str, role: Role
) -> InputError:
    """A snapshot role's trust policy that IAM would refuse, named by the snapshot and the
    JSON pointer into it (the error named only the pointer into the policy, which the user
    could not find: no file, no role), with what is wrong with it."""
    return InputError(
        f"the trust policy of {quoted(role.arn)} cannot be analysed: {error.message}",
        where=f"{snapshot}#{shown_pointer(pointer + error.pointer)}",
        hint=error.hint
        or "IAM refuses such a policy, so the snapshot was edited or damaged: collect the"
        " account again.",
    )


def _infrastructure_file(
    path: Path,
    role_arn: str | None,
    fmt: str,
    fail_on: str,
    var_files: tuple[Path, ...],
    parameters: dict[str, str],
) -> bool:
    """A Terraform file, plan or CloudFormation template: every role in it, named by its
    address (exit 3 when one could not be judged). False for a bare policy document."""
    from keyless.iac.trust import assess_file, is_infrastructure_file

    if not is_infrastructure_file(path):
        return False
    if role_arn is not None:
        raise InputError("--role-arn applies to a policy document; roles here have addresses")
    value = assess_file(path, var_files=var_files, parameters=parameters)
    emit(render(value, Format(fmt), render_options(None)))
    threshold = Severity(fail_on)
    failed = any(f.severity >= threshold for r in value.roles for f in r.assessment.findings)
    sys.exit(3 if value.unread else 1 if failed else 0)


@click.command("trust")
@click.argument("target", required=False)
@click.option(
    "--snapshot",
    type=FilePath(exists=True),
    help="Read the role from a snapshot; TARGET is then the role name or ARN.",
)
@click.option(
    "--role-arn",
    help="The role the policy belongs to (POLICY.json mode; default: a role named after "
    "the file, in the one account the policy's OIDC/SAML providers and aws:SourceAccount/"
    "aws:SourceArn conditions name, else 123456789012; 000000000000, unknown, when they "
    "name several). Its account decides what is 'another account'.",
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=FilePath(exists=True),
    help="Terraform variable values (.tfvars or .tfvars.json), as `terraform -var-file` "
    "(infrastructure files).",
)
@click.option(
    "--parameter",
    "parameter_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="A CloudFormation parameter's value, as a stack deployment gives it (repeatable; "
    "templates).",
)
@click.option(
    "--format", "fmt", type=click.Choice([f.value for f in formats("trust")]), default="text"
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default="high",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
def trust(
    target: str | None,
    snapshot: Path | None,
    role_arn: str | None,
    var_files: tuple[Path, ...],
    parameter_values: tuple[str, ...],
    fmt: str,
    fail_on: str,
) -> None:
    """Who can assume a role: one sentence per access path, then the trust findings.

    keyless trust POLICY.json (- reads standard input) | keyless trust --snapshot FILE
    ROLE_NAME_OR_ARN | keyless trust main.tf / template.yaml / plan.json (every role, by
    address)
    """
    from keyless.cli.iac import parse_parameters

    parameters = parse_parameters(parameter_values)
    if snapshot is not None:
        if not target:
            raise InputError("--snapshot needs a role name or ARN")
        if role_arn is not None:
            raise InputError(
                "--role-arn applies to a policy file; with --snapshot the role is looked up"
            )
        role, inventory, pointer = _snapshot_role(snapshot, target)
    else:
        if not target:
            raise InputError("give a trust policy file, or --snapshot FILE ROLE")
        if _infrastructure_file(Path(target), role_arn, fmt, fail_on, var_files, parameters):
            return
        role, inventory, pointer = _policy_role(Path(target), role_arn), None, ""
    if var_files or parameters:
        raise InputError(
            "--var-file and --parameter apply to a Terraform file, plan or CloudFormation "
            "template, not to a policy document or a snapshot's role"
        )
    try:
        assessment = assess_trust(role, inventory)
    except PolicyError as error:
        if snapshot is None:
            raise
        raise _stored_policy_error(error, snapshot, pointer, role) from None
    emit(render(assessment, Format(fmt), render_options(None)))
    threshold = Severity(fail_on)
    if assessment.not_evaluated:
        sys.exit(3)  # not judged is never clean
    sys.exit(1 if any(f.severity >= threshold for f in assessment.findings) else 0)
