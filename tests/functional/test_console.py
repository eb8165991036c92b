"""The console in a real headless browser (Debian's chromium, driven by Playwright): the page
loads from the API's own server, takes the key in the page (never in an address), shows the
runs after a poll, the worklist, the AR aging chart and the claims by status, and the test run
saves a screenshot (build/console.png)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chalice.test import Client

from tests.functional.conftest import (
    TENANT_A_KEY,
    contract,
    headers,
    local_api,
    run_schedule,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "build" / "console.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's notes say: without the background-networking flags Chromium keeps trying a
# closed network; as root it needs --no-sandbox.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def served(client: Client) -> Iterator[int]:
    """make run's server on a free port, on the test's store."""
    with local_api() as port:
        yield port


def test_the_console_loads_shows_the_runs_after_a_poll_and_is_screenshot(
    client: Client, served: int
) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium: scripts/ensure_chromium.sh installs it"
    body = contract("claim-basic.json")
    assert (
        client.http.post("/v1/claims", headers=headers(), body=json.dumps(body)).status_code == 201
    )
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")  # paid 10 % under the contract: the worklist
    body["claimInformation"]["patientControlNumber"] = "CONSOLE-2"
    assert (
        client.http.post("/v1/claims", headers=headers(), body=json.dumps(body)).status_code == 201
    )
    run_schedule(client, "clearinghouse-poll")  # accepted, waiting: open AR

    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"http://127.0.0.1:{served}/console?poll=1")
            assert page.title() == "claimgate console"
            page.fill("#key", TENANT_A_KEY)
            page.click("button[type=submit]")
            page.wait_for_selector("#runs tbody tr")
            assert "clearinghouse-poll" in page.inner_text("#runs")
            # A run made now is on the page after the next poll.
            run_schedule(client, "secondary-routing")
            # (a locator, not a script: the page's policy allows no eval, and is kept so)
            page.locator("#runs tbody tr", has_text="secondary-routing").wait_for(timeout=10_000)
            page.wait_for_selector("#aging svg rect", state="attached")
            assert page.locator("#aging svg rect").count() == 5
            assert "Open: $245.00" in page.inner_text("#aging-note")
            assert "underpaid" in page.inner_text("#worklist")
            assert "paid" in page.inner_text("#statuses")
            assert page.inner_text("#runs-note") == ""
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            # The key went in headers only: no address the page asked for carries it.
            assert requested and not any(TENANT_A_KEY in url for url in requested)
            assert page.evaluate("sessionStorage.getItem('key')") == TENANT_A_KEY
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_the_page_and_its_files_are_public_and_locked_down(client: Client) -> None:
    page = client.http.get("/console")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.http.get("/console/console.js").status_code == 200
    assert client.http.get("/console/app.py").status_code == 404
    root = client.http.get("/")
    assert (root.status_code, root.headers["Location"]) == (302, "console")
