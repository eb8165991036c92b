"""The tenants' clearinghouse secrets in AWS Secrets Manager: one secret per account, a JSON
object of its credentials. Nothing else reads or writes them, and they are never logged."""

from __future__ import annotations

import json

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
