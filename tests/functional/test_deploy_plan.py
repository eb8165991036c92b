"""`make deploy-plan` for two stages, as an operator runs it: the whole template of each stage
is built with no AWS credentials (infra/plan.py), passes cfn-lint, and every function Chalice
makes of the app runs as one of the stage's roles, named for the stage, with the stage's
environment; the follow-up worker reads the stage's queue with partial batch responses. A
deployed stage's cursor key comes from Secrets Manager."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.plan import plan


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    return {stage: json.loads(plan(stage).read_text()) for stage in ("dev", "prod")}


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_function_is_the_stages_own(templates: dict[str, dict[str, Any]], stage: str) -> None:
    from app import app

    resources = templates[stage]["Resources"]
    made = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    expected = 1 + len(app.event_sources)  # the API's function, each schedule, the worker
    assert len(made) == expected
    for function in made.values():
        properties = function["Properties"]
        assert properties["Role"] in (
            {"Fn::GetAtt": ["ApiRole", "Arn"]},
            {"Fn::GetAtt": ["ScheduleRole", "Arn"]},
        )
        assert properties["FunctionName"].startswith(f"claimgate-{stage}-")
        assert properties["Environment"]["Variables"]["CLAIMGATE_STAGE"] == stage
    worker = made["ClaimFollowupsWorker"]["Properties"]["Events"]
    [source] = worker.values()
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${FollowupQueue.Arn}"}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    parts = made["RemittancePartsWorker"]["Properties"]
    [source] = parts["Events"].values()
    assert source["Properties"]["Queue"] == {"Fn::Sub": "${PartsQueue.Arn}"}
    assert source["Properties"]["BatchSize"] == 1  # one part an invocation
    assert parts["Timeout"] * 6 == resources["PartsQueue"]["Properties"]["VisibilityTimeout"]
    assert "DefaultRole" not in resources  # Chalice manages no role of its own
    assert "EndpointURL" in templates[stage]["Outputs"]


def test_a_deployed_stage_reads_its_cursor_key_from_its_secret(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from chalicelib import wiring
    from chalicelib.config import settings
    from chalicelib.store.secrets import cursor_key

    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="claimgate/local/stage/cursor-key", SecretString="k" * 64
    )
    monkeypatch.setenv("CLAIMGATE_CURSOR_SECRET_ID", "claimgate/local/stage/cursor-key")
    settings.cache_clear()
    wiring.reset()
    try:
        assert cursor_key() == b"k" * 64
    finally:
        monkeypatch.delenv("CLAIMGATE_CURSOR_SECRET_ID")
        settings.cache_clear()
        wiring.reset()
    assert cursor_key() == settings().cursor_secret.encode()
