"""A clearinghouse SFTP mailbox behind the Gateway port (asyncssh as the client).

Most clearinghouses offer one: 837 files go into an outbound folder, 999 / 277CA / 277 / 835
files are collected from an inbound folder. What this connection promises:

- an interchange is written under a temporary dot-name and renamed when complete, so the
  clearinghouse never picks up half a file; its final name comes from the submitter id, ISA13
  and the bytes' hash, so a send repeated after a crash finds the file there and is a
  duplicate, never a second claim at the payer (while the clearinghouse has not yet taken the
  file away: after that, its own ISA13 check is the guard);
- inbound files stay on the server until the caller has archived and applied them and calls
  `acknowledge` (moved to the processed folder, or deleted): at least once, deduplicated by
  the caller;
- only the pinned host key is accepted (HostKeyChangedError, never retried);
- connection failures and timeouts are retried with exponential backoff; every failure is a
  GatewayError naming the host, the operation and the file, never a file's content.

Each call opens its own connection on its own event loop: a Lambda invocation is short and a
mailbox is visited a few times per poll, so a kept-open connection would mostly be a stale one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import posixpath
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncssh
from asyncssh.public_key import get_default_public_key_algs

from .base import (
    X12,
    AppealRequest,
    GatewayError,
    GatewayTimeoutError,
    InboundBatch,
    InboundFile,
    SubmissionReceipt,
)

T = TypeVar("T")

_ISA_LENGTH = 106  # the ISA segment is fixed width, its terminator included
_CLEANUP_SECONDS = 5.0  # a cleanup after a failure must not keep the caller much longer


@dataclass(frozen=True, slots=True)
class SftpSettings:
    host: str
    port: int
    username: str
    host_key: str  # the pinned server key, one OpenSSH line: "ssh-ed25519 AAAA... [comment]"
    receiver_id: str  # the clearinghouse's ISA08
    outbound_dir: str = "outbound"
    inbound_dir: str = "inbound"
    processed_dir: str | None = "inbound/processed"  # None: collected files are deleted
    timeout_seconds: float = 20.0  # for connecting, and for each remote operation
    attempts: int = 3  # connection attempts while failures are transient


@dataclass(frozen=True, slots=True)
class SftpCredentials:
    """The login: a password, a private key (OpenSSH or PEM text), or both. Never shown in a
    repr, so a logged gateway or settings object leaks no secret."""

    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)


class HostKeyChangedError(GatewayError):
    """The server presented a key other than the pinned one: maybe a new server, maybe
    someone in between. Never connected anyway, never retried."""


class LoginRefusedError(GatewayError):
    """The server refused the username, password or key: another try cannot succeed."""


class _TransientError(Exception):
    """A failure worth another try (connection refused or dropped, a timeout)."""

    def __init__(self, error: GatewayError) -> None:
        super().__init__(str(error))
        self.error = error


def interchange_name(account: str, interchange: bytes) -> str:
    """`<submitter>_<ISA13>_<sha256 prefix>.x12`: the same bytes always get the same name.

    The submitter id is kept to letters, digits, '-' and '_' so it can never name another
    folder."""
    if len(interchange) < _ISA_LENGTH or not interchange.startswith(b"ISA"):
        raise GatewayError("the outbound file is not an X12 interchange (no ISA at its start)")
    separator = interchange[3:4]
    elements = interchange[:_ISA_LENGTH].split(separator)
    control = elements[13].decode("ascii", "replace").strip() if len(elements) > 13 else ""
    if not control.isdigit():
        raise GatewayError("the interchange has no readable ISA13 control number")
    submitter = "".join(ch for ch in account if ch.isascii() and (ch.isalnum() or ch in "-_"))
    if not submitter:
        raise GatewayError("the outbound file needs a submitter id for its name")
    digest = hashlib.sha256(interchange).hexdigest()[:16]
    return f"{submitter}_{control}_{digest}.x12"


class _Steps:
    """What a call is doing now, so a failure names the operation and the file; each step
    gets the whole timeout (a slow listing does not eat the download's time)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.now = "connection"

    @contextlib.asynccontextmanager
    async def step(self, what: str) -> AsyncIterator[None]:
        self.now = what
        async with asyncio.timeout(self.seconds):
            yield


class SftpGateway:
    """The Gateway port over one clearinghouse SFTP account."""

    wire = X12

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

    def __repr__(self) -> str:
        return f"SftpGateway({self.name!r}, {self._where}, user={self._settings.username!r})"

    # -- the port ---------------------------------------------------------------------------

    def submit(self, account: str, interchange: bytes) -> SubmissionReceipt:
        """Upload under a dot-name, then rename: the clearinghouse sees the whole file or none."""
        name = interchange_name(account, interchange)
        folder = self._settings.outbound_dir
        final = posixpath.join(folder, name)
        partial = posixpath.join(folder, f".{name}.part")

        async def upload(sftp: asyncssh.SFTPClient, steps: _Steps) -> SubmissionReceipt:
            async with steps.step(f"check of {final}"):
                size = await _size(sftp, final)
            if size == len(interchange):
                return SubmissionReceipt(reference=name, duplicate=True)
            try:
                async with steps.step(f"upload of {name} to {folder}/"):
                    handle = await sftp.open(partial, "wb")
                    try:
                        await handle.write(interchange)
                    except BaseException:
                        await _quietly(handle.close())
                        raise
                    await handle.close()
                async with steps.step(f"rename of {partial} to {name}"):
                    # a different file under our name (size differs) is replaced whole
                    await _replace(sftp, partial, final)
            except BaseException:
                await _quietly(sftp.remove(partial))
                raise
            return SubmissionReceipt(reference=name)

        return self._run(upload)

    def fetch_inbound(self, account: str, cursor: str | None) -> InboundBatch:
        """Every regular file of the inbound folder, by name, read whole; nothing is removed
        until `acknowledge`. The mailbox is the cursor, so the cursor stays None."""
        folder = self._settings.inbound_dir

        async def download(sftp: asyncssh.SFTPClient, steps: _Steps) -> InboundBatch:
            async with steps.step(f"listing of {folder}/"):
                entries = await sftp.readdir(folder)
            names = sorted(
                str(entry.filename)
                for entry in entries
                if not str(entry.filename).startswith(".")
                and entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR
            )
            files: list[InboundFile] = []
            for name in names:
                path = posixpath.join(folder, name)
                async with steps.step(f"download of {path}"):
                    handle = await sftp.open(path, "rb")
                    try:
                        content: bytes | str = await handle.read()
                    finally:
                        await _quietly(handle.close())  # read-only: nothing to lose
                data = content.encode() if isinstance(content, str) else content
                files.append(InboundFile(name=name, content=data))
            return InboundBatch(files=tuple(files), cursor=None)

        return self._run(download)

    def acknowledge(self, account: str, names: Sequence[str]) -> None:
        """Move the applied files to the processed folder (replacing a same-named one there),
        or delete them; a name already gone was acknowledged before, which is fine."""
        inbound, processed = self._settings.inbound_dir, self._settings.processed_dir
        for name in names:
            if not name or "/" in name or name in (".", ".."):
                raise GatewayError(f"{name!r} is not a file name of the inbound folder")
        if not names:
            return

        async def move(sftp: asyncssh.SFTPClient, steps: _Steps) -> None:
            if processed is not None:
                async with steps.step(f"creation of {processed}/"):
                    await sftp.makedirs(processed, exist_ok=True)
            for name in names:
                source = posixpath.join(inbound, name)
                try:
                    if processed is None:
                        async with steps.step(f"removal of {source}"):
                            await sftp.remove(source)
                    else:
                        async with steps.step(f"move of {source} to {processed}/"):
                            await _replace(sftp, source, posixpath.join(processed, name))
                except asyncssh.SFTPNoSuchFile:
                    continue  # moved by an earlier acknowledgement: at least once

        self._run(move)

    def claim_status(self, account: str, inquiry: bytes) -> None:
        """A mailbox answers later: the 276 is uploaded like a claim file (same name rules,
        the same file on a retry) and the payer's 277 arrives in the inbound folder."""
        self.submit(account, inquiry)

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        raise GatewayError("an SFTP mailbox answers no real-time 270 eligibility inquiry")

    def appeal(self, account: str, request: AppealRequest) -> bool:
        return False  # appeals go by letter or the payer's portal

    # -- connections --------------------------------------------------------------------------

    def _run(self, work: Callable[[asyncssh.SFTPClient, _Steps], Awaitable[T]]) -> T:
        """`work` on a fresh connection, tried up to `attempts` times while the failure is
        transient (0.5 s, 1 s, 2 s ... between tries)."""
        attempts = max(1, self._settings.attempts)
        for attempt in range(attempts):
            try:
                return _run_coroutine(self._session(work))
            except _TransientError as transient:
                if attempt == attempts - 1:
                    raise transient.error from None
                self._sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _session(self, work: Callable[[asyncssh.SFTPClient, _Steps], Awaitable[T]]) -> T:
        """One connection, one SFTP session; every failure leaves as a GatewayError (or a
        _TransientError carrying one)."""
        settings, where = self._settings, self._where
        steps = _Steps(settings.timeout_seconds)
        connection: asyncssh.SSHClientConnection | None = None
        try:
            async with steps.step("connection"):
                connection = await self._connect()
            async with steps.step("start of the SFTP session"):
                sftp = await connection.start_sftp_client()
            return await work(sftp, steps)
        except asyncssh.HostKeyNotVerifiable:
            raise self._host_key_changed() from None
        except asyncssh.PermissionDenied:
            raise LoginRefusedError(
                f"SFTP login refused for user {settings.username!r} at {where}"
            ) from None
        except asyncssh.KeyExchangeFailed as error:
            if "host key" in error.reason:  # the server no longer has a key of the pinned type
                raise self._host_key_changed() from None
            raise GatewayError(f"{steps.now} at {where} failed: {error.reason}") from None
        except TimeoutError:
            raise _TransientError(
                GatewayTimeoutError(
                    f"{steps.now} at {where}: no answer within {settings.timeout_seconds:g} s"
                )
            ) from None
        except (asyncssh.ProtocolNotSupported, asyncssh.IllegalUserName) as error:
            raise GatewayError(f"{steps.now} at {where} failed: {error.reason}") from None
        except (
            asyncssh.ConnectionLost,
            asyncssh.SFTPConnectionLost,
            asyncssh.SFTPNoConnection,
            EOFError,
        ):
            raise _TransientError(
                GatewayError(f"{steps.now} at {where}: connection lost")
            ) from None
        except asyncssh.DisconnectError as error:  # busy, shutting down, a garbled packet
            raise _TransientError(
                GatewayError(f"{steps.now} at {where}: the server hung up ({error.reason})")
            ) from None
        except asyncssh.SFTPError as error:  # the server's answer: no such file, disk full...
            raise GatewayError(f"{steps.now} at {where} failed: {error.reason}") from None
        except OSError as error:  # refused, unreachable, unknown host; reset mid-way
            detail = error.strerror or type(error).__name__
            if steps.now == "connection":
                message = f"cannot connect to {where}: {detail}"
            elif isinstance(error, ConnectionError):
                message = f"{steps.now} at {where}: connection lost ({detail})"
            else:
                message = f"{steps.now} at {where}: {detail}"
            raise _TransientError(GatewayError(message)) from None
        except asyncssh.Error as error:
            raise GatewayError(f"{steps.now} at {where} failed: {error.reason}") from None
        except ValueError as error:  # asyncssh's answer to options it cannot use
            raise GatewayError(f"{steps.now} at {where} failed: {error}") from None
        finally:
            if connection is not None:
                await _hang_up(connection)

    def _host_key_changed(self) -> HostKeyChangedError:
        return HostKeyChangedError(
            f"the SFTP server at {self._where} presented a host key that does not match the "
            "pinned key: not connected (change the account's hostKey only after checking the "
            "new key with the clearinghouse)"
        )

    async def _connect(self) -> asyncssh.SSHClientConnection:
        """Log in with the pinned host key as the only trusted one; no agent, no
        ~/.ssh/config, no default keys, no Kerberos: only what the account says."""
        settings, credentials = self._settings, self._credentials
        try:
            pinned = asyncssh.import_public_key(settings.host_key)
        except (asyncssh.KeyImportError, ValueError):
            raise GatewayError(
                f"the hostKey of the account at {self._where} is not an OpenSSH public key"
            ) from None
        keys: list[asyncssh.SSHKey] = []
        if credentials.private_key:
            try:
                keys.append(
                    asyncssh.import_private_key(
                        credentials.private_key, credentials.passphrase or None
                    )
                )
            except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, ValueError) as error:
                # asyncssh's reason ("Incorrect passphrase", "... requires bcrypt") names no
                # part of the key
                raise GatewayError(
                    f"the private key of the account at {self._where} cannot be read: {error}"
                ) from None
        # The pinned key's algorithms first, every other kind after: a server that now has
        # only a key of another kind presents it and the client refuses it itself
        # (HostKeyNotVerifiable), rather than the server hanging up, which can reach the
        # client as a bare lost connection.
        pinned_algs = [alg.decode() for alg in pinned.sig_algorithms]
        host_key_algs = pinned_algs + [
            alg.decode() for alg in get_default_public_key_algs() if alg.decode() not in pinned_algs
        ]
        if not keys and credentials.password is None:
            raise GatewayError(f"the account at {self._where} has neither password nor key")
        return await asyncssh.connect(
            settings.host,
            settings.port,
            username=settings.username,
            password=credentials.password,
            client_keys=keys or None,
            known_hosts=([pinned], [], []),
            server_host_key_algs=host_key_algs,
            agent_path=None,
            config=None,
            gss_host=None,
            connect_timeout=settings.timeout_seconds,
            login_timeout=settings.timeout_seconds,
            preferred_auth=("publickey", "password") if keys else ("password",),
        )


async def _size(sftp: asyncssh.SFTPClient, path: str) -> int | None:
    """The size of `path`, None when there is no such file."""
    try:
        attrs = await sftp.stat(path)
    except asyncssh.SFTPNoSuchFile:
        return None
    return attrs.size


async def _replace(sftp: asyncssh.SFTPClient, source: str, target: str) -> None:
    """Rename `source` to `target`, replacing it: atomically where the server offers
    posix-rename; else remove, then rename (SFTP v3 rename refuses an existing target).
    SFTPNoSuchFile when `source` is gone."""
    try:
        await sftp.posix_rename(source, target)
    except asyncssh.SFTPOpUnsupported:
        if not await sftp.exists(source):
            raise asyncssh.SFTPNoSuchFile(f"{source} is gone") from None
        with contextlib.suppress(asyncssh.SFTPNoSuchFile):
            await sftp.remove(target)
        await sftp.rename(source, target)


async def _quietly(call: Awaitable[object]) -> None:
    """Best-effort cleanup, briefly: the connection may already be gone or hanging."""
    try:
        async with asyncio.timeout(_CLEANUP_SECONDS):
            await call
    except (asyncssh.Error, OSError, EOFError):  # TimeoutError is an OSError
        return


async def _hang_up(connection: asyncssh.SSHClientConnection) -> None:
    """Close politely, but briefly: a server that stopped reading must not hold the call."""
    connection.close()
    try:
        async with asyncio.timeout(_CLEANUP_SECONDS):
            await connection.wait_closed()
    except TimeoutError:
        connection.abort()


def _run_coroutine(work: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, on a private thread when the caller already runs an event loop (asyncio.run
    refuses to nest)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
