"""Least-privilege IAM for the stage's functions, written down once and used twice: the
deployed template's roles (infra/template.py) and the permission check of the test suite
(tests/aws_calls.py records every AWS call the service makes and checks it against these).

Two roles, because two kinds of function differ: `api` (every route, including the manual
runs of schedules, and the clearinghouse and webhook secrets it writes) and `schedule` (the
scheduled functions and the follow-up worker, which only read secrets). Every data action
names its resource: the stage's table and its indexes, the idempotency table, the archive
bucket's objects, the follow-up queue, the tenants' secrets under the stage's prefix and the
stage's own secrets, the stage's KMS key. ARNs keep CloudFormation's pseudo parameters
(`${AWS::Region}` ...) so the template wraps them in Fn::Sub and the check fills them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

API, SCHEDULE = "api", "schedule"
# The bucket name (claimgate-<stage>-archive-<account>-<region>) must stay within 63 characters.
STAGE = re.compile(r"[a-z][a-z0-9-]{0,15}")
ROLES = (API, SCHEDULE)
_ARN = "arn:${AWS::Partition}"
_WHERE = "${AWS::Region}:${AWS::AccountId}"

# Every item action the store uses (transactions are authorised per item action).
_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
]
# Powertools' idempotency record: read, written under a condition, deleted on failure.
_IDEMPOTENCY_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]


@dataclass(frozen=True, slots=True)
class Names:
    """What a stage's resources are called (ARN text, pseudo parameters unresolved)."""

    stage: str
    table: str
    idempotency_table: str
    archive_bucket: str
    followup_queue: str
    secrets_prefix: str
    parts_queue: str = ""
    audit_table: str = ""

    @classmethod
    def for_stage(cls, stage: str) -> Names:
        if not STAGE.fullmatch(stage):
            raise ValueError(
                f"stage {stage!r}: 1-16 lowercase letters, digits or '-', starting with a "
                "letter (it becomes part of bucket, table and function names)"
            )
        base = f"claimgate-{stage}"
        return cls(
            stage=stage,
            table=base,
            idempotency_table=f"{base}-idempotency",
            # bucket names are global: the account and region make the stage's own
            archive_bucket=f"{base}-archive-${{AWS::AccountId}}-${{AWS::Region}}",
            followup_queue=f"{base}-followups",
            secrets_prefix=f"claimgate/{stage}",
            parts_queue=f"{base}-remittance-parts",
            audit_table=f"{base}-audit",
        )

    @property
    def function_prefix(self) -> str:
        return f"claimgate-{self.stage}-"


def statements(role: str, names: Names, key_arn: Any) -> list[dict[str, Any]]:
    """The role's policy statements. `key_arn` is the stage key's ARN (a CloudFormation
    reference in the template, a text in the check)."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")
    table = f"{_ARN}:dynamodb:{_WHERE}:table/{names.table}"
    queue = f"{_ARN}:sqs:{_WHERE}:{names.followup_queue}"
    parts = f"{_ARN}:sqs:{_WHERE}:{names.parts_queue}"
    secrets = f"{_ARN}:secretsmanager:{_WHERE}:secret:{names.secrets_prefix}"
    logs = f"{_ARN}:logs:{_WHERE}:log-group:/aws/lambda/{names.function_prefix}*"
    found: list[dict[str, Any]] = [
        _allow("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs}:*"]),
        _allow("ClaimsTable", _TABLE_ACTIONS, [table, f"{table}/index/*"]),
        _allow(
            "Archive",
            ["s3:GetObject", "s3:PutObject"],
            [f"{_ARN}:s3:::{names.archive_bucket}/*"],
        ),
        _allow("FollowupQueueSend", ["sqs:GetQueueUrl", "sqs:SendMessage"], [queue]),
        # the uploads schedule, S3's event and an operator's run (through the API) plan parts
        _allow("PartsQueueSend", ["sqs:GetQueueUrl", "sqs:SendMessage"], [parts]),
        _allow(
            "TenantSecretsRead",
            ["secretsmanager:GetSecretValue"],
            [f"{secrets}/tenants/*", f"{secrets}/stage/*"],
        ),
        _allow(
            "StageKey",
            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            [key_arn],
        ),
    ]
    if role == API:
        found += [
            # offboarding a tenant reads every item of it: no index lists every kind
            _allow(
                "OffboardingScan",
                ["dynamodb:Scan"],
                [f"{_ARN}:dynamodb:{_WHERE}:table/{names.table}"],
            ),
            # the access audit: appended to and read, never changed (no Update, no Delete)
            _allow(
                "AuditAppendAndRead",
                ["dynamodb:PutItem", "dynamodb:Query"],
                [f"{_ARN}:dynamodb:{_WHERE}:table/{names.audit_table}"],
            ),
            _allow(
                "IdempotencyTable",
                _IDEMPOTENCY_ACTIONS,
                [f"{_ARN}:dynamodb:{_WHERE}:table/{names.idempotency_table}"],
            ),
            _allow(
                "TenantSecretsWrite",
                [
                    "secretsmanager:CreateSecret",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:DeleteSecret",
                ],
                [f"{secrets}/tenants/*"],
            ),
        ]
    else:
        found.append(
            _allow(
                "QueuesConsume",
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                [queue, parts],
            )
        )
        # the eligibility batches' per-payer counters (`rate#...`, removed by the table's TTL)
        found.append(
            _allow(
                "RateCounters",
                ["dynamodb:UpdateItem"],
                [f"{_ARN}:dynamodb:{_WHERE}:table/{names.idempotency_table}"],
            )
        )
    return found


def document(role: str, names: Names, key_arn: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements(role, names, key_arn)}


def _allow(sid: str, actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
