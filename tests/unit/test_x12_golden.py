"""Golden bytes: what the codec and the sandbox write, byte for byte, for fixed inputs and a
fixed clock. The files in tests/golden/ were written by the code before the x12/ and sandbox
split (issue 10); a change to any writer that moves a byte shows here first.

To rewrite them after an intended change:
    CLAIMGATE_WRITE_GOLDEN=1 pytest tests/unit/test_x12_golden.py
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import Claim
from chalicelib.payers.gateways.sandbox.clearinghouse import SandboxClearinghouse, SandboxState
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.write.eligibility270 import EligibilityInquiry, EligibilityRequest, render_270
from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
from chalicelib.x12.write.status276 import ClaimStatusInquiry, ClaimStatusRequest, render_276
from chalicelib.x12.writer import EnvelopeValues
from tests.conftest import CONTRACT

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
NOW = datetime(2026, 11, 20, 10, 30)
# The sandbox's files are kept for the first three (the goldens of the payer side).
SANDBOX_EXAMPLES = ("claim-basic", "claim-dependent", "claim-medicare-with-secondary")
EXAMPLES = (*SANDBOX_EXAMPLES, "claim-documented-shape", "claim-dependent-facility-auth")
PROVIDER = Provider("Maple Street Family Practice", "1234567893")
ADA = Person("Quill", "Ada", member_id="W123456789", birth_date=date(1962, 3, 14), gender="F")


def envelope(
    control: int, functional_id: str = "HC", version: str = "005010X222A1"
) -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="CLAIMGATE",
        receiver_qualifier="ZZ",
        receiver_id="SANDBOXCH",
        interchange_control_number=control,
        group_control_number=control,
        date=NOW.date(),
        time="1030",
        usage_indicator="T",
        functional_id=functional_id,
        implementation_reference=version,
    )


def contract_claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / f"{name}.json").read_text()).to_claim()


def render(claims: list[Claim], control: int = 101) -> str:
    return render_837p(
        claims,
        envelope(control),
        submitter_id="CLAIMGATE",
        receiver_id="SANDBOXCH",
        transaction_control_number=1,
        reference_id=f"BATCH{control}",
        created_at=NOW,
    )


def check(name: str, content: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("CLAIMGATE_WRITE_GOLDEN") == "1":
        path.write_bytes(content)
    assert path.read_bytes() == content, f"{name} differs from its golden file"


@pytest.mark.parametrize("example", EXAMPLES)
def test_x12_golden_837p_of_each_contract_example(example: str) -> None:
    check(f"837p-{example}.x12", render([contract_claim(example)]).encode())


def status_request() -> bytes:
    request = ClaimStatusRequest(
        payer=Payer("Sandbox Commercial PPO", "SBX01"),
        information_receiver=InformationReceiver("Maple Street Family Practice", "CLAIMGATE"),
        inquiries=(
            ClaimStatusInquiry(
                PROVIDER, ADA, "MSFP-2026-0001", Decimal("245.00"), date(2026, 11, 16)
            ),
            ClaimStatusInquiry(
                PROVIDER, ADA, "MSFP-2026-0099", Decimal("10.00"), date(2026, 11, 16)
            ),
        ),
        reference_id="STATUS1",
    )
    return render_276(request, envelope(500, "", "")).encode()


def eligibility_request() -> bytes:
    request = EligibilityRequest(
        payer=Payer("Sandbox", "SBX01"),
        provider=PROVIDER,
        inquiries=(
            EligibilityInquiry(ADA, "E-1", "1371234567"),
            EligibilityInquiry(Person("Nobody", "Nemo", member_id="UNK000"), "E-2", "1371234567"),
            EligibilityInquiry(
                ADA,
                "E-3",
                "1371234567",
                dependent=Person("Quill", "Milo", birth_date=date(2015, 9, 1)),
            ),
        ),
        reference_id="ELIG1",
    )
    return render_270(request, envelope(600, "", "")).encode()


def test_x12_golden_276_and_270_inquiries() -> None:
    check("276-status-request.x12", status_request())
    check("270-eligibility-request.x12", eligibility_request())


def test_x12_golden_sandbox_999_277ca_835_277_271() -> None:
    sandbox = SandboxClearinghouse()
    state = SandboxState()
    for control, example in enumerate(SANDBOX_EXAMPLES, start=101):
        interchange = render([contract_claim(example)], control).encode()
        state, receipt = sandbox.submit(state, interchange, now=NOW)
        assert not receipt.duplicate
    state, acks = sandbox.fetch(state, None)
    state, remits = sandbox.fetch(state, acks.cursor)
    names = []
    for batch in (acks, remits):
        for file in batch.files:
            names.append(file.name)
            check(f"sandbox-{file.name}", file.content)
    kinds = sorted(name.split("-", 1)[1] for name in names)
    assert {"999.x12", "277CA.x12", "835.x12"} <= set(kinds), names
    check("sandbox-277-status-response.x12", sandbox.claim_status(state, status_request(), now=NOW))
    check(
        "sandbox-271-eligibility-response.x12",
        sandbox.eligibility(state, eligibility_request(), now=NOW),
    )


def _read_all(data: bytes) -> list[object]:
    from chalicelib.x12.envelope import EnvelopeReader
    from chalicelib.x12.errors import X12Error
    from chalicelib.x12.readers import to_json

    out: list[object] = []
    try:
        for ts in EnvelopeReader(data):
            try:
                out.append(to_json(ts))
            except X12Error as error:
                out.append({"error": str(error)})
    except X12Error as error:
        out.append({"envelope_error": str(error)})
    return out


def test_x12_golden_what_the_readers_read() -> None:
    """Every public sample and every golden file above, read to JSON: the same result after
    the readers move (kept as one SHA-256 per file: the readings are megabytes)."""
    import hashlib
    import json

    from tests.conftest import X12_SAMPLES

    sources = sorted(p for p in X12_SAMPLES.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    sources += sorted(p for p in GOLDEN.glob("*.x12"))
    read = {
        str(p.relative_to(p.parents[1])): hashlib.sha256(
            json.dumps(_read_all(p.read_bytes()), sort_keys=True, default=str).encode()
        ).hexdigest()
        for p in sources
    }
    check("readers.json", (json.dumps(read, indent=1, sort_keys=True) + "\n").encode())
