"""277CA writer: pyx12 accepts it, parse_277 reads back the same statuses, references, dates
and summary counts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.payers.gateways.sandbox.write.ack277ca import (
    BillingProvider,
    ClaimAcknowledgment,
    ClaimAcknowledgmentReport,
    Receiver,
    Source,
    StatusCode,
    render_277ca,
)
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.read.status277 import ClaimStatusReport, ServiceDates, parse_277
from chalicelib.x12.writer import EnvelopeValues
from tests.pyx12_oracle import validate_many

NOW = dt.datetime(2026, 11, 20, 10, 30)
PROVIDER = BillingProvider("Maple Street Family Practice", "1234567893", tax_id="371234567")
OTHER_PROVIDER = BillingProvider("Ortiz", "1245319599", first_name="Lena", trace_number="T2")


def _envelope(control: int = 3) -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="SANDBOXCH",
        receiver_qualifier="ZZ",
        receiver_id="CLAIMGATE",
        interchange_control_number=control,
        group_control_number=control,
        date=NOW.date(),
        time=NOW.time(),
        usage_indicator="T",
    )


def _claim(
    pcn: str, status: StatusCode, charge: str, provider: BillingProvider = PROVIDER
) -> ClaimAcknowledgment:
    return ClaimAcknowledgment(
        provider=provider,
        patient_last_name="Quill",
        patient_first_name="Ada",
        patient_member_id="W123456789",
        patient_control_number=pcn,
        statuses=(status,),
        total_charge=Decimal(charge),
        service_date_from=dt.date(2026, 11, 16),
        payer_claim_control_number="01123" if status.category == "A2" else None,
        clearinghouse_trace_number=f"TRACE-{pcn}",
    )


REPORT = ClaimAcknowledgmentReport(
    source=Source("Sandbox Commercial PPO", "SBX01"),
    receiver=Receiver("Maple Street Family Practice", "CLAIMGATE"),
    reference_id="000000003",
    batch_reference="B101",
    transmission_control_id="000000003",
    received=dt.date(2026, 11, 20),
    processed=dt.date(2026, 11, 20),
    claims=(
        _claim("MSFP-2026-0001", StatusCode("A2", "20"), "245.00"),
        _claim("MSFP-2026-0009", StatusCode("A7", "33", "IL"), "60.00"),
        ClaimAcknowledgment(
            provider=OTHER_PROVIDER,
            patient_last_name="Brandt",
            patient_member_id="1EG4TE5MK73",
            patient_control_number="MSFP-2026-0002",
            statuses=(StatusCode("A2", "20"), StatusCode("A1", "20")),
            total_charge=Decimal("100.50"),
            service_date_from=dt.date(2026, 11, 10),
            service_date_to=dt.date(2026, 11, 12),
            message="ACCEPTED",
        ),
    ),
)


def _read(text: str) -> ClaimStatusReport:
    sets = list(EnvelopeReader(text.encode()))
    assert len(sets) == 1
    return parse_277(sets[0])


def test_render277ca_passes_pyx12() -> None:
    clearinghouse = ClaimAcknowledgmentReport(
        source=Source("Sandbox Clearinghouse", "SANDBOXCH", entity_code="AY", id_qualifier="46"),
        receiver=REPORT.receiver,
        reference_id="4",
        batch_reference="B102",
        transmission_control_id="4",
        received=REPORT.received,
        processed=REPORT.processed,
        claims=(_claim("X-1", StatusCode("A7", "26", "PR"), "10"),),
    )
    texts = {
        "payer": render_277ca(REPORT, _envelope(3), created_at=NOW),
        "clearinghouse": render_277ca(clearinghouse, _envelope(4), created_at=NOW),
    }
    assert validate_many(texts) == {"payer": [], "clearinghouse": []}


def test_render277ca_reads_back() -> None:
    report = _read(render_277ca(REPORT, _envelope(), created_at=NOW))
    assert (report.kind, report.reference_id, report.created) == (
        "277CA",
        "000000003",
        dt.date(2026, 11, 20),
    )
    (source,) = report.sources
    assert source.party is not None
    assert (source.party.entity_code, source.party.identifier) == ("PR", "SBX01")
    assert (source.trace_number, source.received_date) == ("000000003", dt.date(2026, 11, 20))
    (receiver,) = report.receivers
    assert receiver.trace_number == "B101"
    assert (receiver.accepted_quantity, receiver.rejected_quantity) == (Decimal(2), Decimal(1))
    assert (receiver.accepted_amount, receiver.rejected_amount) == (
        Decimal("345.50"),
        Decimal("60.00"),
    )
    assert [p.party.identifier for p in report.providers if p.party] == [
        "1234567893",
        "1245319599",
    ]
    assert [c.patient_control_number for c in report.claims] == [
        "MSFP-2026-0001",
        "MSFP-2026-0009",
        "MSFP-2026-0002",
    ]
    first, rejected, ranged = report.claims
    assert [(s.category, s.codes[0].status, s.action_code) for s in first.statuses] == [
        ("A2", "20", "WQ")
    ]
    assert first.statuses[0].total_charge == Decimal("245")
    assert (first.payer_claim_control_number, first.clearinghouse_trace_number) == (
        "01123",
        "TRACE-MSFP-2026-0001",
    )
    assert first.service_dates == ServiceDates(dt.date(2026, 11, 16), dt.date(2026, 11, 16))
    code = rejected.statuses[0].codes[0]
    assert (code.category, code.status, code.entity, rejected.statuses[0].action_code) == (
        "A7",
        "33",
        "IL",
        "U",
    )
    assert [(c.category, c.status, c.entity) for c in ranged.statuses[0].codes] == [
        ("A2", "20", None),
        ("A1", "20", None),
    ]
    assert ranged.statuses[0].message == "ACCEPTED"
    assert ranged.service_dates == ServiceDates(dt.date(2026, 11, 10), dt.date(2026, 11, 12))
    assert report.findings == ()


def test_render277ca_all_rejected_is_a_u_at_receiver_level() -> None:
    report = ClaimAcknowledgmentReport(
        source=REPORT.source,
        receiver=REPORT.receiver,
        reference_id="5",
        batch_reference="B5",
        transmission_control_id="5",
        received=REPORT.received,
        processed=REPORT.processed,
        claims=(_claim("X-1", StatusCode("A7", "33", "IL"), "10"),),
    )
    read = _read(render_277ca(report, _envelope(), created_at=NOW))
    assert read.receivers[0].statuses[0].action_code == "U"
    assert read.receivers[0].rejected_quantity == Decimal(1)


@pytest.mark.parametrize(
    ("claims", "field"),
    [
        ((), "claims"),
        (
            (_claim("X", StatusCode("A2", "20"), "1", BillingProvider("A", "12")),),
            "claims[0].provider.npi",
        ),
        ((_claim("X*Y", StatusCode("A2", "20"), "1"),), "claims[0].patient_control_number"),
        ((_claim("X", StatusCode("A2", "20"), "-1"),), "claims[0].total_charge"),
    ],
)
def test_render277ca_refuses_bad_input(claims: tuple[ClaimAcknowledgment, ...], field: str) -> None:
    with pytest.raises(X12WriteError) as caught:
        render_277ca(dataclasses.replace(REPORT, claims=claims), _envelope(), created_at=NOW)
    assert caught.value.field == field
