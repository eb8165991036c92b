"""Posting an 835 claim payment against our claim: matching, amounts, events, JSON, and every
835 sample through the real reader."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.lifecycle import Event
from chalicelib.claims.model import Claim, ServiceLine
from chalicelib.claims.posting import (
    ALLOWED_FROM_AMT_B6,
    ALLOWED_FROM_CHARGE,
    MATCHED_BY_CONTROL_NUMBER,
    MATCHED_BY_PROCEDURE,
    RESPONSIBILITY_FROM_ADJUSTMENTS,
    RESPONSIBILITY_FROM_CLP05,
    Posting,
    post_claim_payment,
)
from chalicelib.codec import CodecError, decode, encode
from chalicelib.x12.read.remit835 import ClaimPayment, Remittance, iter_remittances
from tests.conftest import CONTRACT, X12_SAMPLES

SAMPLES_835 = X12_SAMPLES / "835"
PAYER_ID = "1999999999"
TRACE = "EFT20261201"
PAID_ON = date(2026, 12, 1)


def _claim(name: str = "claim-basic.json") -> Claim:
    text = (CONTRACT / name).read_text()
    return ClaimRequest.model_validate_json(text).to_claim()


def _remittance(body: str) -> Remittance:
    """One 835 around the given Loop 2100 segments, read by the real reader."""
    segments = [s.strip() for s in body.split("~") if s.strip()]
    header = [
        "ST*835*0001*005010X221A1",
        "BPR*I*0*C*NON************20261201",
        f"TRN*1*{TRACE}*{PAYER_ID}",
        "N1*PR*SANDBOX COMMERCIAL PPO",
        "N1*PE*MAPLE STREET FAMILY PRACTICE*XX*1234567893",
        "LX*1",
    ]
    transaction = [*header, *segments]
    text = (
        "ISA*00*          *00*          *ZZ*SBX01          *ZZ*CLAIMGATE      "
        "*261201*1200*^*00501*000000001*0*T*:~"
        "GS*HP*SBX01*CLAIMGATE*20261201*1200*1*X*005010X221A1~"
        + "".join(s + "~" for s in transaction)
        + f"SE*{len(transaction) + 1}*0001~GE*1*1~IEA*1*000000001~"
    )
    (remittance,) = iter_remittances(text.encode())
    return remittance


def _payment(body: str) -> ClaimPayment:
    (payment,) = _remittance(body).claims
    return payment


def _post(body: str, claim: Claim | None = None) -> Posting:
    return post_claim_payment(
        claim or _claim(),
        _payment(body),
        trace_number=TRACE,
        payer_id=PAYER_ID,
        payment_date=PAID_ON,
    )


def _codes(posting: Posting) -> list[str]:
    return [finding.code for finding in posting.findings]


FULL_PAYMENT = """
CLP*MSFP-2026-0001*1*245.00*160.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*110.00**1~DTM*472*20261116~
CAS*CO*45*55.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~AMT*B6*130.00~
SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~
CAS*CO*45*10.00~REF*6R*MSFP-0001-2~
"""


def test_claims_posting_full_payment_with_contractual_and_copay() -> None:
    posting = _post(FULL_PAYMENT)
    assert posting.event is Event.REMIT_PAID
    assert (posting.status_code, posting.status_description) == ("1", "Processed as Primary")
    assert (posting.charge, posting.paid) == (Decimal("245.00"), Decimal("160.00"))
    assert posting.patient_responsibility == Decimal("20.00")
    assert posting.patient_responsibility_source == RESPONSIBILITY_FROM_CLP05
    assert posting.payer_claim_control_number == "PCN0001"
    assert (posting.trace_number, posting.payer_id, posting.payment_date) == (
        TRACE,
        PAYER_ID,
        PAID_ON,
    )
    assert posting.findings == ()
    assert posting.unmatched_lines == ()
    first, second = posting.lines
    assert (first.claim_line_index, first.matched_by) == (0, MATCHED_BY_CONTROL_NUMBER)
    assert first.provider_control_number == "MSFP-0001-1"
    assert (first.procedure_code, first.procedure_modifiers) == ("99214", ("25",))
    assert (first.allowed, first.allowed_source) == (Decimal("130.00"), ALLOWED_FROM_AMT_B6)
    assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [
        ("CO", "45", Decimal("55.00")),
        ("PR", "3", Decimal("20.00")),
    ]
    assert first.adjustments[1].description == "Co-payment Amount"
    assert first.adjustments[0].description is not None
    assert first.adjustments[0].description.startswith("Charge exceeds fee schedule")
    assert (first.units, first.billed_units) == (Decimal(1), Decimal(1))
    assert first.service_date == date(2026, 11, 16)
    assert not first.denied
    # No AMT*B6 on the lab line: allowed is the charge less the contractual adjustment.
    assert (second.claim_line_index, second.allowed) == (1, Decimal("50.00"))
    assert second.allowed_source == ALLOWED_FROM_CHARGE
    assert posting.group_total("CO") == Decimal("65.00")
    assert posting.group_total("PR") == Decimal("20.00")
    assert [t.group for t in posting.group_totals] == ["CO", "PR", "OA", "PI", "CR"]
    assert posting.reversal_key is None
    assert not posting.crossover


def test_claims_posting_one_line_denied_is_partial() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*130.00*20.00*12*PCN0002~
        SVC*HC:99214:25*185.00*130.00**1~DTM*472*20261116~
        CAS*CO*45*35.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**0~DTM*472*20261116~
        CAS*CO*97*60.00~REF*6R*MSFP-0001-2~LQ*HE*M15~
        """
    )
    assert posting.event is Event.REMIT_PARTIAL
    office, lab = posting.lines
    assert not office.denied
    assert lab.denied
    assert lab.units == Decimal(0)
    assert lab.allowed == Decimal("0.00")
    assert lab.adjustments[0].description == (
        "The benefit for this service is included in the payment/allowance for another "
        "service/procedure that has already been adjudicated."
    )
    assert [(r.code, r.description) for r in lab.remarks] == [
        (
            "M15",
            "Separately billed services/tests have been bundled as they are considered "
            "components of the same procedure. Separate payment is not allowed.",
        )
    ]
    assert posting.findings == ()


def test_claims_posting_claim_denied_by_status_4() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*4*245.00*0**12*PCN0003~CAS*CO*31*245.00~
        NM1*QC*1*QUILL*ADA****MI*W123456789~
        """
    )
    assert posting.event is Event.REMIT_DENIED
    assert posting.status_description == "Denied"
    assert posting.claim_level_only
    assert posting.lines == ()
    assert posting.patient_responsibility == Decimal("0.00")
    assert posting.patient_responsibility_source == RESPONSIBILITY_FROM_ADJUSTMENTS
    assert [(a.group, a.reason, a.description) for a in posting.claim_adjustments] == [
        ("CO", "31", "Patient cannot be identified as our insured.")
    ]
    assert "line_not_paid" not in _codes(posting)


def test_claims_posting_processed_with_nothing_paid_is_denied() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*0*0*12*PCN0004~
        SVC*HC:99214:25*185.00*0**1~DTM*472*20261116~CAS*CO*50*185.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**1~DTM*472*20261116~CAS*CO*50*60.00~REF*6R*MSFP-0001-2~
        """
    )
    assert posting.event is Event.REMIT_DENIED
    assert all(line.denied for line in posting.lines)


def test_claims_posting_deductible_only_is_paid_with_nothing_paid() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*0*245.00*12*PCN0005~
        SVC*HC:99214:25*185.00*0**1~DTM*472*20261116~CAS*PR*1*185.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**1~DTM*472*20261116~CAS*PR*1*60.00~REF*6R*MSFP-0001-2~
        """
    )
    assert posting.event is Event.REMIT_PAID
    assert posting.paid == Decimal(0)
    assert posting.patient_responsibility == Decimal("245.00")
    assert not any(line.denied for line in posting.lines)
    assert posting.lines[0].adjustments[0].description == "Deductible Amount"
    assert [line.allowed for line in posting.lines] == [Decimal("185.00"), Decimal("60.00")]


def test_claims_posting_patient_responsibility_from_pr_when_clp05_empty() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*0**12*PCN0006~
        SVC*HC:99214:25*185.00*0**1~DTM*472*20261116~CAS*PR*1*185.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**1~DTM*472*20261116~CAS*PR*2*60~REF*6R*MSFP-0001-2~
        """
    )
    assert posting.patient_responsibility == Decimal("245.00")
    assert str(posting.patient_responsibility) == "245.00"
    assert posting.patient_responsibility_source == RESPONSIBILITY_FROM_ADJUSTMENTS
    assert posting.event is Event.REMIT_PAID


def test_claims_posting_secondary_paid_in_full_by_primary_is_not_a_denial() -> None:
    # OA-23 says the prior payer's adjudication took it all: processed, nothing owed.
    posting = _post(
        """
        CLP*MSFP-2026-0001*2*245.00*0*0*12*PCN0007~
        SVC*HC:99214:25*185.00*0**1~DTM*472*20261116~CAS*OA*23*185.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*0**1~DTM*472*20261116~CAS*OA*23*60.00~REF*6R*MSFP-0001-2~
        """
    )
    assert posting.event is Event.REMIT_PAID
    assert posting.group_total("OA") == Decimal("245.00")


def test_claims_posting_reversal_points_at_the_original() -> None:
    original = _post(FULL_PAYMENT)
    reversal = _post(
        """
        CLP*MSFP-2026-0001*22*-245.00*-160.00*-20.00*12*PCN0001~
        SVC*HC:99214:25*-185.00*-110.00**1~DTM*472*20261116~
        CAS*CO*45*-55.00~CAS*PR*3*-20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*-60.00*-50.00**1~DTM*472*20261116~
        CAS*CO*45*-10.00~REF*6R*MSFP-0001-2~
        """
    )
    assert reversal.event is Event.REMIT_REVERSED
    assert reversal.status_description == "Reversal of Previous Payment"
    assert reversal.is_reversal
    assert reversal.reversal_key == original.key == f"{PAYER_ID}|PCN0001"
    assert reversal.paid == Decimal("-160.00")
    assert reversal.group_total("CO") == Decimal("-65.00")
    assert [line.claim_line_index for line in reversal.lines] == [0, 1]
    assert reversal.findings == ()  # a negated charge is still the claim's charge


def test_claims_posting_reversal_matches_by_procedure_when_ref_6r_dropped() -> None:
    reversal = _post(
        """
        CLP*MSFP-2026-0001*22*-245.00*-245.00**12*PCN0001~
        SVC*HC:83036*-60.00*-60.00**1~DTM*472*20261116~
        SVC*HC:99214:25*-185.00*-185.00**1~DTM*472*20261116~
        """
    )
    assert [(line.claim_line_index, line.matched_by) for line in reversal.lines] == [
        (1, MATCHED_BY_PROCEDURE),
        (0, MATCHED_BY_PROCEDURE),
    ]


def test_claims_posting_matches_by_procedure_date_charge_when_payer_drops_ref_and_modifier() -> (
    None
):
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*170.00*20.00*12*PCN0008~
        SVC*HC:99214*185.00*120.00**1~DTM*472*20261116~CAS*CO*45*45.00~CAS*PR*3*20.00~
        SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~
        """
    )
    office, lab = posting.lines
    assert (office.claim_line_index, office.matched_by) == (0, MATCHED_BY_PROCEDURE)
    assert (office.procedure_modifiers, office.billed_procedure_modifiers) == ((), ("25",))
    assert office.provider_control_number == "MSFP-0001-1"  # ours, though the payer dropped it
    assert (lab.claim_line_index, lab.matched_by) == (1, MATCHED_BY_PROCEDURE)
    assert posting.unmatched_lines == ()
    assert posting.event is Event.REMIT_PAID


def test_claims_posting_matches_original_procedure_in_svc06() -> None:
    # The payer paid 99213 instead of the 99214-25 we billed and echoed ours in SVC06.
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*140.00**12*PCN0009~
        SVC*HC:99213*185.00*90.00**1*HC:99214:25~DTM*472*20261116~CAS*CO*45*95.00~
        SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~
        """
    )
    office = posting.lines[0]
    assert (office.claim_line_index, office.matched_by) == (0, MATCHED_BY_PROCEDURE)
    assert (office.procedure_code, office.billed_procedure_code) == ("99213", "99214")


def test_claims_posting_same_procedure_twice_prefers_same_modifiers() -> None:
    claim = _claim()
    info = claim.claim_information
    left = replace(
        info.service_lines[1],
        procedure_modifiers=("LT",),
        provider_control_number="L",
        charge_amount=Decimal("60.00"),
    )
    right = replace(left, procedure_modifiers=("RT",), provider_control_number="R")
    claim = replace(claim, claim_information=replace(info, service_lines=(left, right)))
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*120.00*100.00**12*PCN0010~
        SVC*HC:83036:RT*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~
        SVC*HC:83036:LT*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~
        """,
        claim,
    )
    assert [line.claim_line_index for line in posting.lines] == [1, 0]


def test_claims_posting_keeps_a_line_we_never_billed() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*255.00*168.00*20.00*12*PCN0011~
        SVC*HC:99214:25*185.00*110.00**1~DTM*472*20261116~
        CAS*CO*45*55.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*50.00**1~DTM*472*20261116~CAS*CO*45*10.00~REF*6R*MSFP-0001-2~
        SVC*HC:36415*10.00*8.00**1~DTM*472*20261116~CAS*CO*45*2.00~
        """
    )
    assert len(posting.lines) == 2
    (venipuncture,) = posting.unmatched_lines
    assert (venipuncture.claim_line_index, venipuncture.matched_by) == (None, None)
    assert (venipuncture.payment_line_index, venipuncture.procedure_code) == (2, "36415")
    assert venipuncture.segment_index > posting.lines[1].segment_index > 0
    assert venipuncture.billed_procedure_code == "36415"
    assert venipuncture.paid == Decimal("8.00")
    assert _codes(posting) == ["unmatched_payment_line", "charge_mismatch"]
    assert posting.group_total("CO") == Decimal("67.00")  # the unmatched line counts too
    assert [f"{a.group}-{a.reason}" for a in posting.all_adjustments()] == [
        "CO-45",
        "PR-3",
        "CO-45",
        "CO-45",
    ]
    assert posting.event is Event.REMIT_PAID


def test_claims_posting_findings_for_unpaid_line_and_imbalance() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*120.00*20.00*12*PCN0012~
        SVC*HC:99214:25*185.00*120.00**1~DTM*472*20261116~
        CAS*CO*45*55.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
        """
    )
    findings = {finding.code: finding for finding in posting.findings}
    assert set(findings) == {"line_out_of_balance", "line_not_paid", "claim_out_of_balance"}
    assert findings["line_out_of_balance"].payment_line_index == 0
    assert findings["line_out_of_balance"].claim_line_index == 0
    assert findings["line_not_paid"].claim_line_index == 1
    assert "MSFP-0001-2" in findings["line_not_paid"].message
    # A line the payer has not adjudicated yet is a finding, not a partial payment.
    assert posting.event is Event.REMIT_PAID


def test_claims_posting_finding_when_clp01_is_not_our_patient_control_number() -> None:
    claim = _claim()
    claim = replace(
        claim,
        claim_information=replace(claim.claim_information, patient_control_number="OTHER-1"),
    )
    posting = _post(FULL_PAYMENT, claim)
    assert _codes(posting) == ["patient_control_number_mismatch"]
    assert posting.patient_control_number == "MSFP-2026-0001"  # as the payer sent it


def test_claims_posting_crossover_by_status_carrier_and_remark() -> None:
    claim = _claim("claim-medicare-with-secondary.json")
    posting = _post(
        """
        CLP*MSFP-2026-0002*19*245.00*150.00*30.00*MB*MCR0001~
        NM1*TT*2*SANDBOX STATE MEDICAID*****PI*SBXMCD~MOA***MA18~
        SVC*HC:99214:25*185.00*120.00**1~DTM*472*20261116~
        CAS*CO*45*40.00~CAS*PR*2*25.00~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60.00*30.00**1~DTM*472*20261116~
        CAS*CO*45*25.00~CAS*PR*2*5.00~REF*6R*MSFP-0001-2~
        """,
        claim,
    )
    assert posting.crossover
    assert posting.crossover_carrier_name == "SANDBOX STATE MEDICAID"
    assert posting.crossover_carrier_id == "SBXMCD"
    assert posting.status_description == "Processed as Primary, Forwarded to Additional Payer(s)"
    assert [remark.code for remark in posting.remarks] == ["MA18"]
    assert posting.remarks[0].description is not None
    assert posting.remarks[0].description.startswith("Alert: The claim information is also")
    assert posting.event is Event.REMIT_PAID


@pytest.mark.parametrize(
    ("claim_segments", "crossover"),
    [
        ("MOA***MA18~", True),
        ("MOA***N89~", True),
        ("NM1*TT*2*SANDBOX STATE MEDICAID*****PI*SBXMCD~", True),
        ("MOA***MA01~", False),
    ],
)
def test_claims_posting_crossover_signals(claim_segments: str, crossover: bool) -> None:
    posting = _post(
        "CLP*MSFP-2026-0001*1*245.00*245.00**12*PCN0013~"
        + claim_segments
        + "SVC*HC:99214:25*185.00*185.00**1~DTM*472*20261116~REF*6R*MSFP-0001-1~"
        + "SVC*HC:83036*60.00*60.00**1~DTM*472*20261116~REF*6R*MSFP-0001-2~"
    )
    assert posting.crossover is crossover


def test_claims_posting_claim_level_only_payment() -> None:
    posting = _post(
        """
        CLP*MSFP-2026-0001*1*245.00*200.00*45.00*12*PCN0014~CAS*PR*1*45.00~MOA***MA01~
        """
    )
    assert posting.claim_level_only
    assert (posting.lines, posting.unmatched_lines) == ((), ())
    assert posting.findings == ()
    assert posting.event is Event.REMIT_PAID
    assert posting.group_total("PR") == Decimal("45.00")
    assert posting.remarks[0].code == "MA01"


def test_claims_posting_claim_level_only_with_denied_portion_is_partial() -> None:
    posting = _post("CLP*MSFP-2026-0001*1*245.00*185.00**12*PCN0015~CAS*CO*96*60.00~")
    assert posting.event is Event.REMIT_PARTIAL


@pytest.mark.parametrize(
    ("status", "event"),
    [("23", Event.NOTE), ("25", Event.NOTE), ("5", None), ("99", None)],
)
def test_claims_posting_status_without_adjudication(status: str, event: Event | None) -> None:
    posting = _post(f"CLP*MSFP-2026-0001*{status}*245.00*0**12*PCN0016~")
    assert posting.event is event
    assert ("unknown_claim_status" in _codes(posting)) is (event is None)


def test_claims_posting_json_round_trip() -> None:
    postings = [
        _post(FULL_PAYMENT),
        _post("CLP*MSFP-2026-0001*99*245.00*0**12*PCN0017~CAS*CO*ZZ9*245.00~"),
        _post(
            """
            CLP*MSFP-2026-0001*1*255.00*168.00*20.00*12*PCN0011~
            SVC*HC:99214:25*185.00*110.00**1~DTM*472*20261116~
            CAS*CO*45*55.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~LQ*HE*N130~LQ*RX*70~
            SVC*HC:36415*10.00*8.00**1*HC:36416~CAS*CO*45*2.00~
            """
        ),
    ]
    for posting in postings:
        stored = json.loads(json.dumps(encode(posting)))
        assert decode(Posting, stored) == posting
        assert encode(decode(Posting, stored)) == encode(posting)
    data = encode(postings[0])
    assert data["paid"] == "160.00"
    assert data["payment_date"] == "2026-12-01"
    assert data["event"] == "remit_paid"
    assert encode(postings[1])["event"] is None


@pytest.mark.parametrize(
    ("key", "value"),
    [("paid", 160), ("paid", "NaN"), ("event", "paid_maybe"), ("payment_date", "12/01/2026")],
)
def test_claims_posting_stored_form_refuses_what_it_did_not_store(key: str, value: object) -> None:
    data = encode(_post(FULL_PAYMENT))
    data[key] = value
    with pytest.raises(CodecError, match=key):
        decode(Posting, data)
    del data[key]
    with pytest.raises(CodecError, match=f"{key}: missing"):
        decode(Posting, data)


# -- every 835 sample ---------------------------------------------------------------------------


def _claim_for(payment: ClaimPayment) -> Claim:
    """A claim that billed exactly what the payment paid: one line per SVC, with the billed
    procedure (SVC06 when present), date, charge and REF*6R the payer echoes."""
    base = _claim()
    lines = tuple(
        ServiceLine(
            service_date=(
                line.service_date
                or line.service_start
                or payment.statement_start
                or date(2000, 1, 1)
            ),
            procedure_code=(line.original_procedure or line.procedure).code,
            procedure_modifiers=(line.original_procedure or line.procedure).modifiers,
            charge_amount=abs(line.charge),
            unit_count=line.original_units or line.units or Decimal(1),
            diagnosis_pointers=(1,),
            provider_control_number=line.line_item_control_number,
        )
        for line in payment.lines
    )
    info = replace(
        base.claim_information,
        patient_control_number=payment.patient_control_number,
        claim_charge_amount=abs(payment.charge),
        service_lines=lines,
    )
    return replace(base, claim_information=info)


def _sample_payments() -> list[tuple[str, Remittance, ClaimPayment]]:
    found: list[tuple[str, Remittance, ClaimPayment]] = []
    for path in sorted(SAMPLES_835.iterdir()):
        for remittance in iter_remittances(path.read_bytes()):
            found.extend((path.name, remittance, payment) for payment in remittance.claims)
    return found


def _post_sample(remittance: Remittance, payment: ClaimPayment) -> Posting:
    return post_claim_payment(
        _claim_for(payment),
        payment,
        trace_number=remittance.trace_number or "",
        payer_id="" if remittance.trace is None else remittance.trace.payer_id,
        payment_date=remittance.payment.effective_date,
    )


def test_claims_posting_every_sample_posts_and_every_line_matches() -> None:
    payments = _sample_payments()
    assert len(payments) > 60
    events = set()
    for name, remittance, payment in payments:
        posting = _post_sample(remittance, payment)
        assert posting.unmatched_lines == (), name
        assert len(posting.lines) == len(payment.lines), name
        assert "line_not_paid" not in _codes(posting), name
        assert decode(Posting, json.loads(json.dumps(encode(posting)))) == posting, name
        events.add(posting.event)
    assert {Event.REMIT_PAID, Event.REMIT_PARTIAL, Event.REMIT_DENIED, Event.REMIT_REVERSED} <= (
        events
    )


def test_claims_posting_samples_decide_as_a_biller_would() -> None:
    by_file: dict[str, list[Posting]] = {}
    for name, remittance, payment in _sample_payments():
        by_file.setdefault(name, []).append(_post_sample(remittance, payment))
    reversal, correction = by_file["835 Inst Sample(Inpatient DRG Retro).txt"]
    assert reversal.event is Event.REMIT_REVERSED
    assert reversal.reversal_key == f"{reversal.payer_id}|1300000000000020"
    assert [r.code for r in reversal.remarks] == ["N689"]
    assert correction.event is Event.REMIT_PAID
    denied, paid = by_file["835 Sample (Institutional Claims only).2014.txt"]
    assert (denied.status_code, denied.event) == ("3", Event.REMIT_DENIED)
    assert paid.event is Event.REMIT_PAID
    assert paid.patient_responsibility == Decimal(805)
    assert [p.event for p in by_file["secondary-payment.835"]] == [Event.REMIT_PAID] * 2
    assert [p.event for p in by_file["medicare-part-a.835"]] == [Event.REMIT_PAID] * 2
    assert [p.event for p in by_file["managed-care.835"]] == [Event.REMIT_PAID] * 2
