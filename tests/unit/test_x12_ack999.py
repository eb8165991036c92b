"""999 reader against every 999 sample, synthetic defects, and pyx12 as an oracle."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.ack999 import (
    Acknowledgment,
    Context,
    ElementError,
    ElementPosition,
    SegmentError,
    parse_999,
)

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples" / "999"
ISA = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLAIMGATE      "
    "*240101*1200*^*00501*000000001*0*T*:~GS*FA*PAYER*CLAIMGATE*20240101*1200*1*X*005010X231A1~"
)


def _read(name: str) -> tuple[Acknowledgment, EnvelopeReader]:
    reader = EnvelopeReader((SAMPLES / name).read_bytes())
    sets = list(reader)
    assert len(sets) == 1
    return parse_999(sets[0]), reader


def _synthetic(body: str, set_id: str = "999") -> Acknowledgment:
    segments = [s for s in body.split("~") if s]
    text = (
        ISA
        + f"ST*{set_id}*0001*005010X231A1~"
        + "".join(s + "~" for s in segments)
        + f"SE*{len(segments) + 2}*0001~GE*1*1~IEA*1*000000001~"
    )
    return parse_999(next(iter(EnvelopeReader(text.encode()))))


def test_ack999_accepted_sample() -> None:
    ack, reader = _read("999 Sample (Accepted).txt")
    assert (ack.functional_id, ack.group_control_number, ack.version) == (
        "HC",
        "28",
        "005010X223A2",
    )
    assert (ack.group_status, ack.sets_included, ack.sets_received, ack.sets_accepted) == (
        "A",
        1,
        1,
        1,
    )
    assert ack.accepted
    [one] = ack.sets
    assert (one.transaction_set_id, one.control_number, one.status) == ("837", "0028", "A")
    assert one.accepted and one.segment_errors == () and one.error_codes == ()
    assert ack.findings == () and reader.findings == []


def test_ack999_rejected_sample_with_pipe_component_separator() -> None:
    ack, _ = _read("999 Sample (Rejected).txt")
    assert ack.control_number == "95832987"
    assert (ack.group_status, ack.sets_accepted) == ("R", 0)
    assert not ack.accepted
    [one] = ack.sets
    assert (one.status, one.error_codes, one.accepted) == ("R", ("5",), False)
    assert one.segment_errors == (
        SegmentError(
            segment_id="NM",
            position=17,
            loop_id=None,
            error_code="1",
            contexts=(),
            element_errors=(),
        ),
    )
    assert one.claim_ids == ()


def test_ack999_wisconsin_sample_without_a1_names_rejected_claims() -> None:
    ack, _ = _read("DHS_Wisconsin_Sample.txt")
    assert ack.implementation_reference == "005010X231"
    assert ack.version == "004010X098A1"  # acknowledges a 4010 group
    assert (ack.group_status, ack.sets_included, ack.sets_received, ack.sets_accepted) == (
        "P",
        3,
        3,
        1,
    )
    assert [(s.control_number, s.status) for s in ack.sets] == [
        ("0001", "A"),
        ("002", "R"),
        ("0003", "R"),
    ]
    second, third = ack.sets[1], ack.sets[2]
    [clm] = second.segment_errors
    assert (clm.segment_id, clm.position, clm.error_code) == ("CLM", 22, "8")
    assert clm.element_errors == (
        ElementError(
            position=ElementPosition(2),
            data_element_reference="782",
            error_code="1",
            bad_value=None,
            contexts=(),
        ),
    )
    assert second.claim_ids == ("123456789",)
    [ref] = third.segment_errors
    assert (ref.segment_id, ref.position, ref.error_code) == ("REF", 57, "3")
    assert ref.contexts[0] == Context(
        name="SITUATIONAL TRIGGER",
        reference=None,
        segment_id="CLM",
        segment_position=43,
        loop_id=None,
        element_position=ElementPosition(5, 3),
        element_reference="C023",
        component_reference="1325",
    )
    assert third.claim_ids == ("987654321",)
    assert ack.findings == ()


def test_ack999_accepted_sample_with_envelope_defects_still_reads() -> None:
    ack, reader = _read("x12_999_accepted.txt")
    assert (ack.group_status, [s.status for s in ack.sets]) == ("A", ["A"])
    assert ack.sets[0].implementation_reference == "005010X223A2"
    assert [f.code for f in reader.findings] == ["iea02_mismatch"]


def test_ack999_ik4_context_and_bad_value_belong_to_the_element() -> None:
    ack = _synthetic(
        "AK1*HC*7*005010X222A1~AK2*837*0001*005010X222A1~IK3*SV1*30*2400*8~"
        "CTX*CLM01:PCN-1~IK4*2:1*1000*7*XX9~CTX*SITUATIONAL TRIGGER*SV1*30*2400*2:1~"
        "IK4*4*355*7~IK5*R*5~AK9*R*1*1*0*4"
    )
    [one] = ack.sets
    [error] = one.segment_errors
    assert (error.segment_id, error.loop_id, [c.name for c in error.contexts]) == (
        "SV1",
        "2400",
        ["CLM01"],
    )
    first, second = error.element_errors
    assert first.position == ElementPosition(2, 1)
    assert (first.data_element_reference, first.error_code, first.bad_value) == (
        "1000",
        "7",
        "XX9",
    )
    assert [c.element_position for c in first.contexts] == [ElementPosition(2, 1)]
    assert second.contexts == ()
    assert one.claim_ids == ("PCN-1",)
    assert ack.group_error_codes == ("4",)


def test_ack999_reads_a_997_with_ak3_ak4_ak5() -> None:
    ack = _synthetic("AK1*HC*7~AK2*837*0001~AK3*CLM*5**8~AK4*2**1~AK5*R*5~AK9*R*1*1*0", "997")
    [one] = ack.sets
    assert (one.status, one.segment_errors[0].segment_id) == ("R", "CLM")
    assert one.segment_errors[0].element_errors[0].error_code == "1"


def test_ack999_unknown_codes_and_count_mismatch_are_findings() -> None:
    ack = _synthetic("AK1*HC*7~AK2*837*0001~IK5*Q~AK9*A*1*1*x")
    assert ack.sets[0].status == "Q"
    assert [f.code for f in ack.findings] == ["unknown_code", "not_a_number"]
    ack = _synthetic("AK1*HC*7~AK2*837*0001~IK5*R*5~AK9*A*1*1*1")
    assert [(f.code, f.segment_id, f.element_position) for f in ack.findings] == [
        ("ak904_mismatch", "AK9", 4)
    ]


@pytest.mark.parametrize(
    ("body", "segment_index", "segment_id"),
    [
        ("AK1*HC*7~AK2*837*0001~AK9*A*1*1*1", 6, "AK9"),  # AK2 loop without IK5
        ("AK1*HC*7~AK2*837*0001~IK5*A", 7, "SE"),  # no AK9
        ("AK2*837*0001~IK5*A~AK9*A*1*1*1", 3, "ST"),  # no AK1
        ("AK1*HC*7~IK3*CLM*5**8~AK9*A*1*1*1", 5, "IK3"),  # IK3 outside AK2
        ("AK1*HC*7~AK2*837*0001~IK3*CLM*5**8~IK4*x*1*1~IK5*R~AK9*R*1*1*0", 7, "IK4"),
    ],
)
def test_ack999_unreadable_acknowledgments_raise_located_errors(
    body: str, segment_index: int, segment_id: str
) -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(body)
    assert (raised.value.segment_index, raised.value.segment_id) == (segment_index, segment_id)


def test_ack999_agrees_with_pyx12_on_loops() -> None:
    """pyx12 (999.5010 maps) places each IK3/IK4/CTX in its loop; we must group them alike."""
    pyx12_params = pytest.importorskip("pyx12.params")
    error_handler = pytest.importorskip("pyx12.error_handler")
    x12context = pytest.importorskip("pyx12.x12context")
    for path in sorted(SAMPLES.iterdir()):
        text = path.read_text(encoding="utf-8-sig")
        source = x12context.X12ContextReader(
            pyx12_params.params(), error_handler.errh_null(), io.StringIO(text)
        )
        theirs: list[tuple[str, str]] = []
        for node in source.iter_segments():
            if node.id in ("IK3", "IK4", "CTX", "IK5"):
                theirs.append((node.cur_path.split("/")[-2], node.id))
        ack, _ = _read(path.name)
        ours: list[tuple[str, str]] = []
        for one in ack.sets:
            for error in one.segment_errors:
                ours.append(("2100", "IK3"))
                ours.extend(("2100", "CTX") for _ in error.contexts)
                for element in error.element_errors:
                    ours.append(("2110", "IK4"))
                    ours.extend(("2110", "CTX") for _ in element.contexts)
            ours.append(("2000", "IK5"))
        assert ours == theirs, path.name
