"""The access audit: one record for every read of patient data through the API, in a table of
its own (its own retention, by TTL; append-only: the roles may put and query, never update or
delete, infra/policies.py). A record names who (the key's id and name), what (the route and
the path, whose ids are ours and opaque), when, the answer's status and the correlation id;
never a query string, a body or anything read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.config import settings


class AuditItem(Model):
    class Meta:
        table_name = settings().audit_table_name
        region = settings().region
        host = settings().aws_endpoint
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)  # <tenant>#<day>
    sk = UnicodeAttribute(range_key=True)  # <instant>#<correlation id>
    tenant_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    principal = UnicodeAttribute()
    principal_name = UnicodeAttribute(null=True)
    method = UnicodeAttribute()
    route = UnicodeAttribute()
    resource = UnicodeAttribute()
    status = NumberAttribute()
    correlation_id = UnicodeAttribute()
    expires = NumberAttribute()  # TTL: the record's retention


@dataclass(frozen=True, slots=True)
class AccessRecord:
    tenant_id: str
    at: datetime
    principal: str
    principal_name: str | None
    method: str
    route: str
    resource: str
    status: int
    correlation_id: str


def audit_table_definition() -> dict[str, object]:
    return {
        "TableName": settings().audit_table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    }


def _pk(tenant_id: str, day: date) -> str:
    return f"{tenant_id}#{day.isoformat()}"


def append(record: AccessRecord, *, retention: timedelta) -> None:
    """Write the record; never over another (a put on a key that does not exist yet)."""
    AuditItem(
        pk=_pk(record.tenant_id, record.at.date()),
        sk=f"{record.at.isoformat(timespec='microseconds')}#{record.correlation_id}",
        tenant_id=record.tenant_id,
        at=record.at,
        principal=record.principal,
        principal_name=record.principal_name,
        method=record.method,
        route=record.route,
        resource=record.resource,
        status=record.status,
        correlation_id=record.correlation_id,
        expires=int((record.at + retention).timestamp()),
    ).save(condition=AuditItem.pk.does_not_exist())


def records(tenant_id: str, first: date, last: date) -> Iterator[AccessRecord]:
    """The tenant's records from day `first` to day `last`, oldest first (one query a day)."""
    day = first
    while day <= last:
        for item in AuditItem.query(_pk(tenant_id, day)):
            yield AccessRecord(
                tenant_id=item.tenant_id,
                at=item.at,
                principal=item.principal,
                principal_name=item.principal_name,
                method=item.method,
                route=item.route,
                resource=item.resource,
                status=int(item.status),
                correlation_id=item.correlation_id,
            )
        day += timedelta(days=1)
