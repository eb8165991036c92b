"""The print queue: CMS-1500 PDFs of claims to paper-only payers, one item per claim sent,
under the tenant (`T#<tenant>#PRINTQ`), the PDF in the archive bucket under
`print-queue/<tenant>/<item id>.pdf`.

An item is added only if it is not there (a rerun that finds it goes on to mark its claim
sent), and marked printed only at the version read: two people pressing "printed" at once
mark it once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.codec import decode, encode
from chalicelib.config import settings

from .archive import encryption
from .connection import s3_client
from .errors import ConcurrentUpdateError, conditional_failed
from .models import PrintItem

PREFIX = "print-queue/"


@dataclass(frozen=True, slots=True)
class PrintJob:
    tenant_id: str
    item_id: str
    claim_id: str
    payer_id: str
    pages: int
    document_key: str
    created_at: datetime
    printed_at: datetime | None = None
    printed_by: str | None = None
    version: int | None = None


def document_key(tenant_id: str, item_id: str) -> str:
    return f"{PREFIX}{tenant_id}/{item_id}.pdf"


def save_document(key: str, pdf: bytes) -> None:
    s3_client().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        Metadata={"kind": "cms1500"},
        **encryption(),
    )


def load_document(key: str) -> bytes:
    response = s3_client().get_object(Bucket=settings().archive_bucket, Key=key)
    return bytes(response["Body"].read())


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#PRINTQ"


def _sk(item_id: str) -> str:
    return f"P#{item_id}"


def save_job(job: PrintJob) -> PrintJob:
    """Write at the version read (None: only if the item is not there yet); the written job
    with its new version, or ConcurrentUpdateError when it is there or changed."""
    item = PrintItem(
        pk=_pk(job.tenant_id),
        sk=_sk(job.item_id),
        tenant_id=job.tenant_id,
        item=encode(replace(job, version=None)),
    )
    try:
        if job.version is None:
            item.save(condition=PrintItem.pk.does_not_exist())
        else:
            item.version = job.version
            item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(job.item_id) from None
        raise
    return replace(job, version=int(item.version or 0))


def _job(item: PrintItem) -> PrintJob:
    return replace(decode(PrintJob, item.item), version=int(item.version or 0))


def load_job(tenant_id: str, item_id: str) -> PrintJob | None:
    try:
        item = PrintItem.get(_pk(tenant_id), _sk(item_id), consistent_read=True)
    except DoesNotExist:
        return None
    return _job(item)


def list_jobs(tenant_id: str) -> list[PrintJob]:
    """The tenant's queue, oldest first."""
    jobs = [_job(item) for item in PrintItem.query(_pk(tenant_id)) if isinstance(item, PrintItem)]
    return sorted(jobs, key=lambda job: (job.created_at, job.item_id))
