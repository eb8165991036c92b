"""The 835 reader on every real sample (file by file) and on hand-made files for the TR3
balancing rules, reversals, PLB, six-triplet CAS and unreadable money."""

from __future__ import annotations

import dataclasses
import io
import json
import random
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.x12.elements import parse_date, parse_number
from chalicelib.x12.envelope import EnvelopeReader, Finding, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read import remit835 as remittance_module
from chalicelib.x12.read.remit835 import Adjustment, Name, Remittance, iter_remittances, parse_835
from chalicelib.x12.readers import READERS, Reading, to_json, transaction_kind

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples"
SAMPLES_835 = SAMPLES / "835"
# The sample files only: a validator run may leave acknowledgments (.997) beside them.
NAMES_835 = sorted(p.name for p in SAMPLES_835.iterdir() if p.suffix in (".835", ".txt"))


def _read(name: str) -> list[Remittance]:
    return list(iter_remittances((SAMPLES_835 / name).read_bytes()))


def _one(name: str) -> Remittance:
    (remittance,) = _read(name)
    return remittance


def _codes(remittance: Remittance) -> list[tuple[str, str | None, int | None]]:
    return [(f.code, f.segment_id, f.element_position) for f in remittance.findings]


def _adjustments(adjustments: tuple[Adjustment, ...]) -> list[tuple[str, str, str]]:
    return [(a.group, a.reason, str(a.amount)) for a in adjustments]


def _835(*body: str, component: str = ":", bpr: str | None = None) -> bytes:
    """A hand-made interchange with one 835 (header, then `body` from LX on)."""
    segments = [
        "ST*835*0001",
        bpr
        or "BPR*I*100.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765"
        "*20240301",
        "TRN*1*EFT0001*1512345678",
        "DTM*405*20240229",
        "N1*PR*TEST PLAN",
        "REF*2U*99999",
        "N1*PE*TEST CLINIC*XX*1234567893",
        *body,
    ]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240301*1200*^"
        f"*00501*000000001*0*P*{component}"
    )
    group = "GS*HP*SENDER*RECEIVER*20240301*1200*1*X*005010X221A1"
    text = "~".join([isa, group, *segments, "GE*1*1", "IEA*1*000000001"]) + "~"
    return text.encode()


# -- the samples, file by file -----------------------------------------------------------


def test_remittance_reads_every_835_sample() -> None:
    assert len(NAMES_835) == 13
    for name in NAMES_835:
        assert _read(name), name


def test_remittance_managed_care_invalid_bpr16_is_a_finding() -> None:
    remittance = _one("managed-care.835")
    assert remittance.total_paid == Decimal("945.00")
    assert remittance.payment.method == "ACH"
    assert remittance.payment.effective_date is None
    assert remittance.trace_number == "7170066655"
    assert remittance.trace is not None and remittance.trace.payer_id == "1935665544"
    assert remittance.production_date == date(2002, 3, 14)
    assert remittance.payer is not None and remittance.payer.name == "RUSHMORE LIFE"
    assert remittance.payee is not None
    assert (remittance.payee.id_qualifier, remittance.payee.id) == ("XX", "5544667733")
    assert [c.status_code for c in remittance.claims] == ["1", "1"]
    assert sum(c.paid for c in remittance.claims) == Decimal("945.00")
    first, second = remittance.claims
    assert first.patient_responsibility == Decimal("300.00")
    assert _adjustments(first.adjustments) == [("CO", "A2", "50.00")]
    (line,) = first.lines
    assert (line.procedure.qualifier, line.procedure.code) == ("HC", "99211")
    assert (line.service_start, line.service_end) == (date(2002, 3, 1), date(2002, 3, 4))
    assert _adjustments(line.adjustments) == [("PR", "1", "300.00")]
    assert _adjustments(second.lines[0].adjustments) == [
        ("PR", "1", "600.00"),
        ("CO", "45", "50.00"),
    ]
    assert _codes(remittance) == [("invalid_date", "BPR", 16)]
    assert "20002316" in remittance.findings[0].message


def test_remittance_medicare_part_a_balances_with_plb() -> None:
    remittance = _one("medicare-part-a.835")
    assert remittance.payment.handling_code == "C"
    assert remittance.total_paid == Decimal("150000.00")
    assert [c.filing_code for c in remittance.claims] == ["MA", "MB"]
    assert sum(c.paid for c in remittance.claims) == Decimal("149998.73")
    (plb,) = remittance.provider_adjustments
    assert (plb.reason_code, plb.reference_id, plb.amount) == ("CV", "CP", Decimal("-1.27"))
    assert (plb.provider_id, plb.fiscal_period_date) == ("6543210903", date(2002, 12, 31))
    assert remittance.payer is not None
    assert [(r.qualifier, r.value) for r in remittance.payer.references] == [("2U", "999")]
    assert remittance.claims[1].outpatient_remark_codes == ("MA02",)
    assert remittance.findings == ()


def test_remittance_secondary_payment_reads_gt_composites_with_a_finding() -> None:
    remittance = _one("secondary-payment.835")
    assert remittance.total_paid == Decimal("1222.00")
    assert remittance.payment.method == "CHK"
    assert [c.status_code for c in remittance.claims] == ["2", "2"]
    first, second = remittance.claims
    assert _adjustments(first.adjustments) == [("OA", "23", "9411.64")]
    assert [(a.qualifier, a.amount) for a in first.amounts] == [("AU", Decimal("912.00"))]
    assert [(line.procedure.code, line.procedure.modifiers) for line in second.lines] == [
        ("12345", ("26",)),
        ("66543", ("26",)),
    ]
    assert _adjustments(second.lines[1].adjustments) == [
        ("PR", "1", "150.00"),
        ("PR", "2", "70.00"),
        ("CO", "42", "85.00"),
    ]
    assert second.lines[1].allowed == Decimal("500.00")
    assert _codes(remittance) == [
        ("missing_element", "BPR", 16),
        ("component_separator_mismatch", "SVC", 1),
    ]


def test_remittance_tertiary_payment_reports_malformed_svc() -> None:
    remittance = _one("tertiary-payment.835")
    (claim,) = remittance.claims
    assert (claim.status_code, claim.paid) == ("3", Decimal("187.50"))
    assert claim.lines[0].procedure.code == ""
    assert claim.lines[0].original_procedure is None
    assert _codes(remittance) == [
        ("missing_element", "BPR", 16),
        ("malformed_composite", "SVC", 1),
        ("malformed_composite", "SVC", 6),
        ("line_out_of_balance", "SVC", 3),
    ]


def test_remittance_cob_contractual_adjustment() -> None:
    remittance = _one("cob-contractural-adjustment.835")
    (claim,) = remittance.claims
    assert (claim.status_code, claim.charge, claim.paid) == ("2", Decimal("541.00"), Decimal("34"))
    (line,) = claim.lines
    assert line.procedure.code == "55669"
    assert _adjustments(line.adjustments) == [("OA", "23", "516.00"), ("OA", "94", "-9.00")]
    assert _codes(remittance) == [
        ("missing_element", "BPR", 16),
        ("component_separator_mismatch", "SVC", 1),
    ]


def test_remittance_emedny_professional_with_payment() -> None:
    remittance = _one("835 Sample (Professional Claims only-w payment).2014.txt")
    assert remittance.total_paid == Decimal("45.75")
    assert [c.status_code for c in remittance.claims] == ["1", "2", "2"]
    assert sum(len(c.lines) for c in remittance.claims) == 10
    third = remittance.claims[2]
    assert [line.remark_codes for line in third.lines] == [(), (), ("N206",), ("N206",)]
    assert _adjustments(third.lines[3].adjustments) == [("CO", "251", "20")]
    assert third.lines[1].service_date == date(2013, 9, 17)
    assert third.patient is not None and third.corrected_insured is not None
    assert remittance.findings == ()


def test_remittance_emedny_professional_without_payment() -> None:
    remittance = _one("835 Sample (Professional Claims only-no payment).2014.txt")
    assert (remittance.payment.handling_code, remittance.payment.method) == ("H", "NON")
    assert remittance.total_paid == 0
    (claim,) = remittance.claims
    assert claim.status_code == "2"
    assert [_adjustments(line.adjustments) for line in claim.lines] == [
        [("CO", "29", "12")],
        [("CO", "29", "22")],
    ]
    assert remittance.findings == ()


def test_remittance_emedny_institutional() -> None:
    remittance = _one("835 Sample (Institutional Claims only).2014.txt")
    assert remittance.total_paid == Decimal("1481.99")
    assert [c.status_code for c in remittance.claims] == ["3", "1"]
    denied, paid = remittance.claims
    assert _adjustments(denied.adjustments) == [("CO", "39", "137.48")]
    assert paid.patient_responsibility == Decimal("805")
    assert (paid.facility_code, paid.frequency_code) == ("21", "3")
    assert paid.rendering_provider is not None and paid.rendering_provider.id == "9999999995"
    assert remittance.findings == ()


def test_remittance_emedny_pharmacy_plb_and_two_triplet_cas() -> None:
    remittance = _one("835 Sample Pharmacy.2014.txt")
    assert remittance.total_paid == Decimal("219.65")
    assert sum(c.paid for c in remittance.claims) == Decimal("223.64")
    (plb,) = remittance.provider_adjustments
    assert (plb.reason_code, plb.reference_id, plb.amount) == (
        "WO",
        "FCN#201001010000000",
        Decimal("3.99"),
    )
    last = remittance.claims[2].lines[0]
    assert (last.procedure.qualifier, last.procedure.code) == ("N4", "54092051902")
    assert _adjustments(last.adjustments) == [("CO", "91", "-3.5"), ("CO", "45", "36.32")]
    assert remittance.claims[0].lines[0].reject_codes == ("65",)
    assert remittance.findings == ()


def test_remittance_emedny_inpatient_retro_reversal() -> None:
    remittance = _one("835 Inst Sample(Inpatient DRG Retro).txt")
    reversal, corrected = remittance.claims
    assert reversal.status_code == "22"
    assert (reversal.charge, reversal.paid) == (Decimal("-37617.33"), Decimal("-627.97"))
    assert _adjustments(reversal.adjustments) == [("CO", "45", "-36989.36")]
    assert reversal.inpatient_remark_codes == ("N689",)
    assert (corrected.status_code, corrected.inpatient_remark_codes) == ("1", ("N419",))
    assert remittance.total_paid == Decimal("1.57")
    assert remittance.findings == ()


def test_remittance_emedny_outpatient_retro_forward_balance() -> None:
    remittance = _one("835Sample(OutpatientRetro).txt")
    assert [c.status_code for c in remittance.claims] == ["22", "1"]
    assert [c.outpatient_remark_codes for c in remittance.claims] == [("N689",), ("N419",)]
    (plb,) = remittance.provider_adjustments
    assert (plb.reason_code, plb.amount) == ("FB", Decimal("-20.16"))
    assert remittance.total_paid == 0
    assert remittance.findings == ()


def test_remittance_example1_status_mix_and_defects() -> None:
    remittance = _one("Example1.txt")
    assert [c.status_code for c in remittance.claims] == [
        "1", "4", "4", "2", "4", "1", "25", "22", "22", "22",
    ]  # fmt: skip
    assert remittance.claims[7].paid == Decimal("-42.58")
    assert remittance.claims[7].lines[0].units == Decimal("-2")
    assert remittance.claims[2].lines[0].adjustments[1] == Adjustment(
        "CO", "42", Decimal("0"), Decimal("0")
    )
    assert _codes(remittance) == [
        ("unexpected_implementation", "ST", 3),
        ("missing_element", "CLP", 3),  # the final "CLP*090909*22" has no amounts
        ("missing_element", "CLP", 4),
        ("transaction_out_of_balance", "BPR", 2),  # 5.75 + 1.27 (PLB CV -1.27) != 5.75
    ]


def test_remittance_example_from_nth_three_interchanges() -> None:
    remittances = _read("ExampleFromNth.txt")
    assert [len(r.claims) for r in remittances] == [19, 23, 14]
    statuses = Counter(c.status_code for r in remittances for c in r.claims)
    assert statuses == {"1": 39, "4": 16, "2": 1}
    assert sum(len(c.lines) for r in remittances for c in r.claims) == 91
    assert [str(r.total_paid) for r in remittances] == ["999.99", "9999.99", "482.13"]
    # Values are masked (9s and Xs), so nothing balances; ISA16 is ">" as the SVC01s use.
    codes = {f.code for r in remittances for f in r.findings}
    assert codes == {"claim_out_of_balance", "line_out_of_balance", "transaction_out_of_balance"}


# -- balancing, reversals, PLB, CAS on hand-made files -----------------------------------


def test_remittance_balancing_imbalances_are_located_findings() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*1*100.00*70.00**12*PAYER1",
        "CAS*CO*45*10.00",
        "SVC*HC:99213*100.00*80.00**1",
        "CAS*CO*45*15.00",
        "REF*6R*LINE1",
        bpr="BPR*I*75.00*C*CHK************20240301",
    )
    (remittance,) = iter_remittances(data)
    findings = {f.code: f for f in remittance.findings}
    assert set(findings) == {
        "line_out_of_balance",
        "claim_out_of_balance",
        "transaction_out_of_balance",
    }
    line = findings["line_out_of_balance"]
    assert (line.segment_index, line.segment_id, line.element_position) == (13, "SVC", 3)
    assert "'PCN1' line 1 (REF*6R 'LINE1')" in line.message
    assert "100.00 - adjustments 15.00 = 85.00, but SVC03 is 80.00" in line.message
    claim = findings["claim_out_of_balance"]
    assert (claim.segment_index, claim.segment_id) == (11, "CLP")
    assert "CLP03 100.00 - adjustments 25.00 = 75.00, but CLP04 is 70.00" in claim.message
    assert "BPR02 is 75.00" in findings["transaction_out_of_balance"].message


def test_remittance_balanced_reversal_and_correction_have_no_findings() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*22*-100.00*-80.00**12*PAYER1*11*8",
        "CAS*CO*45*-20.00",
        "CLP*PCN1*1*100.00*90.00**12*PAYER2*11*7",
        "SVC*HC:99213:25*100.00*90.00**1",
        "CAS*CO*45*10.00",
        bpr="BPR*I*10.00*C*ACH*CCP*01*1*DA*2*3**01*4*DA*5*20240301",
    )
    (remittance,) = iter_remittances(data)
    reversal, correction = remittance.claims
    assert (reversal.status_code, reversal.paid, reversal.frequency_code) == (
        "22",
        Decimal("-80.00"),
        "8",
    )
    assert correction.lines[0].procedure.modifiers == ("25",)
    assert remittance.findings == ()


def test_remittance_plb_pairs_and_transaction_balance() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*1*100.00*100.00**12*PAYER1",
        "PLB*1234567893*20241231*WO:RECOUP1*30.00*L6*-5.00*FB:ACCT9*-25.00",
        bpr="BPR*I*100.00*C*ACH*CCP*01*1*DA*2*3**01*4*DA*5*20240301",
    )
    (remittance,) = iter_remittances(data)
    assert [
        (p.reason_code, p.reference_id, p.amount, p.fiscal_period_date)
        for p in remittance.provider_adjustments
    ] == [
        ("WO", "RECOUP1", Decimal("30.00"), date(2024, 12, 31)),
        ("L6", None, Decimal("-5.00"), date(2024, 12, 31)),
        ("FB", "ACCT9", Decimal("-25.00"), date(2024, 12, 31)),
    ]
    assert remittance.findings == ()  # 100 - (30 - 5 - 25) = 100


def test_remittance_cas_with_six_triplets() -> None:
    cas = "CAS*CO*45*1*1*253*2**A2*3*2*59*4**94*5*1*B10*6*3"
    data = _835(
        "LX*1",
        "CLP*PCN1*1*100.00*79.00**12*PAYER1",
        cas,
        bpr="BPR*I*79.00*C*ACH*CCP*01*1*DA*2*3**01*4*DA*5*20240301",
    )
    (remittance,) = iter_remittances(data)
    (claim,) = remittance.claims
    assert [(a.group, a.reason, a.amount, a.quantity) for a in claim.adjustments] == [
        ("CO", "45", Decimal(1), Decimal(1)),
        ("CO", "253", Decimal(2), None),
        ("CO", "A2", Decimal(3), Decimal(2)),
        ("CO", "59", Decimal(4), None),
        ("CO", "94", Decimal(5), Decimal(1)),
        ("CO", "B10", Decimal(6), Decimal(3)),
    ]
    assert remittance.findings == ()


def test_remittance_claim_names_and_dates() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*19*100.00*100.00**12*PAYER1",
        "NM1*QC*1*DOE*JANE*Q***MI*M123",
        "NM1*IL*1*DOE*JOHN****MI*M100",
        "NM1*74*1*DOE*JOHNNY",
        "NM1*82*1*SMITH*ANN****XX*1234567893",
        "NM1*TT*2*MEDIGAP CO*****PI*55555",
        "DTM*232*20240101",
        "DTM*233*20240102",
        "DTM*050*20240115",
        "REF*1K*ICN123",
        "AMT*AU*100.00",
        bpr="BPR*I*100.00*C*ACH*CCP*01*1*DA*2*3**01*4*DA*5*20240301",
    )
    (claim,) = next(iter_remittances(data)).claims
    assert claim.patient is not None and (claim.patient.last_name, claim.patient.id) == (
        "DOE",
        "M123",
    )
    assert claim.insured is not None and claim.insured.first_name == "JOHN"
    assert claim.corrected_insured is not None and claim.corrected_insured.first_name == "JOHNNY"
    assert claim.rendering_provider is not None and claim.rendering_provider.id_qualifier == "XX"
    assert claim.crossover_carrier is not None and claim.crossover_carrier.id == "55555"
    assert (claim.statement_start, claim.statement_end, claim.received_date) == (
        date(2024, 1, 1),
        date(2024, 1, 2),
        date(2024, 1, 15),
    )
    assert [(r.qualifier, r.value) for r in claim.references] == [("1K", "ICN123")]


def test_remittance_names_are_kept_out_of_repr() -> None:
    name = Name("QC", "1", "DOE", "JANE", "Q", "", "MI", "M123")
    assert "DOE" not in repr(name) and "M123" not in repr(name)
    assert "QC" in repr(name)


def test_remittance_models_are_frozen_and_equal_to_plainly_built_ones() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*4*50.00*0**12*PAYER1",
        "CAS*CO*29*50.00",
        bpr="BPR*H*0*C*NON************20240301",
    )
    (claim,) = next(iter_remittances(data)).claims
    adjustment = claim.adjustments[0]
    assert type(adjustment) is Adjustment
    assert adjustment == Adjustment("CO", "29", Decimal("50.00"), None)
    assert hash(adjustment) == hash(Adjustment("CO", "29", Decimal("50.00"), None))
    with pytest.raises(dataclasses.FrozenInstanceError):
        adjustment.amount = Decimal(0)  # type: ignore[misc]


def test_remittance_money_that_is_not_a_number_is_a_located_error() -> None:
    for bad, where in (
        ("CLP*PCN1*1*ABC*0**12*PAYER1", ("CLP", 3)),
        ("CLP*PCN1*1*10*NaN**12*PAYER1", ("CLP", 4)),
    ):
        data = _835("LX*1", bad)
        with pytest.raises(X12ReadError) as raised:
            list(iter_remittances(data))
        error = raised.value
        assert (error.segment_index, error.segment_id, error.element_position) == (11, *where)
    with pytest.raises(X12ReadError, match="BPR02"):
        list(iter_remittances(_835(bpr="BPR*I*1O0.00*C*CHK")))
    data = _835("LX*1", "CLP*PCN1*1*10*10**12*PAYER1", "SVC*HC:99213*10*ten")
    with pytest.raises(X12ReadError) as raised:
        list(iter_remittances(data))
    assert (raised.value.segment_id, raised.value.element_position) == ("SVC", 3)
    # AMT02 is money too (R 1/18): an allowed amount that is not one cannot be posted.
    data = _835("LX*1", "CLP*PCN1*1*10*10**12*PAYER1", "AMT*AU*lots")
    with pytest.raises(X12ReadError) as raised:
        list(iter_remittances(data))
    assert (raised.value.segment_index, raised.value.segment_id) == (12, "AMT")
    assert raised.value.element_position == 2


def test_remittance_other_numbers_that_are_not_numbers_are_findings() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*1*10*10**12*PAYER1",
        "SVC*HC:99213*10*10**one",
        "DTM*472*20241340",
        bpr="BPR*I*10*C*CHK************20240301",
    )
    (remittance,) = iter_remittances(data)
    assert _codes(remittance) == [
        ("invalid_number", "SVC", 5),
        ("invalid_date", "DTM", 2),
    ]
    (line,) = remittance.claims[0].lines
    assert (line.units, line.service_date) == (None, None)


def test_remittance_declared_gt_separator_accepts_colon_composites() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*1*10*10**12*PAYER1",
        "SVC*HC:99213:25*10*10**1",
        component=">",
        bpr="BPR*I*10*C*CHK************20240301",
    )
    (remittance,) = iter_remittances(data)
    assert remittance.claims[0].lines[0].procedure.modifiers == ("25",)
    assert _codes(remittance) == [("component_separator_mismatch", "SVC", 1)]


def test_remittance_without_bpr_cannot_be_read() -> None:
    data = _835("LX*1", "CLP*PCN1*1*10*10**12*PAYER1").replace(b"BPR*I*100.00", b"XYZ*I*100.00")
    with pytest.raises(X12ReadError, match="no BPR"):
        list(iter_remittances(data))


def test_remittance_rejects_or_skips_other_transaction_sets() -> None:
    data = (SAMPLES / "999" / "999 Sample (Accepted).txt").read_bytes()
    with pytest.raises(X12ReadError, match="not an 835") as raised:
        list(iter_remittances(data))
    assert (raised.value.segment_id, raised.value.element_position) == ("ST", 1)
    assert list(iter_remittances(data, skip_other_types=True)) == []


def test_remittance_as_dict_is_json_with_string_amounts() -> None:
    document = _one("secondary-payment.835").as_dict()
    text = json.dumps(document)
    assert json.loads(text) == document
    claim = document["claims"][0]  # type: ignore[index]
    assert claim["paid"] == "912.00"
    assert claim["adjustments"] == [
        {"group": "OA", "reason": "23", "amount": "9411.64", "quantity": None}
    ]


# -- the reader registry -----------------------------------------------------------------


def test_readers_dispatch_835_and_describe_the_others() -> None:
    (remittance_set,) = EnvelopeReader((SAMPLES_835 / "managed-care.835").read_bytes())
    converted = to_json(remittance_set)
    assert (converted["type"], converted["total_paid"]) == ("835", "945.00")
    (other,) = EnvelopeReader((SAMPLES / "277CA" / "277CA Sample (Accepted).txt").read_bytes())
    assert transaction_kind(other) == "277CA"
    acknowledgment = to_json(other)
    assert acknowledgment["type"] == "277CA"
    assert acknowledgment["claims"]
    (institutional,) = EnvelopeReader((SAMPLES / "837I" / "institutional-claim.837i").read_bytes())
    assert transaction_kind(institutional) == "837I"
    assert "837I" not in READERS  # no reader: described by type and segment count
    placeholder = to_json(institutional)
    assert placeholder["type"] == "837"
    assert placeholder["segments"] == len(institutional.segments)


def test_readers_registration_is_one_dict_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    (other,) = EnvelopeReader((SAMPLES / "999" / "999 Sample (Accepted).txt").read_bytes())

    def reader(ts: TransactionSet) -> Reading:
        return Reading("999", (), {}, lambda: {"type": "999", "ack": ts.control_number})

    monkeypatch.setitem(READERS, "999", reader)
    assert to_json(other) == {"type": "999", "ack": other.control_number}


def test_remittance_keeps_envelope_findings_of_its_set() -> None:
    data = _835("LX*1", "CLP*PCN1*1*10*10**12*PAYER1", bpr="BPR*I*10*C*CHK************20240301")
    data = data.replace(b"SE*10*0001", b"SE*99*0001")  # ST..SE is 10 segments, SE is the 12th
    (remittance,) = iter_remittances(data)
    assert remittance.findings == (
        Finding("se_count_mismatch", "SE01 says 99, the set has 10 segments", 12, "SE", 1),
    )
    assert parse_835(next(iter(EnvelopeReader(data)))).findings == remittance.findings


def test_remittance_reads_the_generated_benchmark_file_without_findings() -> None:
    from benchmarks.x12_835 import generate_835

    data = generate_835(300, claims_per_set=120)
    remittances = list(iter_remittances(io.BytesIO(data)))
    assert [len(r.claims) for r in remittances] == [120, 120, 60]
    assert {c.status_code for r in remittances for c in r.claims} == {"1", "4", "22"}
    assert any(r.provider_adjustments for r in remittances)
    assert [f for r in remittances for f in r.findings] == []
    assert generate_835(300, claims_per_set=120) == data  # seeded: the same bytes every run


# -- the loop-by-loop reading and its fallback ---------------------------------------------


def _checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every claim take the segment-by-segment reading (the reference)."""
    loop_reading = remittance_module._Reader._read_claims

    def everything_unusual(
        self: remittance_module._Reader, detail: str, index: int, unusual: list[int]
    ) -> int:
        return loop_reading(self, detail, index, list(range(len(detail))))

    monkeypatch.setattr(remittance_module._Reader, "_read_claims", everything_unusual)


def _everything(data: bytes) -> list[tuple[object, ...]]:
    """Each remittance in full (every lazily decoded field) with its findings, or the error."""
    try:
        return [(r.as_dict(), r.findings, r.claims) for r in iter_remittances(data)]
    except X12ReadError as error:
        return [("error", error.located())]


_UNUSUAL_SETS = {
    "two CAS triplets": ("CLP*P1*1*100*70**12*X", "SVC*HC:99213*100*70", "CAS*CO*45*20**253*10"),
    "CAS quantity": ("CLP*P1*1*100*80**12*X", "SVC*HC:99213*100*80", "CAS*CO*45*20*1"),
    "CAS without reason": ("CLP*P1*1*100*80**12*X", "SVC*HC:99213*100*80", "CAS*CO**20"),
    "second triplet without reason": (
        "CLP*P1*1*100*70**12*X",
        "CAS*OA*23*5**0",
        "SVC*HC:99213*100*75",
        "CAS*CO*45*20*1**5",
    ),
    "seven CAS triplets": ("CLP*P1*1*7*0**12*X", "CAS*CO" + "*45*1*" * 6 + "*45*1"),
    "invalid date": ("CLP*P1*1*100*100**12*X", "DTM*232*20240230", "SVC*HC:99213*100*100"),
    "AMT not a number": ("CLP*P1*1*100*100**12*X", "SVC*HC:99213*100*100", "AMT*B6*x"),
    "LX between claims": ("CLP*P1*1*50*50**12*X", "LX*2", "TS3*1", "N3*X", "CLP*P2*1*50*50**12*Y"),
    "PLB before a claim": ("CLP*P1*1*50*50**12*X", "PLB*1*20241231*L6*0", "CLP*P2*1*50*50**12*Y"),
    "empty CLP04": ("CLP*P1*1*100***12*X", "CAS*CO*45*100"),
    "infinite line money": ("CLP*P1*1*100*100**12*X", "SVC*HC:99213*Infinity*Infinity"),
    "infinite claim money": ("CLP*P1*1*Inf*Inf**12*X",),
    "infinite CLP05": ("CLP*P1*1*100*100*Inf*12*X",),
    "imbalanced line": ("CLP*P1*1*100*80**12*X", "SVC*HC:99213*100*80", "CAS*CO*45*25"),
    "malformed SVC01": ("CLP*P1*1*100*100**12*X", "SVC*99213*100*100**x*HC>1", "CAS*CO*45*0"),
}


@pytest.mark.parametrize("body", _UNUSUAL_SETS.values(), ids=_UNUSUAL_SETS.keys())
def test_remittance_loop_reading_agrees_with_segment_reading(
    monkeypatch: pytest.MonkeyPatch, body: tuple[str, ...]
) -> None:
    data = _835("LX*1", *body, bpr="BPR*I*100*C*CHK************20240301")
    fast = _everything(data)
    _checked(monkeypatch)
    assert _everything(data) == fast


def test_remittance_loop_reading_agrees_on_every_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.x12_835 import generate_835

    files = [(SAMPLES_835 / name).read_bytes() for name in NAMES_835]
    files.append(generate_835(400, claims_per_set=150))
    fast = [_everything(data) for data in files]
    _checked(monkeypatch)
    assert [_everything(data) for data in files] == fast


def test_remittance_only_unusual_claims_take_the_segment_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from benchmarks.x12_835 import generate_835

    checked: list[str] = []
    original = remittance_module._Reader._claim_checked

    def spy(
        self: remittance_module._Reader, part: str, index: int
    ) -> tuple[remittance_module.ClaimPayment, int]:
        claim, after = original(self, part, index)
        checked.append(claim.patient_control_number)
        return claim, after

    monkeypatch.setattr(remittance_module._Reader, "_claim_checked", spy)
    assert len(list(iter_remittances(generate_835(300, claims_per_set=100)))) == 3
    assert checked == []
    ordinary = ("CLP*OK1*1*50*50**12*X", "SVC*HC:99213*50*50", "CAS*CO*45*0")
    read_again = {"CAS without reason", "second triplet without reason", "seven CAS triplets"}
    read_again |= {"invalid date"}
    read_again |= {"empty CLP04"}
    for name, unusual in _UNUSUAL_SETS.items():
        if name in ("LX between claims", "PLB before a claim"):
            continue  # where claims end is in question: the whole set segment by segment
        checked.clear()
        data = _835("LX*1", *ordinary, *unusual, "CLP*OK2*1*50*50**12*X", "SVC*HC:99214*50*50")
        try:
            list(iter_remittances(data))
        except X12ReadError:  # money that is no amount: read again, then refused (no spy)
            assert name.startswith("infinite") or name == "AMT not a number"
        assert checked == (["P1"] if name in read_again else []), name


def test_remittance_date_pattern_is_parse_date() -> None:
    pattern = re.compile(remittance_module._DATE)
    years = (1700, 1799, 1800, 1900, 1904, 1996, 2000, 2023, 2024, 2100, 2400, 2800, 9996, 9999)
    for year in years:
        for month in range(14):
            for day in range(33):
                text = f"{year:04d}{month:02d}{day:02d}"
                assert (pattern.fullmatch(text) is not None) == (parse_date(text) is not None), text


def test_remittance_number_pattern_reads_as_a_finite_decimal() -> None:
    pattern = re.compile(remittance_module._NUMBER)
    for text in ("0", "-1", "12.", ".5", "-0.50", "100.00", "007"):
        assert pattern.fullmatch(text) and parse_number(text) is not None, text
    for text in ("", "-", ".", "1.2.3", "1e3", "Inf", "NaN", "+1", " 1", "1,000"):
        assert not pattern.fullmatch(text), text


def test_remittance_claims_and_lines_are_immutable_values_without_phi_in_repr() -> None:
    data = _835(
        "LX*1",
        "CLP*PCN1*1*100*80**12*PAYER1",
        "NM1*QC*1*DOE*JANE****MI*M123",
        "SVC*HC:99213*100*80**1",
        "CAS*CO*45*20",
        "REF*6R*LINE1",
        bpr="BPR*I*80*C*CHK************20240301",
    )
    (first,) = iter_remittances(data)
    (again,) = iter_remittances(data)
    claim, line = first.claims[0], first.claims[0].lines[0]
    assert (claim, hash(claim)) == (again.claims[0], hash(again.claims[0]))
    assert claim.patient is not None and claim.patient.last_name == "DOE"
    assert line.line_item_control_number == "LINE1"
    for view in (claim, line):
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.paid = Decimal(0)  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.anything = 1  # type: ignore[union-attr]
        assert "DOE" not in repr(view) and "M123" not in repr(view)


def _random_claim(rng: random.Random, number: int) -> list[str]:
    """A claim with a random mix of usual and unusual segments (balanced or not)."""
    unreadable = rng.random() < 0.02  # now and then a claim the file cannot be read with
    amount = rng.choice(("100", "100.00", "80.5", "0", "", "100.", "-20.00", "80.00", "80"))
    hostile = rng.choice(("Inf", "1e2", "1E+9999999999", "２４５", "9" * 19))
    responsibility = rng.choice(("", "5", hostile if unreadable else "0"))
    head = [f"CLP*P{number}*{rng.choice('1234')}*100.00*{amount}*{responsibility}*12*Q"]
    choices = [
        "CAS*CO*45*20.00",
        "CAS*CO*45*20.00*1",
        "CAS*CO*45*10**253*10",
        "CAS*CO**20",
        "DTM*232*20240229",
        "DTM*233*20230229",
        "DTM*050*",
        "AMT*AU*80",
        "AMT*AU*80.",
        "NM1*QC*1*DOE*JANE****MI*M1",
        "REF*1K*ICN",
        "MOA***MA01",
    ]
    line_choices = [*choices, "REF*6R*L1", "LQ*HE*N130", "AMT*B6*80.00", "DTM*472*20241301"]
    segments = head + rng.sample(choices, rng.randint(0, 3))
    for _ in range(rng.randint(0, 3)):
        paid = rng.choice(("80.00", "80", "100.00", "", "ten" if rng.random() < 0.05 else "0"))
        svc = rng.choice(
            ("HC:99213", "HC:99213:25", "HC>99214", "99215", "HC:99213*100.00*80.00**2*HC:99212")
        )
        segments.append(f"SVC*{svc}*100.00*{paid}" if "*" not in svc else f"SVC*{svc}")
        segments += rng.sample(line_choices, rng.randint(0, 4))
    if rng.random() < 0.2:
        segments += ["LX*2", rng.choice(["TS3*1", "N3*X"])]
    return segments


def test_remittance_loop_reading_agrees_on_random_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(835)
    files = []
    for _ in range(150):
        body = [segment for n in range(rng.randint(1, 6)) for segment in _random_claim(rng, n)]
        if rng.random() < 0.2:
            body.insert(rng.randrange(len(body) + 1), "PLB*1*20241231*L6*-1.00")
        files.append(_835("LX*1", *body, bpr="BPR*I*80*C*CHK************20240301"))
    fast = [_everything(data) for data in files]
    assert sum(1 for result in fast if result[0][0] != "error") > 100  # most are read
    _checked(monkeypatch)
    assert [_everything(data) for data in files] == fast


# -- the JSON document written as text (remit835_json) -------------------------------------

_EVERY_FIELD = (
    "LX*1",
    "CLP*PCN1*2*300.00*170.50*20*13*PAYER1*21*7",
    "CAS*OA*23*10*2*94*.5",
    "CAS*CO*45*10",
    "NM1*QC*1*DOE*JANE*Q*MR*JR*MI*M123",
    "NM1*IL*1*DOE*JOHN****MI*M100",
    "NM1*74*1*DOE*JOHNNY",
    "NM1*82*1*SMITH*ANN****XX*1234567893",
    "NM1*TT*2*MEDIGAP CO*****PI*55555",
    "NM1*PR*2*OTHER PAYER*****PI*1",
    "NM1*QC*1*LAST*WINS****MI*M999",
    "MIA*0***4*MA01***************MA02*MA03",
    "MOA***MA01*MA02**N1",
    "DTM*232*20240101",
    "DTM*233*20240102",
    "DTM*050*20240115",
    "DTM*036*20240116",
    "REF*1K*ICN123",
    "REF*F8*A:B^C",
    "REF*EA",
    "AMT*AU*0170.50",
    "AMT*D8*.5",
    "AMT*ZZ*",
    "SVC*HC:99213:25:59::::DESC*100.00*80.00*0450*2**1",
    "DTM*150*20240101",
    "DTM*151*20240102",
    "CAS*CO*45*20",
    "REF*6R*LINE1",
    "REF*6R*LINE1B",
    "REF*LU*11",
    "AMT*B6*80",
    "AMT*KH*1.50",
    "LQ*HE*N130",
    "LQ*HE*M1",
    "LQ*RX*X",
    "SVC*NU:0450*200*90.50***HC:99214*3",
    "DTM*472*20240230",
    "CAS*CO*45*100*1**9.5",
    "CAS*PR",
    "AMT*B6*",
    "LQ*HE",
    "SVC*HC:99215*0*0",
)


def _json_texts(data: bytes) -> list[tuple[str, str]]:
    """Each remittance as written by render_remittance_json and as json.dumps of as_dict."""
    from chalicelib.x12.read.remit835_json import render_remittance_json

    return [
        ("".join(render_remittance_json(r)), json.dumps(r.as_dict()))
        for r in iter_remittances(data)
    ]


def test_remittance_json_text_is_the_dumped_document_on_every_sample() -> None:
    from benchmarks.x12_835 import generate_835

    files = [(SAMPLES_835 / name).read_bytes() for name in NAMES_835]
    files.append(generate_835(400, claims_per_set=150))
    for data in files:
        for written, dumped in _json_texts(data):
            assert written == dumped


_READABLE = {
    "every field": _EVERY_FIELD,
    **{
        name: ("LX*1", *body)
        for name, body in _UNUSUAL_SETS.items()
        if not name.startswith("infinite") and name != "AMT not a number"  # unreadable
    },
}


@pytest.mark.parametrize("body", _READABLE.values(), ids=_READABLE.keys())
def test_remittance_json_text_is_the_dumped_document(body: tuple[str, ...]) -> None:
    texts = _json_texts(_835(*body, bpr="BPR*I*100*C*CHK************20240301"))
    assert texts and all(written == dumped for written, dumped in texts)
    assert json.loads(texts[0][0])["claims"]


@pytest.mark.parametrize(
    "value",
    [b'O"BRIEN', b"BACK\\SLASH", b"N\x00\x00UNEZ", "NUÑEZ".encode(), b"\x7f", b"\xff\x80", b"\t"],
    ids=["quote", "backslash", "NUL", "non-ASCII", "DEL", "not UTF-8", "tab"],
)
def test_remittance_json_text_escapes_as_json_dumps_does(value: bytes) -> None:
    """A claim whose text JSON escapes is written through as_dict, the others as text."""
    data = _835(
        "LX*1",
        "CLP*PCN1*1*100*80**12*PAYER1",
        "NM1*QC*1*@@*JANE****MI*M123",
        "SVC*HC:99213*100*80**1",
        "CAS*CO*45*20",
        "REF*6R*@@",
        "CLP*PCN2*1*100*80**12*PAYER2",
        "NM1*QC*1*PLAIN*JANE****MI*M124",
        "SVC*HC:99213*100*80**1",
        "CAS*CO*45*20",
        bpr="BPR*I*160*C*CHK************20240301",
    )
    texts = _json_texts(data.replace(b"@@", value))
    assert texts and all(written == dumped for written, dumped in texts)
    assert json.loads(texts[0][0])["claims"][1]["patient"]["last_name"] == "PLAIN"
