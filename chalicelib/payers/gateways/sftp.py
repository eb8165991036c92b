"""A clearinghouse SFTP mailbox behind the Gateway port (asyncssh as the client).

Most clearinghouses offer one: 837 files go into an outbound folder, 999 / 277CA / 277 / 835
files are collected from an inbound folder. What this connection promises:

- an interchange is written under a temporary dot-name and renamed when complete, so the
  clearinghouse never picks up half a file; its final name comes from the submitter id, ISA13
  and the bytes' hash, so a send repeated after a crash finds the file there and is a
  duplicate, never a second claim at the payer;
- inbound files stay on the server until the caller has archived and applied them and calls
  `acknowledge` (moved to the processed folder, or deleted): at least once, deduplicated by
  the caller;
- only the pinned host key is accepted (HostKeyChangedError, never retried);
- connection failures and timeouts are retried with exponential backoff; every failure is a
  GatewayError naming the host and the operation, never a file's content.

Each call opens its own connection: a Lambda invocation is short and a mailbox is visited a
few times per poll.
"""

from __future__ import annotations

import asyncio
import hashlib
import posixpath
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import asyncssh

from .base import (
    AppealRequest,
    GatewayError,
    GatewayTimeoutError,
    InboundBatch,
    InboundFile,
    SubmissionReceipt,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SftpSettings:
    host: str
    port: int
    username: str
    host_key: str  # the pinned server key, one OpenSSH line: "ssh-ed25519 AAAA..."
    receiver_id: str  # the clearinghouse's ISA08
    outbound_dir: str = "outbound"
    inbound_dir: str = "inbound"
    processed_dir: str | None = "inbound/processed"  # None: collected files are deleted
    timeout_seconds: float = 20.0
    attempts: int = 3


@dataclass(frozen=True, slots=True)
class SftpCredentials:
    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)


class HostKeyChangedError(GatewayError):
    """The server presented a key other than the pinned one: maybe a new server, maybe
    someone in between. Never connected anyway, never retried."""


class LoginRefusedError(GatewayError):
    """The server refused the username, password or key: not retried."""


class _TransientError(Exception):
    """A failure worth another try (connection refused or dropped, a timeout)."""

    def __init__(self, error: GatewayError) -> None:
        self.error = error


def interchange_name(account: str, interchange: bytes) -> str:
    """`<submitter>_<ISA13>_<sha256 prefix>.x12`: the same bytes always get the same name."""
    if len(interchange) < 106 or not interchange.startswith(b"ISA"):
        raise GatewayError("the outbound file is not an X12 interchange (no ISA at its start)")
    separator = interchange[3:4]
    elements = interchange[:106].split(separator)
    control = elements[13].decode("ascii", "replace").strip() if len(elements) > 13 else ""
    if not control.isdigit():
        raise GatewayError("the interchange has no ISA13 control number")
    digest = hashlib.sha256(interchange).hexdigest()[:16]
    safe = "".join(ch for ch in account if ch.isalnum()) or "claimgate"
    return f"{safe}_{control}_{digest}.x12"


class SftpGateway:
    def __init__(
        self,
        name: str,
        settings: SftpSettings,
        credentials: SftpCredentials,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.receiver_id = settings.receiver_id
        self._settings = settings
        self._credentials = credentials
        self._sleep = sleep
        self._where = f"{settings.host}:{settings.port}"

    # -- the port ---------------------------------------------------------------------------

    def submit(self, account: str, interchange: bytes) -> SubmissionReceipt:
        name = interchange_name(account, interchange)
        final = posixpath.join(self._settings.outbound_dir, name)
        partial = posixpath.join(self._settings.outbound_dir, f".{name}.part")

        async def upload(sftp: asyncssh.SFTPClient) -> SubmissionReceipt:
            if await sftp.exists(final):
                if (await sftp.stat(final)).size == len(interchange):
                    return SubmissionReceipt(reference=name, duplicate=True)
                await sftp.remove(final)  # a torn copy from an old crash: write it whole
            try:
                async with sftp.open(partial, "wb") as handle:
                    await handle.write(interchange)
                await self._rename(sftp, partial, final)
            except BaseException:
                await _quietly(sftp.remove(partial))
                raise
            return SubmissionReceipt(reference=name)

        return self._run(f"upload of {name}", upload)

    def fetch_inbound(self, account: str, cursor: str | None) -> InboundBatch:
        folder = self._settings.inbound_dir

        async def download(sftp: asyncssh.SFTPClient) -> InboundBatch:
            files: list[InboundFile] = []
            for entry in sorted(await sftp.readdir(folder), key=lambda e: str(e.filename)):
                name = str(entry.filename)
                if name.startswith(".") or entry.attrs.type != asyncssh.FILEXFER_TYPE_REGULAR:
                    continue
                path = posixpath.join(folder, name)
                async with sftp.open(path, "rb", encoding=None) as handle:
                    content: bytes | str = await handle.read()
                data = content.encode() if isinstance(content, str) else content
                files.append(InboundFile(name=name, content=data))
            return InboundBatch(files=tuple(files), cursor=None)

        return self._run(f"download from {folder}", download)

    def acknowledge(self, account: str, names: Sequence[str]) -> None:
        inbound, processed = self._settings.inbound_dir, self._settings.processed_dir

        async def move(sftp: asyncssh.SFTPClient) -> None:
            if processed is not None and not await sftp.exists(processed):
                await sftp.makedirs(processed, exist_ok=True)
            for name in names:
                source = posixpath.join(inbound, name)
                if not await sftp.exists(source):
                    continue  # moved by an earlier acknowledgement: at least once
                if processed is None:
                    await sftp.remove(source)
                else:
                    await self._rename(sftp, source, posixpath.join(processed, name))

        self._run("moving files out of the inbound folder", move)

    def claim_status(self, account: str, inquiry: bytes) -> bytes:
        raise GatewayError("an SFTP mailbox answers no real-time 276 claim status inquiry")

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        raise GatewayError("an SFTP mailbox answers no real-time 270 eligibility inquiry")

    def appeal(self, account: str, request: AppealRequest) -> bool:
        return False  # appeals go by letter or the payer's portal

    # -- connections --------------------------------------------------------------------------

    async def _rename(self, sftp: asyncssh.SFTPClient, source: str, target: str) -> None:
        """Atomic replace where the server offers posix-rename; else remove, then rename."""
        try:
            await sftp.posix_rename(source, target)
        except asyncssh.SFTPOpUnsupported:
            await _quietly(sftp.remove(target))
            await sftp.rename(source, target)

    def _run(self, what: str, work: Callable[[asyncssh.SFTPClient], Awaitable[T]]) -> T:
        """`work` on a fresh connection, tried up to `attempts` times while the failure is
        transient (0.5 s, 1 s, 2 s ... between tries)."""
        attempts = max(1, self._settings.attempts)
        for attempt in range(attempts):
            try:
                return asyncio.run(self._session(what, work))
            except _TransientError as transient:
                if attempt == attempts - 1:
                    raise transient.error from None
                self._sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _session(self, what: str, work: Callable[[asyncssh.SFTPClient], Awaitable[T]]) -> T:
        settings = self._settings
        where = self._where
        try:
            async with asyncio.timeout(settings.timeout_seconds):
                async with (
                    await self._connect() as connection,
                    connection.start_sftp_client() as sftp,
                ):
                    return await work(sftp)
        except asyncssh.HostKeyNotVerifiable:
            raise HostKeyChangedError(
                f"the SFTP server at {where} presented a host key that does not match the "
                "pinned one: not connected (update the account's hostKey only after checking "
                "the new key with the clearinghouse)"
            ) from None
        except asyncssh.PermissionDenied:
            raise LoginRefusedError(
                f"SFTP login refused for user {settings.username!r} at {where}"
            ) from None
        except TimeoutError:
            raise _TransientError(
                GatewayTimeoutError(f"{what} at {where}: no answer in {settings.timeout_seconds} s")
            ) from None
        except (
            asyncssh.DisconnectError,
            asyncssh.ConnectionLost,
            ConnectionResetError,
            ConnectionAbortedError,
            BrokenPipeError,
        ) as error:
            raise _TransientError(
                GatewayError(f"{what} at {where}: connection lost ({type(error).__name__})")
            ) from None
        except asyncssh.SFTPError as error:
            raise GatewayError(f"{what} at {where} failed: {error.reason}") from None
        except OSError as error:  # refused, unreachable, unknown host
            raise _TransientError(
                GatewayError(f"cannot connect to {where} for {what}: {error.strerror or error}")
            ) from None
        except asyncssh.Error as error:
            raise GatewayError(f"{what} at {where} failed: {error.reason}") from None
        raise GatewayError(f"{what} at {where} was interrupted")  # a context manager ate an error

    async def _connect(self) -> asyncssh.SSHClientConnection:
        settings, credentials = self._settings, self._credentials
        try:
            pinned = asyncssh.import_public_key(settings.host_key)
        except (asyncssh.KeyImportError, ValueError):
            raise GatewayError("the account's hostKey is not an OpenSSH public key") from None
        keys: list[asyncssh.SSHKey] = []
        if credentials.private_key:
            try:
                keys.append(
                    asyncssh.import_private_key(
                        credentials.private_key, credentials.passphrase or None
                    )
                )
            except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, ValueError):
                raise GatewayError("the account's private key cannot be read") from None
        return await asyncssh.connect(
            settings.host,
            settings.port,
            username=settings.username,
            password=credentials.password,
            client_keys=keys or None,
            known_hosts=([pinned], [], []),
            agent_path=None,
            config=None,
            connect_timeout=settings.timeout_seconds,
            login_timeout=settings.timeout_seconds,
            preferred_auth=("publickey", "password") if keys else ("password",),
        )


async def _quietly(call: Awaitable[object]) -> None:
    """Best-effort cleanup: the connection may already be gone."""
    try:
        await call
    except (asyncssh.Error, OSError):
        return
