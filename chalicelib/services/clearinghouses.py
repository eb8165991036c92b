"""A tenant's clearinghouse accounts and payer routes: set, read, remove.

The secret goes to the secret store before the account that names it is written, so an
account never names a secret that is not there; a PUT without credentials keeps the ones
stored. A route names an account of the same tenant, so one tenant's claims never leave
through another's connection, and an account carrying payers cannot be removed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.config import settings
from chalicelib.payers.accounts import (
    HTTP_JSON,
    MAILBOXES,
    ClearinghouseAccount,
    HttpJsonConnection,
    PayerRoute,
    SftpConnection,
    secret_name,
)
from chalicelib.store import clearinghouses as store
from chalicelib.store import secrets

from .errors import RefusedError, replaced
from .lookups import find_payer, forget_tenant_connections


def put_account(
    tenant_id: str,
    account_id: str,
    *,
    kind: str,
    connection: SftpConnection | HttpJsonConnection | None,
    credentials: dict[str, str],
    now: datetime,
) -> tuple[ClearinghouseAccount, bool]:
    """Create or replace the account; True when it was created (a full replace: one that
    loses to a simultaneous PUT reads again and writes again). Credentials given replace the
    stored secret as a whole; none given keep it."""

    def write() -> tuple[ClearinghouseAccount, bool]:
        found = store.load_account(tenant_id, account_id)
        previous, version = found if found else (None, None)
        same_kind = previous is not None and previous.kind == kind
        ref = previous.secret_ref if previous else None
        secret_at = previous.secret_updated_at if previous else None
        if kind in MAILBOXES:
            if credentials:
                ref = ref or secret_name(settings().secrets_prefix, tenant_id, account_id)
                secrets.put_secret(ref, credentials)
                secret_at = now
            elif ref is None or not same_kind:
                raise RefusedError("invalid_account", f"a new {kind} account needs credentials")
        account = ClearinghouseAccount(
            tenant_id=tenant_id,
            account_id=account_id,
            kind=kind,
            updated_at=now,
            sftp=connection if isinstance(connection, SftpConnection) else None,
            http_json=connection if isinstance(connection, HttpJsonConnection) else None,
            secret_ref=ref if kind in MAILBOXES else None,
            secret_updated_at=secret_at if kind in MAILBOXES else None,
        )
        if kind == HTTP_JSON:  # the address its webhook is pushed to, before it is used
            store.save_inbound_address(account.inbound_id, tenant_id, account_id)
        store.save_account(account, version=version)
        if previous is not None and previous.secret_ref and account.secret_ref is None:
            secrets.delete_secret(previous.secret_ref)  # a connection turned sandbox
        forget_tenant_connections(tenant_id)
        return account, previous is None

    return replaced(write)


def inbound_account(inbound_id: str) -> ClearinghouseAccount | None:
    """The JSON clearinghouse account whose webhook URL ends in `inbound_id`."""
    found = store.load_inbound_address(inbound_id)
    if found is None:
        return None
    loaded = store.load_account(*found)
    account = loaded[0] if loaded else None
    if account is None or account.kind != HTTP_JSON or account.inbound_id != inbound_id:
        return None
    return account


def account_secret(account: ClearinghouseAccount) -> dict[str, str]:
    """The account's stored credentials (empty when it has none)."""
    if account.secret_ref is None:
        return {}
    try:
        return secrets.get_secret(account.secret_ref)
    except secrets.SecretMissingError:
        return {}


def get_account(tenant_id: str, account_id: str) -> ClearinghouseAccount:
    found = store.load_account(tenant_id, account_id)
    if found is None:
        raise RefusedError("not_found", "no such clearinghouse account")
    return found[0]


def list_accounts(tenant_id: str) -> list[ClearinghouseAccount]:
    return sorted(store.list_accounts(tenant_id), key=lambda a: a.account_id)


def delete_account(tenant_id: str, account_id: str) -> None:
    found = store.load_account(tenant_id, account_id)
    if found is None:
        raise RefusedError("not_found", "no such clearinghouse account")
    account, version = found
    carried = sorted(r.payer_id for r in store.list_routes(tenant_id) if r.account_id == account_id)
    if carried:
        raise RefusedError(
            "account_in_use",
            f"payers {', '.join(carried)} are routed through this account: route them "
            "elsewhere first",
        )
    store.delete_account(tenant_id, account_id, version=version)
    if account.kind == HTTP_JSON:
        store.delete_inbound_address(account.inbound_id)
    if account.secret_ref:
        secrets.delete_secret(account.secret_ref)
    forget_tenant_connections(tenant_id)


def put_route(
    tenant_id: str,
    payer_id: str,
    *,
    account_id: str,
    clearinghouse_payer_id: str,
    name: str | None,
    plan_type: str | None,
    now: datetime,
) -> PayerRoute:
    if store.load_account(tenant_id, account_id) is None:
        raise RefusedError("invalid_account", f"no clearinghouse account named {account_id!r}")
    if (name is None or plan_type is None) and find_payer(tenant_id, payer_id) is None:
        raise RefusedError(
            "invalid_route",
            "the payer is not in the directory: give its name and planType with the route",
        )
    route = PayerRoute(
        tenant_id=tenant_id,
        payer_id=payer_id,
        account_id=account_id,
        clearinghouse_payer_id=clearinghouse_payer_id,
        updated_at=now,
        name=name,
        plan_type=plan_type,
    )

    def write() -> PayerRoute:
        found = store.load_route(tenant_id, payer_id)
        if found is not None and found[0] == replace(route, updated_at=found[0].updated_at):
            return found[0]  # the same route again: nothing changes
        store.save_route(route, version=found[1] if found else None)
        return route

    written = replaced(write)
    forget_tenant_connections(tenant_id)
    return written


def get_route(tenant_id: str, payer_id: str) -> PayerRoute | None:
    found = store.load_route(tenant_id, payer_id)
    return found[0] if found else None


def delete_route(tenant_id: str, payer_id: str) -> None:
    found = store.load_route(tenant_id, payer_id)
    if found is None:
        raise RefusedError("not_found", "the payer has no route of this tenant's")
    store.delete_route(tenant_id, payer_id, version=found[1])
    forget_tenant_connections(tenant_id)
