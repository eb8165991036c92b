"""The one Logger (and, later, Metrics) of the service. JSON logs with a correlation id per
request and ids as keys; never names, member ids, birth dates or addresses."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="claimgate")
