"""The deployment's resources that Chalice does not create, as a CloudFormation template built
from the same definitions the code uses (chalicelib.store.models.table_definition), so the
tables in production have exactly the keys and indexes the code queries.

    python -m infra.template > infra/claimgate-resources.json   (checked in; a test keeps it
                                                                  equal to this output)

Chalice creates the Lambda functions, the API, the schedules and the SQS event source mapping
(`chalice deploy`); infra/deploy.sh creates these resources first and turns on partial batch
responses (ReportBatchItemFailures) on the follow-up worker's mapping afterwards.
"""

from __future__ import annotations

import json
from typing import Any


def build_template() -> dict[str, Any]:
    # Production names are the defaults of chalicelib.config (the stage sets no overrides).
    from chalicelib.config import load_settings
    from chalicelib.store.models import table_definition

    cfg = load_settings({})
    table = table_definition()
    table["TableName"] = cfg.table_name
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "claimgate: tables, raw X12 archive, follow-up queue and alarms",
        "Resources": {
            "ClaimsTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "Properties": {
                    **table,
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "SSESpecification": {"SSEEnabled": True},
                },
            },
            "IdempotencyTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": cfg.idempotency_table_name,
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
                    "SSESpecification": {"SSEEnabled": True},
                },
            },
            "ArchiveBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "Properties": {
                    "BucketName": cfg.archive_bucket,
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
                        ]
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                },
            },
            "FollowupDeadLetters": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": f"{cfg.followup_queue}-dlq",
                    "MessageRetentionPeriod": 1209600,
                    "SqsManagedSseEnabled": True,
                },
            },
            "FollowupQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": cfg.followup_queue,
                    "VisibilityTimeout": 900,
                    "SqsManagedSseEnabled": True,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["FollowupDeadLetters", "Arn"]},
                        "maxReceiveCount": 5,
                    },
                },
            },
            "FollowupDeadLettersAlarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmDescription": "Follow-up batches failed five times: see the runs",
                    "Namespace": "AWS/SQS",
                    "MetricName": "ApproximateNumberOfMessagesVisible",
                    "Dimensions": [{"Name": "QueueName", "Value": f"{cfg.followup_queue}-dlq"}],
                    "Statistic": "Maximum",
                    "Period": 300,
                    "EvaluationPeriods": 1,
                    "Threshold": 0,
                    "ComparisonOperator": "GreaterThanThreshold",
                },
            },
            "RunFailuresAlarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmDescription": "A scheduled run recorded failures (GET /v1/runs)",
                    "Namespace": "claimgate",
                    "MetricName": "RunFailed",
                    "Dimensions": [
                        {"Name": "schedule", "Value": "clearinghouse-poll"},
                        {"Name": "service", "Value": "claimgate"},
                    ],
                    "Statistic": "Sum",
                    "Period": 900,
                    "EvaluationPeriods": 1,
                    "Threshold": 0,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "TreatMissingData": "notBreaching",
                },
            },
        },
    }


def main() -> None:
    print(json.dumps(build_template(), indent=2, sort_keys=True))  # noqa: T201


if __name__ == "__main__":
    main()
