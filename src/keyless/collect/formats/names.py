"""The grammar of the names and paths IAM gives users, roles and groups, applied to what
an export or a snapshot claims they are.

AWS's ``GetAccountAuthorizationDetails`` only ever returns names IAM accepted at creation
(``CreateUser``, ``CreateRole``, ``CreateGroup``): letters, digits and ``_+=,.@-``, 64
characters for users and roles, 128 for groups; paths ``/`` or ``/…/`` of printable
ASCII, 512 at most. A name outside that grammar (``a/b``, a newline, 70 characters) was
edited in by hand: it would reach plans, generated Terraform and file names, so it is
refused where it is read, with its JSON pointer, rather than sanitised later.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_User.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_Group.html

An account's alias, name and email are held to theirs too (IAM's ``CreateAccountAlias``,
Organizations' ``Account``): they become profile names, file names and report titles.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html

So are an organization's ID and its management account's (Organizations'
``Organization``): the ID names the organization in reports and decides which shards
merge, the management account is judged by the organization's checks.
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html

And an access key's ID (IAM's ``AccessKeyMetadata``): it reaches plans, whose keys
``keyless retire`` deletes by it, and reports.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyMetadata.html

And identity providers' ARNs, OIDC issuer URLs and SAML provider names: they reach trust
findings, plans (the provider a generated role trusts) and generated Terraform.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from keyless.errors import quoted
from keyless.policy.identifiers import GROUP_NAME, IAM_PATH, ROLE_NAME, USER_NAME

# Identity provider ARNs, in every partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
# aws-iso-e, aws-iso-f, aws-eusc, and those to come: "aws" and dash-separated words).
# An OIDC provider is named by its issuer URL without https:// (a host, a port, a path:
# the URL is 255 characters at most, CreateOpenIDConnectProvider's Url, so 247 without
# its scheme); a SAML provider by its name (CreateSAMLProvider's Name: [\w._-], 1 to 128).
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
_PARTITION = r"aws(?:-[a-z]+){0,3}"
_ISSUER = (
    r"(?=.{1,247}\Z)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?"
)
OIDC_PROVIDER_ARN = re.compile(rf"arn:{_PARTITION}:iam::[0-9]{{12}}:oidc-provider/{_ISSUER}")
SAML_PROVIDER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
SAML_PROVIDER_ARN = re.compile(
    rf"arn:{_PARTITION}:iam::[0-9]{{12}}:saml-provider/{SAML_PROVIDER_NAME.pattern}"
)

#: Each grammar and how to describe it, by what it names.
GRAMMARS: Mapping[str, tuple[re.Pattern[str], str]] = MappingProxyType(
    {
        "UserName": (USER_NAME, "1 to 64 letters, digits or _+=,.@-"),
        "RoleName": (ROLE_NAME, "1 to 64 letters, digits or _+=,.@-"),
        "GroupName": (GROUP_NAME, "1 to 128 letters, digits or _+=,.@-"),
        "Path": (IAM_PATH, '"/" or "/…/" of printable ASCII, 512 characters at most'),
        "AccountAlias": (
            re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]"),
            "3 to 63 lower-case letters, digits or single dashes, neither first nor last",
        ),
        "AccountName": (re.compile(r"[ -~]{1,50}"), "1 to 50 printable ASCII characters"),
        "AccountEmail": (
            re.compile(r"(?=.{6,64}$)[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+"),
            "an email address of 6 to 64 printable ASCII characters",
        ),
        "OrganizationId": (
            re.compile(r"o-[a-z0-9]{10,32}"),
            '"o-" and 10 to 32 lower-case letters or digits',
        ),
        "AccountId": (re.compile(r"[0-9]{12}"), "12 ASCII digits"),
        # ListAccessKeys' AccessKeyId: [\w]+, 16 to 128 characters (letters and digits).
        # https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyMetadata.html
        "AccessKeyId": (
            re.compile(r"[A-Za-z0-9_]{16,128}"),
            "16 to 128 ASCII letters, digits or _",
        ),
        "OidcProviderArn": (
            OIDC_PROVIDER_ARN,
            "arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST[/PATH], the issuer URL of ASCII"
            " URL characters without https://",
        ),
        "OidcProviderUrl": (
            re.compile(rf"https://{_ISSUER}"),
            "https:// and the issuer's host and path, of ASCII URL characters",
        ),
        "SamlProviderArn": (
            SAML_PROVIDER_ARN,
            "arn:PARTITION:iam::ACCOUNT:saml-provider/NAME, 1 to 128 letters, digits or _.-",
        ),
        "SamlProviderName": (SAML_PROVIDER_NAME, "1 to 128 letters, digits or _.-"),
    }
)

#: The grammars of names IAM gives (the others are AWS Organizations').
_IAM_GRAMMARS = frozenset(
    {
        "UserName",
        "RoleName",
        "GroupName",
        "Path",
        "OidcProviderArn",
        "OidcProviderUrl",
        "SamlProviderArn",
        "SamlProviderName",
    }
)


class NameOutsideGrammar(ValueError):
    """A name or path outside IAM's grammar; ``key`` is its field (``UserName``, ``Path``)."""

    def __init__(self, message: str, key: str):
        super().__init__(message)
        self.key = key


def name_schema(what: str) -> dict[str, object]:
    """The JSON Schema of a ``what`` (anchored: JSON Schema patterns match anywhere)."""
    grammar, description = GRAMMARS[what]
    return {
        "type": "string",
        "pattern": f"^(?:{grammar.pattern})$",
        "description": description,
    }


def name_problem(what: str, value: str) -> str | None:
    """Why ``value`` cannot be the ``what`` (a key of :data:`GRAMMARS`: ``UserName``,
    ``Path``, ``OrganizationId``…) of anything AWS holds, or ``None`` when it can."""
    grammar, description = GRAMMARS[what]
    if grammar.fullmatch(value):
        return None
    owner = "IAM" if what in _IAM_GRAMMARS else "AWS"
    return f"{what} {quoted(value)} is not one {owner} allows ({description})"


def checked_name(what: str, value: str) -> str:
    """``value`` when it is a valid ``what``; else :class:`NameOutsideGrammar`."""
    problem = name_problem(what, value)
    if problem is not None:
        raise NameOutsideGrammar(problem, what)
    return value


# IAM's tag grammar: letters, separators (\p{Z}) and numbers of any script, and _.:/=+-@;
# keys 1 to 128 characters, values up to 256.
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
_TAG_ASCII = re.compile(r"[A-Za-z0-9 _.:/=+@-]*")
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_TAG_CATEGORIES = ("L", "Z", "N")


def tag_problem(key: str, value: str) -> str | None:
    """Why ``key: value`` cannot be a tag IAM holds, or ``None`` when it can. Tags reach
    plans (an email, a display name) and reports: a control or format character (a line
    break, a right-to-left override) was edited in."""
    for text, what, low, high in ((key, "key", 1, 128), (value, "value", 0, 256)):
        if not low <= len(text) <= high:
            return f"the tag {what} {quoted(text)} is not {low} to {high} characters long"
        if _TAG_ASCII.fullmatch(text):
            continue
        for char in text:
            if (
                char not in _TAG_PUNCTUATION
                and unicodedata.category(char)[0] not in _TAG_CATEGORIES
            ):
                return (
                    f"the tag {what} {quoted(text)} holds U+{ord(char):04X}, which IAM never "
                    "allows in a tag (letters, numbers, spaces and _.:/=+-@ only)"
                )
    return None
