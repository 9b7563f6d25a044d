"""Plans to generate from (the export fixture planned with its links and workflows, and
the demo organization), a CA certificate, and the runner of ``keyless generate``."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from keyless.cli import cli
from tests.plan.conftest import EXPORT, REPOS

EXPORT_LINKS = [
    "--link", "ci-deploy=acme/app",
    "--link", "ci-infra=acme/infra",
    "--link", "backup-nas=host:nas01.example.com",
    "--workflows", f"acme/app={REPOS / 'app'}",
    "--workflows", f"acme/infra={REPOS / 'infra'}",
]  # fmt: skip


#: The terraform binary, when this machine has one (tests that need it skip and say so).
TERRAFORM = shutil.which("terraform")


def terraform_fmt_diff(path: Path) -> str | None:
    """What ``terraform fmt -check -diff`` would change under ``path`` (None: nothing),
    with no CLI configuration and no plugin directory read."""
    assert TERRAFORM is not None
    checked = subprocess.run(
        [TERRAFORM, "fmt", "-check", "-diff", str(path)],
        capture_output=True,
        text=True,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return None if checked.returncode == 0 else checked.stdout + checked.stderr


def run(*args: str) -> Result:
    """``keyless ARGS`` in-process."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def certificate(*, ca: bool = True, days: int = 365, start: int = -1) -> bytes:
    """A self-signed certificate (a CA unless ``ca`` is false) as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keyless test CA")])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now + timedelta(days=start))
        .not_valid_after(now + timedelta(days=start + days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="session")
def ca_cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(certificate())
    return path


@pytest.fixture(scope="session")
def export_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export fixture planned with a CI user, a Roles Anywhere host and workflows."""
    folder = tmp_path_factory.mktemp("plan")
    export = folder / "export"
    shutil.copytree(EXPORT, export)
    path = folder / "plan.json"
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", *EXPORT_LINKS,
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return path


@pytest.fixture(scope="session")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "plan.json"
    result = run("plan", "--demo", "--out", str(path))
    assert result.exit_code == 1, result.output
    return path


def edited(plan: Path, target: Path, change: Any) -> Path:
    """A copy of ``plan`` with ``change(document)`` applied."""
    document = json.loads(plan.read_text())
    change(document)
    target.write_text(json.dumps(document))
    return target


def generated_and_checked(
    export_plan: Path, plan: Path, out: Path, ca_cert: Path
) -> tuple[Result, Result]:
    """``keyless generate PLAN --format terraform --out OUT`` and ``keyless plan --check
    PLAN`` against the export ``export_plan`` was made from: what one refuses of a plan
    the other must refuse too."""
    generated = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                    "--ca-cert", str(ca_cert))  # fmt: skip
    checked = run("plan", "--check", str(plan), "--input", str(export_plan.parent / "export"))
    return generated, checked
