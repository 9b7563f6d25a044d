"""Build throwaway X.509 certificates for Roles Anywhere tests."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_OIDS = {
    "C": NameOID.COUNTRY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "CN": NameOID.COMMON_NAME,
}


def _name(parts):
    return x509.Name([x509.NameAttribute(_OIDS[k], v) for k, v in parts])


def make_certificate(
    subject=(("O", "Example"), ("OU", "payments"), ("CN", "batch-01")),
    issuer=(("O", "Example"), ("CN", "Example CA")),
    dns=("batch-01.example.com", "second.example.com"),
    uri="spiffe://example.com/batch",
    directory=(("CN", "dir-name"),),
) -> str:
    """A PEM certificate signed by a fresh CA key."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    names = [x509.DNSName(d) for d in dns]
    if uri:
        names.append(x509.UniformResourceIdentifier(uri))
    if directory:
        names.append(x509.DirectoryName(_name(directory)))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
