"""Every AWS call the service's own code makes during the tests, as IAM sees it: the action
(`dynamodb:PutItem`) and the resource ARN, and which function's role makes it (`api` when a
route is on the stack, else `schedule`). The deployed policy (infra/policies.py) is checked
against them with a real policy evaluator (moto's, the one its IAM enforcement uses).

Calls made by the tests themselves (seeding data through boto3) and by the local bootstrap
(creating tables: the deployed stage's CloudFormation does that) are not the service's, and
are not recorded."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.client

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
_ROOT = Path(__file__).resolve().parents[1]
_SERVICE = str(_ROOT / "chalicelib")
_API = str(_ROOT / "chalicelib" / "api")
# Not a function's role: the local set-up, and the admin command (the deployer's credentials).
_NOT_THE_SERVICE = (
    str(_ROOT / "chalicelib" / "store" / "bootstrap.py"),
    str(_ROOT / "chalicelib" / "admin.py"),
)

# DynamoDB transactions and batches are authorised per item action.
_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket"}


@dataclass(frozen=True, slots=True)
class Call:
    role: str
    action: str
    resource: str


class Recorder:
    def __init__(self) -> None:
        self.calls: set[Call] = set()
        self._lock = threading.Lock()
        self._original: Any = None

    def start(self) -> None:
        original = getattr(botocore.client.BaseClient, "_make_api_call")  # noqa: B009
        self._original = original
        recorder = self

        def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
            role = _role()
            if role is not None:
                service = client.meta.service_model.signing_name
                found = {Call(role, a, r) for a, r in iam_view(service, operation, params)}
                with recorder._lock:
                    recorder.calls |= found
            return original(client, operation, params)

        setattr(botocore.client.BaseClient, "_make_api_call", recording)  # noqa: B010

    def stop(self) -> None:
        if self._original is not None:
            setattr(botocore.client.BaseClient, "_make_api_call", self._original)  # noqa: B010


def _role() -> str | None:
    """`api` or `schedule` when the service's code made the call; None when a test did."""
    frame = sys._getframe(2)
    ours = False
    role = "schedule"
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_NOT_THE_SERVICE):
            return None
        if name.startswith(_SERVICE):
            ours = True
            if name.startswith(_API):
                role = "api"
        frame = frame.f_back  # type: ignore[assignment]
    return role if ours else None


def iam_view(service: str, operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(IAM action, resource ARN) pairs one API call is authorised by."""
    if service == "dynamodb":
        yield from _dynamodb(operation, params)
    elif service == "s3" and operation == "CopyObject":  # read the source, write the copy
        source = params["CopySource"]
        yield "s3:GetObject", f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"
        yield "s3:PutObject", f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"
    elif service == "s3":
        bucket, key = params.get("Bucket", ""), params.get("Key")
        action = _S3_ACTIONS.get(operation, operation)
        yield f"s3:{action}", f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    elif service == "sqs":
        name = params.get("QueueName") or str(params.get("QueueUrl", "")).rsplit("/", 1)[-1]
        action = (
            operation.removesuffix("Batch") if operation.endswith("MessageBatch") else operation
        )
        yield f"sqs:{action}", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    elif service == "secretsmanager":
        name = params.get("SecretId") or params.get("Name") or ""
        yield (
            f"secretsmanager:{operation}",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf",
        )
    else:
        yield f"{service}:{operation}", "*"


def _dynamodb(operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    def table(name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if operation in ("TransactWriteItems", "TransactGetItems"):
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                yield f"dynamodb:{_TRANSACT[kind]}", table(body["TableName"])
    elif operation in ("BatchWriteItem", "BatchGetItem"):
        for name in params.get("RequestItems", {}):
            yield f"dynamodb:{operation}", table(name)
    else:
        yield f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName"))


RECORDER = Recorder()


KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/stage-key"


def names_under_test() -> Any:
    """The names the suite's resources have (tests/conftest.py), as a stage's Names."""
    from chalicelib.config import settings
    from infra.policies import Names

    cfg = settings()
    return Names(
        stage="test",
        table=cfg.table_name,
        idempotency_table=cfg.idempotency_table_name,
        archive_bucket=cfg.archive_bucket,
        followup_queue=cfg.followup_queue,
        secrets_prefix=cfg.secrets_prefix,
        parts_queue=cfg.parts_queue,
        audit_table=cfg.audit_table_name,
    )


def denied(calls: set[Call], *, drop: frozenset[str] = frozenset()) -> list[Call]:
    """The calls the deployed roles would refuse, by moto's IAM policy evaluator; `drop`
    leaves statements out (by Sid) to show that the check can fail."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    from infra.policies import ROLES, statements

    pseudo = {"${AWS::Partition}": "aws", "${AWS::Region}": REGION, "${AWS::AccountId}": ACCOUNT}

    def resolved(text: str) -> str:
        for name, value in pseudo.items():
            text = text.replace(name, value)
        return text

    policies = {}
    for role in ROLES:
        kept = [s for s in statements(role, names_under_test(), KEY_ARN) if s["Sid"] not in drop]
        for statement in kept:
            statement["Resource"] = [resolved(r) for r in statement["Resource"]]
        policies[role] = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": kept}))
    return sorted(
        (
            c
            for c in calls
            if policies[c.role].is_action_permitted(c.action, c.resource)
            is not PermissionResult.PERMITTED
        ),
        key=lambda c: (c.role, c.action, c.resource),
    )
