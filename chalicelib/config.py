"""Settings, read from the environment in one place. Nothing else reads os.environ.

Every value has a default that works for `make run` except the endpoint: unset, the AWS SDK's
own endpoints are used (real AWS); set, every DynamoDB/S3/SQS call goes to that endpoint
(the embedded local AWS of `make run`, or any compatible one).

A deployed stage (CLAIMGATE_STAGE set to anything but `local`) takes no secret from a default
in code: it names the Secrets Manager secret its cursor key is read from
(CLAIMGATE_CURSOR_SECRET_ID), and a function that would start with the local default refuses
to (ConfigError at import, so the Lambda's cold start fails loudly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

LOCAL_STAGE = "local"
LOCAL_CURSOR_SECRET = "claimgate-local-cursor-secret"  # noqa: S105 - refused when deployed


class ConfigError(RuntimeError):
    """The environment cannot run this stage safely."""


@dataclass(frozen=True, slots=True)
class Settings:
    region: str
    aws_endpoint: str | None
    table_name: str
    idempotency_table_name: str
    archive_bucket: str
    cursor_secret: str
    secrets_prefix: str
    idempotency_ttl_seconds: int
    service_name: str
    sandbox_ack_delay_polls: int
    sandbox_remit_delay_polls: int
    sandbox_outage: bool
    followup_queue: str
    clock_start: datetime | None
    stage: str = LOCAL_STAGE
    # X12 files up to this size may come in a request body (API Gateway to Lambda carries
    # 6 MB); larger ones come through POST /v1/uploads (S3), up to upload_max_bytes.
    direct_upload_max_bytes: int = 6 * 1024 * 1024
    upload_max_bytes: int = 256 * 1024 * 1024
    # An uploaded 837P's claims are created in one invocation (about 2 requests a claim):
    # more than this is refused whole, before anything is stored (split the file).
    claim_file_max_claims: int = 20_000
    # Claims one request may post or create: a request must finish within API Gateway's 29 s
    # (about 2 DynamoDB requests a claim posted, 3 to 4 created); more come by upload.
    direct_max_claims: int = 1000
    # A file with more 835 claims than part_claims is posted in parts over SQS (parts_queue):
    # each part at most part_claims claims and part_chars characters (an SQS message carries
    # 256 KB). See benchmarks/volume.py for the per-claim cost the default comes from.
    parts_queue: str = "claimgate-remittance-parts"
    part_claims: int = 500
    part_chars: int = 200_000
    # Every read of patient data through the API is recorded here, kept this long (HIPAA
    # asks six years of its documentation; seven by default, like the archive).
    # Requests a key may make a minute, unless its own limit says otherwise (429 past it).
    key_requests_per_minute: int = 600
    # Eligibility checks of a batch a payer is asked a minute (per tenant).
    eligibility_per_payer_per_minute: int = 300
    audit_table_name: str = "claimgate-audit"
    audit_retention_days: int = 2557
    cursor_secret_id: str | None = None  # Secrets Manager: the cursor key of a deployed stage
    kms_key_id: str | None = None  # the stage's customer-managed key (S3 objects, secrets)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if environ is None else environ
    found = Settings(
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        aws_endpoint=env.get("CLAIMGATE_AWS_ENDPOINT") or None,
        table_name=env.get("CLAIMGATE_TABLE", "claimgate"),
        idempotency_table_name=env.get("CLAIMGATE_IDEMPOTENCY_TABLE", "claimgate-idempotency"),
        archive_bucket=env.get("CLAIMGATE_ARCHIVE_BUCKET", "claimgate-archive"),
        # Signs list cursors so a client cannot forge one into another tenant's key space.
        cursor_secret=env.get("CLAIMGATE_CURSOR_SECRET", LOCAL_CURSOR_SECRET),
        # Where the tenants' clearinghouse secrets live in Secrets Manager (one path per stage).
        secrets_prefix=env.get("CLAIMGATE_SECRETS_PREFIX", "claimgate/local"),
        idempotency_ttl_seconds=int(env.get("CLAIMGATE_IDEMPOTENCY_TTL_SECONDS", "86400")),
        service_name=env.get("POWERTOOLS_SERVICE_NAME", "claimgate"),
        sandbox_ack_delay_polls=int(env.get("CLAIMGATE_SANDBOX_ACK_DELAY_POLLS", "0")),
        sandbox_remit_delay_polls=int(env.get("CLAIMGATE_SANDBOX_REMIT_DELAY_POLLS", "1")),
        sandbox_outage=env.get("CLAIMGATE_SANDBOX_OUTAGE", "").lower() in ("1", "true", "yes"),
        followup_queue=env.get("CLAIMGATE_FOLLOWUP_QUEUE", "claimgate-followups"),
        clock_start=_instant(env.get("CLAIMGATE_CLOCK_START")),
        stage=env.get("CLAIMGATE_STAGE") or LOCAL_STAGE,
        direct_upload_max_bytes=int(
            env.get("CLAIMGATE_DIRECT_UPLOAD_MAX_BYTES", str(6 * 1024 * 1024))
        ),
        upload_max_bytes=int(env.get("CLAIMGATE_UPLOAD_MAX_BYTES", str(256 * 1024 * 1024))),
        claim_file_max_claims=int(env.get("CLAIMGATE_CLAIM_FILE_MAX_CLAIMS", "20000")),
        direct_max_claims=int(env.get("CLAIMGATE_DIRECT_MAX_CLAIMS", "1000")),
        parts_queue=env.get("CLAIMGATE_PARTS_QUEUE", "claimgate-remittance-parts"),
        part_claims=int(env.get("CLAIMGATE_PART_CLAIMS", "500")),
        part_chars=int(env.get("CLAIMGATE_PART_CHARS", "200000")),
        key_requests_per_minute=int(env.get("CLAIMGATE_KEY_REQUESTS_PER_MINUTE", "600")),
        eligibility_per_payer_per_minute=int(
            env.get("CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE", "300")
        ),
        audit_table_name=env.get("CLAIMGATE_AUDIT_TABLE", "claimgate-audit"),
        audit_retention_days=int(env.get("CLAIMGATE_AUDIT_RETENTION_DAYS", "2557")),
        cursor_secret_id=env.get("CLAIMGATE_CURSOR_SECRET_ID") or None,
        kms_key_id=env.get("CLAIMGATE_KMS_KEY_ID") or None,
    )
    weak = found.cursor_secret == LOCAL_CURSOR_SECRET or len(found.cursor_secret) < 32
    if found.stage != LOCAL_STAGE and found.cursor_secret_id is None and weak:
        raise ConfigError(
            f"stage {found.stage!r} has no cursor secret: set CLAIMGATE_CURSOR_SECRET_ID "
            "(a Secrets Manager secret); the local default is refused outside `make run`"
        )
    return found


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings; tests that change the environment call settings.cache_clear()."""
    return load_settings()
