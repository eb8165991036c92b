"""The raw-file archive: every X12 file sent or received, byte for byte, keyed by its sha256.
Writing the same bytes twice is one object; nothing is ever overwritten with other bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.config import settings

from .connection import s3_client


def archive_key(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"x12/{digest[:2]}/{digest}"


def save_raw(
    content: bytes, *, kind: str, source: str, content_type: str = "application/edi-x12"
) -> str:
    """Store `content` unchanged; returns its key. `kind` (837P, 835, 999, claims-v3 ...)
    and `source` are object metadata for people browsing the bucket, never PHI."""
    key = archive_key(content)
    s3_client().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=content,
        ContentType=content_type,
        Metadata={"kind": kind, "source": source},
        **encryption(),
    )
    return key


def load_raw(key: str) -> bytes:
    response = s3_client().get_object(Bucket=settings().archive_bucket, Key=key)
    return response["Body"].read()


def encryption() -> dict[str, Any]:
    """Server-side encryption for every object written: the stage's customer-managed key
    when it has one (the deployed bucket refuses any other), else S3's own keys."""
    key = settings().kms_key_id
    if key:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key}
    return {"ServerSideEncryption": "AES256"}
