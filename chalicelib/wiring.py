"""Objects that hold clients, built lazily on first use so importing `app` stays cheap."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.clock import utcnow

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    from chalicelib.claims.model import Claim
    from chalicelib.claims.repository import ClaimRepository, PayerDirectory
    from chalicelib.payers.accounts import ClearinghouseAccount, SftpConnection
    from chalicelib.payers.gateways.base import Gateway

CreateClaim = Callable[..., dict[str, Any]]
IdempotentCall = Callable[..., dict[str, Any]]


@lru_cache(maxsize=8)  # one wrapper per wrapped function
def idempotent(func: CreateClaim) -> IdempotentCall:
    """`func` wrapped by Powertools' idempotency utility on its DynamoDB persistence layer.

    The idempotency record is keyed by tenant and Idempotency-Key; the body is the payload
    checked on replay, so the same key with a different body is refused, never replayed."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from chalicelib.config import settings
    from chalicelib.store.connection import dynamodb_client

    cfg = settings()
    persistence = DynamoDBPersistenceLayer(
        table_name=cfg.idempotency_table_name, boto3_client=dynamodb_client()
    )
    config = IdempotencyConfig(
        event_key_jmespath="[tenant, key]",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=cfg.idempotency_ttl_seconds,
        response_hook=_mark_replayed,
    )
    wrapped: CreateClaim = idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config
    )(func)

    def call(request: dict[str, Any], lambda_context: Any, **extra: Any) -> dict[str, Any]:
        """The Lambda context bounds how long an in-progress record blocks a retry. Only
        `request` is hashed; `extra` passes what the caller already computed from it."""
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        return wrapped(request=request, **extra)

    return call


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    if isinstance(response, dict):
        return {**response, "replayed": True}
    return response


ContractCheck = Callable[["Claim"], list[tuple[str, str, str]]]
_contract_check: list[ContractCheck] = []


def use_contract_check(check: ContractCheck) -> None:
    """What the API's contract refuses in a claim that did not come as a request (one read
    from an 837P file): the app puts the API's own check here, so a file uploaded through S3
    and applied by a schedule meets the same rules as one posted to the API."""
    _contract_check[:] = [check]


def contract_check() -> ContractCheck:
    if not _contract_check:
        raise RuntimeError("no contract check wired: app.py puts the API's in place")
    return _contract_check[0]


_gateways: dict[str, Gateway] = {}
_claims: list[ClaimRepository] = []
_directory: list[PayerDirectory] = []
_on_reset: list[Callable[[], None]] = []


def claim_repository() -> ClaimRepository:
    """Where claims are kept: DynamoDB, unless a test put another repository in place."""
    if not _claims:
        from chalicelib.store.claims import DynamoClaimRepository

        _claims.append(DynamoClaimRepository())
    return _claims[0]


def payer_directory() -> PayerDirectory:
    """Payers and the tenants' policies for them: DynamoDB, unless a test put another."""
    if not _directory:
        from chalicelib.store.directory import DynamoPayerDirectory

        _directory.append(DynamoPayerDirectory())
    return _directory[0]


def use_store(claims: ClaimRepository | None = None, payers: PayerDirectory | None = None) -> None:
    """Put in-memory (or any) implementations in place; None puts DynamoDB back."""
    _claims[:] = [claims] if claims is not None else []
    _directory[:] = [payers] if payers is not None else []
    reset()


def on_reset(forget: Callable[[], None]) -> None:
    """Register a per-container cache to forget on reset (lookups register theirs)."""
    _on_reset.append(forget)


def reset() -> None:
    """Forget every client, connection and cache built so far: a test's fresh AWS (or a
    fresh in-memory store) is used from the next call on, without clearing caches by hand."""
    from chalicelib.store import connection, secrets

    connection.dynamodb_client.cache_clear()
    connection.s3_client.cache_clear()
    connection.sqs_client.cache_clear()
    connection.secrets_client.cache_clear()
    connection.pynamodb_connection.cache_clear()
    secrets.cursor_key.cache_clear()
    idempotent.cache_clear()
    _gateways.clear()
    for forget in _on_reset:
        forget()


def gateway_names() -> tuple[str, ...]:
    """Every clearinghouse connection the payer directory can name."""
    return ("sandbox",)


def gateway_for(tenant_id: str, name: str) -> Gateway:
    """The connection a tenant's payer or batch names: a shared one (the sandbox), or one of
    the tenant's own clearinghouse accounts, built from the account and its secret. Another
    tenant's account of the same name is never found: accounts are looked up by tenant."""
    if name in gateway_names():
        return gateway(name)
    from chalicelib.payers.gateways.base import GatewayUnavailableError
    from chalicelib.store import clearinghouses

    found = clearinghouses.load_account(tenant_id, name)
    if found is None:
        raise GatewayUnavailableError(f"the tenant has no clearinghouse account {name!r}")
    account, version = found
    key = f"{tenant_id}/{name}@{version}"  # a changed account or secret builds anew
    if key not in _gateways:
        _gateways[key] = _build_account_gateway(account)
    return _gateways[key]


def _build_account_gateway(account: ClearinghouseAccount) -> Gateway:
    from chalicelib.payers.gateways.base import GatewayUnavailableError
    from chalicelib.store.secrets import SecretMissingError, get_secret

    try:
        secret = get_secret(account.secret_ref) if account.secret_ref else {}
    except SecretMissingError:
        raise GatewayUnavailableError(
            f"the secret of account {account.account_id!r} is missing from the secret store"
        ) from None
    if account.sftp is not None:
        return _sftp_gateway(account.account_id, account.sftp, secret)
    if account.http_json is not None:
        from chalicelib.payers.gateways.claims_api import (
            ClaimsApiCredentials,
            ClaimsApiGateway,
            ClaimsApiSettings,
        )

        api = account.http_json
        return ClaimsApiGateway(
            account.account_id,
            ClaimsApiSettings(
                base_url=api.base_url, receiver_id=api.receiver_id, token_url=api.token_url
            ),
            ClaimsApiCredentials(
                client_id=secret.get("clientId"),
                client_secret=secret.get("clientSecret"),
                api_key=secret.get("apiKey"),
            ),
        )
    raise GatewayUnavailableError(f"account {account.account_id!r} is not a connection")


def _sftp_gateway(name: str, sftp: SftpConnection, secret: dict[str, str]) -> Gateway:
    from chalicelib.payers.gateways.sftp import SftpCredentials, SftpGateway, SftpSettings

    return SftpGateway(
        name,
        SftpSettings(
            host=sftp.host,
            port=sftp.port,
            username=sftp.username,
            host_key=sftp.host_key,
            receiver_id=sftp.receiver_id,
            outbound_dir=sftp.outbound_dir,
            inbound_dir=sftp.inbound_dir,
            processed_dir=sftp.processed_dir,
        ),
        SftpCredentials(
            password=secret.get("password"),
            private_key=secret.get("privateKey"),
            passphrase=secret.get("passphrase"),
        ),
    )


def gateway(name: str) -> Gateway:
    """The shared connection `name` (the sandbox), built on first use."""
    if name not in _gateways:
        _gateways[name] = _build_gateway(name)
    return _gateways[name]


def use_gateway(name: str, connection: Gateway | None) -> None:
    """Put a connection in place of the configured one (tests), or forget it (None)."""
    if connection is None:
        _gateways.pop(name, None)
    else:
        _gateways[name] = connection


def _build_gateway(name: str) -> Gateway:
    if name != "sandbox":
        raise KeyError(f"no clearinghouse gateway named {name!r}")

    from chalicelib.config import settings
    from chalicelib.payers.gateways.sandbox.clearinghouse import SandboxClearinghouse
    from chalicelib.payers.gateways.sandbox.gateway import SandboxGateway
    from chalicelib.store.sandbox import S3SandboxStateStore

    cfg = settings()
    return SandboxGateway(
        SandboxClearinghouse(
            ack_delay_polls=cfg.sandbox_ack_delay_polls,
            remit_delay_polls=cfg.sandbox_remit_delay_polls,
        ),
        S3SandboxStateStore(),
        clock=utcnow,
        outage=cfg.sandbox_outage,
    )
