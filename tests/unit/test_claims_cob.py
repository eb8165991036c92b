"""Coordination of benefits: what follows a payer's 835, and the next payer's claim built from
it, checked by pyx12, the scrub and our own 837P reader. Postings come from real 835 text
through the remittance reader and `post_claim_payment`, as the remittance service makes them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.cob import (
    CobError,
    NextPayerAction,
    build_next_payer_claim,
    order_by_coverage,
    plan_next_payer,
)
from chalicelib.claims.model import (
    Adjustment,
    Claim,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
)
from chalicelib.claims.posting import Posting, post_claim_payment
from chalicelib.claims.scrub import scrub_claim
from chalicelib.codec import decode, encode
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.read.claim837p import parse_837p
from chalicelib.x12.read.remit835 import iter_remittances
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.writer import EnvelopeValues
from tests.conftest import CONTRACT
from tests.pyx12_oracle import validate_many

TODAY = date(2026, 11, 27)
PAID_ON = date(2026, 11, 25)
MEDICARE, MEDICAID, COMMERCIAL = "SBXMCR", "SBXMCD", "SBX01"
MEDICARE_CCN = "2226330512345"


def _contract(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def _medicare_claim() -> Claim:
    return _contract("claim-medicare-with-secondary.json")


def _post(claim: Claim, body: str, *, payer_id: str, paid_on: date | None = PAID_ON) -> Posting:
    """`body` (Loop 2100 segments) in a whole 835, read by the real reader and posted."""
    segments = [s.strip() for s in body.split("~") if s.strip()]
    bpr_date = "" if paid_on is None else paid_on.strftime("%Y%m%d")
    transaction = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*0*C*NON************{bpr_date}",
        f"TRN*1*EFT-{payer_id}*1{payer_id}",
        f"N1*PR*{payer_id} PAYER*XV*{payer_id}",
        "N1*PE*MAPLE STREET FAMILY PRACTICE*XX*1234567893",
        "LX*1",
        *segments,
    ]
    text = (
        "ISA*00*          *00*          *ZZ*SBXCH          *ZZ*CLAIMGATE      "
        "*261125*1200*^*00501*000000001*0*T*:~"
        "GS*HP*SBXCH*CLAIMGATE*20261125*1200*1*X*005010X221A1~"
        + "".join(s + "~" for s in transaction)
        + f"SE*{len(transaction) + 1}*0001~GE*1*1~IEA*1*000000001~"
    )
    (remittance,) = iter_remittances(text.encode())
    (payment,) = remittance.claims
    return post_claim_payment(
        claim, payment, trace_number=f"EFT-{payer_id}", payer_id=payer_id, payment_date=paid_on
    )


# Medicare pays both lines at 80 % of its allowed amount: CO-45 down to the fee schedule,
# PR-2 the 20 % coinsurance the Medicaid secondary may pick up.
MEDICARE_PAID = f"""
CLP*MSFP-2026-0002*1*245*144*36*MB*{MEDICARE_CCN}~
SVC*HC:99214:25*185*104**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*2*26~REF*6R*MSFP-0001-1~
SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*10~CAS*PR*2*10~REF*6R*MSFP-0001-2~
"""


def _medicare_posting(claim: Claim | None = None, body: str = MEDICARE_PAID) -> Posting:
    return _post(claim or _medicare_claim(), body, payer_id=MEDICARE)


def _secondary(claim: Claim | None = None, posting: Posting | None = None) -> Claim:
    claim = claim or _medicare_claim()
    return build_next_payer_claim(
        claim,
        posting or _medicare_posting(claim),
        control_number="000000102",
        adjudication_date=date(2026, 11, 26),
    )


def _with_commercial_secondary() -> Claim:
    """Medicare primary, a commercial PPO secondary, Medicaid (payer of last resort)
    tertiary."""
    claim = _medicare_claim()
    medicaid = claim.claim_information.other_subscribers[0]
    commercial = OtherSubscriberInformation(
        payment_responsibility_level_code="S",
        individual_relationship_code="18",
        claim_filing_indicator_code="12",
        insured=OtherInsured(last_name="Brandt", first_name="Walter", identifier="W987654321"),
        payer=OtherPayer(organization_name="Sandbox Commercial PPO", identifier=COMMERCIAL),
        group_number="GRP4410",
    )
    tertiary = replace(medicaid, payment_responsibility_level_code="T")
    return replace(
        claim,
        claim_information=replace(
            claim.claim_information, other_subscribers=(commercial, tertiary)
        ),
    )


# The PPO as secondary: OA-23 is Medicare's impact (its payment and write-off), PR-2 what the
# patient still owes after both.
COMMERCIAL_PAID = """
CLP*MSFP-2026-0002*2*245*30*6*12*SBX-77123~
SVC*HC:99214:25*185*20**1~DTM*472*20261116~CAS*OA*23*159~CAS*PR*2*6~REF*6R*MSFP-0001-1~
SVC*HC:83036*60*10**1~DTM*472*20261116~CAS*OA*23*50~REF*6R*MSFP-0001-2~
"""


def _tertiary() -> tuple[Claim, Claim, Posting]:
    """(the secondary claim to the PPO, the tertiary claim to Medicaid, the PPO's posting)."""
    primary = _with_commercial_secondary()
    secondary = _secondary(primary)
    posting = _post(secondary, COMMERCIAL_PAID, payer_id=COMMERCIAL)
    tertiary = build_next_payer_claim(
        secondary, posting, control_number="000000103", adjudication_date=PAID_ON
    )
    return secondary, tertiary, posting


def _spouse_secondary() -> Claim:
    """The patient is Medicare's beneficiary (self) and a dependent (spouse, 01) on the
    secondary's policy."""
    claim = _medicare_claim()
    spouse_plan = OtherSubscriberInformation(
        payment_responsibility_level_code="S",
        individual_relationship_code="01",
        claim_filing_indicator_code="CI",
        insured=OtherInsured(last_name="Brandt", first_name="Greta", identifier="EMP44120"),
        payer=OtherPayer(organization_name="Sandbox Commercial PPO", identifier=COMMERCIAL),
    )
    return replace(
        claim,
        claim_information=replace(claim.claim_information, other_subscribers=(spouse_plan,)),
    )


# Denied in full at claim level: no SVC lines (CLP02 4).
MEDICARE_DENIED = f"""
CLP*MSFP-2026-0002*4*245*0*0*MB*{MEDICARE_CCN}~CAS*CO*16*245~MOA***MA130~
"""

# Line paid, claim-level sequestration on top (X222A1 1.4.1.1: adjustments at both levels).
MEDICARE_WITH_CLAIM_ADJUSTMENT = f"""
CLP*MSFP-2026-0002*1*245*141.12*36*MB*{MEDICARE_CCN}~CAS*CO*253*2.88~
SVC*HC:99214:25*185*104**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*2*26~REF*6R*MSFP-0001-1~
SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*10~CAS*PR*2*10~REF*6R*MSFP-0001-2~
"""


def _render(claim: Claim, interchange: int) -> str:
    envelope = EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="CLAIMGATE",
        receiver_qualifier="ZZ",
        receiver_id="SANDBOXCH",
        interchange_control_number=interchange,
        group_control_number=interchange,
        date=date(2026, 11, 26),
        time="0900",
        usage_indicator=claim.usage_indicator,
        functional_id="HC",
        implementation_reference="005010X222A1",
    )
    return render_837p(
        [claim],
        envelope,
        submitter_id="MSFP01",
        receiver_id="SANDBOXCH",
        transaction_control_number=claim.control_number,
        reference_id="COB-0001",
        created_at=datetime(2026, 11, 26, 9, 0),
    )


def _segments(text: str) -> list[str]:
    return [s for s in text.split("~") if s]


def _texts() -> dict[str, str]:
    _, tertiary, _ = _tertiary()
    claim = _medicare_claim()
    return {
        "secondary": _render(_secondary(), 301),
        "tertiary": _render(tertiary, 302),
        "claim_adjustment": _render(
            _secondary(claim, _medicare_posting(claim, MEDICARE_WITH_CLAIM_ADJUSTMENT)), 303
        ),
        "denied": _render(_secondary(claim, _medicare_posting(claim, MEDICARE_DENIED)), 304),
        "spouse": _render(_secondary(_spouse_secondary()), 305),
    }


@pytest.fixture(scope="module")
def verdicts() -> dict[str, list[str]]:
    """Everything this module asks pyx12, in one run (loading its maps is the slow part)."""
    return validate_many(_texts())


def _assert_pyx12_clean(verdicts: dict[str, list[str]], key: str) -> None:
    errors = verdicts[key]
    assert errors == [], "pyx12 found errors:\n" + "\n".join(errors)


# -- primary paid: bill the secondary -------------------------------------------------------


def test_claims_cob_primary_paid_with_coinsurance_bills_the_secondary() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(claim)
    assert posting.findings == ()

    decision = plan_next_payer(claim, [posting])

    assert decision.action is NextPayerAction.BILL_NEXT
    assert decision.next_payer is claim.claim_information.other_subscribers[0]
    assert decision.next_payer.payer.identifier == MEDICAID
    assert decision.posting_key == f"{MEDICARE}|{MEDICARE_CCN}"
    assert decision.paid_by_payers == Decimal("144.00")
    assert decision.balance == Decimal("36.00")  # 245 - 144 paid - 65 CO-45
    assert decision.patient_responsibility == Decimal("36.00")
    assert "bill SBXMCD (S)" in decision.reason


def test_claims_cob_secondary_claim_is_addressed_to_the_next_payer() -> None:
    claim = _medicare_claim()
    secondary = _secondary(claim)
    info = secondary.claim_information

    assert secondary.control_number == "000000102"
    assert secondary.trading_partner_service_id == MEDICAID
    assert secondary.trading_partner_name == "Sandbox State Medicaid"
    assert secondary.receiver_name == "Sandbox State Medicaid"
    assert info.claim_filing_code == "MC"
    assert secondary.subscriber.payment_responsibility_level_code == "S"
    assert secondary.subscriber.member_id == "MCD55512345"  # 2330A of the Medicaid 2320
    assert secondary.subscriber.date_of_birth == claim.subscriber.date_of_birth
    assert secondary.dependent is None
    assert info.claim_frequency_code == "1"
    assert info.payer_claim_control_number is None
    assert info.patient_control_number == "MSFP-2026-0002"
    assert [line.provider_control_number for line in info.service_lines] == [
        "MSFP-0001-1",
        "MSFP-0001-2",
    ]
    (medicare,) = info.other_subscribers
    assert (medicare.payment_responsibility_level_code, medicare.claim_filing_indicator_code) == (
        "P",
        "MB",
    )
    assert medicare.individual_relationship_code == "18"
    assert (medicare.insured.identifier, medicare.insured.last_name) == ("1EG4TE5MK73", "Brandt")
    assert medicare.payer == OtherPayer(
        organization_name="Sandbox Medicare Part B",
        identifier=MEDICARE,
        claim_control_number=MEDICARE_CCN,
        adjudication_date=PAID_ON,  # BPR16, not the fallback argument
    )
    assert medicare.payer_paid_amount == Decimal("144.00")
    assert medicare.remaining_patient_liability == Decimal("36.00")
    assert medicare.claim_adjustments == ()


def test_claims_cob_secondary_claim_carries_the_primary_adjudication() -> None:
    found = _segments(_render(_secondary(), 301))
    at = found.index("SBR*P*18*******MB")
    assert found[at : at + 7] == [
        "SBR*P*18*******MB",  # 2320
        "AMT*D*144",
        "AMT*EAF*36",
        "OI***Y***Y",
        "NM1*IL*1*Brandt*Walter****MI*1EG4TE5MK73",  # 2330A: our Medicare subscriber
        "NM1*PR*2*Sandbox Medicare Part B*****PI*SBXMCR",  # 2330B
        "DTP*573*D8*20261125",
    ]
    assert found[at + 7] == f"REF*F8*{MEDICARE_CCN}"
    assert "SBR*S*18*******MC" in found  # 2000B: Medicaid is the payer now
    assert "NM1*PR*2*Sandbox State Medicaid*****PI*SBXMCD" in found
    first = found.index("LX*1")
    assert found[first + 4 : first + 8] == [
        "SVD*SBXMCR*104*HC:99214:25**1",
        "CAS*CO*45*55",
        "CAS*PR*2*26",
        "DTP*573*D8*20261125",
    ]
    second = found.index("LX*2")
    assert found[second + 4 : second + 8] == [
        "SVD*SBXMCR*40*HC:83036**1",
        "CAS*CO*45*10",
        "CAS*PR*2*10",
        "DTP*573*D8*20261125",
    ]


def test_claims_cob_every_line_balances_to_its_charge() -> None:
    secondary = _secondary()
    info = secondary.claim_information
    (medicare,) = info.other_subscribers
    line_adjustments = Decimal(0)
    for line in info.service_lines:
        (adjudication,) = line.line_adjudications
        adjusted = sum((a.amount for a in adjudication.adjustments), Decimal(0))
        assert adjudication.paid_amount + adjusted == line.charge_amount
        line_adjustments += adjusted
    claim_adjusted = sum((a.amount for a in medicare.claim_adjustments), Decimal(0))
    assert medicare.payer_paid_amount is not None
    total = medicare.payer_paid_amount + claim_adjusted + line_adjustments
    assert total == info.claim_charge_amount


def test_claims_cob_secondary_claim_passes_pyx12_and_scrubs_clean(
    verdicts: dict[str, list[str]],
) -> None:
    _assert_pyx12_clean(verdicts, "secondary")
    assert scrub_claim(_secondary(), today=TODAY) == ()


def test_claims_cob_secondary_claim_reads_back_as_built() -> None:
    secondary = _secondary()
    (ts,) = EnvelopeReader(_render(secondary, 301).encode())
    (item,) = parse_837p(ts)
    assert item.error is None
    assert item.findings == ()
    assert item.claim is not None
    assert item.claim.claim_information == secondary.claim_information
    assert item.claim.subscriber == secondary.subscriber
    assert item.claim.trading_partner_service_id == MEDICAID


def test_claims_cob_claim_level_adjustments_go_to_2320_cas(
    verdicts: dict[str, list[str]],
) -> None:
    claim = _medicare_claim()
    secondary = _secondary(claim, _medicare_posting(claim, MEDICARE_WITH_CLAIM_ADJUSTMENT))
    (medicare,) = secondary.claim_information.other_subscribers
    assert medicare.claim_adjustments == (Adjustment("CO", "253", Decimal("2.88")),)
    assert medicare.payer_paid_amount == Decimal("141.12")
    found = _segments(_render(secondary, 303))
    at = found.index("SBR*P*18*******MB")
    assert found[at + 1 : at + 3] == ["CAS*CO*253*2.88", "AMT*D*141.12"]
    _assert_pyx12_clean(verdicts, "claim_adjustment")


def test_claims_cob_stored_posting_builds_the_same_claim() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(claim)
    stored = decode(Posting, encode(posting))
    assert _secondary(claim, stored) == _secondary(claim, posting)


def test_claims_cob_adjudication_date_stands_in_without_a_payment_date() -> None:
    claim = _medicare_claim()
    posting = _post(claim, MEDICARE_PAID, payer_id=MEDICARE, paid_on=None)
    secondary = _secondary(claim, posting)  # adjudication_date 2026-11-26
    (medicare,) = secondary.claim_information.other_subscribers
    assert medicare.payer.adjudication_date == date(2026, 11, 26)
    dates = {
        adjudication.adjudication_date
        for line in secondary.claim_information.service_lines
        for adjudication in line.line_adjudications
    }
    assert dates == {date(2026, 11, 26)}


# -- when the next payer is not billed -----------------------------------------------------


def test_claims_cob_crossover_is_not_billed() -> None:
    claim = _medicare_claim()
    crossed = _post(
        claim,
        f"""
        CLP*MSFP-2026-0002*19*245*144*36*MB*{MEDICARE_CCN}~
        NM1*TT*2*SANDBOX STATE MEDICAID*****PI*SBXMCD~MOA***MA18~
        SVC*HC:99214:25*185*104**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*2*26~
        REF*6R*MSFP-0001-1~
        SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*10~CAS*PR*2*10~REF*6R*MSFP-0001-2~
        """,
        payer_id=MEDICARE,
    )
    assert crossed.crossover

    decision = plan_next_payer(claim, [crossed])

    assert decision.action is NextPayerAction.CROSSED_OVER
    assert decision.next_payer is not None
    assert decision.next_payer.payer.identifier == MEDICAID
    assert "CLP02 19, NM1*TT, MA18" in decision.reason
    assert "do not bill" in decision.reason


def test_claims_cob_crossover_by_remark_alone() -> None:
    claim = _medicare_claim()
    body = MEDICARE_PAID.replace(f"{MEDICARE_CCN}~", f"{MEDICARE_CCN}~MOA***MA18~", 1)
    decision = plan_next_payer(claim, [_medicare_posting(claim, body)])
    assert decision.action is NextPayerAction.CROSSED_OVER
    assert "(MA18)" in decision.reason


def test_claims_cob_no_other_payer_nothing_to_bill() -> None:
    claim = _contract("claim-basic.json")
    posting = _post(
        claim,
        """
        CLP*MSFP-2026-0001*1*245*160*20*12*PCN0001~
        SVC*HC:99214:25*185*110**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*3*20~
        REF*6R*MSFP-0001-1~
        SVC*HC:83036*60*50**1~DTM*472*20261116~CAS*CO*45*10~REF*6R*MSFP-0001-2~
        """,
        payer_id=COMMERCIAL,
    )
    decision = plan_next_payer(claim, [posting])
    assert decision.action is NextPayerAction.NOTHING_TO_BILL
    assert decision.next_payer is None
    assert decision.patient_responsibility == Decimal("20.00")  # the patient's, not a payer's
    with pytest.raises(CobError, match="no payer after responsibility level P"):
        build_next_payer_claim(
            claim, posting, control_number="000000109", adjudication_date=PAID_ON
        )


def test_claims_cob_paid_in_full_leaves_nothing_for_the_secondary() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(
        claim,
        f"""
        CLP*MSFP-2026-0002*1*245*180*0*MB*{MEDICARE_CCN}~
        SVC*HC:99214:25*185*130**1~DTM*472*20261116~CAS*CO*45*55~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60*50**1~DTM*472*20261116~CAS*CO*45*10~REF*6R*MSFP-0001-2~
        """,
    )
    decision = plan_next_payer(claim, [posting])
    assert decision.action is NextPayerAction.NOTHING_TO_BILL
    assert (decision.balance, decision.patient_responsibility) == (Decimal(0), Decimal(0))
    assert decision.next_payer is not None  # on file, but owed nothing


def test_claims_cob_denied_primary_needs_a_person(verdicts: dict[str, list[str]]) -> None:
    claim = _medicare_claim()
    denied = _medicare_posting(claim, MEDICARE_DENIED)

    decision = plan_next_payer(claim, [denied])

    assert decision.action is NextPayerAction.DENIED
    assert "CO-16" in decision.reason
    assert "SBXMCD (S)" in decision.reason
    # A person may still decide to bill Medicaid with the denial: claim level only, no 2430.
    secondary = _secondary(claim, denied)
    (medicare,) = secondary.claim_information.other_subscribers
    assert medicare.payer_paid_amount == Decimal(0)
    assert medicare.claim_adjustments == (Adjustment("CO", "16", Decimal("245.00")),)
    assert all(not line.line_adjudications for line in secondary.claim_information.service_lines)
    _assert_pyx12_clean(verdicts, "denied")


def test_claims_cob_reversal_is_not_billed() -> None:
    claim = _medicare_claim()
    paid = _medicare_posting(claim)
    reversal = _medicare_posting(
        claim,
        f"""
        CLP*MSFP-2026-0002*22*-245*-144*-36*MB*{MEDICARE_CCN}~
        SVC*HC:99214:25*-185*-104**1~DTM*472*20261116~CAS*CO*45*-55~CAS*PR*2*-26~
        REF*6R*MSFP-0001-1~
        SVC*HC:83036*-60*-40**1~DTM*472*20261116~CAS*CO*45*-10~CAS*PR*2*-10~
        REF*6R*MSFP-0001-2~
        """,
    )
    decision = plan_next_payer(claim, [paid, reversal])
    assert decision.action is NextPayerAction.REVERSED
    assert decision.paid_by_payers == Decimal(0)  # the reversal takes the payment back
    assert f"CLP07 {MEDICARE_CCN}" in decision.reason
    with pytest.raises(CobError, match="CLP02 22"):
        _secondary(claim, reversal)


def test_claims_cob_predetermination_is_reviewed() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(claim, MEDICARE_PAID.replace("*1*245*144", "*25*245*0", 1))
    decision = plan_next_payer(claim, [posting])
    assert decision.action is NextPayerAction.REVIEW
    assert "CLP02 25" in decision.reason


def test_claims_cob_without_postings_raises() -> None:
    with pytest.raises(CobError, match="no remittance"):
        plan_next_payer(_medicare_claim(), [])


# -- remittances that cannot carry a COB claim ---------------------------------------------


def test_claims_cob_line_out_of_balance_names_the_line() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(
        claim,
        f"""
        CLP*MSFP-2026-0002*1*245*144*30*MB*{MEDICARE_CCN}~
        SVC*HC:99214:25*185*104**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*2*20~
        REF*6R*MSFP-0001-1~
        SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*10~CAS*PR*2*10~REF*6R*MSFP-0001-2~
        """,
    )
    message = r"claim line 1 \(99214, REF\*6R MSFP-0001-1\) does not balance"
    with pytest.raises(CobError, match=message) as raised:
        _secondary(claim, posting)
    assert "185.00 is not paid 104.00 + adjustments 75.00" in str(raised.value)
    decision = plan_next_payer(claim, [posting])
    assert decision.action is NextPayerAction.REVIEW
    assert "claim line 1 (99214, REF*6R MSFP-0001-1) does not balance" in decision.reason


def test_claims_cob_line_without_payment_names_the_line() -> None:
    claim = _medicare_claim()
    posting = _medicare_posting(
        claim,
        f"""
        CLP*MSFP-2026-0002*1*185*104*26*MB*{MEDICARE_CCN}~
        SVC*HC:99214:25*185*104**1~DTM*472*20261116~CAS*CO*45*55~CAS*PR*2*26~
        REF*6R*MSFP-0001-1~MOA***MA15~
        """,
    )
    message = r"claim line 2 \(83036, REF\*6R MSFP-0001-2\) has no payment line"
    with pytest.raises(CobError, match=message):
        _secondary(claim, posting)
    assert plan_next_payer(claim, [posting]).action is NextPayerAction.REVIEW


def test_claims_cob_remittance_from_another_payer_on_file_is_refused() -> None:
    claim = _medicare_claim()
    medicaid_835 = _post(
        claim, COMMERCIAL_PAID.replace("*2*245*30*6*12*", "*2*245*30*6*MC*", 1), payer_id=MEDICAID
    )
    with pytest.raises(CobError, match="another payer on file"):
        _secondary(claim, medicaid_835)


# -- tertiary: primary -> secondary -> tertiary ----------------------------------------------


def test_claims_cob_tertiary_stays_on_file_while_billing_the_secondary() -> None:
    primary = _with_commercial_secondary()
    decision = plan_next_payer(primary, [_medicare_posting(primary)])
    assert decision.action is NextPayerAction.BILL_NEXT
    assert decision.next_payer is not None
    assert decision.next_payer.payer.identifier == COMMERCIAL  # S before T

    secondary = _secondary(primary)
    assert secondary.trading_partner_service_id == COMMERCIAL
    assert secondary.subscriber.group_number == "GRP4410"
    assert secondary.claim_information.claim_filing_code == "12"
    medicare, medicaid = secondary.claim_information.other_subscribers
    assert medicare.payment_responsibility_level_code == "P"
    assert medicare.payer_paid_amount == Decimal("144.00")
    assert medicaid.payment_responsibility_level_code == "T"
    assert medicaid.payer.identifier == MEDICAID
    assert (medicaid.payer_paid_amount, medicaid.claim_adjustments) == (None, ())
    assert scrub_claim(secondary, today=TODAY) == ()


def test_claims_cob_tertiary_carries_both_prior_payers(verdicts: dict[str, list[str]]) -> None:
    secondary, tertiary, posting = _tertiary()

    decision = plan_next_payer(secondary, [posting])

    assert decision.action is NextPayerAction.BILL_NEXT
    assert decision.next_payer is not None
    assert decision.next_payer.payer.identifier == MEDICAID
    assert decision.paid_by_payers == Decimal("174.00")  # Medicare 144 (2320) + PPO 30
    assert decision.balance == Decimal("6.00")  # 245 - 174 - Medicare's CO-45 65
    assert decision.patient_responsibility == Decimal("6.00")

    info = tertiary.claim_information
    assert tertiary.trading_partner_service_id == MEDICAID
    assert tertiary.subscriber.payment_responsibility_level_code == "T"
    assert tertiary.subscriber.member_id == "MCD55512345"
    assert info.claim_filing_code == "MC"
    medicare, commercial = info.other_subscribers
    assert medicare == secondary.claim_information.other_subscribers[0]  # as it was
    assert commercial.payment_responsibility_level_code == "S"
    assert commercial.claim_filing_indicator_code == "12"
    assert commercial.group_number == "GRP4410"
    assert commercial.insured.identifier == "W987654321"
    assert commercial.payer.claim_control_number == "SBX-77123"
    assert commercial.payer_paid_amount == Decimal("30.00")
    assert commercial.remaining_patient_liability == Decimal("6.00")
    for line in info.service_lines:
        assert [a.other_payer_primary_identifier for a in line.line_adjudications] == [
            MEDICARE,
            COMMERCIAL,
        ]
        for adjudication in line.line_adjudications:
            adjusted = sum((a.amount for a in adjudication.adjustments), Decimal(0))
            assert adjudication.paid_amount + adjusted == line.charge_amount

    found = _segments(_render(tertiary, 302))
    assert [s for s in found if s.startswith("SBR*")] == [
        "SBR*T*18*******MC",
        "SBR*P*18*******MB",
        "SBR*S*18*GRP4410******12",
    ]
    assert [s for s in found if s.startswith("SVD*")] == [
        "SVD*SBXMCR*104*HC:99214:25**1",
        "SVD*SBX01*20*HC:99214:25**1",
        "SVD*SBXMCR*40*HC:83036**1",
        "SVD*SBX01*10*HC:83036**1",
    ]
    _assert_pyx12_clean(verdicts, "tertiary")
    assert scrub_claim(tertiary, today=TODAY) == ()


def test_claims_cob_tertiary_settled_by_the_secondary_is_not_billed() -> None:
    secondary, _, _ = _tertiary()
    settled = _post(
        secondary,
        """
        CLP*MSFP-2026-0002*2*245*36*0*12*SBX-77124~
        SVC*HC:99214:25*185*26**1~DTM*472*20261116~CAS*OA*23*159~REF*6R*MSFP-0001-1~
        SVC*HC:83036*60*10**1~DTM*472*20261116~CAS*OA*23*50~REF*6R*MSFP-0001-2~
        """,
        payer_id=COMMERCIAL,
    )
    decision = plan_next_payer(secondary, [settled])
    assert decision.action is NextPayerAction.NOTHING_TO_BILL
    assert decision.balance == Decimal(0)


# -- the next payer's insured is not the patient --------------------------------------------


def test_claims_cob_patient_becomes_a_dependent_of_the_secondarys_insured(
    verdicts: dict[str, list[str]],
) -> None:
    claim = _spouse_secondary()
    secondary = _secondary(claim)
    assert secondary.subscriber.member_id == "EMP44120"
    assert (secondary.subscriber.first_name, secondary.subscriber.last_name) == (
        "Greta",
        "Brandt",
    )
    assert secondary.subscriber.date_of_birth is None  # 2330A carries no DMG
    assert secondary.dependent is not None
    assert secondary.dependent.relationship_to_subscriber_code == "01"
    assert secondary.dependent.date_of_birth == claim.subscriber.date_of_birth
    (medicare,) = secondary.claim_information.other_subscribers
    assert medicare.individual_relationship_code == "18"  # the patient is Medicare's insured
    _assert_pyx12_clean(verdicts, "spouse")
    # The scrub asks for what only the practice can supply.
    assert [(f.field, f.code) for f in scrub_claim(secondary, today=TODAY)] == [
        ("subscriber.dateOfBirth", "required_field_missing")
    ]


# -- the order a 271 gives (2120C NM101 PRP / SEP / TTP) ----------------------------------------


def _levels(claim: Claim) -> list[tuple[str, str]]:
    return [
        (o.payer.identifier, o.payment_responsibility_level_code)
        for o in claim.claim_information.other_subscribers
    ]


def test_a_271_naming_the_tertiary_as_secondary_swaps_them() -> None:
    claim = _with_commercial_secondary()  # Medicare P; the PPO S, Medicaid T on file
    order = order_by_coverage(claim, [("SEP", MEDICAID)])
    assert order.changed and order.missing == ()
    assert _levels(order.claim) == [(MEDICAID, "S"), (COMMERCIAL, "T")]


def test_an_order_the_claim_already_has_changes_nothing() -> None:
    claim = _with_commercial_secondary()
    order = order_by_coverage(claim, [("SEP", COMMERCIAL), ("TTP", MEDICAID)])
    assert not order.changed and order.claim is claim


def test_the_claims_own_payer_and_other_entities_keep_their_place() -> None:
    claim = _with_commercial_secondary()
    # PRP naming Medicare (the claim's own payer, primary): a scrub warning's business, not
    # a reordering; P5 (plan sponsor) places nobody.
    order = order_by_coverage(claim, [("PRP", MEDICARE), ("PRP", COMMERCIAL), ("P5", MEDICAID)])
    assert not order.changed


def test_a_payer_the_271_places_that_is_not_on_file_is_named_missing() -> None:
    order = order_by_coverage(_medicare_claim(), [("SEP", "BCBS1")])
    assert order.missing == ("BCBS1 (SEP)",) and not order.changed


def test_an_unknown_level_stays_outside_the_order() -> None:
    claim = _with_commercial_secondary()
    commercial, medicaid = claim.claim_information.other_subscribers
    unknown = replace(medicaid, payment_responsibility_level_code="U")
    claim = replace(
        claim,
        claim_information=replace(claim.claim_information, other_subscribers=(commercial, unknown)),
    )
    order = order_by_coverage(claim, [("TTP", COMMERCIAL)])
    assert _levels(order.claim) == [(COMMERCIAL, "T"), (MEDICAID, "U")]
