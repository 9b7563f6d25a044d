"""Property-based fuzzing of the offline readers: whatever the bytes of an export's files
or of a snapshot, loading either succeeds or raises InputError (a KeylessError that the
CLI prints as one sentence with exit code 2), never another exception.

Inputs are shaped like the real documents (the keys AWS and keyless write, with values of
any JSON type) so that the fuzzer reaches past the first type check; example counts are
modest to keep the suite fast, and the heavier searches are marked slow.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless.collect.formats.credential_report import COLUMNS, parse_credential_report
from keyless.collect.offline.export import load_export
from keyless.collect.offline.snapshot import load_snapshot, write_snapshot
from keyless.errors import InputError
from tests.collect.test_snapshot_fields import populated

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ARN = "arn:aws:iam::111111111111:"
DATES = st.sampled_from(
    ["2024-01-02T03:04:05Z", "2999-01-01T00:00:00Z", "1970-01-01", "N/A", "yesterday", ""]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    DATES,
    st.sampled_from(
        [f"{ARN}user/u", f"{ARN}role/r", f"{ARN}policy/p", "arn:aws:iam::aws:policy/A"]
    ),
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def shaped(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of ``keys`` (values of any type), sometimes a stray key."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, ANY_JSON) | {"Stray": ANY_JSON})


def records(keys: list[str]) -> st.SearchStrategy[Any]:
    """A list of shaped objects, or occasionally anything else."""
    return st.one_of(st.lists(shaped(keys), max_size=3), ANY_JSON)


REF = shaped(["PolicyArn", "PolicyName"])
TAG = shaped(["Key", "Value"])
INLINE = shaped(["PolicyName", "PolicyDocument"])
USER = st.fixed_dictionaries(
    {"Arn": st.sampled_from([f"{ARN}user/u", f"{ARN}user/v"]) | SCALARS},
    optional={
        "UserName": SCALARS,
        "UserId": SCALARS,
        "Path": SCALARS,
        "CreateDate": DATES | SCALARS,
        "GroupList": ANY_JSON,
        "AttachedManagedPolicies": st.lists(REF, max_size=2) | ANY_JSON,
        "UserPolicyList": st.lists(INLINE, max_size=2) | ANY_JSON,
        "Tags": st.lists(TAG, max_size=2) | ANY_JSON,
        "PermissionsBoundary": ANY_JSON,
    },
)
ROLE = st.fixed_dictionaries(
    {"Arn": st.just(f"{ARN}role/r") | SCALARS, "RoleName": SCALARS},
    optional={
        "AssumeRolePolicyDocument": ANY_JSON | st.just('{"Statement": []}'),
        "CreateDate": DATES | SCALARS,
        "RoleLastUsed": shaped(["LastUsedDate", "Region"]) | ANY_JSON,
        "MaxSessionDuration": SCALARS,
        "Tags": st.lists(TAG, max_size=2) | ANY_JSON,
        "Description": SCALARS,
        "RolePolicyList": st.lists(INLINE, max_size=2) | ANY_JSON,
        "AttachedManagedPolicies": st.lists(REF, max_size=2) | ANY_JSON,
    },
)
POLICY = st.fixed_dictionaries(
    {"Arn": st.just(f"{ARN}policy/p") | SCALARS},
    optional={
        "PolicyName": SCALARS,
        "DefaultVersionId": st.just("v1") | SCALARS,
        "AttachmentCount": SCALARS,
        "PolicyVersionList": st.lists(
            shaped(["VersionId", "IsDefaultVersion", "Document"]), max_size=2
        )
        | ANY_JSON,
    },
)
GROUP = shaped(
    ["GroupName", "Arn", "GroupId", "Path", "GroupPolicyList", "AttachedManagedPolicies"]
)
PAGE = st.fixed_dictionaries(
    {},
    optional={
        "UserDetailList": st.lists(USER, max_size=3) | ANY_JSON,
        "GroupDetailList": st.lists(GROUP, max_size=2) | ANY_JSON,
        "RoleDetailList": st.lists(ROLE, max_size=3) | ANY_JSON,
        "Policies": st.lists(POLICY, max_size=2) | ANY_JSON,
    },
)
AUTH_DETAILS = st.one_of(PAGE, st.lists(PAGE, max_size=2), ANY_JSON)


def loads_or_input_error(files: dict[str, bytes]) -> None:
    """Write ``files`` as one account's export directory and load it."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for name, content in files.items():
            (root / name).write_bytes(content)
        with contextlib.suppress(InputError):
            load_export(root)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@FUZZ
@given(AUTH_DETAILS)
def test_authorization_details(document: Any) -> None:
    loads_or_input_error({"authorization-details.json": _json(document)})


@FUZZ
@given(
    st.sampled_from(
        [
            (
                "virtual-mfa-devices.json",
                "VirtualMFADevices",
                ["SerialNumber", "User", "EnableDate"],
            ),
            (
                "oidc-providers.json",
                "OpenIDConnectProviderList",
                ["Arn", "Url", "ClientIDList", "ThumbprintList", "CreateDate"],
            ),
            ("saml-providers.json", "SAMLProviderList", ["Arn", "ValidUntil", "CreateDate"]),
        ]
    ).flatmap(
        lambda spec: st.tuples(
            st.just(spec[0]),
            st.one_of(
                st.fixed_dictionaries({spec[1]: records(spec[2])}),
                records(spec[2]),
                ANY_JSON,
            ),
        )
    ),
    st.lists(USER, min_size=1, max_size=2),
)
def test_providers_and_mfa_devices(file: tuple[str, Any], users: list[Any]) -> None:
    name, listing = file
    if name == "virtual-mfa-devices.json" and isinstance(listing, list):
        listing = [dict(d, User=users[0]) if isinstance(d, dict) else d for d in listing]
    loads_or_input_error(
        {
            "authorization-details.json": _json({"UserDetailList": [], "RoleDetailList": []}),
            "account.json": _json({"id": "111111111111"}),
            name: _json(listing),
        }
    )


@FUZZ
@given(
    shaped(["id", "Id", "Account", "alias", "AccountAliases", "name", "Name", "email", "Email"])
    | ANY_JSON
)
def test_account_json(document: Any) -> None:
    loads_or_input_error(
        {
            "authorization-details.json": _json({"RoleDetailList": []}),
            "account.json": _json(document),
        }
    )


CSV_FIELDS = st.one_of(
    st.sampled_from(["true", "false", "N/A", "no_information", "not_supported", "", "TRUE"]),
    DATES,
    st.text(max_size=10),
    st.just(f"{ARN}user/u"),
    st.just("<root_account>"),
)


@FUZZ
@given(
    st.lists(st.lists(CSV_FIELDS, min_size=20, max_size=23), max_size=3),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_credential_report_rows(rows: list[list[str]], newline: str, bom: bool) -> None:
    lines = [
        ",".join(COLUMNS),
        *(",".join(json.dumps(f) if "," in f else f for f in r) for r in rows),
    ]
    text = newline.join(lines)
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    with contextlib.suppress(InputError):
        parse_credential_report(content, where="report.csv")


@FUZZ
@given(st.binary(max_size=300))
def test_credential_report_bytes(tail: bytes) -> None:
    with contextlib.suppress(InputError):
        parse_credential_report(",".join(COLUMNS).encode() + b"\n" + tail, where="report.csv")


def _snapshot_text() -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "s.json"
        write_snapshot(populated(), path)
        return path.read_text()


SNAPSHOT = json.loads(_snapshot_text())


def _mutations(document: Any) -> st.SearchStrategy[Any]:
    """``document`` with one value somewhere replaced by an arbitrary JSON value."""
    paths: list[tuple[Any, ...]] = []

    def collect(value: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(value, dict):
            for key, item in value.items():
                collect(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                collect(item, (*path, index))

    collect(document, ())

    def replace(path: tuple[Any, ...], new: Any) -> Any:
        copy = json.loads(json.dumps(document))
        if not path:
            return new
        target = copy
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = new
        return copy

    return st.builds(replace, st.sampled_from(paths), ANY_JSON | DATES)


def _load_snapshot_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "s.json"
        path.write_bytes(content)
        with contextlib.suppress(InputError):
            load_snapshot(path)


@FUZZ
@given(_mutations(SNAPSHOT), st.booleans())
def test_snapshot_values(document: Any, streamed: bool) -> None:
    if streamed and isinstance(document, dict) and isinstance(document.get("accounts"), list):
        head = {k: v for k, v in document.items() if k != "accounts"}
        lines = [json.dumps({**head, "accounts": []})[:-2]]
        body = ",\n".join(json.dumps(a) for a in document["accounts"])
        content = "\n".join([*lines, body, "]}"]).encode()
    else:
        content = json.dumps(document).encode()
    _load_snapshot_bytes(content)


@FUZZ
@given(st.integers(min_value=0, max_value=len(_snapshot_text())), st.binary(max_size=20))
def test_snapshot_bytes(cut: int, noise: bytes) -> None:
    text = _snapshot_text().encode()
    _load_snapshot_bytes(text[:cut] + noise + text[cut + len(noise) :])


@pytest.mark.slow
@SLOW
@given(AUTH_DETAILS)
def test_authorization_details_at_length(document: Any) -> None:
    loads_or_input_error({"authorization-details.json": _json(document)})


@pytest.mark.slow
@SLOW
@given(_mutations(SNAPSHOT))
def test_snapshot_values_at_length(document: Any) -> None:
    _load_snapshot_bytes(json.dumps(document).encode())
