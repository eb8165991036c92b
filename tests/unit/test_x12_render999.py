"""999 writer: pyx12 accepts what we write, parse_999 reads back the same values, and a
999 that contradicts itself is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.payers.gateways.sandbox.write.ack999 import (
    ElementError,
    GroupAcknowledgment,
    SegmentError,
    SetAcknowledgment,
    render_999,
)
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.read.ack999 import Acknowledgment, parse_999
from chalicelib.x12.writer import EnvelopeValues
from tests.pyx12_oracle import validate_many


def _envelope(control: int = 7) -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="SANDBOXCH",
        receiver_qualifier="ZZ",
        receiver_id="CLAIMGATE",
        interchange_control_number=control,
        group_control_number=control,
        date=dt.date(2026, 11, 20),
        time="1030",
        usage_indicator="T",
    )


def _read(text: str) -> Acknowledgment:
    sets = list(EnvelopeReader(text.encode()))
    assert len(sets) == 1
    return parse_999(sets[0])


ACCEPTED = GroupAcknowledgment(
    functional_id="HC",
    group_control_number="101",
    version="005010X222A1",
    sets=(SetAcknowledgment("837", "0001", "A", "005010X222A1"),),
)
REJECTED = GroupAcknowledgment(
    functional_id="HC",
    group_control_number="102",
    version="005010X222A1",
    sets=(
        SetAcknowledgment(
            "837",
            "0001",
            "R",
            "005010X222A1",
            ("5",),
            (
                SegmentError(
                    "CLM",
                    21,
                    "2300",
                    "8",
                    ("CLM01", "MSFP-2026-0001"),
                    (ElementError(2, "6", data_element_reference="782", bad_value="ABC"),),
                ),
                SegmentError("NM1", 9, "2010", "3"),
            ),
        ),
        SetAcknowledgment("837", "0002", "A", "005010X222A1"),
    ),
)


def test_render999_passes_pyx12() -> None:
    texts = {
        "accepted": render_999(ACCEPTED, _envelope(7)),
        "rejected": render_999(REJECTED, _envelope(8)),
    }
    assert validate_many(texts) == {"accepted": [], "rejected": []}


def test_render999_accepted_reads_back() -> None:
    ack = _read(render_999(ACCEPTED, _envelope()))
    assert (ack.functional_id, ack.group_control_number, ack.version) == (
        "HC",
        "101",
        "005010X222A1",
    )
    assert ack.group_status == "A"
    assert (ack.sets_included, ack.sets_received, ack.sets_accepted) == (1, 1, 1)
    assert [(s.transaction_set_id, s.control_number, s.status) for s in ack.sets] == [
        ("837", "0001", "A")
    ]
    assert ack.findings == ()


def test_render999_rejection_reads_back_with_locations() -> None:
    ack = _read(render_999(REJECTED, _envelope()))
    assert ack.group_status == "P"  # derived: one set rejected, one accepted
    assert (ack.sets_included, ack.sets_received, ack.sets_accepted) == (2, 2, 1)
    rejected = ack.sets[0]
    assert (rejected.status, rejected.error_codes) == ("R", ("5",))
    clm, nm1 = rejected.segment_errors
    assert (clm.segment_id, clm.position, clm.loop_id, clm.error_code) == ("CLM", 21, "2300", "8")
    assert rejected.claim_ids == ("MSFP-2026-0001",)
    (element,) = clm.element_errors
    assert (element.position.element, element.data_element_reference) == (2, "782")
    assert (element.error_code, element.bad_value) == ("6", "ABC")
    assert (nm1.segment_id, nm1.position, nm1.loop_id, nm1.error_code) == ("NM1", 9, "2010", "3")
    assert nm1.element_errors == ()
    assert ack.findings == ()


def test_render999_group_codes_and_explicit_status() -> None:
    group = GroupAcknowledgment(
        functional_id="HC",
        group_control_number="9",
        sets=(SetAcknowledgment("837", "0001", "R"),),
        status="R",
        sets_included=2,
        error_codes=("5",),
    )
    text = render_999(group, _envelope())
    assert "AK9*R*2*1*0*5~" in text
    ack = _read(text)
    assert (ack.group_status, ack.group_error_codes) == ("R", ("5",))


def test_render999_component_and_repetition_positions() -> None:
    group = GroupAcknowledgment(
        functional_id="HC",
        group_control_number="9",
        sets=(
            SetAcknowledgment(
                "837",
                "0001",
                "R",
                error_codes=("5",),
                segment_errors=(
                    SegmentError(
                        "SV1",
                        30,
                        "2400",
                        "8",
                        element_errors=(ElementError(1, "7", component_position=2),),
                    ),
                ),
            ),
        ),
    )
    text = render_999(group, _envelope())
    assert "IK4*1:2**7~" in text
    position = _read(text).sets[0].segment_errors[0].element_errors[0].position
    assert (position.element, position.component) == (1, 2)


@pytest.mark.parametrize(
    ("group", "field"),
    [
        (
            GroupAcknowledgment(
                "HC",
                "1",
                (SetAcknowledgment("837", "0001", "A", error_codes=("5",)),),
            ),
            "sets[0]",
        ),
        (
            GroupAcknowledgment("HC", "1", (SetAcknowledgment("837", "0001", "Q"),)),
            "sets[0].status",
        ),
        (
            GroupAcknowledgment("HC", "1", (SetAcknowledgment("837", "0001", "R"),), status="A"),
            "status",
        ),
        (
            GroupAcknowledgment(
                "HC",
                "1",
                (SetAcknowledgment("837", "0001", "R", segment_errors=(SegmentError("CLM", 0),)),),
            ),
            "sets[0].segment_errors[0].position",
        ),
        (
            GroupAcknowledgment(
                "HC",
                "1",
                (
                    SetAcknowledgment(
                        "837",
                        "0001",
                        "R",
                        segment_errors=(SegmentError("CLM", 3, business_context=("XX01", "1")),),
                    ),
                ),
            ),
            "sets[0].segment_errors[0].business_context",
        ),
        (GroupAcknowledgment("HC", "1", (), error_codes=("99",)), "error_codes"),
    ],
)
def test_render999_refuses_contradictions(group: GroupAcknowledgment, field: str) -> None:
    with pytest.raises(X12WriteError) as caught:
        render_999(group, _envelope())
    assert caught.value.field == field


def test_render999_same_input_same_bytes() -> None:
    assert render_999(REJECTED, _envelope()) == render_999(REJECTED, _envelope())
