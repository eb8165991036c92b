"""A real SFTP server for the tests (asyncssh's server, on 127.0.0.1): the gateway talks the
SSH and SFTP protocols to it over a socket, as it would to a clearinghouse. Files live in a
temporary folder (`root`, with `outbound/` and `inbound/`). Faults the tests switch on: a
connection dropped after so many bytes written or read, a full disk, a new host key."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh


class SftpServer:
    username = "practice"
    password = "mailbox-password"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sftp-"))
        (self.root / "outbound").mkdir()
        (self.root / "inbound").mkdir()
        self.drop_upload_after_bytes: int | None = None
        self.drop_download_after_bytes: int | None = None
        self.disk_full = False
        self.logins = 0
        self.authorized_key: asyncssh.SSHKey | None = None
        self._key = asyncssh.generate_private_key("ssh-ed25519")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.port = 0

    @property
    def host_key(self) -> str:
        """The server's public key as an account pins it: 'ssh-ed25519 AAAA...'."""
        line: bytes = self._key.export_public_key("openssh")
        return line.decode().strip()

    def __enter__(self) -> SftpServer:
        self._thread.start()
        self._listen()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        if self._acceptor is not None:
            self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)

    def regenerate_host_key(self) -> None:
        """Restart on the same port with a new host key, as a replaced (or spoofed) server."""
        self._call(self._close())
        self._key = asyncssh.generate_private_key("ssh-ed25519")
        self._listen(self.port)

    def allow_key(self, key: asyncssh.SSHKey) -> None:
        self.authorized_key = key

    # -- the server ---------------------------------------------------------------------------

    def _listen(self, port: int = 0) -> None:
        server = self

        class Login(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                self._conn = conn

            def begin_auth(self, username: str) -> bool:
                if server.authorized_key is not None:
                    self._conn.set_authorized_keys(
                        asyncssh.import_authorized_keys(
                            server.authorized_key.export_public_key("openssh").decode()
                        )
                    )
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
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
                port,
                server_host_keys=[self._key],
                sftp_factory=files,
                allow_scp=False,
            )

        self._acceptor = self._call(start())
        self.port = self._acceptor.get_port()

    async def _close(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None

    def _call(self, work: Any) -> Any:
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
        self._written += len(data)
        limit = server.drop_upload_after_bytes
        if limit is not None and self._written > limit:
            self._chan.get_connection().abort()
            raise asyncssh.SFTPConnectionLost("connection dropped by the test")
        result = super().write(file_obj, offset, data)
        assert isinstance(result, int)
        return result

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        limit = self._server.drop_download_after_bytes
        if limit is not None and self._read + size > limit:
            self._chan.get_connection().abort()
            raise asyncssh.SFTPConnectionLost("connection dropped by the test")
        data = super().read(file_obj, offset, size)
        assert isinstance(data, bytes)
        self._read += len(data)
        return data
