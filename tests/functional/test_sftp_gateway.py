"""The SFTP gateway against a real SFTP server on 127.0.0.1: names that make a resend a
duplicate, no half-written file ever visible, files kept until acknowledged, the pinned host
key, and every fault (dropped connection, full disk, wrong password, nobody listening, nobody
answering) a GatewayError that loses nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from chalicelib.payers.gateways.base import Gateway, GatewayError, GatewayTimeoutError
from chalicelib.payers.gateways.sftp import (
    HostKeyChangedError,
    LoginRefusedError,
    SftpCredentials,
    SftpGateway,
    SftpSettings,
)
from tests.sftp_server import SftpServer

SUBMITTER = "ETINA0001"
ISA = (
    "ISA*00*          *00*          *ZZ*ETINA0001      *ZZ*SANDBOXCH      "
    "*261127*1200*^*00501*000000042*0*T*:~"
)
BODY = "GS*HC*ETINA0001*SANDBOXCH*20261127*1200*42*X*005010X222A1~"
INTERCHANGE = (ISA + BODY + "X" * 5000).encode()
BIG_INTERCHANGE = (ISA + BODY + "Y" * 200_000).encode()


@pytest.fixture
def server() -> Iterator[SftpServer]:
    with SftpServer() as running:
        yield running


def gateway(
    server: SftpServer,
    *,
    password: str | None = SftpServer.password,
    private_key: str | None = None,
    passphrase: str | None = None,
    processed_dir: str | None = "inbound/processed",
    port: int | None = None,
    timeout: float = 5,
    sleeps: list[float] | None = None,
) -> SftpGateway:
    """A gateway pinned to the server's current key; its waits go to `sleeps`, not the clock."""
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
            timeout_seconds=timeout,
        ),
        SftpCredentials(password=password, private_key=private_key, passphrase=passphrase),
        sleep=waits.append,
    )


def visible(folder: Path) -> list[str]:
    """The regular files of `folder`, dot-files included."""
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def everything(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- submit ---------------------------------------------------------------------------------


def test_submit_writes_one_whole_file_and_a_resend_is_a_duplicate(server: SftpServer) -> None:
    mailbox = gateway(server)
    first = mailbox.submit(SUBMITTER, INTERCHANGE)
    assert not first.duplicate
    assert first.reference.startswith("ETINA0001_000000042_")
    assert first.reference.endswith(".x12")
    outbound = server.root / "outbound"
    assert everything(outbound) == [first.reference]  # no .part left behind
    assert (outbound / first.reference).read_bytes() == INTERCHANGE
    again = mailbox.submit(SUBMITTER, INTERCHANGE)
    assert again.duplicate and again.reference == first.reference
    assert everything(outbound) == [first.reference]


def test_different_interchanges_get_different_names(server: SftpServer) -> None:
    mailbox = gateway(server)
    one = mailbox.submit(SUBMITTER, INTERCHANGE)
    other = mailbox.submit(SUBMITTER, BIG_INTERCHANGE)  # same ISA13, other bytes
    assert one.reference != other.reference and not other.duplicate
    assert visible(server.root / "outbound") == sorted([one.reference, other.reference])


def test_an_interchange_without_isa13_is_refused_before_connecting(server: SftpServer) -> None:
    mailbox = gateway(server)
    with pytest.raises(GatewayError, match="ISA"):
        mailbox.submit(SUBMITTER, b"GS*HC*not an interchange~" * 10)
    torn = ISA.replace("000000042", "ABCDEFGHI").encode() + b"X" * 100
    with pytest.raises(GatewayError, match="ISA13"):
        mailbox.submit(SUBMITTER, torn)
    assert server.password_attempts == 0
    assert everything(server.root / "outbound") == []


def test_a_dropped_upload_leaves_no_file_and_the_resend_succeeds(server: SftpServer) -> None:
    server.drop_upload_after_bytes = 70_000  # part of the file lands, then the line goes
    sleeps: list[float] = []
    mailbox = gateway(server, sleeps=sleeps)
    with pytest.raises(GatewayError, match=r"upload of ETINA0001_.*connection lost") as raised:
        mailbox.submit(SUBMITTER, BIG_INTERCHANGE)
    assert sleeps == [0.5, 1.0]  # the drop was retried, then given up
    assert "YYYY" not in str(raised.value)  # no content in the message
    outbound = server.root / "outbound"
    assert [name for name in everything(outbound) if not name.startswith(".")] == []
    server.drop_upload_after_bytes = None
    receipt = mailbox.submit(SUBMITTER, BIG_INTERCHANGE)
    assert not receipt.duplicate
    assert everything(outbound) == [receipt.reference]  # the torn .part was replaced
    assert (outbound / receipt.reference).read_bytes() == BIG_INTERCHANGE


def test_a_full_disk_is_a_located_error_and_leaves_nothing(server: SftpServer) -> None:
    server.disk_full = True
    sleeps: list[float] = []
    with pytest.raises(GatewayError, match=r"upload of ETINA0001_.*No space left") as raised:
        gateway(server, sleeps=sleeps).submit(SUBMITTER, INTERCHANGE)
    assert f"127.0.0.1:{server.port}" in str(raised.value)
    assert "XXXX" not in str(raised.value)
    assert sleeps == []  # the server answered: another try now would fail the same way
    assert everything(server.root / "outbound") == []  # the empty .part was removed


# -- fetch and acknowledge ------------------------------------------------------------------


def test_inbound_files_stay_until_acknowledged(server: SftpServer) -> None:
    inbound = server.root / "inbound"
    (inbound / "b.835").write_bytes(b"ISA*835 bytes")
    (inbound / "a.999").write_bytes(b"ISA*999 bytes\x00\xff")
    (inbound / ".c.835.part").write_bytes(b"half")
    (inbound / "archive").mkdir()
    mailbox = gateway(server)
    batch = mailbox.fetch_inbound(SUBMITTER, None)
    assert [(f.name, f.content) for f in batch.files] == [
        ("a.999", b"ISA*999 bytes\x00\xff"),
        ("b.835", b"ISA*835 bytes"),
    ]
    assert batch.cursor is None
    assert visible(inbound) == [".c.835.part", "a.999", "b.835"]  # nothing moved by reading
    mailbox.acknowledge(SUBMITTER, ["a.999"])
    mailbox.acknowledge(SUBMITTER, ["a.999"])  # at least once: a second time is fine
    assert visible(inbound) == [".c.835.part", "b.835"]
    assert visible(inbound / "processed") == ["a.999"]
    assert (inbound / "processed" / "a.999").read_bytes() == b"ISA*999 bytes\x00\xff"
    assert [f.name for f in mailbox.fetch_inbound(SUBMITTER, None).files] == ["b.835"]


def test_a_redelivered_file_replaces_its_processed_copy(server: SftpServer) -> None:
    inbound = server.root / "inbound"
    (inbound / "processed").mkdir()
    (inbound / "processed" / "r.835").write_bytes(b"first delivery")
    (inbound / "r.835").write_bytes(b"second delivery")
    mailbox = gateway(server)
    mailbox.acknowledge(SUBMITTER, [f.name for f in mailbox.fetch_inbound(SUBMITTER, None).files])
    assert visible(inbound) == []
    assert (inbound / "processed" / "r.835").read_bytes() == b"second delivery"


def test_a_server_without_posix_rename_gets_the_same_results(server: SftpServer) -> None:
    server.posix_rename = False
    mailbox = gateway(server)
    receipt = mailbox.submit(SUBMITTER, INTERCHANGE)
    assert everything(server.root / "outbound") == [receipt.reference]
    inbound = server.root / "inbound"
    (inbound / "processed").mkdir()
    (inbound / "processed" / "r.835").write_bytes(b"first delivery")
    (inbound / "r.835").write_bytes(b"second delivery")
    mailbox.acknowledge(SUBMITTER, ["r.835"])
    mailbox.acknowledge(SUBMITTER, ["r.835"])  # gone from inbound: its processed copy stays
    assert visible(inbound) == []
    assert (inbound / "processed" / "r.835").read_bytes() == b"second delivery"


def test_without_a_processed_folder_acknowledged_files_are_deleted(server: SftpServer) -> None:
    (server.root / "inbound" / "a.999").write_bytes(b"999")
    mailbox = gateway(server, processed_dir=None)
    names = [f.name for f in mailbox.fetch_inbound(SUBMITTER, None).files]
    mailbox.acknowledge(SUBMITTER, names)
    mailbox.acknowledge(SUBMITTER, names)
    assert everything(server.root / "inbound") == []


def test_acknowledging_nothing_does_not_connect(server: SftpServer) -> None:
    gateway(server).acknowledge(SUBMITTER, [])
    assert server.password_attempts == 0


def test_acknowledge_takes_only_names_in_the_inbound_folder(server: SftpServer) -> None:
    (server.root / "outbound" / "mine.x12").write_bytes(b"x")
    with pytest.raises(GatewayError, match="not a file name"):
        gateway(server).acknowledge(SUBMITTER, ["../outbound/mine.x12"])
    assert visible(server.root / "outbound") == ["mine.x12"]


def test_a_dropped_download_loses_nothing(server: SftpServer) -> None:
    (server.root / "inbound" / "big.835").write_bytes(b"8" * 100_000)
    server.drop_download_after_bytes = 10_000
    sleeps: list[float] = []
    with pytest.raises(GatewayError, match=r"download of inbound/big\.835") as raised:
        gateway(server, sleeps=sleeps).fetch_inbound(SUBMITTER, None)
    assert "8888" not in str(raised.value)
    assert sleeps == [0.5, 1.0]
    assert visible(server.root / "inbound") == ["big.835"]
    server.drop_download_after_bytes = None
    [file] = gateway(server).fetch_inbound(SUBMITTER, None).files
    assert file.content == b"8" * 100_000


def test_a_missing_inbound_folder_is_a_located_error(server: SftpServer) -> None:
    (server.root / "inbound").rmdir()
    with pytest.raises(GatewayError, match=r"listing of inbound/ at 127\.0\.0\.1:\d+ failed"):
        gateway(server).fetch_inbound(SUBMITTER, None)


# -- logging in -----------------------------------------------------------------------------


def test_a_private_key_logs_in(server: SftpServer) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    server.allow_key(key)
    text = key.export_private_key("openssh").decode()
    receipt = gateway(server, password=None, private_key=text).submit(SUBMITTER, INTERCHANGE)
    assert visible(server.root / "outbound") == [receipt.reference]
    assert server.password_attempts == 0


@pytest.mark.parametrize("key_format", ["pkcs8-pem", "openssh"])
def test_a_passphrase_protected_key_logs_in(server: SftpServer, key_format: str) -> None:
    """PEM and OpenSSH formats both (ssh-keygen's default is OpenSSH: read with bcrypt)."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    server.allow_key(key)
    pem = key.export_private_key(key_format, passphrase="open sesame").decode()
    mailbox = gateway(server, password=None, private_key=pem, passphrase="open sesame")
    assert mailbox.fetch_inbound(SUBMITTER, None).files == ()
    wrong = gateway(server, password=None, private_key=pem, passphrase="wrong")
    with pytest.raises(GatewayError, match=r"private key .* cannot be read") as raised:
        wrong.fetch_inbound(SUBMITTER, None)
    assert "open sesame" not in str(raised.value) and "PRIVATE KEY" not in str(raised.value)


def test_a_wrong_password_is_refused_at_once(server: SftpServer) -> None:
    sleeps: list[float] = []
    with pytest.raises(
        LoginRefusedError, match=r"login refused for user 'practice' at 127\.0\.0\.1"
    ):
        gateway(server, password="wrong", sleeps=sleeps).submit(SUBMITTER, INTERCHANGE)
    assert sleeps == []  # not retried: another try cannot succeed
    assert everything(server.root / "outbound") == []


def test_an_unknown_key_is_refused_at_once(server: SftpServer) -> None:
    server.allow_key(asyncssh.generate_private_key("ssh-ed25519"))
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    sleeps: list[float] = []
    with pytest.raises(LoginRefusedError):
        gateway(server, password=None, private_key=stranger, sleeps=sleeps).fetch_inbound(
            SUBMITTER, None
        )
    assert sleeps == []


# -- reaching the server --------------------------------------------------------------------


def test_nobody_listening_is_retried_with_backoff(server: SftpServer) -> None:
    port = closed_port()
    sleeps: list[float] = []
    with pytest.raises(GatewayError, match=f"cannot connect to 127.0.0.1:{port}"):
        gateway(server, port=port, sleeps=sleeps).fetch_inbound(SUBMITTER, None)
    assert sleeps == [0.5, 1.0]  # three attempts


def test_a_server_that_never_answers_is_a_timeout(server: SftpServer) -> None:
    with socket.socket() as silent:  # takes the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        sleeps: list[float] = []
        with pytest.raises(GatewayTimeoutError, match=f"127.0.0.1:{port}: no answer within 0.2"):
            gateway(server, port=port, timeout=0.2, sleeps=sleeps).submit(SUBMITTER, INTERCHANGE)
    assert sleeps == [0.5, 1.0]


def test_a_changed_host_key_never_connects(server: SftpServer) -> None:
    sleeps: list[float] = []
    mailbox = gateway(server, sleeps=sleeps)  # pinned to the key the server has now
    server.regenerate_host_key()
    with pytest.raises(HostKeyChangedError, match=r"127.0.0.1:\d+ .* does not match the pinned"):
        mailbox.submit(SUBMITTER, INTERCHANGE)
    assert server.password_attempts == 0 and sleeps == []  # no password sent, no retry
    assert everything(server.root / "outbound") == []


def test_a_host_key_of_another_type_is_a_changed_key(server: SftpServer) -> None:
    sleeps: list[float] = []
    mailbox = gateway(server, sleeps=sleeps)
    server.regenerate_host_key("ecdsa-sha2-nistp256")
    with pytest.raises(HostKeyChangedError):
        mailbox.fetch_inbound(SUBMITTER, None)
    assert server.password_attempts == 0 and sleeps == []


def test_a_replaced_server_on_the_same_port_is_a_changed_key() -> None:
    with SftpServer() as first:
        mailbox = gateway(first)
        port = first.port
        mailbox.submit(SUBMITTER, INTERCHANGE)
    with SftpServer(port=port) as impostor:
        with pytest.raises(HostKeyChangedError):
            mailbox.submit(SUBMITTER, INTERCHANGE)
        assert everything(impostor.root / "outbound") == []


def test_an_unreadable_pinned_key_is_an_error(server: SftpServer) -> None:
    broken = SftpGateway(
        "oa",
        SftpSettings("127.0.0.1", server.port, server.username, "ssh-ed25519 nope", "X"),
        SftpCredentials(password=server.password),
    )
    with pytest.raises(GatewayError, match="hostKey"):
        broken.fetch_inbound(SUBMITTER, None)


# -- the rest of the port -------------------------------------------------------------------


def test_a_status_inquiry_is_uploaded_and_eligibility_refused(server: SftpServer) -> None:
    """A mailbox answers a 276 later, with a 277 in the inbound folder; it has no real-time
    eligibility."""
    connection: Gateway = gateway(server)  # the type checker holds it to the port
    assert connection.claim_status(SUBMITTER, INTERCHANGE) is None
    assert [
        (server.root / "outbound" / n).read_bytes() for n in visible(server.root / "outbound")
    ] == [INTERCHANGE]
    assert connection.claim_status(SUBMITTER, INTERCHANGE) is None  # a retry: the same file
    assert len(visible(server.root / "outbound")) == 1
    with pytest.raises(GatewayError, match="270"):
        connection.eligibility(SUBMITTER, b"ISA*270")
    assert connection.name == "oa" and connection.receiver_id == "SANDBOXCH"


def test_credentials_never_show_in_a_repr(server: SftpServer) -> None:
    credentials = SftpCredentials(password="hunter2", private_key="-----BEGIN", passphrase="pp")
    shown = repr(credentials) + repr(gateway(server, password="hunter2"))
    assert "hunter2" not in shown and "BEGIN" not in shown and "pp'" not in shown
