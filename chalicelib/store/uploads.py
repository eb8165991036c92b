"""Large files that come through S3 instead of a request body: the upload record (what was
announced, what became of it) and the presigned POST the client sends the file with.

The object key is `uploads/<tenant>/<upload id>`: the tenant comes from the key the API made,
never from the client. While an upload waits for its file or is being applied it sits on the
due index (`DUE#upload`), so the sweep (and a lost S3 event) finds it; a finished one leaves
the index. Every change is written at the version read: two S3 events for one object, or an
event and the sweep, apply the file once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from botocore.exceptions import ClientError
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.codec import decode, encode
from chalicelib.config import settings

from .archive import encryption
from .connection import s3_client
from .errors import ConcurrentUpdateError, conditional_failed
from .models import Item, UploadItem

UPLOAD = "DUE#upload"
PREFIX = "uploads/"
WAITING, PROCESSING = "awaiting_file", "processing"


@dataclass(frozen=True, slots=True)
class Upload:
    tenant_id: str
    upload_id: str
    kind: str  # remittance | acknowledgment | claim-file
    file_name: str
    status: str  # awaiting_file | processing | applied | duplicate | ... | expired
    created_at: datetime
    expires_at: datetime  # the presigned POST's end
    due_at: datetime | None = None  # the sweep looks again then
    size: int | None = None
    received_at: datetime | None = None
    finished_at: datetime | None = None
    result: Mapping[str, object] = field(default_factory=dict)
    version: int | None = None


def object_key(tenant_id: str, upload_id: str) -> str:
    return f"{PREFIX}{tenant_id}/{upload_id}"


def parse_object_key(key: str) -> tuple[str, str] | None:
    """(tenant id, upload id) of an upload object's key; None for any other key."""
    if not key.startswith(PREFIX):
        return None
    parts = key[len(PREFIX) :].split("/")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _item(upload: Upload) -> UploadItem:
    item = UploadItem(
        pk=f"T#{upload.tenant_id}#UPLOADS",
        sk=f"U#{upload.upload_id}",
        tenant_id=upload.tenant_id,
        upload=encode(replace(upload, version=None)),  # the version is the item's own
    )
    if upload.due_at is not None:
        item.due_pk = UPLOAD
        item.due_sk = f"{_iso(upload.due_at)}#{upload.tenant_id}#{upload.upload_id}"
    return item


def save_upload(upload: Upload) -> Upload:
    """Write at the version read (None: only if there is none yet); the written upload with
    its new version, or ConcurrentUpdateError when another writer came first."""
    item = _item(upload)
    if upload.version is not None:
        item.version = upload.version
    try:
        if upload.version is None:
            item.save(condition=UploadItem.pk.does_not_exist())
        else:
            item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(upload.upload_id) from None
        raise
    return replace(upload, version=int(item.version or 0))


def load_upload(tenant_id: str, upload_id: str) -> Upload | None:
    try:
        item = UploadItem.get(f"T#{tenant_id}#UPLOADS", f"U#{upload_id}", consistent_read=True)
    except DoesNotExist:
        return None
    return replace(decode(Upload, item.upload), version=int(item.version or 0))


def due_uploads(until: datetime, *, limit: int) -> list[Upload]:
    found = []
    for item in Item.by_due.query(UPLOAD, Item.due_sk <= _iso(until) + "~", limit=limit):
        if isinstance(item, UploadItem):
            found.append(replace(decode(Upload, item.upload), version=int(item.version or 0)))
    return found


def presigned_post(key: str, *, max_bytes: int, expires_in: int) -> dict[str, object]:
    """What a client needs to POST the file straight to S3: the URL and the form fields, the
    size limited by the policy S3 itself enforces, encrypted as the bucket requires."""
    sse = encryption()
    fields = {
        "x-amz-server-side-encryption": sse["ServerSideEncryption"],
        **(
            {"x-amz-server-side-encryption-aws-kms-key-id": sse["SSEKMSKeyId"]}
            if "SSEKMSKeyId" in sse
            else {}
        ),
    }
    conditions: list[object] = [["content-length-range", 1, max_bytes]]
    conditions += [{name: value} for name, value in fields.items()]
    answer = s3_client().generate_presigned_post(
        Bucket=settings().archive_bucket,
        Key=key,
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=expires_in,
    )
    return {"url": answer["url"], "fields": answer["fields"]}


def object_size(key: str) -> int | None:
    """The uploaded object's size; None while it is not there."""
    try:
        head = s3_client().head_object(Bucket=settings().archive_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return int(head["ContentLength"])


def read_object(key: str) -> bytes:
    body: bytes = s3_client().get_object(Bucket=settings().archive_bucket, Key=key)["Body"].read()
    return body
