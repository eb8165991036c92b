"""Create the tables and the archive bucket, and seed a tenant and the sandbox payers.

For `make run` and the tests only: production tables, with their indexes, TTL and point-in-time
recovery, are declared in infra/. Every step is safe to repeat."""

from __future__ import annotations

from datetime import datetime

from chalicelib.config import settings
from chalicelib.payers.directory import SANDBOX_PAYERS

from .connection import dynamodb_client, s3_client
from .models import table_definition
from .payers import save_payer
from .tenants import save_tenant


def idempotency_table_definition() -> dict[str, object]:
    return {
        "TableName": settings().idempotency_table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }


def create_storage() -> None:
    client = dynamodb_client()
    existing = set(client.list_tables()["TableNames"])
    for definition in (table_definition(), idempotency_table_definition()):
        if definition["TableName"] not in existing:
            client.create_table(**definition)
    client.update_time_to_live(
        TableName=settings().idempotency_table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    s3 = s3_client()
    bucket = settings().archive_bucket
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=bucket)


def seed(
    *,
    tenant_id: str,
    tenant_name: str,
    api_key: str,
    now: datetime,
    roles: tuple[str, ...] = ("tenant",),
) -> None:
    save_tenant(tenant_id, tenant_name, api_key, now=now, roles=roles)
    for payer in SANDBOX_PAYERS:
        save_payer(payer)
