"""The SFTP gateway against a real SFTP server on 127.0.0.1: names that make a resend a
duplicate, no half-written file ever visible, files kept until acknowledged, the pinned host
key, and every fault (dropped connection, full disk, wrong password, nobody listening) a
GatewayError that loses nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from chalicelib.payers.gateways.base import GatewayError
from chalicelib.payers.gateways.sftp import (
    HostKeyChangedError,
    LoginRefusedError,
    SftpCredentials,
    SftpGateway,
    SftpSettings,
)
from tests.sftp_server import SftpServer

ISA = (
    "ISA*00*          *00*          *ZZ*ETINA0001      *ZZ*SANDBOXCH      "
    "*261127*1200*^*00501*000000042*0*T*:~"
)
INTERCHANGE = (
    ISA + "GS*HC*ETINA0001*SANDBOXCH*20261127*1200*42*X*005010X222A1~" + "X" * 5000
).encode()


@pytest.fixture
def server() -> Iterator[SftpServer]:
    with SftpServer() as running:
        yield running


def gateway(
    server: SftpServer,
    *,
    password: str | None = SftpServer.password,
    private_key: str | None = None,
    processed_dir: str | None = "inbound/processed",
    port: int | None = None,
    sleeps: list[float] | None = None,
) -> SftpGateway:
    waits = sleeps if sleeps is not None else []
    return SftpGateway(
        "oa",
        SftpSettings(
            host="127.0.0.1",
            port=port or server.port,
            username=server.username,
            host_key=server.host_key,
            receiver_id="SANDBOXCH",
            processed_dir=processed_dir,
            timeout_seconds=5,
        ),
        SftpCredentials(password=password, private_key=private_key),
        sleep=waits.append,
    )


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_submit_writes_one_whole_file_and_a_resend_is_a_duplicate(server: SftpServer) -> None:
    mailbox = gateway(server)
    first = mailbox.submit("ETINA0001", INTERCHANGE)
    assert not first.duplicate
    assert first.reference.startswith("ETINA0001_000000042_")
    [name] = visible(server.root / "outbound")
    assert name == first.reference
    assert (server.root / "outbound" / name).read_bytes() == INTERCHANGE
    again = mailbox.submit("ETINA0001", INTERCHANGE)
    assert again.duplicate and again.reference == first.reference
    assert visible(server.root / "outbound") == [name]


def test_a_dropped_upload_leaves_no_file_and_the_resend_succeeds(server: SftpServer) -> None:
    server.drop_upload_after_bytes = 1000
    sleeps: list[float] = []
    mailbox = gateway(server, sleeps=sleeps)
    with pytest.raises(GatewayError, match=r"connection lost|failed"):
        mailbox.submit("ETINA0001", INTERCHANGE)
    assert sleeps  # the connection drop was retried before giving up
    outbound = server.root / "outbound"
    assert [p.name for p in outbound.iterdir() if not p.name.startswith(".")] == []
    server.drop_upload_after_bytes = None
    receipt = mailbox.submit("ETINA0001", INTERCHANGE)
    assert not receipt.duplicate
    assert visible(outbound) == [receipt.reference]
    assert (outbound / receipt.reference).read_bytes() == INTERCHANGE


def test_a_full_disk_is_a_located_error(server: SftpServer) -> None:
    server.disk_full = True
    with pytest.raises(GatewayError, match=r"upload of ETINA0001_.*No space left"):
        gateway(server).submit("ETINA0001", INTERCHANGE)
    assert visible(server.root / "outbound") == []


def test_inbound_files_stay_until_acknowledged(server: SftpServer) -> None:
    inbound = server.root / "inbound"
    (inbound / "b.835").write_bytes(b"ISA*835 bytes")
    (inbound / "a.999").write_bytes(b"ISA*999 bytes")
    (inbound / ".c.835.part").write_bytes(b"half")
    (inbound / "archive").mkdir()
    mailbox = gateway(server)
    batch = mailbox.fetch_inbound("ETINA0001", None)
    assert [(f.name, f.content) for f in batch.files] == [
        ("a.999", b"ISA*999 bytes"),
        ("b.835", b"ISA*835 bytes"),
    ]
    assert visible(inbound) == [".c.835.part", "a.999", "b.835"]  # nothing moved by reading
    mailbox.acknowledge("ETINA0001", ["a.999"])
    mailbox.acknowledge("ETINA0001", ["a.999"])  # at least once: a second time is fine
    assert visible(inbound) == [".c.835.part", "b.835"]
    assert visible(inbound / "processed") == ["a.999"]
    assert [f.name for f in mailbox.fetch_inbound("ETINA0001", None).files] == ["b.835"]


def test_without_a_processed_folder_acknowledged_files_are_deleted(server: SftpServer) -> None:
    (server.root / "inbound" / "a.999").write_bytes(b"999")
    mailbox = gateway(server, processed_dir=None)
    mailbox.acknowledge("ETINA0001", [f.name for f in mailbox.fetch_inbound("x", None).files])
    assert visible(server.root / "inbound") == []


def test_a_dropped_download_loses_nothing(server: SftpServer) -> None:
    (server.root / "inbound" / "big.835").write_bytes(b"8" * 100_000)
    server.drop_download_after_bytes = 10_000
    with pytest.raises(GatewayError):
        gateway(server).fetch_inbound("ETINA0001", None)
    assert visible(server.root / "inbound") == ["big.835"]
    server.drop_download_after_bytes = None
    [file] = gateway(server).fetch_inbound("ETINA0001", None).files
    assert file.content == b"8" * 100_000


def test_a_private_key_logs_in(server: SftpServer) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    server.allow_key(key)
    pem = key.export_private_key("openssh").decode()
    receipt = gateway(server, password=None, private_key=pem).submit("ETINA0001", INTERCHANGE)
    assert visible(server.root / "outbound") == [receipt.reference]


def test_a_wrong_password_is_refused_at_once(server: SftpServer) -> None:
    sleeps: list[float] = []
    with pytest.raises(LoginRefusedError, match="login refused for user 'practice'"):
        gateway(server, password="wrong", sleeps=sleeps).submit("ETINA0001", INTERCHANGE)
    assert sleeps == []  # not retried: another try cannot succeed


def test_nobody_listening_is_retried_with_backoff(server: SftpServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(GatewayError, match=f"cannot connect to 127.0.0.1:{closed_port}"):
        gateway(server, port=closed_port, sleeps=sleeps).fetch_inbound("ETINA0001", None)
    assert sleeps == [0.5, 1.0]  # three attempts


def test_a_changed_host_key_never_connects(server: SftpServer) -> None:
    sleeps: list[float] = []
    mailbox = gateway(server, sleeps=sleeps)  # pinned to the key the server has now
    server.regenerate_host_key()
    logins = server.logins
    with pytest.raises(HostKeyChangedError, match="does not match the pinned one"):
        mailbox.submit("ETINA0001", INTERCHANGE)
    assert server.logins == logins and sleeps == []  # no password sent, no retry
    assert visible(server.root / "outbound") == []


def test_credentials_never_show_in_a_repr() -> None:
    shown = repr(SftpCredentials(password="hunter2", private_key="-----BEGIN", passphrase="pp"))
    assert "hunter2" not in shown and "BEGIN" not in shown and "pp'" not in shown
