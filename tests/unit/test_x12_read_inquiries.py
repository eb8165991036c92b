"""The 276 and 270 readers (x12/read/status276.py, eligibility270.py) read back what our
writers write, and name the segment when an interchange is not an inquiry."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.x12.elements import element
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.eligibility270 import read_270
from chalicelib.x12.read.status276 import read_276
from tests.unit.test_x12_golden import eligibility_request, status_request


def test_x12_read_276_gives_back_each_claim_asked_about() -> None:
    inquiry = read_276(status_request())
    assert (inquiry.payer_id, inquiry.reference_id) == ("SBX01", "STATUS1")
    assert [c.patient_control_number for c in inquiry.claims] == [
        "MSFP-2026-0001",
        "MSFP-2026-0099",
    ]
    first = inquiry.claims[0]
    assert first.subscriber.last_name == "Quill" and first.subscriber.member_id == "W123456789"
    assert first.service_from == first.service_to == date(2026, 11, 16)


def test_x12_read_270_keeps_each_member_as_sent() -> None:
    inquiry = read_270(eligibility_request())
    assert inquiry.reference_id == "ELIG1"
    assert element(inquiry.payer, 9) == "SBX01"
    assert [element(m.subscriber, 3) for m in inquiry.members] == ["Quill", "Nobody", "Quill"]
    assert inquiry.members[2].dependent is not None
    assert element(inquiry.members[2].dependent, 4) == "Milo"


def test_x12_read_an_interchange_of_another_set_is_refused_at_its_st() -> None:
    with pytest.raises(X12ReadError) as wrong:
        read_276(eligibility_request())
    assert wrong.value.segment_id == "ST" and "expected one 276" in str(wrong.value)
    with pytest.raises(X12ReadError):
        read_270(status_request())
