"""The payer directory port (chalicelib.claims.repository.PayerDirectory) on DynamoDB."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from chalicelib.claims.eligibility import EligibilityCheck

from . import authorizations
from .clearinghouses import list_accounts, list_routes
from .contracts import load_policy
from .eligibility import latest_checks, member_key
from .payers import load_payer


class DynamoPayerDirectory:
    load_payer = staticmethod(load_payer)
    load_policy = staticmethod(load_policy)
    load_accounts = staticmethod(list_accounts)
    load_routes = staticmethod(list_routes)
    load_authorization = staticmethod(authorizations.load)
    load_authorization_rules = staticmethod(authorizations.load_rules)

    @staticmethod
    def load_coverage(
        tenant_id: str, payer_id: str, member_id: str, birth_date: date | None
    ) -> Sequence[EligibilityCheck]:
        return latest_checks(tenant_id, member_key(payer_id, member_id, birth_date))
