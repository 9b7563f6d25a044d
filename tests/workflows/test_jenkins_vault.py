"""A Jenkinsfile putting AWS keys from Vault into the key variables with the HashiCorp
Vault plugin (``withVault``, ``secretValues: [[envVar: 'AWS_ACCESS_KEY_ID', vaultKey: …]]``,
https://plugins.jenkins.io/hashicorp-vault-plugin/): an IAM user's long-lived keys kept
in Vault. They passed as clean."""

from __future__ import annotations

from keyless.workflows.groovytext import read
from keyless.workflows.jenkins import places

VAULT = """
def secrets = [
  [path: 'secret/ci/aws', engineVersion: 2, secretValues: [
    [envVar: 'AWS_ACCESS_KEY_ID', vaultKey: 'access_key_id'],
    [envVar: 'AWS_SECRET_ACCESS_KEY', vaultKey: 'secret_access_key'],
    [envVar: 'DB_PASSWORD', vaultKey: 'db']]],
]
pipeline {
  agent any
  stages {
    stage('Deploy') {
      steps {
        withVault([configuration: [vaultUrl: 'https://vault'], vaultSecrets: secrets]) {
          sh 'aws s3 sync build/ s3://bucket'
        }
      }
    }
  }
}
"""


def test_keys_withvault_binds_are_reported_at_each_entry() -> None:
    assert [p.message for p in places(read(VAULT))] == [
        "withVault puts the Vault secret's key 'access_key_id' into AWS_ACCESS_KEY_ID: an "
        "IAM user's long-lived key, kept in Vault",
        "withVault puts the Vault secret's key 'secret_access_key' into "
        "AWS_SECRET_ACCESS_KEY: an IAM user's long-lived key, kept in Vault",
    ]


def test_other_vault_secrets_are_not_keys() -> None:
    text = VAULT.replace("AWS_ACCESS_KEY_ID", "API_TOKEN").replace("AWS_SECRET_ACCESS_KEY", "OTHER")
    assert places(read(text)) == []
