"""The one Logger (and, later, Metrics) of the service. JSON logs with a correlation id per
request and ids as keys; never names, member ids, birth dates or addresses."""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger

logger = Logger(service="claimgate")

# The SDKs' own loggers stay at WARNING whatever the root level: botocore's DEBUG echoes request
# bodies (PHI), and its INFO repeats a credential lookup for every new thread's session.
for _sdk in ("botocore", "boto3", "pynamodb", "urllib3"):
    logging.getLogger(_sdk).setLevel(logging.WARNING)


def where_raised(error: BaseException) -> str:
    """`file.py:line` where `error` was raised: what a log may say of an exception, whose
    message can carry data (PHI)."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}"
