"""The payer directory port (chalicelib.claims.repository.PayerDirectory) on DynamoDB."""

from __future__ import annotations

from .contracts import load_policy
from .payers import load_payer


class DynamoPayerDirectory:
    load_payer = staticmethod(load_payer)
    load_policy = staticmethod(load_policy)
