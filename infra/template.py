"""One stage's CloudFormation, merged by `chalice package --merge-template` into the template
Chalice writes for the app (functions, API, schedules, the SQS event source): one deployable
unit per stage, built offline.

    python -m infra.template STAGE > build/STAGE/resources.json   (infra/plan.py does this)

What it adds and sets:
- data: the table (keys and indexes from chalicelib.store.models, so production has exactly
  what the code queries) and the idempotency table, the raw X12 archive bucket (versioned,
  object lock with a retention in days, older objects to Glacier Instant Retrieval, TLS and
  KMS-encrypted puts only), the follow-up queue and its dead letters, the stage's
  cursor-signing secret (generated, never a default in code) — each under the stage's
  customer-managed KMS key; point-in-time recovery and deletion protection on the tables;
- the functions: their names (`claimgate-STAGE-<name>`), one role each kind of function
  with the least-privilege policy of infra/policies.py (Chalice's policy generator cannot see
  PynamoDB's calls, so Chalice manages no role), the environment that names the stage's
  resources, log groups with a retention, partial batch responses on the SQS worker;
- operations: alarms for each schedule (failed runs; no run in twice its period), the dead
  letters, the API's 5xx and latency, every function's errors and throttles, all sent to the
  SNS topic given as a parameter; a dashboard; API Gateway's own answers in the API's error
  shape (infra/gateway_responses.py); outputs naming what was made.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from chalice.utils import to_cfn_resource_name

from . import policies
from .gateway_responses import gateway_responses

API_FUNCTION = "APIHandler"  # Chalice's logical id for the function behind every route
API_GATEWAY_STAGE = "api"
FOLLOWUP_WORKER = "claim-followups-worker"
PARTS_WORKER = "remittance-parts-worker"  # one part of a large 835 per invocation
UPLOAD_RECEIVED = "upload-received"  # S3's "Object Created" under uploads/, via EventBridge
# Chalice names the function of a route table "api_handler"; schedules and the SQS worker by
# their Chalice names. Timeouts: the API answers within API Gateway's 29 s; a run may use a
# whole Lambda lifetime (the leases of chalicelib.services.leases assume 15 minutes).
API_TIMEOUT, RUN_TIMEOUT = 30, 900
# A part is sized to post in well under a minute (benchmarks/volume.py): five minutes leave
# room for a slow table without holding a failed part's retry back a quarter of an hour.
PART_TIMEOUT = 300
# Parts posted at once: enough for a 100,000-claim 835 in minutes, few enough that a large
# file leaves the table's capacity to the API (benchmarks/volume.py prints what it gives).
PARTS_CONCURRENCY = 10
# The functions that read a whole uploaded or fetched file before applying it (and cut a
# large 835 into parts): a 100,000-claim 835 of 44 MB peaks near 600 MB in them
# (benchmarks/volume.py), so the largest upload (CLAIMGATE_UPLOAD_MAX_BYTES, 256 MB) fits.
FILE_READER_MEMORY = 4096
PART_MEMORY = 1024


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _arn(resource: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, "Arn"]}


def functions() -> dict[str, str]:
    """Logical id -> function name (without the stage prefix), for every function Chalice
    makes of the app: the API's, one per schedule, the follow-up worker."""
    from chalicelib.schedules.registry import SCHEDULES

    found = {API_FUNCTION: "api"}
    for name in (*SCHEDULES, FOLLOWUP_WORKER, PARTS_WORKER, UPLOAD_RECEIVED):
        found[to_cfn_resource_name(name)] = name
    return found


def build_template(stage: str) -> dict[str, Any]:
    names = policies.Names.for_stage(stage)
    resources: dict[str, Any] = {
        **_key(stage),
        **_data(names),
        **_roles(names),
        **_functions(names),
        **_alarms(names),
        **gateway_responses(),
        "Dashboard": _dashboard(names),
        "RestAPI": {
            "Properties": {
                "Name": f"claimgate-{stage}",
                # The stage's outer limit, before any function runs; each key has its own,
                # counted by the service (CLAIMGATE_KEY_REQUESTS_PER_MINUTE, 429 past it).
                "MethodSettings": [
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "ThrottlingRateLimit": 500,
                        "ThrottlingBurstLimit": 1000,
                    }
                ],
            }
        },
    }
    return {
        "Parameters": {
            "AlarmTopicArn": {
                "Type": "String",
                "AllowedPattern": "arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+",
                "Description": "The SNS topic every alarm of the stage notifies",
            },
            "ArchiveRetentionDays": {
                "Type": "Number",
                "Default": 2557,
                "MinValue": 1,
                "Description": "How long raw X12 files are kept, locked (7 years by default)",
            },
            "LogRetentionDays": {
                "Type": "Number",
                "Default": 365,
                "AllowedValues": [30, 60, 90, 180, 365, 400, 545, 731, 1827, 2192, 2557, 3653],
            },
        },
        "Resources": resources,
        "Outputs": {
            "TableName": {"Value": {"Ref": "ClaimsTable"}},
            "IdempotencyTableName": {"Value": {"Ref": "IdempotencyTable"}},
            "AuditTableName": {"Value": {"Ref": "AuditTable"}},
            "ArchiveBucketName": {"Value": {"Ref": "ArchiveBucket"}},
            "FollowupQueueUrl": {"Value": {"Ref": "FollowupQueue"}},
            "StageKeyArn": {"Value": _arn("StageKey")},
            "DashboardName": {"Value": {"Ref": "Dashboard"}},
        },
    }


def _key(stage: str) -> dict[str, Any]:
    root = _sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
    return {
        "StageKey": {
            "Type": "AWS::KMS::Key",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "Description": f"claimgate {stage}: table, archive, queues and secrets",
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {"AWS": root},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                    ],
                },
            },
        },
        "StageKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": f"alias/claimgate-{stage}",
                "TargetKeyId": {"Ref": "StageKey"},
            },
        },
    }


def _data(names: policies.Names) -> dict[str, Any]:
    from chalicelib.store.audit import audit_table_definition
    from chalicelib.store.models import table_definition

    table = table_definition()
    table["TableName"] = names.table
    kms = {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "StageKey"}}
    bucket = _sub(names.archive_bucket)
    bucket_arn = _sub(f"arn:${{AWS::Partition}}:s3:::{names.archive_bucket}")
    objects = _sub(f"arn:${{AWS::Partition}}:s3:::{names.archive_bucket}/*")
    kept = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    return {
        "ClaimsTable": {
            "Type": "AWS::DynamoDB::Table",
            **kept,
            "Properties": {
                **table,
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "DeletionProtectionEnabled": True,
                "SSESpecification": kms,
            },
        },
        "IdempotencyTable": {
            "Type": "AWS::DynamoDB::Table",
            **kept,
            "Properties": {
                "TableName": names.idempotency_table,
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "DeletionProtectionEnabled": True,
                "SSESpecification": kms,
            },
        },
        "AuditTable": {  # append-only: the roles may put and query (infra/policies.py)
            "Type": "AWS::DynamoDB::Table",
            **kept,
            "Properties": {
                **audit_table_definition(),
                "TableName": names.audit_table,
                "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "DeletionProtectionEnabled": True,
                "SSESpecification": kms,
            },
        },
        "ArchiveBucket": {
            "Type": "AWS::S3::Bucket",
            **kept,
            "Properties": {
                "BucketName": bucket,
                "VersioningConfiguration": {"Status": "Enabled"},
                "ObjectLockEnabled": True,
                "ObjectLockConfiguration": {
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {
                        "DefaultRetention": {
                            "Mode": "GOVERNANCE",
                            "Days": {"Ref": "ArchiveRetentionDays"},
                        }
                    },
                },
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": _arn("StageKey"),
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "ArchiveAgeing",
                            "Status": "Enabled",
                            "Prefix": "x12/",
                            "Transitions": [{"StorageClass": "GLACIER_IR", "TransitionInDays": 90}],
                            "ExpirationInDays": {"Ref": "ArchiveRetentionDays"},
                            "NoncurrentVersionExpiration": {
                                "NoncurrentDays": {"Ref": "ArchiveRetentionDays"}
                            },
                        },
                        {
                            # an uploaded file is archived under x12/ once applied
                            "Id": "UploadsApplied",
                            "Status": "Enabled",
                            "Prefix": "uploads/",
                            "ExpirationInDays": 30,
                        },
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                # uploads/ objects announce themselves to the upload-received function
                "NotificationConfiguration": {
                    "EventBridgeConfiguration": {"EventBridgeEnabled": True}
                },
            },
        },
        "ArchiveBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "ArchiveBucket"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket_arn, objects],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "KmsEncryptedPutsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:PutObject",
                            "Resource": objects,
                            "Condition": {
                                "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}
                            },
                        },
                    ],
                },
            },
        },
        "FollowupDeadLetters": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": f"{names.followup_queue}-dlq",
                "MessageRetentionPeriod": 1209600,
                "KmsMasterKeyId": {"Ref": "StageKey"},
            },
        },
        "FollowupQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": names.followup_queue,
                "VisibilityTimeout": RUN_TIMEOUT * 6,  # at least six times the worker's timeout
                "KmsMasterKeyId": {"Ref": "StageKey"},
                "RedrivePolicy": {
                    "deadLetterTargetArn": _arn("FollowupDeadLetters"),
                    "maxReceiveCount": 5,
                },
            },
        },
        "PartsDeadLetters": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": f"{names.parts_queue}-dlq",
                "MessageRetentionPeriod": 1209600,
                "KmsMasterKeyId": {"Ref": "StageKey"},
            },
        },
        "PartsQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": names.parts_queue,
                "VisibilityTimeout": PART_TIMEOUT * 6,
                "MessageRetentionPeriod": 1209600,
                "KmsMasterKeyId": {"Ref": "StageKey"},
                "RedrivePolicy": {
                    "deadLetterTargetArn": _arn("PartsDeadLetters"),
                    "maxReceiveCount": 5,
                },
            },
        },
        "CursorSecret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": f"{names.secrets_prefix}/stage/cursor-key",
                "Description": "Signs list cursors so one cannot be forged into another tenant's",
                "KmsKeyId": {"Ref": "StageKey"},
                "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True},
            },
        },
    }


def _roles(names: policies.Names) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for role in policies.ROLES:
        statements = policies.statements(role, names, _arn("StageKey"))
        for statement in statements:
            statement["Resource"] = [
                _sub(r) if isinstance(r, str) else r for r in statement["Resource"]
            ]
        found[_role_id(role)] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": f"claimgate-{names.stage}-{role}",
                        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                    }
                ],
            },
        }
    return found


def _role_id(role: str) -> str:
    return f"{role.capitalize()}Role"


def _environment(names: policies.Names) -> dict[str, Any]:
    return {
        "CLAIMGATE_STAGE": names.stage,
        "CLAIMGATE_TABLE": {"Ref": "ClaimsTable"},
        "CLAIMGATE_IDEMPOTENCY_TABLE": {"Ref": "IdempotencyTable"},
        "CLAIMGATE_AUDIT_TABLE": {"Ref": "AuditTable"},
        "CLAIMGATE_ARCHIVE_BUCKET": {"Ref": "ArchiveBucket"},
        "CLAIMGATE_FOLLOWUP_QUEUE": {"Fn::GetAtt": ["FollowupQueue", "QueueName"]},
        "CLAIMGATE_PARTS_QUEUE": {"Fn::GetAtt": ["PartsQueue", "QueueName"]},
        "CLAIMGATE_SECRETS_PREFIX": names.secrets_prefix,
        "CLAIMGATE_CURSOR_SECRET_ID": {"Ref": "CursorSecret"},
        "CLAIMGATE_KMS_KEY_ID": _arn("StageKey"),
        "POWERTOOLS_SERVICE_NAME": f"claimgate-{names.stage}",
    }


def _functions(names: policies.Names) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for logical_id, name in functions().items():
        role = policies.API if logical_id == API_FUNCTION else policies.SCHEDULE
        function_name = f"{names.function_prefix}{name}"
        properties: dict[str, Any] = {
            "FunctionName": function_name,
            "Role": _arn(_role_id(role)),
            "Timeout": {
                API_FUNCTION: API_TIMEOUT,
                to_cfn_resource_name(PARTS_WORKER): PART_TIMEOUT,
            }.get(logical_id, RUN_TIMEOUT),
            "Environment": {"Variables": _environment(names)},
        }
        if name in (UPLOAD_RECEIVED, "uploads", "clearinghouse-poll"):
            properties["MemorySize"] = FILE_READER_MEMORY
        elif name == PARTS_WORKER:
            properties["MemorySize"] = PART_MEMORY
        if name == UPLOAD_RECEIVED:
            properties["Events"] = {
                f"{logical_id}Event": {
                    "Properties": {
                        "Pattern": {"detail": {"bucket": {"name": [{"Ref": "ArchiveBucket"}]}}}
                    }
                }
            }
        queue = {FOLLOWUP_WORKER: "FollowupQueue", PARTS_WORKER: "PartsQueue"}.get(name)
        if queue is not None:
            properties["Events"] = {
                f"{logical_id}SqsEventSource": {
                    "Properties": {
                        # Chalice writes the ARN as an Fn::Sub: the same key replaces it
                        "Queue": _sub(f"${{{queue}.Arn}}"),
                        "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    }
                }
            }
        if name == PARTS_WORKER:
            [source] = properties["Events"].values()
            source["Properties"]["ScalingConfig"] = {"MaximumConcurrency": PARTS_CONCURRENCY}
        found[logical_id] = {"DependsOn": [f"{logical_id}Logs"], "Properties": properties}
        found[f"{logical_id}Logs"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": f"/aws/lambda/{function_name}",
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        }
    return found


def _alarm(description: str, **properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "AlarmActions": [{"Ref": "AlarmTopicArn"}],
            "OKActions": [{"Ref": "AlarmTopicArn"}],
            "TreatMissingData": "notBreaching",
            **properties,
        },
    }


def _alarms(names: policies.Names) -> dict[str, Any]:
    from chalicelib.schedules.registry import SCHEDULES

    service = f"claimgate-{names.stage}"
    found: dict[str, Any] = {}
    for schedule in SCHEDULES.values():
        logical_id = to_cfn_resource_name(schedule.name)
        dimensions = [
            {"Name": "schedule", "Value": schedule.name},
            {"Name": "service", "Value": service},
        ]
        found[f"{logical_id}FailedRunsAlarm"] = _alarm(
            f"{schedule.name}: a run recorded failures (GET /v1/runs?schedule={schedule.name})",
            Namespace="claimgate",
            MetricName="RunFailed",
            Dimensions=dimensions,
            Statistic="Sum",
            Period=max(60, min(schedule.rate_minutes * 60, 86400)),
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
        )
        window = 2 * schedule.rate_minutes * 60  # no run in twice the schedule's period
        period = min(window, 86400)
        found[f"{logical_id}NoRunAlarm"] = _alarm(
            f"{schedule.name}: no run finished in twice its period",
            Namespace="claimgate",
            MetricName="RunDuration",
            Dimensions=dimensions,
            Statistic="SampleCount",
            Period=period,
            EvaluationPeriods=-(-window // period),
            Threshold=1,
            ComparisonOperator="LessThanThreshold",
            TreatMissingData="breaching",
        )
    for logical_id in functions():
        function = [{"Name": "FunctionName", "Value": {"Ref": logical_id}}]
        for metric in ("Errors", "Throttles"):
            found[f"{logical_id}{metric}Alarm"] = _alarm(
                f"{logical_id}: {metric.lower()} in the last 5 minutes",
                Namespace="AWS/Lambda",
                MetricName=metric,
                Dimensions=function,
                Statistic="Sum",
                Period=300,
                EvaluationPeriods=1,
                Threshold=0,
                ComparisonOperator="GreaterThanThreshold",
            )
    api = [
        {"Name": "ApiName", "Value": f"claimgate-{names.stage}"},
        {"Name": "Stage", "Value": API_GATEWAY_STAGE},
    ]
    found["Api5xxAlarm"] = _alarm(
        "The API answered 5xx to more than 1% of requests for 10 minutes",
        Namespace="AWS/ApiGateway",
        MetricName="5XXError",
        Dimensions=api,
        Statistic="Average",
        Period=300,
        EvaluationPeriods=2,
        Threshold=0.01,
        ComparisonOperator="GreaterThanThreshold",
    )
    found["ApiLatencyAlarm"] = _alarm(
        "The API's p99 latency was over 5 s for 15 minutes",
        Namespace="AWS/ApiGateway",
        MetricName="Latency",
        Dimensions=api,
        ExtendedStatistic="p99",
        Period=300,
        EvaluationPeriods=3,
        Threshold=5000,
        ComparisonOperator="GreaterThanThreshold",
    )
    dead_letters = {
        "FollowupDeadLetters": "Follow-up batches failed five times and wait in the "
        "dead-letter queue",
        "PartsDeadLetters": "Parts of a large 835 failed five times and wait in the "
        "dead-letter queue (the upload's progress names their claims): fix them, then redrive",
    }
    for queue, description in dead_letters.items():
        found[f"{queue}Alarm"] = _alarm(
            description,
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
        )
    return found


def _dashboard(names: policies.Names) -> dict[str, Any]:
    from chalicelib.schedules.registry import SCHEDULES

    service = f"claimgate-{names.stage}"
    api = ["ApiName", f"claimgate-{names.stage}", "Stage", API_GATEWAY_STAGE]

    def runs(metric: str) -> list[list[Any]]:
        return [["claimgate", metric, "schedule", name, "service", service] for name in SCHEDULES]

    def widget(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": "${AWS::Region}",
                "stat": stat,
                "period": 300,
                "metrics": metrics,
            },
        }

    api_logs = f"/aws/lambda/{names.function_prefix}api"
    body = {
        "widgets": [
            widget("Runs: items examined", runs("RunExamined")),
            widget(
                "Runs: items acted on (claims sent, files applied, payments posted)",
                runs("RunActed"),
            ),
            widget("Runs: failures", runs("RunFailed")),
            widget(
                "API latency (p50, p99)",
                [
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p50"}],
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p99"}],
                ],
            ),
            widget(
                "API 4xx and 5xx",
                [
                    ["AWS/ApiGateway", "4XXError", *api],
                    ["AWS/ApiGateway", "5XXError", *api],
                ],
            ),
            {
                "type": "log",
                "width": 12,
                "height": 6,
                "properties": {
                    "title": "Claims created by status",
                    "region": "${AWS::Region}",
                    "query": f"SOURCE '{api_logs}' | filter message = 'claim created' "
                    "| stats count() by status",
                    "view": "table",
                },
            },
        ]
    }
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": f"claimgate-{names.stage}",
            "DashboardBody": _sub(json.dumps(body)),
        },
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m infra.template STAGE", file=sys.stderr)  # noqa: T201
        return 2
    print(json.dumps(build_template(argv[0]), indent=2, sort_keys=True))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
