"""A real SFTP server for the tests (asyncssh's server, on 127.0.0.1): the gateway talks the
SSH and SFTP protocols to it over a socket, as it would to a clearinghouse. Files live in a
temporary folder (`root`, with `outbound/` and `inbound/`) that is the SFTP session's root.

Faults the tests switch on: a connection dropped after so many bytes written or read, a full
disk, no posix-rename (plain SFTP v3 rename only), a new host key (`regenerate_host_key`, or
`SftpServer(port=..., key=...)` after `stop`).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import asyncssh

T = TypeVar("T")


class SftpServer:
    """An SSH server with only SFTP, one user (`username`, `password`, and a key given to
    `allow_key`), in a thread of its own with its own event loop."""

    username = "practice"
    password = "mailbox-password"

    def __init__(
        self,
        *,
        port: int = 0,
        key: asyncssh.SSHKey | None = None,
        root: Path | None = None,
    ) -> None:
        self._own_root = root is None
        self.root = root if root is not None else Path(tempfile.mkdtemp(prefix="sftp-"))
        (self.root / "outbound").mkdir(exist_ok=True)
        (self.root / "inbound").mkdir(exist_ok=True)
        self.port = port
        self.drop_upload_after_bytes: int | None = None
        self.drop_download_after_bytes: int | None = None
        self.disk_full = False
        self.posix_rename = True  # False: an older server without the posix-rename extension
        self.password_attempts = 0  # passwords sent to the server, right or wrong
        self.logins = 0  # of them, the right ones
        self.authorized_key: asyncssh.SSHKey | None = None
        self._key = key if key is not None else asyncssh.generate_private_key("ssh-ed25519")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._stopped = False

    @property
    def host_key(self) -> str:
        """The server's public key as an account pins it: 'ssh-ed25519 AAAA...'."""
        line: bytes = self._key.export_public_key("openssh")
        return line.decode().strip()

    def __enter__(self) -> SftpServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()
        self._listen()

    def stop(self, *, keep_files: bool = False) -> None:
        """Close every connection and the listener, end the thread; the folder goes too
        unless `keep_files` (or it was given to the constructor)."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            self._call(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop.close()
        if self._own_root and not keep_files:
            shutil.rmtree(self.root, ignore_errors=True)

    def regenerate_host_key(self, algorithm: str = "ssh-ed25519") -> None:
        """Restart on the same port with a new host key, as a replaced (or spoofed) server.
        Open connections are cut, as a restart would."""
        self._call(self._close())
        self._key = asyncssh.generate_private_key(algorithm)
        self._listen(self.port)

    def allow_key(self, key: asyncssh.SSHKey) -> None:
        """Let the user log in with this key too."""
        self.authorized_key = key

    # -- the server ---------------------------------------------------------------------------

    def _listen(self, port: int | None = None) -> None:
        server = self

        class Login(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                self._conn = conn
                server._connections.add(conn)

            def connection_lost(self, exc: Exception | None) -> None:
                server._connections.discard(self._conn)

            def begin_auth(self, username: str) -> bool:
                if server.authorized_key is not None:
                    public = server.authorized_key.export_public_key("openssh").decode()
                    self._conn.set_authorized_keys(asyncssh.import_authorized_keys(public))
                return True  # always ask for a password or a key

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                server.password_attempts += 1
                ok = username == server.username and password == server.password
                server.logins += ok
                return ok

            def public_key_auth_supported(self) -> bool:
                return server.authorized_key is not None

        def files(chan: asyncssh.SSHServerChannel[bytes]) -> asyncssh.SFTPServer:
            return _FaultySftp(chan, server)

        async def start() -> asyncssh.SSHAcceptor:
            return await asyncssh.create_server(
                Login,
                "127.0.0.1",
                self.port if port is None else port,
                server_host_keys=[self._key],
                sftp_factory=files,
                allow_scp=False,
                agent_forwarding=False,
                x11_forwarding=False,
                allow_pty=False,
            )

        self._acceptor = self._call(start())
        self.port = self._acceptor.get_port()

    async def _close(self) -> None:
        for conn in list(self._connections):
            conn.abort()
        self._connections.clear()
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)


class _FaultySftp(asyncssh.SFTPServer):
    """The SFTP subsystem, rooted in the server's folder, with the faults switched on."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], server: SftpServer) -> None:
        super().__init__(chan, chroot=str(server.root).encode())
        self._server = server
        self._chan = chan
        self._written = 0
        self._read = 0

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        server = self._server
        if server.disk_full:
            raise asyncssh.SFTPFailure("No space left on device")
        limit = server.drop_upload_after_bytes
        if limit is not None and self._written + len(data) > limit:
            super().write(file_obj, offset, data[: max(0, limit - self._written)])
            self._drop()  # after part of the bytes landed: a torn file on the server
        self._written += len(data)
        result = super().write(file_obj, offset, data)
        assert isinstance(result, int)
        return result

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        limit = self._server.drop_download_after_bytes
        if limit is not None and self._read + size > limit:
            self._drop()
        data = super().read(file_obj, offset, size)
        assert isinstance(data, bytes)
        self._read += len(data)
        return data

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        if not self._server.posix_rename:
            raise asyncssh.SFTPOpUnsupported("posix-rename is not supported")
        result = super().posix_rename(oldpath, newpath)
        assert result is None

    def _drop(self) -> None:
        """Cut the TCP connection under the session, as a network failure would."""
        self._chan.get_connection().abort()
        raise asyncssh.SFTPConnectionLost("connection dropped by the test")
