"""The permission check can fail: a call the deployed roles do not allow is named, and
leaving out the statement that allows a call makes it refused."""

from __future__ import annotations

import pytest

from tests.aws_calls import ACCOUNT, REGION, Call, denied, iam_view

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/claimgate-test"
CALLS = {
    Call("api", "dynamodb:PutItem", TABLE),
    Call("schedule", "dynamodb:Query", f"{TABLE}/index/by-due"),
    Call("api", "s3:PutObject", "arn:aws:s3:::claimgate-test-archive/x12/ab/abcd"),
    Call("schedule", "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:claimgate-followups"),
    Call(
        "api",
        "secretsmanager:CreateSecret",
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:claimgate/local/tenants/t/x-AbCdEf",
    ),
}


def test_the_roles_allow_what_the_service_does() -> None:
    assert denied(CALLS) == []


@pytest.mark.parametrize(
    ("sid", "refused"),
    [
        ("ClaimsTable", "dynamodb:PutItem dynamodb:Query"),
        ("Archive", "s3:PutObject"),
        ("FollowupQueueSend", "sqs:SendMessage"),
        ("TenantSecretsWrite", "secretsmanager:CreateSecret"),
    ],
)
def test_without_its_statement_a_call_is_refused(sid: str, refused: str) -> None:
    assert sorted(c.action for c in denied(CALLS, drop=frozenset({sid}))) == refused.split()


def test_what_the_roles_never_allow() -> None:
    strangers = {
        Call("api", "dynamodb:DeleteTable", TABLE),
        Call("api", "dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/other"),
        Call("schedule", "secretsmanager:PutSecretValue", "arn:aws:secretsmanager:x"),
        Call("api", "s3:GetObject", "arn:aws:s3:::another-bucket/x12/ab/abcd"),
    }
    assert len(denied(strangers)) == 4


def test_transactions_are_authorised_per_item_action() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "t"}},
            {"Update": {"TableName": "t"}},
            {"ConditionCheck": {"TableName": "t"}},
        ]
    }
    assert [a for a, _ in iam_view("dynamodb", "TransactWriteItems", params)] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    ]
