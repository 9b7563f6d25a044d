"""Seeding IAM users into moto for retire's tests, and reading them back independently.

Users are created through the IAM API; what no API can do (a key created 400 days ago,
last used 100 days ago) is set on moto's backend objects, which works in-process and for
a moto server started by this process. :func:`describe_user` reads a user with plain
boto3 calls, not through keyless, so a test compares keyless's work with what AWS holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from moto.iam.models import AccessKeyLastUsed, iam_backends

REGION = "us-east-1"
ACCOUNT = "123456789012"
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
}


@dataclass(frozen=True)
class Key:
    """An access key created ``age`` days ago, last used ``used`` days ago (``None``:
    never), inactive unless ``active``."""

    age: int = 400
    used: int | None = 100
    active: bool = True


@dataclass(frozen=True)
class Person:
    """An IAM user and everything DeleteUser cares about."""

    name: str
    path: str = "/"
    keys: tuple[Key, ...] = ()
    console: bool = False
    password_used: int | None = None
    mfa: bool = False
    groups: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()  # names of customer managed policies
    inline: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[tuple[str, str], ...] = ()
    ssh_keys: int = 0
    certificates: int = 0


def session() -> boto3.Session:
    """A session into the emulator's default account (123456789012)."""
    return boto3.Session(
        aws_access_key_id="AKIAEXAMPLEADMIN0001",
        aws_secret_access_key="testing",
        region_name=REGION,
    )


class Estate:
    """One emulated account. ``ids`` maps labels (``alice.key1``, ``alice.ssh1``,
    ``alice.cert1``) to the IDs IAM generated; ``secrets`` holds the access keys' secrets,
    so a test can prove none of them reaches keyless's output or journal."""

    def __init__(
        self,
        boto: boto3.Session,
        now: datetime,
        *,
        account: str = ACCOUNT,
        endpoint_url: str | None = None,
    ) -> None:
        self.session = boto
        self.account = account
        self.now = now
        self.endpoint_url = endpoint_url
        self.iam = boto.client("iam", endpoint_url=endpoint_url)
        self.ids: dict[str, str] = {}
        self.secrets: list[str] = []

    def policy(self, name: str, document: Mapping[str, Any] = READ_ONLY) -> str:
        """Create a customer managed policy; its ARN."""
        arn = f"arn:aws:iam::{self.account}:policy/{name}"
        try:
            self.iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))
        except ClientError as error:
            if error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
        return arn

    def add(self, *people: Person) -> None:
        """Create each user with its keys, password, MFA, groups, policies, tags, SSH keys
        and signing certificates, back-dated relative to ``now``."""
        for person in people:
            self._add(person)

    def _add(self, person: Person) -> None:
        iam, name = self.iam, person.name
        tags = [{"Key": k, "Value": v} for k, v in person.tags]
        iam.create_user(UserName=name, Path=person.path, Tags=tags)
        for group in person.groups:
            with contextlib.suppress(ClientError):
                iam.create_group(GroupName=group)
            iam.add_user_to_group(GroupName=group, UserName=name)
        for policy in person.policies:
            iam.attach_user_policy(UserName=name, PolicyArn=self.policy(policy))
        for policy, document in person.inline.items():
            iam.put_user_policy(
                UserName=name, PolicyName=policy, PolicyDocument=json.dumps(document)
            )
        if person.console:
            iam.create_login_profile(UserName=name, Password=f"Pw-{name}-0123456789!")
        if person.mfa:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
                "SerialNumber"
            ]
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=serial,
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
        for n in range(1, person.ssh_keys + 1):
            made = iam.upload_ssh_public_key(
                UserName=name, SSHPublicKeyBody=ssh_public_key(f"{name}.ssh{n}")
            )
            self.ids[f"{name}.ssh{n}"] = made["SSHPublicKey"]["SSHPublicKeyId"]
        for n in range(1, person.certificates + 1):
            made = iam.upload_signing_certificate(
                UserName=name, CertificateBody=certificate(f"{name}.cert{n}")
            )
            self.ids[f"{name}.cert{n}"] = made["Certificate"]["CertificateId"]
        for n, key in enumerate(person.keys, start=1):
            made = iam.create_access_key(UserName=name)["AccessKey"]
            self.ids[f"{name}.key{n}"] = made["AccessKeyId"]
            self.secrets.append(made["SecretAccessKey"])
            if not key.active:
                iam.update_access_key(
                    UserName=name, AccessKeyId=made["AccessKeyId"], Status="Inactive"
                )
        self._backdate(person)

    def _backdate(self, person: Person) -> None:
        user = iam_backends[self.account]["aws"].users[person.name]
        if person.password_used is not None:
            user.password_last_used = self.now - timedelta(days=person.password_used)
        for stored, key in zip(user.access_keys, person.keys, strict=True):
            stored.create_date = self.now - timedelta(days=key.age)
            if key.used is not None:
                stored.last_used = AccessKeyLastUsed(
                    timestamp=self.now - timedelta(days=key.used), service="s3", region=REGION
                )

    def use_key(self, label: str, when: datetime | None = None) -> None:
        """Record a use of a key (what a forgotten cron job would cause), at ``when``."""
        key_id = self.ids[label]
        for user in iam_backends[self.account]["aws"].users.values():
            for stored in user.access_keys:
                if stored.access_key_id == key_id:
                    stored.last_used = AccessKeyLastUsed(
                        timestamp=when or datetime.now(UTC), service="s3", region=REGION
                    )
                    return
        raise KeyError(label)

    def label(self, generated: str) -> str:
        """The label of a generated ID (IDs are random; labels are not)."""
        return next((label for label, value in self.ids.items() if value == generated), generated)


def describe_user(iam: Any, name: str) -> dict[str, Any] | None:
    """Everything IAM holds for a user, with plain boto3 calls (``None``: no such user).
    Generated IDs are left out where AWS would give new ones (SSH keys, certificates)."""
    try:
        user = iam.get_user(UserName=name)["User"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            return None
        raise
    try:
        iam.get_login_profile(UserName=name)
        console = True
    except ClientError:
        console = False
    ssh = iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]
    return {
        "path": user["Path"],
        "tags": sorted((t["Key"], t["Value"]) for t in user.get("Tags", ())),
        "boundary": (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        "groups": sorted(g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"]),
        "attached": sorted(
            p["PolicyArn"]
            for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        ),
        "inline": {
            policy: iam.get_user_policy(UserName=name, PolicyName=policy)["PolicyDocument"]
            for policy in iam.list_user_policies(UserName=name)["PolicyNames"]
        },
        "ssh_keys": sorted(
            (
                iam.get_ssh_public_key(
                    UserName=name, SSHPublicKeyId=k["SSHPublicKeyId"], Encoding="SSH"
                )["SSHPublicKey"]["SSHPublicKeyBody"],
                k["Status"],
            )
            for k in ssh
        ),
        "certificates": sorted(
            ("".join(c["CertificateBody"].split()), c["Status"])
            for c in iam.list_signing_certificates(UserName=name)["Certificates"]
        ),
        "console": console,
        "mfa": sorted(d["SerialNumber"] for d in iam.list_mfa_devices(UserName=name)["MFADevices"]),
        "keys": sorted(
            (k["AccessKeyId"], k["Status"])
            for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        ),
    }


def _private_key(label: str) -> ed25519.Ed25519PrivateKey:
    """The same key pair for the same label, so that two seeded estates compare equal."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def ssh_public_key(label: str) -> str:
    """An Ed25519 public key in OpenSSH form, the same for the same label."""
    key = _private_key(label).public_key()
    return key.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


def certificate(label: str) -> str:
    """A self-signed Ed25519 X.509 certificate in PEM form, the same for the same label
    (Ed25519 signatures are deterministic)."""
    key = _private_key(label)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, label)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big"))
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, None)
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()
