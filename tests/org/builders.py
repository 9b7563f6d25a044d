"""Tiny in-memory builders for organization tests."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from keyless.model import AVAILABLE, AccessKey, Account, Dataset, LoginProfile, User
from keyless.model.arn import user_arn

ALL_DATASETS = MappingProxyType(dict.fromkeys(Dataset, AVAILABLE))


def make_user(
    account: str,
    name: str,
    *,
    email: str | None = None,
    console: bool = False,
    keys: tuple[datetime, ...] = (),
    tag_key: str = "email",
) -> User:
    return User(
        account_id=account,
        name=name,
        arn=user_arn(account, name),
        user_id=f"AIDA{name.upper()}",
        login_profile=LoginProfile() if console else None,
        access_keys=tuple(
            AccessKey(slot=n, active=True, key_id=f"AKIA{account}{n}", created=created)
            for n, created in enumerate(keys, start=1)
        ),
        tags=MappingProxyType({tag_key: email} if email else {}),
    )


def make_account(account_id: str, *users: User, **fields: object) -> Account:
    return Account(id=account_id, users=users, datasets=ALL_DATASETS, **fields)  # type: ignore[arg-type]
