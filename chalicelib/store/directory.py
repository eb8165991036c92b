"""The payer directory port (chalicelib.claims.repository.PayerDirectory) on DynamoDB."""

from __future__ import annotations

from .clearinghouses import list_accounts, list_routes
from .contracts import load_policy
from .payers import load_payer


class DynamoPayerDirectory:
    load_payer = staticmethod(load_payer)
    load_policy = staticmethod(load_policy)
    load_accounts = staticmethod(list_accounts)
    load_routes = staticmethod(list_routes)
