"""Where the embedded sandbox clearinghouse keeps each mailbox's state: one JSON object per
account in the archive bucket, under `sandbox/`. Local runs and tests only."""

from __future__ import annotations

from botocore.exceptions import ClientError

from chalicelib.config import settings

from .archive import encryption
from .connection import s3_client


class S3SandboxStateStore:
    def _key(self, account: str) -> str:
        return f"sandbox/{account}.json"

    def load(self, account: str) -> str | None:
        try:
            response = s3_client().get_object(
                Bucket=settings().archive_bucket, Key=self._key(account)
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return response["Body"].read().decode()

    def save(self, account: str, text: str) -> None:
        s3_client().put_object(
            Bucket=settings().archive_bucket,
            Key=self._key(account),
            Body=text.encode(),
            **encryption(),
        )
