"""Clients and connections, built on first use (cold start matters) and pointed at the
configured endpoint when there is one."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from pynamodb.connection import Connection

from chalicelib.config import settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient


@lru_cache(maxsize=1)
def pynamodb_connection() -> Connection:
    cfg = settings()
    return Connection(region=cfg.region, host=cfg.aws_endpoint)


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    import boto3

    cfg = settings()
    return boto3.client("dynamodb", region_name=cfg.region, endpoint_url=cfg.aws_endpoint)


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    import boto3

    cfg = settings()
    return boto3.client("s3", region_name=cfg.region, endpoint_url=cfg.aws_endpoint)


@lru_cache(maxsize=1)
def sqs_client() -> SQSClient:
    import boto3

    cfg = settings()
    return boto3.client("sqs", region_name=cfg.region, endpoint_url=cfg.aws_endpoint)


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    import boto3

    cfg = settings()
    return boto3.client("secretsmanager", region_name=cfg.region, endpoint_url=cfg.aws_endpoint)
