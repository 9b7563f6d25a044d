"""keyless: from IAM users and long-lived keys to roles with temporary credentials."""

__version__ = "0.1.0"
