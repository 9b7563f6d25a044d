"""The resources as CloudFormation templates (YAML written by ruamel.yaml, never by
concatenation): one template per concern and account, so each deploys where it belongs
(Identity Center in the management account, roles in theirs; ``keyless-read-only.yaml``
is one template for a StackSet across the organization).

Account-dependent ARNs use ``Fn::Join`` with ``AWS::Partition`` / ``AWS::AccountId``
(never ``Fn::Sub``, whose ``${}`` a hostile policy path could reach). CloudFormation has
``AWS::IdentityStore::User`` (cfn-lint's resource specification lists it); with an
external identity source the user IDs are parameters instead.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter

from keyless.errors import InputError, quoted
from keyless.generate.guardrails import TARGET_ID, TARGET_ID_TEXT
from keyless.generate.model import (
    Generated,
    OutputFile,
    Placeholder,
    PlaceholderKind,
    RoleKind,
    RoleSpec,
    TrustAnchorSpec,
)
from keyless.generate.names import UniqueIds, duplicate_identifier, logical_id
from keyless.generate.own_access import MEMBER_ROLE, SCANNER_POLICY, scanner_policy
from keyless.plan.model import Permissions

_FILE = {
    RoleKind.OIDC: "oidc",
    RoleKind.ROLES_ANYWHERE: "roles-anywhere",
    RoleKind.WORKLOAD: "workload-roles",
}
_ACCOUNT_ID = {"Ref": "AWS::AccountId"}
_PARTITION = {"Ref": "AWS::Partition"}


#: Characters a YAML 1.1 reader (CloudFormation's, PyYAML, ruamel.yaml) takes for a line
#: break and a YAML 1.2 reader does not (https://yaml.org/spec/1.1/#id868851,
#: https://yaml.org/spec/1.2.2/#54-line-break-characters). Written raw in a quoted scalar
#: they are folded (NEL comes back as a space) or read differently by each parser.
_LINE_SEPARATORS = frozenset("\x85\u2028\u2029")


class _Representer(SafeRepresenter):
    """Strings holding a line separator are double-quoted, where the emitter writes them
    as the escapes ``\\N``, ``\\L`` and ``\\P`` that every YAML version reads back
    exactly."""

    def represent_str(self, data: Any) -> Any:
        if _LINE_SEPARATORS.isdisjoint(data):
            return super().represent_str(data)
        return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')


_Representer.add_representer(str, _Representer.represent_str)


#: Unicode categories a reviewer cannot see (format characters such as bidirectional
#: overrides and isolates or zero-width spaces; private-use and unassigned code points),
#: which the YAML emitter writes raw when it may write non-ASCII text: they reorder or hide
#: what is read (https://trojansource.codes).
_INVISIBLE = frozenset({"Cf", "Co", "Cn", "Cs"})


def dump(template: Mapping[str, Any]) -> bytes:
    """``template`` as YAML: block style, keys in order, long lines kept whole. A
    template holding an invisible character is written in ASCII, every non-ASCII
    character as a double-quoted escape (``\\u202E``) that reads back exactly."""
    plain = _plain(template)
    text = _dump(plain, allow_unicode=True)
    if not text.isascii() and any(unicodedata.category(c) in _INVISIBLE for c in text):
        text = _dump(plain, allow_unicode=False)
    return text.encode()


def _dump(template: Any, *, allow_unicode: bool) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.allow_unicode = allow_unicode
    out = io.StringIO()
    yaml.dump(template, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str) and _DYNAMIC_REFERENCE.search(value):
        # CloudFormation resolves {{resolve:ssm:NAME}} in any property at deploy, with the
        # deployer's rights, and has no escape for it: a display name or description taken
        # from a tag could read a parameter or secret into an attribute its user can see.
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
        raise InputError(
            f"the plan's value {quoted(value)} holds a CloudFormation dynamic reference "
            "({{resolve:…}}), which CloudFormation would resolve at deploy",
            hint="Edit the value in the plan (or the tag it came from) and generate again.",
        )
    return value


_DYNAMIC_REFERENCE = re.compile(r"\{\{\s*resolve\s*:", re.IGNORECASE)


def _template(description: str, resources: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description,
    }
    if extra.get("Parameters"):
        template["Parameters"] = extra["Parameters"]
    template["Resources"] = dict(resources)
    if extra.get("Outputs"):
        template["Outputs"] = extra["Outputs"]
    return template


def cfn_value(document: Any, generated: Generated) -> Any:
    """A JSON value with placeholders as ``Fn::GetAtt`` of the resources they name."""
    if isinstance(document, Placeholder):
        if document.kind is PlaceholderKind.OIDC_PROVIDER:
            spec = next(
                p
                for p in generated.oidc_providers
                if (p.account, p.issuer) == (document.account, document.key)
            )
            return spec.existing_arn or {"Fn::GetAtt": [_provider_id(spec.issuer), "Arn"]}
        anchor = next(a for a in generated.trust_anchors if a.account == document.account)
        return anchor.existing_arn or {"Fn::GetAtt": ["TrustAnchor", "TrustAnchorArn"]}
    if isinstance(document, Mapping):
        return {str(k): cfn_value(v, generated) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [cfn_value(v, generated) for v in document]
    return document


def _provider_id(issuer: str) -> str:
    return logical_id("Provider", issuer)


def cloudformation_files(generated: Generated) -> tuple[OutputFile, ...]:
    """Every template, in a stable order."""
    files: dict[str, dict[str, Any]] = {}
    if generated.identity_center.permission_sets or generated.identity_center.users:
        from keyless.generate.cloudformation_ic import identity_center_template

        files["identity-center.yaml"] = identity_center_template(generated)
    by_file: dict[tuple[str, str], list[RoleSpec]] = {}
    for role in generated.roles:
        if role.kind is not RoleKind.KEYLESS:
            by_file.setdefault((_FILE[role.kind], role.account), []).append(role)
    for (concern, account), roles in sorted(by_file.items()):
        resources = UniqueIds("CloudFormation logical ID")
        outputs = UniqueIds("CloudFormation output")
        if concern == "oidc":
            for provider in generated.oidc_providers:
                if provider.account == account and provider.existing_arn is None:
                    resources[_provider_id(provider.issuer)] = {
                        "Type": "AWS::IAM::OIDCProvider",
                        "Properties": {
                            "Url": f"https://{provider.issuer}",
                            "ClientIdList": list(provider.audiences),
                        },
                    }
        if concern == "roles-anywhere":
            anchor = next(a for a in generated.trust_anchors if a.account == account)
            for key, value in _anchor(anchor, roles).items():
                resources[key] = value
        for role in roles:
            identifier = logical_id("Role", role.name)
            resources[identifier] = _role(role, generated)
            outputs[f"{identifier}Arn"] = {
                "Description": f"{role.name}",
                "Value": {"Fn::GetAtt": [identifier, "Arn"]},
            }
            if concern == "roles-anywhere":
                outputs[f"{identifier}CredentialProcess"] = _credential_process(identifier)
        name = f"{concern}-{_file_label(generated, account)}.yaml"
        if any(name.casefold() == other.casefold() for other in files):
            # Two labels sanitised alike whose hashes meet: one account's template would
            # replace the other's, its roles silently left out.
            raise duplicate_identifier("CloudFormation template file name", name)
        files[name] = _template(
            f"keyless generate: {concern} in {account}", resources, Outputs=outputs
        )
    files["keyless-read-only.yaml"] = _keyless_template(generated)
    files["keyless-scanner.yaml"] = _template(
        "keyless generate: the policy of the management account's scanner role",
        {
            "KeylessScannerPolicy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": SCANNER_POLICY,
                    "Description": "keyless: what keyless scan --org calls from the management "
                    "account; attach it to the scanner role",
                    "PolicyDocument": scanner_policy(generated.partition),
                },
            }
        },
    )
    files.update(_guardrails(generated))
    written = tuple(OutputFile(name, dump(files[name])) for name in sorted(files))
    _check_quotas(files, written)
    return written


#: CloudFormation's quotas on one template: resources, parameters, outputs, and the body
#: from S3 (1 MB, read as 10^6 bytes); a body past 51,200 bytes cannot be sent inline.
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
TEMPLATE_QUOTAS = {"Resources": 500, "Parameters": 200, "Outputs": 200}
TEMPLATE_S3_BYTES = 1_000_000
TEMPLATE_INLINE_BYTES = 51_200


def _check_quotas(
    templates: Mapping[str, Mapping[str, Any]], files: tuple[OutputFile, ...]
) -> None:
    """An InputError naming each template CloudFormation would refuse for its size."""
    over = [
        f"{name} would declare {len(template.get(section, {})):,} {section.lower()}"
        f" (CloudFormation takes {most:,})"
        for name, template in sorted(templates.items())
        for section, most in TEMPLATE_QUOTAS.items()
        if len(template.get(section, {})) > most
    ]
    over += [
        f"{file.path} would be {len(file.content):,} bytes (CloudFormation takes"
        f" {TEMPLATE_S3_BYTES:,} from S3)"
        for file in files
        if len(file.content) > TEMPLATE_S3_BYTES
    ]
    if over:
        raise InputError(
            "; ".join(over),
            where="--format cloudformation",
            hint="Generate --format terraform, which has no such quota, or plan fewer people"
            " or accounts at a time.",
        )


def _file_label(generated: Generated, account: str) -> str:
    from keyless.generate.names import profile_name

    return profile_name(generated.label(account))


def _permissions(permissions: Permissions) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    arns: list[Any] = list(permissions.aws_managed)
    arns.extend(
        {
            "Fn::Join": [
                "",
                ["arn:", _PARTITION, ":iam::", _ACCOUNT_ID, f":policy{p.path}{p.name}"],
            ]
        }
        for p in permissions.customer_managed
    )
    if arns:
        properties["ManagedPolicyArns"] = arns
    if permissions.inline is not None:
        properties["Policies"] = [
            {"PolicyName": "keyless", "PolicyDocument": _plain(permissions.inline)}
        ]
    if permissions.boundary is not None:
        properties["PermissionsBoundary"] = permissions.boundary
    return properties


def _role(role: RoleSpec, generated: Generated, trust: Any = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "RoleName": role.name,
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
        "AssumeRolePolicyDocument": trust or cfn_value(role.trust, generated),
    }
    properties.update(_permissions(role.permissions))
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def _anchor(anchor: TrustAnchorSpec, roles: list[RoleSpec]) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if anchor.existing_arn is None:
        if anchor.ca_pem is not None:
            source = {
                "SourceType": "CERTIFICATE_BUNDLE",
                "SourceData": {"X509CertificateData": anchor.ca_pem},
            }
        else:
            source = {"SourceType": "AWS_ACM_PCA", "SourceData": {"AcmPcaArn": anchor.pca_arn}}
        resources["TrustAnchor"] = {
            "Type": "AWS::RolesAnywhere::TrustAnchor",
            "Properties": {"Name": anchor.name, "Enabled": True, "Source": source},
        }
    resources["Profile"] = {
        "Type": "AWS::RolesAnywhere::Profile",
        "Properties": {
            "Name": anchor.name,
            "Enabled": True,
            "RoleArns": [
                {"Fn::GetAtt": [logical_id("Role", r.name), "Arn"]}
                for r in roles
                if r.name in anchor.role_names
            ],
        },
    }
    return resources


def _credential_process(identifier: str) -> dict[str, Any]:
    return {
        "Description": "credential_process for ~/.aws/config (aws_signing_helper)",
        "Value": {
            "Fn::Join": [
                "",
                [
                    "aws_signing_helper credential-process --certificate CERT.pem "
                    "--private-key KEY.pem --trust-anchor-arn ",
                    {"Fn::GetAtt": ["TrustAnchor", "TrustAnchorArn"]},
                    " --profile-arn ",
                    {"Fn::GetAtt": ["Profile", "ProfileArn"]},
                    " --role-arn ",
                    {"Fn::GetAtt": [identifier, "Arn"]},
                ],
            ]
        },
    }


def _keyless_template(generated: Generated) -> dict[str, Any]:
    role = next((r for r in generated.roles if r.kind is RoleKind.KEYLESS), None)
    resources: dict[str, Any] = {}
    if role is not None:
        trust = cfn_value(role.trust, generated)
        for statement in trust["Statement"]:
            statement["Principal"] = {"AWS": {"Ref": "ScannerRoleArn"}}
        resources["KeylessReadOnlyRole"] = _role(role, generated, trust)
    return _template(
        f"keyless generate: the {MEMBER_ROLE} role keyless scan --org assumes (deploy to every "
        "account, e.g. as a StackSet)",
        resources,
        Parameters={
            "ScannerRoleArn": {
                "Type": "String",
                "Description": "The management account's role that runs keyless scan --org",
                "Default": generated.keyless_scanner_role,
            }
        },
    )


def _guardrails(generated: Generated) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for policy in generated.guardrails:
        if policy.kind == "scp":
            files["guardrails.yaml"] = _template(
                "keyless generate: the guardrail SCP (deploy in the management account)",
                {
                    "GuardrailPolicy": {
                        "Type": "AWS::Organizations::Policy",
                        "Properties": {
                            "Name": policy.name,
                            "Description": policy.description,
                            "Type": "SERVICE_CONTROL_POLICY",
                            "Content": _plain(policy.document),
                            "TargetIds": {"Ref": "TargetIds"},
                        },
                    }
                },
                Parameters={
                    "TargetIds": {
                        "Type": "CommaDelimitedList",
                        "Description": "The organization root (r-...), OUs (ou-...) or "
                        "accounts to attach to",
                        # Matched against the whole of each item of a CommaDelimitedList
                        # (no anchors needed): a value that is no target is refused when
                        # the stack is created or updated.
                        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
                        "AllowedPattern": TARGET_ID,
                        "ConstraintDescription": f"each target is {TARGET_ID_TEXT}",
                    }
                },
            )
        else:
            files["guardrails-boundary.yaml"] = _template(
                "keyless generate: the guardrail as a permissions boundary",
                {
                    "GuardrailBoundary": {
                        "Type": "AWS::IAM::ManagedPolicy",
                        "Properties": {
                            "ManagedPolicyName": policy.name,
                            "Description": policy.description,
                            "PolicyDocument": _plain(policy.document),
                        },
                    }
                },
            )
    return files
