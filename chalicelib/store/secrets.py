"""The tenants' clearinghouse secrets in AWS Secrets Manager: one secret per account, a JSON
object of its credentials. Nothing else reads or writes them, and they are never logged."""

from __future__ import annotations

import json
from functools import lru_cache

from chalicelib.config import settings

from .connection import secrets_client


class SecretMissingError(LookupError):
    """The account names a secret the store does not have (deleted by hand, or never set)."""


def put_secret(name: str, values: dict[str, str]) -> None:
    """Create the secret, or store a new version of it."""
    client = secrets_client()
    text = json.dumps(values, sort_keys=True)
    try:
        client.put_secret_value(SecretId=name, SecretString=text)
    except client.exceptions.ResourceNotFoundException:
        try:
            key = settings().kms_key_id
            if key:  # the stage's customer-managed key; locally, Secrets Manager's own
                client.create_secret(Name=name, SecretString=text, KmsKeyId=key)
            else:
                client.create_secret(Name=name, SecretString=text)
        except client.exceptions.ResourceExistsException:  # created meanwhile by a twin
            client.put_secret_value(SecretId=name, SecretString=text)


def get_secret(name: str) -> dict[str, str]:
    client = secrets_client()
    try:
        answer = client.get_secret_value(SecretId=name)
    except client.exceptions.ResourceNotFoundException:
        raise SecretMissingError(name) from None
    values = json.loads(answer["SecretString"])
    return {str(key): str(value) for key, value in values.items()}


def delete_secret(name: str) -> None:
    """Schedule the secret's deletion (AWS keeps it 7 days, recoverable); gone is fine."""
    client = secrets_client()
    try:
        client.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    except client.exceptions.ResourceNotFoundException:
        return


@lru_cache(maxsize=1)
def cursor_key() -> bytes:
    """The key list cursors are signed with: a deployed stage reads it from its secret once
    per container; `make run` and the tests use the configured text."""
    cfg = settings()
    if cfg.cursor_secret_id is None:
        return cfg.cursor_secret.encode()
    answer = secrets_client().get_secret_value(SecretId=cfg.cursor_secret_id)
    return str(answer["SecretString"]).encode()
