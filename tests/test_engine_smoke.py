"""The check registry and engine hold together."""

from keyless.checks import all_checks
from keyless.engine import run_checks
from keyless.model import Inventory
from tests.checks.test_engine_behaviour import ACCOUNT_CHECKS


def test_check_ids_are_unique_kebab_case() -> None:
    ids = [c.id for c in all_checks()]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


def test_empty_inventory_is_clean() -> None:
    result = run_checks(Inventory(accounts=()))
    assert list(result.findings) == []
    assert result.exit_code() == 0


TRUST_IDS = {
    "trust-anyone",
    "trust-oidc-any-tenant",
    "trust-oidc-broad-subject",
    "trust-oidc-untrusted-trigger",
    "trust-condition-fails-open",
    "trust-dead-condition",
    "trust-cross-account-no-external-id",
    "trust-account-root-broad",
    "trust-mfa-bypass",
    "trust-dangling-principal",
    "trust-service-confused-deputy",
    "trust-roles-anywhere-unpinned",
    "trust-cognito-unauthenticated",
    "trust-google-oaud-only",
    "trust-eks-unpinned",
    "trust-saml-no-audience",
    "trust-tag-forgeable",
    "trust-oidc-missing-audience",
}
ORG_IDS = {"user-duplicated-across-accounts", "org-identity-center-missing"}


def test_every_public_check_id_is_registered_under_its_theme() -> None:
    themes = {c.id: c.theme for c in all_checks()}
    assert set(themes) >= TRUST_IDS | set(ACCOUNT_CHECKS) | ORG_IDS
    assert {themes[i] for i in TRUST_IDS} == {"trust"}
    assert {themes[i] for i in ORG_IDS} == {"organization"}
