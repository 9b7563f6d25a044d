"""``keyless simulate``: may this caller assume the role? Exit 0 allow, 1 deny, 2 bad input."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import click

from keyless.cli.output import emit, render_options
from keyless.errors import InputError, quoted
from keyless.files import STDIN, read_bytes, read_json_object, read_text, source_name
from keyless.idp.context_keys import passed_by_hand
from keyless.policy.evaluate import Request, evaluate
from keyless.policy.identifiers import (
    checked_action,
    checked_condition_key,
    checked_external_id,
    checked_organization,
    checked_principal,
    checked_role_arn,
    checked_service,
    checked_text,
    checked_trust_anchor,
)
from keyless.policy.wrapped import load_trust_file
from keyless.render import Format, formats, render
from keyless.trust.analysis import keys_of_issuer


def _parse_context(pairs: tuple[str, ...]) -> dict[str, str | list[str]]:
    """``KEY=VALUE`` pairs; a key given several times becomes multivalued (condition keys
    ignore case: ``aws:SourceVpc`` and ``aws:sourcevpc`` are one key, written as first
    given; the second spelling replaced the first one's values). Keys follow the
    condition-key grammar; neither side may hold a control character."""
    result: dict[str, str | list[str]] = {}
    spelled: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expects KEY=VALUE, not {quoted(pair)}", where="--context")
        checked_text(key, "the key", "--context")
        key = checked_condition_key(key.strip())
        key = spelled.setdefault(key.lower(), key)
        checked_text(value, "the value of " + key, "--context")
        if key in result:
            previous = result[key]
            result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[key] = value
    return result


def _checked_options(**values: str | None) -> None:
    """Every option value against its grammar, before anything is read or evaluated: a value
    that does not fit is exit 2 naming the option, never a line of output."""
    grammars = {
        "principal": checked_principal,
        "role_arn": checked_role_arn,
        "trust_anchor": checked_trust_anchor,
        "service": checked_service,
        "external_id": checked_external_id,
        "org_id": checked_organization,
        "action": checked_action,
    }
    from_stdin = [name for name, value in values.items() if value == STDIN]
    if len(from_stdin) > 1:
        options = ", ".join("--" + name.replace("_", "-") for name in from_stdin)
        raise InputError(f"only one file can be read from standard input (-): {options}")
    for name, value in values.items():
        if value is None:
            continue
        option = "--" + name.replace("_", "-")
        check = grammars.get(name)
        if check is not None:
            check(value, option)
        else:  # a file name
            checked_text(value, "the file name", option)


#: How much of a claims, token, SAML attributes or JWKS file (or standard input) is read:
#: STS takes a web identity token of at most 20,000 characters and a SAML assertion of
#: 100,000 (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html,
#: API_AssumeRoleWithSAML.html). They were read up to 1 GiB: `--web-identity - < /dev/zero`
#: held a gigabyte before saying so.
_SMALL_BYTES = 1 << 20
_SMALL_HINT = (
    "A token, its claims, SAML attributes and a JWKS are a few kilobytes; keyless reads"
    " each (and standard input) up to 1 MiB."
)


def build_request(
    *,
    web_identity: str | None,
    web_identity_token: str | None,
    jwks: str | None,
    principal: str | None,
    saml: str | None,
    certificate: str | None,
    trust_anchor: str | None,
    context: dict[str, str | list[str]],
    external_id: str | None,
    mfa: bool,
    role_arn: str | None,
    service: str | None = None,
    org_id: str | None = None,
) -> Request:
    """The request the options describe (exactly one mechanism)."""
    from keyless.idp.aws import aws_principal_request, service_request
    from keyless.idp.oidc import web_identity_request
    from keyless.idp.roles_anywhere import read_certificate, roles_anywhere_request
    from keyless.idp.saml import saml_request
    from keyless.idp.tokens import UnusableKeySet, decode_token
    from keyless.model.arn import partition_or_aws

    given = [
        name
        for name, value in (
            ("--web-identity", web_identity),
            ("--web-identity-token", web_identity_token),
            ("--principal", principal),
            ("--saml", saml),
            ("--certificate", certificate),
            ("--service", service),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InputError(
            "give exactly one caller: --web-identity, --web-identity-token, --principal, "
            "--saml, --certificate or --service" + (f" (got {', '.join(given)})" if given else ""),
        )
    if (external_id is not None or mfa or org_id is not None) and principal is None:
        raise InputError("--external-id, --mfa and --org-id apply only with --principal")
    if jwks is not None and web_identity_token is None:
        raise InputError("--jwks applies only with --web-identity-token")
    if (trust_anchor is None) != (certificate is None):
        raise InputError("--certificate and --trust-anchor go together")
    if web_identity is not None:
        claims = read_json_object(
            web_identity, "the claims file", limit=_SMALL_BYTES, limit_hint=_SMALL_HINT
        )
        with _located(web_identity):
            return web_identity_request(claims, role_arn=role_arn, context=context)
    if web_identity_token is not None:
        key_set = (
            read_json_object(jwks, "the JWKS", limit=_SMALL_BYTES, limit_hint=_SMALL_HINT)
            if jwks is not None
            else None
        )
        token = read_text(
            web_identity_token, "the token", marked=True, limit=_SMALL_BYTES, limit_hint=_SMALL_HINT
        )
        with _located(web_identity_token):
            try:
                claims = decode_token(token, jwks=key_set)
            except UnusableKeySet as error:
                # The JWKS's fault, not the token's: named by its file.
                raise InputError(f"the JWKS {error.message}", where=jwks) from None
            return web_identity_request(claims, role_arn=role_arn, context=context)
    if principal is not None:
        with _located("--principal"):
            return aws_principal_request(
                principal,
                context=context,
                external_id=external_id,
                mfa=mfa,
                org_id=org_id,
                role_arn=role_arn,
            )
    if saml is not None:
        assertion = read_json_object(
            saml, "the SAML attributes file", limit=_SMALL_BYTES, limit_hint=_SMALL_HINT
        )
        with _located(saml):
            partition = partition_or_aws(role_arn) if role_arn is not None else "aws"
            return saml_request(assertion, context=context, partition=partition)
    if service is not None:
        return service_request(service, context=context, role_arn=role_arn)
    # What is left is --certificate, and --trust-anchor goes with it (both checked above).
    assert certificate is not None
    assert trust_anchor is not None
    pem = read_bytes(certificate, "the certificate", limit=1 << 20)
    with _located(certificate):
        presented = read_certificate(pem)
    with _located("--trust-anchor"):
        return roles_anywhere_request(presented, trust_anchor, context=context)


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Name the file (or option) an input error came from, when the error does not say."""
    try:
        yield
    except InputError as error:
        if error.where is not None:
            raise
        raise InputError(error.message, where=where, hint=error.hint) from None


@click.command("simulate")
@click.option(
    "--trust-policy",
    "trust_policy",
    required=True,
    metavar="FILE",
    help="The role's trust policy (JSON).",
)
@click.option(
    "--web-identity", metavar="CLAIMS.json", help="Decoded OIDC token payload (must contain iss)."
)
@click.option("--web-identity-token", metavar="FILE", help="A raw OIDC token (JWT).")
@click.option(
    "--jwks", metavar="FILE", help="Verify --web-identity-token's signature with this JWKS."
)
@click.option("--principal", metavar="ARN", help="An AWS caller: user/role/session ARN or account.")
@click.option("--saml", metavar="ATTRIBUTES.json", help="SAML assertion attributes (JSON object).")
@click.option(
    "--certificate", metavar="CERT.pem", help="IAM Roles Anywhere end-entity certificate."
)
@click.option("--trust-anchor", metavar="ARN", help="The Roles Anywhere trust anchor ARN.")
@click.option(
    "--service",
    metavar="PRINCIPAL",
    help="An AWS service acting for a resource, e.g. sns.amazonaws.com (with --context "
    "aws:SourceAccount=… / aws:SourceArn=…).",
)
@click.option(
    "--context",
    "context_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Extra request context; repeat a key for several values.",
)
@click.option("--external-id", metavar="ID", help="sts:ExternalId passed by the caller.")
@click.option("--mfa", is_flag=True, help="The caller authenticated with MFA.")
@click.option("--org-id", metavar="ID", help="The caller's AWS Organization (aws:PrincipalOrgID).")
@click.option("--role-arn", metavar="ARN", help="The role's ARN (for Resource and notes).")
@click.option("--action", metavar="ACTION", help="Evaluate this action instead.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in formats("simulate")]),
    default="text",
    show_default=True,
)
def simulate(
    trust_policy: str,
    web_identity: str | None,
    web_identity_token: str | None,
    jwks: str | None,
    principal: str | None,
    saml: str | None,
    certificate: str | None,
    trust_anchor: str | None,
    service: str | None,
    context_pairs: tuple[str, ...],
    external_id: str | None,
    mfa: bool,
    org_id: str | None,
    role_arn: str | None,
    action: str | None,
    output_format: str,
) -> None:
    """Decide, as STS would, whether a caller may assume a role under its trust policy."""
    _checked_options(
        trust_policy=trust_policy,
        web_identity=web_identity,
        web_identity_token=web_identity_token,
        jwks=jwks,
        principal=principal,
        saml=saml,
        certificate=certificate,
        trust_anchor=trust_anchor,
        service=service,
        external_id=external_id,
        org_id=org_id,
        role_arn=role_arn,
        action=action,
    )
    from keyless.cli.trust import read_trust_text

    _, policy = load_trust_file(read_trust_text(trust_policy), source=source_name(trust_policy))
    context = _parse_context(context_pairs)
    request = build_request(
        web_identity=web_identity,
        web_identity_token=web_identity_token,
        jwks=jwks,
        principal=principal,
        saml=saml,
        certificate=certificate,
        trust_anchor=trust_anchor,
        context=context,
        external_id=external_id,
        mfa=mfa,
        role_arn=role_arn,
        service=service,
        org_id=org_id,
    )
    request = replace(request, notes=(*request.notes, *passed_by_hand(request, context)))
    if action is not None:
        request = replace(request, actions=(action,))
    # As `keyless trust` reads it: a template's `${issuer}:sub` beside a literal provider is
    # that provider's key (keyless.trust.analysis.keys_of_issuer).
    decision = evaluate(keys_of_issuer(policy), request)
    emit(render(decision, Format(output_format), render_options(None)))
    sys.exit(0 if decision.allowed else 1)
