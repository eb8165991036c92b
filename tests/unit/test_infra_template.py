"""The stage template (infra/template.py) and its roles (infra/policies.py), read as an
operator would: every index the code queries, least privilege with no `*` for data, stages
that never share a name, an alarm for every schedule wired to the stage's topic."""

from __future__ import annotations

from typing import Any

import pytest

from infra.policies import API, ROLES, SCHEDULE, Names, statements
from infra.template import build_template, functions

DATA_SERVICES = ("dynamodb:", "s3:", "sqs:", "secretsmanager:", "kms:")


def resources(stage: str = "dev") -> dict[str, Any]:
    found: dict[str, Any] = build_template(stage)["Resources"]
    return found


def test_the_table_has_every_index_the_code_queries() -> None:
    from chalicelib.store.models import Item

    table = resources()["ClaimsTable"]["Properties"]
    names = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    queried = {
        index.Meta.index_name
        for index in (
            Item.by_status,
            Item.by_payer,
            Item.by_tenant,
            Item.by_payer_status,
            Item.by_pcn,
            Item.by_due,
            Item.by_work,
            Item.by_facts,
        )
    }
    assert names == queried


@pytest.mark.parametrize("role", ROLES)
def test_no_data_action_on_every_resource(role: str) -> None:
    for statement in statements(role, Names.for_stage("dev"), "arn:key"):
        data = [a for a in statement["Action"] if a.startswith(DATA_SERVICES)]
        assert statement["Effect"] == "Allow"
        if data:
            assert all(r != "*" and not str(r).endswith(":*") for r in statement["Resource"]), (
                statement
            )


def test_only_the_api_writes_secrets_and_only_schedules_consume_the_queue() -> None:
    def actions(role: str) -> set[str]:
        return {a for s in statements(role, Names.for_stage("dev"), "k") for a in s["Action"]}

    assert "secretsmanager:PutSecretValue" in actions(API)
    assert "secretsmanager:PutSecretValue" not in actions(SCHEDULE)
    assert "sqs:ReceiveMessage" in actions(SCHEDULE)
    assert "sqs:ReceiveMessage" not in actions(API)


def test_two_stages_share_no_name() -> None:
    def physical_names(stage: str) -> set[str]:
        found = set()
        for resource in resources(stage).values():
            for key in (
                "TableName",
                "QueueName",
                "Name",
                "FunctionName",
                "LogGroupName",
                "DashboardName",
                "AliasName",
            ):
                value = resource.get("Properties", {}).get(key)
                if isinstance(value, str):
                    found.add(value)
            bucket = resource.get("Properties", {}).get("BucketName")
            if bucket:
                found.add(str(bucket))
        return found

    dev, prod = physical_names("dev"), physical_names("prod")
    assert len(dev) > 15
    assert dev.isdisjoint(prod)


def test_every_schedule_has_its_alarms_and_every_alarm_notifies() -> None:
    from chalicelib.schedules.registry import SCHEDULES

    found = resources()
    alarms = {k: v for k, v in found.items() if v.get("Type") == "AWS::CloudWatch::Alarm"}
    for schedule in SCHEDULES.values():
        for kind in ("FailedRuns", "NoRun"):
            alarm = next(
                a
                for k, a in alarms.items()
                if k.endswith(f"{kind}Alarm")
                and {"Name": "schedule", "Value": schedule.name} in a["Properties"]["Dimensions"]
            )
            assert alarm["Properties"]["MetricName"] in ("RunFailed", "RunDuration")
    no_run = alarms["PaymentMismatchesNoRunAlarm"]["Properties"]  # a daily schedule
    assert no_run["Period"] * no_run["EvaluationPeriods"] == 2 * 24 * 3600
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]
    for name in ("Api5xxAlarm", "FollowupDeadLettersAlarm", "APIHandlerThrottlesAlarm"):
        assert name in alarms


def test_data_is_protected_at_rest_and_in_transit() -> None:
    found = resources()
    table = found["ClaimsTable"]
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "StageKey"}
    assert table["DeletionPolicy"] == "Retain"
    bucket = found["ArchiveBucket"]["Properties"]
    assert bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"] == {
        "Ref": "ArchiveRetentionDays"
    }
    policy = found["ArchiveBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert {s["Sid"] for s in policy if s["Effect"] == "Deny"} == {
        "TlsOnly",
        "KmsEncryptedPutsOnly",
    }
    for queue in ("FollowupQueue", "FollowupDeadLetters", "PartsQueue", "PartsDeadLetters"):
        assert found[queue]["Properties"]["KmsMasterKeyId"] == {"Ref": "StageKey"}
    assert found["CursorSecret"]["Properties"]["KmsKeyId"] == {"Ref": "StageKey"}


def test_every_function_runs_as_its_role_with_the_stage_environment() -> None:
    from chalicelib.schedules.registry import SCHEDULES

    made = functions()
    workers = {"claim-followups-worker", "remittance-parts-worker", "upload-received"}
    assert set(made.values()) == {"api", *SCHEDULES, *workers}
    found = resources("prod")
    for logical_id, name in made.items():
        properties = found[logical_id]["Properties"]
        assert properties["FunctionName"] == f"claimgate-prod-{name}"
        assert properties["Role"]["Fn::GetAtt"][0] in ("ApiRole", "ScheduleRole")
        environment = properties["Environment"]["Variables"]
        assert environment["CLAIMGATE_STAGE"] == "prod"
        assert environment["CLAIMGATE_CURSOR_SECRET_ID"] == {"Ref": "CursorSecret"}


@pytest.mark.parametrize("stage", ["Bad_Stage", "", "9lives", "a-stage-name-far-too-long"])
def test_a_stage_name_that_cannot_name_a_bucket_is_refused(stage: str) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        build_template(stage)
