"""277 / 277CA reader against every 277 and 277CA sample, synthetic defects, and pyx12."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.status277 import ClaimStatusReport, ServiceDates, StatusCode, parse_277

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples"


def _read(folder: str, name: str) -> tuple[ClaimStatusReport, EnvelopeReader]:
    reader = EnvelopeReader((SAMPLES / folder / name).read_bytes())
    sets = list(reader)
    assert len(sets) == 1
    return parse_277(sets[0]), reader


def _categories(report: ClaimStatusReport) -> list[list[str]]:
    return [[s.category for s in claim.statuses] for claim in report.claims]


def _synthetic(body: str, version: str = "005010X212") -> ClaimStatusReport:
    segments = [s for s in body.split("~") if s]
    text = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLAIMGATE      "
        "*240101*1200*^*00501*000000001*0*T*:~"
        f"GS*HN*PAYER*CLAIMGATE*20240101*1200*1*X*{version}~ST*277*0001*{version}~"
        + "".join(s + "~" for s in segments)
        + f"SE*{len(segments) + 2}*0001~GE*1*1~IEA*1*000000001~"
    )
    return parse_277(next(iter(EnvelopeReader(text.encode()))))


# -- 277 (X212) --------------------------------------------------------------------------------


def test_status277_claim_level_sample() -> None:
    report, _ = _read("277", "claim-level-status.277")
    assert (report.kind, report.reference_id, report.created) == (
        "277",
        "277X212",
        dt.date(2005, 9, 16),
    )
    assert [c.patient_control_number for c in report.claims] == ["SM123456", "J0234567", "MA345678"]
    assert [c.trace_number for c in report.claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYC3"]
    assert [c.payer_claim_control_number for c in report.claims] == [
        "05347006051",
        "0529675341",
        "051681010827",
    ]
    assert [c.level for c in report.claims] == ["subscriber", "subscriber", "dependent"]
    first, second, third = report.claims
    [status] = first.statuses
    assert status.codes == (StatusCode("P3", "317", None, None),)
    assert (status.effective_date, status.total_charge, status.payment_amount) == (
        dt.date(2005, 9, 13),
        Decimal("8513.88"),
        None,
    )
    assert first.bill_type == "111"
    assert first.service_dates == ServiceDates(dt.date(2005, 8, 31), dt.date(2005, 9, 6))
    assert first.payer is not None and first.payer.identifier == "12345"
    assert first.provider is not None and first.provider.identifier == "1666666661"
    assert first.subscriber is not None and first.subscriber.member_id == "123456789A"
    assert second.statuses[0].codes[0].category == "F0"
    assert second.statuses[0].payment_amount == Decimal("7599.00")
    # The dependent's claim: patient is NM1*QC, subscriber comes from the parent HL 22.
    assert third.provider is not None and third.provider.name == "HOME HOSPITAL PHYSICIANS"
    assert third.subscriber is not None and third.subscriber.member_id == "345678901"
    assert third.patient is not None and third.patient.first_name == "JOSEPH"
    assert third.statuses[0].codes == (StatusCode("F2", "88", "QC", None),)
    [line] = third.lines
    assert (line.procedure, line.charge, line.payment, line.units) == (
        ("HC", "99203"),
        Decimal("150.00"),
        Decimal("0.00"),
        Decimal("1.00"),
    )
    assert line.statuses[0].codes[0] == StatusCode("F2", "88", "QC", None)
    assert line.service_dates == ServiceDates(dt.date(2005, 5, 1), dt.date(2005, 5, 1))
    assert [r.hl_id for r in report.providers] == ["3", "6"]
    assert report.findings == ()


def test_status277_hides_phi_from_repr() -> None:
    report, _ = _read("277", "claim-level-status.277")
    text = repr(report)
    for phi in ("SMITH", "FRED", "123456789A", "JOSEPH", "345678901"):
        assert phi not in text


def test_status277_provider_level_sample() -> None:
    report, _ = _read("277", "provider-level-status.277")
    assert _categories(report) == [["P3"]]
    second = report.providers[1]
    assert second.party is not None and second.party.identifier == "6166666666"
    assert second.trace_number == "0"
    assert [s.codes for s in second.statuses] == [(StatusCode("E0", "24", "85", None),)]
    assert report.providers[0].statuses == ()


def test_status277_information_receiver_level_rejection() -> None:
    report, _ = _read("277", "information-receiver-level-status.277")
    assert report.claims == () and report.providers == ()
    [receiver] = report.receivers
    assert receiver.trace_number == "ABC276XXX"
    assert [(s.category, s.codes[0].status, s.effective_date) for s in receiver.statuses] == [
        ("E0", "0", dt.date(2005, 9, 16))
    ]


def test_status277_eight_chains_in_one_set() -> None:
    report, reader = _read("277", "x12_277_x212.txt")
    assert len(report.sources) == len(report.receivers) == len(report.providers) == 8
    assert len(report.claims) == 8
    assert _categories(report) == [["A1"]] * 8
    assert [c.patient_control_number for c in report.claims] == [
        "12345",
        "12346",
        "12347",
        "12348",
        "12349",
        "12340",
        "12341",
        "12342",
    ]
    assert [c.clearinghouse_trace_number for c in report.claims][:2] == ["12345", "12346"]
    assert [c.statuses[0].total_charge for c in report.claims] == [
        Decimal(v) for v in ("600", "400", "100", "180", "100", "450", "100", "100")
    ]
    first = report.claims[0].statuses[0]
    assert (first.action_code, first.message) == ("WQ", "PAYER ACKNOWLEDGED RECEIPT OF THE CLAIM")
    assert [f.code for f in reader.findings] == ["iea02_mismatch"]


def test_status277_pharmacy_claim_with_ncpdp_code_list() -> None:
    report, _ = _read("277", "277Sample(276Resp-ClaimInfo).txt")
    [claim] = report.claims
    assert claim.statuses[0].codes == (StatusCode("F1", "3", None, "RX"),)
    assert (claim.statuses[0].total_charge, claim.statuses[0].payment_amount) == (
        Decimal("524.49"),
        Decimal("389.73"),
    )
    assert (claim.patient_control_number, claim.payer_claim_control_number) == (
        "PT12345",
        "1026000000099999",
    )
    assert claim.clearinghouse_trace_number == "20041513010001"
    [line] = claim.lines
    assert line.procedure == ("N4", "10337080301")
    assert (line.charge, line.payment, line.units) == (
        Decimal("524.49"),
        Decimal("389.73"),
        Decimal("100.00"),
    )
    assert report.findings == ()


# -- 277CA (X214) ------------------------------------------------------------------------------


def test_status277_277ca_accepted_sample() -> None:
    report, _ = _read("277CA", "277CA Sample (Accepted).txt")
    assert report.kind == "277CA"
    [source] = report.sources
    assert (source.trace_number, source.received_date, source.process_date) == (
        "000014420",
        dt.date(2011, 3, 11),
        dt.date(2011, 3, 11),
    )
    [receiver] = report.receivers
    assert [s.codes[0] for s in receiver.statuses] == [StatusCode("A1", "20", None, None)]
    assert (receiver.accepted_quantity, receiver.accepted_amount) == (Decimal(1), Decimal("125.0"))
    [claim] = report.claims
    assert (claim.level, claim.patient_control_number, claim.payer_claim_control_number) == (
        "patient",
        "5781",
        "1107000000014420",
    )
    assert claim.subscriber is None and claim.patient is not None
    assert claim.patient.member_id == "LL99999X"
    assert [(s.category, s.action_code, s.total_charge) for s in claim.statuses] == [
        ("A2", "WQ", Decimal("125"))
    ]
    # DTP*472*D8*10010101 is a placeholder, not a date: kept raw, reported (pyx12 agrees).
    assert claim.service_dates == ServiceDates("10010101", "10010101")
    assert [(f.code, f.segment_index, f.segment_id) for f in report.findings] == [
        ("invalid_date", 24, "DTP")
    ]


def test_status277_277ca_rejected_sample_with_pipe_components() -> None:
    report, _ = _read("277CA", "277CA Sample (Rejected).txt")
    [claim] = report.claims
    assert claim.statuses[0].codes == (StatusCode("A7", "562", "85", None),)
    assert claim.patient_control_number == "3920394930203"
    assert claim.bill_type == "731"
    assert claim.service_dates == ServiceDates(dt.date(2009, 3, 11), dt.date(2009, 3, 11))
    assert report.findings == ()


def test_status277_277ca_deidentified_three_claims() -> None:
    report, _ = _read("277CA", "277_Deidentified_from_nth.txt")
    assert [c.hl_id for c in report.claims] == ["4", "6", "7"]
    assert [len(c.statuses) for c in report.claims] == [3, 3, 3]
    assert sum(len(c.statuses) for c in report.claims) + 3 == 12
    assert [s.action_code for s in report.claims[0].statuses] == ["U", "U", "U"]
    assert [(p.rejected_quantity, p.rejected_amount) for p in report.providers] == [
        (Decimal(1), Decimal(220)),
        (Decimal(2), Decimal(680)),
    ]
    assert report.receivers[0].rejected_quantity == Decimal(3)
    assert report.providers[0].statuses[0].effective_date is None  # STC02 empty
    assert [c.provider for c in report.claims] == [
        report.providers[0].party,
        report.providers[1].party,
        report.providers[1].party,
    ]


def test_status277_277ca_truncated_file_names_the_last_segment() -> None:
    with pytest.raises(X12ReadError) as raised:
        list(EnvelopeReader((SAMPLES / "277CA" / "FromBogeyone.txt").read_bytes()))
    assert (raised.value.segment_index, raised.value.segment_id) == (10, "HL")
    assert "truncated" in str(raised.value)


def test_status277_277ca_corrupted_isa_still_reads_with_findings() -> None:
    """The ISA is junk (ISA09 "3434", ISA12 "343434") but every delimiter is where it should
    be, so the file reads; bad dates become findings with their raw text kept."""
    report, reader = _read("277CA", "FromLatitude81uk.txt")
    assert reader.interchanges[0].version == "343434"
    assert [f.code for f in reader.findings] == ["iea02_mismatch"]
    [receiver] = report.receivers
    assert receiver.statuses[0].codes == (StatusCode("A1", "20", "41", None),)
    assert receiver.statuses[0].effective_date == "2trtrtrt"
    assert receiver.statuses[0].total_charge == Decimal(19554)
    assert report.providers[0].statuses[0].codes == (StatusCode("A1", "562", "85", None),)
    [claim] = report.claims
    assert claim.statuses[0].codes == (StatusCode("A2", "20", "PRP", None),)
    assert claim.service_dates == ServiceDates("4545454", "5454545")
    assert (claim.patient_control_number, claim.payer_claim_control_number) == (
        "MVC132-0145454",
        "545454",
    )
    assert report.created == "20434343"
    assert [(f.segment_id, f.element_position) for f in report.findings] == [
        ("BHT", 4),
        ("STC", 2),
        ("STC", 2),
        ("DTP", 3),
        ("DTP", 3),
    ]


# -- synthetic -----------------------------------------------------------------------------


CHAIN = (
    "BHT*0010*08*R1*20240101*1200*DG~HL*1**20*1~NM1*PR*2*PAYER*****PI*1~"
    "HL*2*1*21*1~NM1*41*2*US*****46*E~HL*3*2*19*1~NM1*1P*2*DOC*****XX*1234567893~"
    "HL*4*3*22*0~NM1*IL*1*DOE*JANE****MI*M1~"
)


def test_status277_line_status_with_line_item_control_number_and_stc10() -> None:
    report = _synthetic(
        CHAIN + "TRN*2*T1~STC*F1:65*20240102**100*80*20240103**20240104*CHK1*F1:2:QC*F3:1~"
        "REF*1K*P1~REF*EJ*PCN1~DTP*472*D8*20231231~"
        "SVC*HC:99213:25*100*80~STC*F1:65~REF*FJ*LINE-1~DTP*472*D8*20231231~"
        "TRN*2*T2~STC*P1:20~REF*EJ*PCN2"
    )
    first, second = report.claims
    [status] = first.statuses
    assert [c.category for c in status.codes] == ["F1", "F1", "F3"]
    assert status.codes[1] == StatusCode("F1", "2", "QC", None)
    assert (status.adjudication_date, status.check_issue_date, status.check_number) == (
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 4),
        "CHK1",
    )
    [line] = first.lines
    assert (line.procedure, line.line_item_control_number) == (("HC", "99213", "25"), "LINE-1")
    assert first.payer_claim_control_number == "P1"
    # A second TRN under the same HL is a second claim (loop 2200D repeats).
    assert (second.patient_control_number, _categories(report)[1]) == ("PCN2", ["P1"])
    assert second.lines == ()


def test_status277_unreadable_money_raises_at_the_element() -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(CHAIN + "TRN*2*T1~STC*F1:65*20240102**12,50")
    assert (raised.value.segment_id, raised.value.element_position) == ("STC", 4)


def test_status277_missing_category_raises() -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(CHAIN + "TRN*2*T1~STC*:65")
    assert (raised.value.segment_id, raised.value.element_position) == ("STC", 1)


def test_status277_unknown_guide_raises_on_st03() -> None:
    with pytest.raises(X12ReadError) as raised:
        _synthetic(CHAIN, version="004010X093A1")
    assert (raised.value.segment_id, raised.value.element_position) == ("ST", 3)


def test_status277_stc_without_trn_is_a_finding() -> None:
    report = _synthetic(CHAIN + "STC*A1:20")
    assert _categories(report) == [["A1"]]
    assert [f.code for f in report.findings] == ["stc_without_trn"]


def test_status277_agrees_with_pyx12_on_status_loops() -> None:
    """pyx12's 277.5010.X214 map places each STC in 2200B/C/D or 2220D; so must we."""
    pyx12_params = pytest.importorskip("pyx12.params")
    error_handler = pytest.importorskip("pyx12.error_handler")
    x12context = pytest.importorskip("pyx12.x12context")
    names = (
        "277CA Sample (Accepted).txt",
        "277CA Sample (Rejected).txt",
        "277_Deidentified_from_nth.txt",
    )
    for name in names:
        report, reader = _read("277CA", name)
        assert reader.segments.delimiters is not None
        component = reader.segments.delimiters.component
        text = (SAMPLES / "277CA" / name).read_text(encoding="utf-8-sig")
        source = x12context.X12ContextReader(
            pyx12_params.params(), error_handler.errh_null(), io.StringIO(text)
        )
        theirs = [
            (node.cur_path.split("/")[-2], node.seg_data.get_value("01").split(component)[0])
            for node in source.iter_segments()
            if node.id == "STC"
        ]
        ours: list[tuple[int, str, str]] = []
        for receiver in report.receivers:
            ours += [(s.segment_index, "2200B", s.category) for s in receiver.statuses]
        for provider in report.providers:
            ours += [(s.segment_index, "2200C", s.category) for s in provider.statuses]
        for claim in report.claims:
            ours += [(s.segment_index, "2200D", s.category) for s in claim.statuses]
            for line in claim.lines:
                ours += [(s.segment_index, "2220D", s.category) for s in line.statuses]
        assert [(loop, code) for _, loop, code in sorted(ours)] == theirs, name
