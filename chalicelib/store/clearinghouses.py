"""A tenant's clearinghouse accounts and payer routes (chalicelib.payers.accounts), one item
each under the tenant's own partitions, written with a version check."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from chalicelib.codec import decode, encode
from chalicelib.payers.accounts import ClearinghouseAccount, PayerRoute

from .errors import ConcurrentUpdateError, conditional_failed
from .models import ClearinghouseAccountItem, InboundAddressItem, PayerRouteItem


def _accounts_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#CLEARINGHOUSES"


def _routes_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#ROUTES"


def load_account(tenant_id: str, account_id: str) -> tuple[ClearinghouseAccount, int] | None:
    """The account and its version (what a replacing write is checked against)."""
    try:
        item = ClearinghouseAccountItem.get(
            _accounts_pk(tenant_id), f"A#{account_id}", consistent_read=True
        )
    except DoesNotExist:
        return None
    return decode(ClearinghouseAccount, item.account), int(item.version or 0)


def list_accounts(tenant_id: str) -> list[ClearinghouseAccount]:
    return [
        decode(ClearinghouseAccount, item.account)
        for item in ClearinghouseAccountItem.query(_accounts_pk(tenant_id))
    ]


def save_account(account: ClearinghouseAccount, *, version: int | None) -> None:
    """Write over the account at `version` (None: only if there is none yet)."""
    item = ClearinghouseAccountItem(
        pk=_accounts_pk(account.tenant_id),
        sk=f"A#{account.account_id}",
        tenant_id=account.tenant_id,
        account=encode(account),
    )
    _save(item, version)


def delete_account(tenant_id: str, account_id: str, *, version: int) -> None:
    item = ClearinghouseAccountItem(
        pk=_accounts_pk(tenant_id), sk=f"A#{account_id}", version=version
    )
    _delete(item)


def save_inbound_address(inbound_id: str, tenant_id: str, account_id: str) -> None:
    """The global entry that leads an inbound webhook to its tenant's account. The id is
    derived from tenant and account, so writing it again writes the same item."""
    InboundAddressItem(
        pk=f"INBOUND#{inbound_id}", sk="#INBOUND", tenant_id=tenant_id, account_id=account_id
    ).save()


def load_inbound_address(inbound_id: str) -> tuple[str, str] | None:
    """(tenant id, account id) of an inbound webhook address."""
    try:
        item = InboundAddressItem.get(f"INBOUND#{inbound_id}", "#INBOUND")
    except DoesNotExist:
        return None
    return str(item.tenant_id), str(item.account_id)


def delete_inbound_address(inbound_id: str) -> None:
    InboundAddressItem(pk=f"INBOUND#{inbound_id}", sk="#INBOUND").delete()


def load_route(tenant_id: str, payer_id: str) -> tuple[PayerRoute, int] | None:
    try:
        item = PayerRouteItem.get(_routes_pk(tenant_id), f"P#{payer_id}", consistent_read=True)
    except DoesNotExist:
        return None
    return decode(PayerRoute, item.route), int(item.version or 0)


def list_routes(tenant_id: str) -> list[PayerRoute]:
    return [decode(PayerRoute, item.route) for item in PayerRouteItem.query(_routes_pk(tenant_id))]


def save_route(route: PayerRoute, *, version: int | None) -> None:
    item = PayerRouteItem(
        pk=_routes_pk(route.tenant_id),
        sk=f"P#{route.payer_id}",
        tenant_id=route.tenant_id,
        route=encode(route),
    )
    _save(item, version)


def delete_route(tenant_id: str, payer_id: str, *, version: int) -> None:
    _delete(PayerRouteItem(pk=_routes_pk(tenant_id), sk=f"P#{payer_id}", version=version))


def _save(item: ClearinghouseAccountItem | PayerRouteItem, version: int | None) -> None:
    """Conditional on `version` (PynamoDB's version attribute: None, only if absent)."""
    if version is not None:
        item.version = version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(item.sk) from None
        raise


def _delete(item: ClearinghouseAccountItem | PayerRouteItem) -> None:
    try:
        item.delete()
    except DeleteError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(item.sk) from None
        raise
