"""Create the tables and the archive bucket, and seed a tenant and the sandbox payers.

For `make run` and the tests only: production tables, with their indexes, TTL and point-in-time
recovery, are declared in infra/. Every step is safe to repeat."""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import replace
from datetime import date, datetime

from chalicelib.config import settings
from chalicelib.payers.directory import SANDBOX_PAYERS

from .audit import audit_table_definition
from .connection import dynamodb_client, s3_client, sqs_client
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
    for definition in (
        table_definition(),
        idempotency_table_definition(),
        audit_table_definition(),
    ):
        if definition["TableName"] not in existing:
            client.create_table(**definition)
    client.update_time_to_live(
        TableName=settings().idempotency_table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    client.update_time_to_live(
        TableName=settings().audit_table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
    )
    sqs = sqs_client()
    sqs.create_queue(
        QueueName=settings().followup_queue,
        Attributes={"VisibilityTimeout": "900", "SqsManagedSseEnabled": "true"},
    )
    # Parts of large 835s: a part that fails five times goes to the dead letters (as
    # deployed, infra/template.py); locally it is seen again after 30 s, not 15 minutes.
    dead = sqs.create_queue(QueueName=f"{settings().parts_queue}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    sqs.create_queue(
        QueueName=settings().parts_queue,
        Attributes={
            "VisibilityTimeout": "30",
            "SqsManagedSseEnabled": "true",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"], "maxReceiveCount": 5}
            ),
        },
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


def seed_sandbox_contracts(tenant_id: str, *, now: datetime) -> None:
    """The demo tenant's contracts with the sandbox payers: their own fee schedules (so the
    sandbox's deliberate underpayments are found) and SBXMCD's 90-day filing limit (a state
    Medicaid sets its own; the default is the federal ceiling of 365). Only where the tenant
    has none yet, so a restart never undoes what the tenant changed."""
    from chalicelib.payers.gateways.sandbox.payers import sandbox_contract_rows
    from chalicelib.payers.policies import policy_for

    from .contracts import add_fee_schedule, load_fee_schedules, policy_version, save_policy
    from .errors import ConcurrentUpdateError

    for payer in SANDBOX_PAYERS:
        if not load_fee_schedules(tenant_id, payer.payer_id):
            rows = sandbox_contract_rows(payer.payer_id, date(2020, 1, 1))
            add_fee_schedule(tenant_id, payer.payer_id, rows, source="json", uploaded_at=now)
    if policy_version(tenant_id, "SBXMCD") is None:
        medicaid = replace(policy_for("MC"), timely_filing_days=90)
        with suppress(ConcurrentUpdateError):  # seeded by another start at the same moment
            save_policy(tenant_id, "SBXMCD", medicaid, now=now, version=None)
