"""`make run`: claimgate on this machine, on its embedded defaults.

Starts an in-memory local AWS (moto's ThreadedMotoServer: DynamoDB, S3, SQS) on 127.0.0.1,
creates the tables and the archive bucket, seeds a demo tenant and the sandbox payers, and
serves the API with Chalice's local server (scripts/serve_api.py: what `chalice local` runs,
answering unknown routes 404 like a deployed stage). Ctrl-C or SIGTERM stops everything it
started: the server runs in its own process group, which is killed as a whole.

The local server does not run schedules, so a local timer starts each schedule through the
operators' API every CLAIMGATE_SCHEDULE_SECONDS (default 60; 0 turns it off and leaves the
runs to you: POST /v1/schedules/{name}/runs). Nor does it consume queues: scripts/local_queues
stands in for Lambda's SQS event sources (follow-up batches, parts of large 835s).

Settings: CLAIMGATE_PORT (API port, default 8000), CLAIMGATE_AWS_PORT (local AWS port,
default: any free one), CLAIMGATE_DEMO_API_KEY (the demo tenant's key),
CLAIMGATE_DEMO_ADMIN_KEY (the stage administrators' key).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import FrameType

from chalicelib.clock import utcnow

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEMO_KEY = "cg_demo_local_key"
DEFAULT_ADMIN_KEY = "cg_demo_admin_key"
# Requests to the local API go straight to it, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_taken(port: int) -> bool:
    """Whether a server holds the port. SO_REUSEADDR, as the servers bind: connections of
    an earlier run in TIME_WAIT (a minute after it stopped) do not take the port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _wait_until_serving(port: int, seconds: float, process: subprocess.Popen[bytes]) -> None:
    """Until the API answers a request (GET /v1/openapi.json), not merely until the port
    is open: the banner is printed only once the service serves."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the local API server exited with code {process.returncode}")
        try:
            url = f"http://127.0.0.1:{port}/v1/openapi.json"
            with _DIRECT.open(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet, or not answering yet
        time.sleep(0.2)
    raise SystemExit(f"the API did not start on port {port} within {seconds:.0f} s")


def _taken_port() -> str | None:
    """The one line to print when the API port or the local AWS port is taken."""
    ports = (
        (os.environ.get("CLAIMGATE_PORT", "8000"), "CLAIMGATE_PORT"),
        (os.environ.get("CLAIMGATE_AWS_PORT") or "", "CLAIMGATE_AWS_PORT"),
    )
    for value, variable in ports:
        if not value:
            continue  # any free port
        if not (value.isascii() and value.isdigit() and 0 < int(value) < 65536):
            return f"make run: {variable}={value} is not a port number (1-65535)"
        if _port_taken(int(value)):
            return f"make run: port {value} on 127.0.0.1 is in use; set {variable} to a free port"
    return None


def _local_timer(api_port: int, api_key: str, every: float, stop: threading.Event) -> None:
    from chalicelib.schedules.registry import SCHEDULES

    while not stop.wait(every):
        for name in SCHEDULES:
            request = urllib.request.Request(
                f"http://127.0.0.1:{api_port}/v1/schedules/{name}/runs?trigger=local-timer",
                method="POST",
                headers={"x-api-key": api_key},
            )
            try:
                with _DIRECT.open(request, timeout=120) as response:
                    run = json.loads(response.read())
                print(
                    f"[local timer] {name}: examined {run['examined']}, acted {run['acted']}, "
                    f"failed {run['failed']}",
                    flush=True,
                )
            except (OSError, ValueError) as error:
                print(f"[local timer] {name}: {error}", flush=True)


def main() -> int:
    taken = _taken_port()
    if taken is not None:  # fail before starting anything: nothing is left running
        print(taken, file=sys.stderr)
        return 1

    from moto.server import ThreadedMotoServer

    import chalicelib.observability  # noqa: F401 - quiets the SDK loggers before they speak
    from scripts.local_aws import serialize_requests
    from scripts.local_queues import serve as serve_queues

    serialize_requests()

    api_port = int(os.environ.get("CLAIMGATE_PORT", "8000"))
    aws_port = int(os.environ.get("CLAIMGATE_AWS_PORT") or _free_port())
    demo_key = os.environ.get("CLAIMGATE_DEMO_API_KEY", DEFAULT_DEMO_KEY)
    admin_key = os.environ.get("CLAIMGATE_DEMO_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    timer_seconds = float(os.environ.get("CLAIMGATE_SCHEDULE_SECONDS", "60"))
    endpoint = f"http://127.0.0.1:{aws_port}"
    # Local credentials only: the embedded AWS accepts any, real AWS is never contacted.
    os.environ.update(
        {
            "CLAIMGATE_AWS_ENDPOINT": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            "POWERTOOLS_SERVICE_NAME": "claimgate",
        }
    )

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per local AWS call is noise
    aws = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
    aws.start()
    chalice: subprocess.Popen[bytes] | None = None
    stop_timer = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        from chalicelib.store.bootstrap import create_storage, seed, seed_sandbox_contracts

        create_storage()
        seed(
            tenant_id="demo",
            tenant_name="Demo practice",
            api_key=demo_key,
            now=utcnow(),
            roles=("tenant", "operator"),  # one key for the whole local walk-through
        )
        seed_sandbox_contracts("demo", now=utcnow())
        seed(  # the stage's administrators: tenants, keys, audit (README: "Running a stage")
            tenant_id="demo",
            tenant_name="Demo practice",
            api_key=admin_key,
            now=utcnow(),
            roles=("admin",),
        )
        chalice = subprocess.Popen(
            [sys.executable, "-m", "scripts.serve_api", "--port", str(api_port)],
            cwd=ROOT,
            start_new_session=True,
        )
        _wait_until_serving(api_port, 60, chalice)
        # Lambda's SQS event sources: the follow-up batches and the parts of large 835s
        threading.Thread(target=serve_queues, args=(stop_timer,), daemon=True).start()
        if timer_seconds > 0:
            threading.Thread(
                target=_local_timer,
                args=(api_port, demo_key, timer_seconds, stop_timer),
                daemon=True,
            ).start()
        print(
            f"\nclaimgate is serving on http://127.0.0.1:{api_port}\n"
            f"  local AWS (DynamoDB, S3, SQS): {endpoint}\n"
            f"  demo tenant API key: {demo_key}\n"
            f"  stage admin API key: {admin_key}\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        chalice.wait()
        return chalice.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop_timer.set()
        if chalice is not None and chalice.poll() is None:
            os.killpg(chalice.pid, signal.SIGTERM)
            try:
                chalice.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(chalice.pid, signal.SIGKILL)
        aws.stop()


if __name__ == "__main__":
    sys.exit(main())
