"""Payment mismatches: real 835 text, read by the real reader and posted against the contract
example claim, judged by the sandbox commercial payer's own fee schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import Claim, ServiceLine
from chalicelib.claims.posting import PostedLine, Posting, post_claim_payment
from chalicelib.claims.variance import (
    VarianceFlag,
    allowed_amount,
    check_payment,
    check_remittance_balance,
    contract_gaps,
    contract_rate_for,
)
from chalicelib.codec import decode, encode
from chalicelib.payers.fee_schedules import (
    ContractedRate,
    FeeScheduleRow,
    FeeScheduleVersion,
)
from chalicelib.payers.gateways.sandbox.payers import sandbox_contract_rows
from chalicelib.x12.read.remit835 import Remittance, iter_remittances

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
PAYER_ID = "SBX01"
TRACE = "EFT20261201"
PAID_ON = date(2026, 12, 1)
CONTRACT_START = date(2026, 1, 1)
SANDBOX_CONTRACT = FeeScheduleVersion(
    1,
    datetime(2026, 1, 2, tzinfo=UTC),
    sandbox_contract_rows(PAYER_ID, CONTRACT_START),
    "json",
)  # 99214 172.00, 83036 18.00


def _claim() -> Claim:
    text = (CONTRACT / "claim-basic.json").read_text()
    return ClaimRequest.model_validate_json(text).to_claim()


def _remittance(body: str, total_paid: str = "0") -> Remittance:
    """One 835 around the given Loop 2100 segments, read by the real reader."""
    segments = [s.strip() for s in body.split("~") if s.strip()]
    header = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{total_paid}*C*NON************20261201",
        f"TRN*1*{TRACE}*1{PAYER_ID}",
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


def _post(body: str, claim: Claim | None = None) -> Posting:
    (payment,) = _remittance(body).claims
    return post_claim_payment(
        claim or _claim(), payment, trace_number=TRACE, payer_id=PAYER_ID, payment_date=PAID_ON
    )


def _check(
    body: str, claim: Claim | None = None, **tolerances: Decimal
) -> tuple[VarianceFlag, ...]:
    claim = claim or _claim()
    posting = _post(body, claim)
    return check_payment(
        posting, claim, rate_for=contract_rate_for([SANDBOX_CONTRACT], claim), **tolerances
    )


def _summary(
    flags: tuple[VarianceFlag, ...],
) -> list[tuple[str, int | None, str | None, str, str, str]]:
    return [
        (
            f.kind,
            f.claim_line_index,
            f.procedure_code,
            str(f.expected),
            str(f.actual),
            str(f.difference),
        )
        for f in flags
    ]


# 99214-25: allowed 154.80 (the sandbox's 10 % underpayment of 172.00), copay 20;
# 83036: allowed 18.00 as contracted.
UNDERPAID = """
CLP*MSFP-2026-0001*1*245.00*152.80*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*134.80**1~DTM*472*20261116~
CAS*CO*45*30.20~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~AMT*B6*154.80~
SVC*HC:83036*60.00*18.00**1~DTM*472*20261116~
CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""


def test_claims_variance_underpaid_line_beyond_tolerance() -> None:
    (flag,) = _check(UNDERPAID)
    assert _summary((flag,)) == [("underpaid", 0, "99214", "172.00", "154.80", "17.20")]
    assert flag.payment_line_index == 0
    assert flag.patient_control_number == "MSFP-2026-0001"
    assert flag.contract is not None
    assert (flag.contract.version, flag.contract.row.procedure_code) == (1, "99214")
    assert flag.contract.row.modifier is None
    assert "claim line 1 99214-25" in flag.detail
    assert "fee schedule v1 row 99214 from 2026-01-01" in flag.detail
    stored = encode(flag)
    assert stored["kind"] == "underpaid"
    assert (stored["expected"], stored["actual"], stored["difference"]) == (
        "172.00",
        "154.80",
        "17.20",
    )
    assert stored["contract"] == {
        "amount": "172.00",
        "version": 1,
        "row": {
            "procedure_code": "99214",
            "modifier": None,
            "place_of_service": None,
            "amount": "172.00",
            "effective_from": "2026-01-01",
            "effective_to": None,
        },
    }


def test_claims_variance_within_tolerance_not_flagged() -> None:
    # 99214 1.00 under: within 1 % of 172.00 (1.72); 83036 0.40 under: within 0.50.
    body = """
CLP*MSFP-2026-0001*1*245.00*168.60*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*151.00**1~CAS*CO*45*14.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*171.00~
SVC*HC:83036*60.00*17.60**1~CAS*CO*45*42.40~REF*6R*MSFP-0001-2~AMT*B6*17.60~
"""
    assert _check(body) == ()
    # The same payment judged without the percentage: 99214 is 1.00 under, beyond 0.50.
    assert _summary(_check(body, tolerance_percent=Decimal(0))) == [
        ("underpaid", 0, "99214", "172.00", "171.00", "1.00")
    ]
    # With no slack at all, 83036's 0.40 shows too.
    assert [
        f.procedure_code for f in _check(body, tolerance=Decimal(0), tolerance_percent=Decimal(0))
    ] == [
        "99214",
        "83036",
    ]


def test_claims_variance_small_line_beyond_the_absolute_tolerance() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*169.40*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*152.00**1~CAS*CO*45*13.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
SVC*HC:83036*60.00*17.40**1~CAS*CO*45*42.60~REF*6R*MSFP-0001-2~
"""
    # No AMT*B6: allowed is the charge less CO. 83036 is 0.60 under: beyond 0.50.
    assert _summary(_check(body)) == [("underpaid", 1, "83036", "18.00", "17.40", "0.60")]


def test_claims_variance_overpaid_line() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*178.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*160.00**1~CAS*CO*45*5.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*180.00~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""
    (flag,) = _check(body)
    assert _summary((flag,)) == [("overpaid", 0, "99214", "172.00", "180.00", "-8.00")]
    assert "above the contract" in flag.detail


def test_claims_variance_math_error_when_paid_disagrees_with_allowed() -> None:
    # Balanced (185 - 15 - 20 = 150), but the payer's own allowed 172 less the 20 copay is 152.
    body = """
CLP*MSFP-2026-0001*1*245.00*168.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*150.00**1~CAS*CO*45*15.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*172.00~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""
    (flag,) = _check(body)
    assert _summary((flag,)) == [("math_error", 0, "99214", "152.00", "150.00", "2.00")]
    assert "allowed 172.00 less patient responsibility 20.00 is 152.00" in flag.detail
    assert flag.contract is None


def test_claims_variance_one_cent_is_not_a_math_error() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*170.01*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*152.01**1~CAS*CO*45*12.99~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*172.00~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""
    assert _check(body) == ()


def test_claims_variance_denied_line_is_not_underpaid() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*152.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*152.00**1~CAS*CO*45*13.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*172.00~
SVC*HC:83036*60.00*0.00**1~CAS*CO*16*60.00~REF*6R*MSFP-0001-2~LQ*HE*M51~
"""
    posting = _post(body)
    assert posting.lines[1].denied
    assert _check(body) == ()


def test_claims_variance_denied_claim_is_not_compared() -> None:
    body = """
CLP*MSFP-2026-0001*4*245.00*0.00*0.00*12*PCN0001~
SVC*HC:99214:25*185.00*0.00**1~CAS*CO*29*185.00~REF*6R*MSFP-0001-1~
SVC*HC:83036*60.00*0.00**1~CAS*CO*29*60.00~REF*6R*MSFP-0001-2~
"""
    assert _check(body) == ()


def test_claims_variance_reversal_is_skipped() -> None:
    body = """
CLP*MSFP-2026-0001*22*-245.00*-152.80*-20.00*12*PCN0001~
SVC*HC:99214:25*-185.00*-134.80**1~CAS*CO*45*-30.20~CAS*PR*3*-20.00~REF*6R*MSFP-0001-1~
AMT*B6*-154.80~
SVC*HC:83036*-60.00*-18.00**1~CAS*CO*45*-42.00~REF*6R*MSFP-0001-2~AMT*B6*-18.00~
"""
    posting = _post(body)
    assert posting.is_reversal
    assert _check(body) == ()


@pytest.mark.parametrize("status", ["2", "20"])
def test_claims_variance_secondary_payment_skips_contract_but_checks_math(status: str) -> None:
    # Allowed 100 (far below the primary's contract), less the prior payer's 80 (OA-23).
    body = f"""
CLP*MSFP-2026-0001*{status}*245.00*38.00*0.00*12*PCN0001~
SVC*HC:99214:25*185.00*20.00**1~CAS*CO*45*85.00~CAS*OA*23*80.00~REF*6R*MSFP-0001-1~
AMT*B6*100.00~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""
    assert _check(body) == ()
    wrong = body.replace("*38.00*0.00*", "*33.00*0.00*").replace(
        "*185.00*20.00**1~CAS*CO*45*85.00", "*185.00*15.00**1~CAS*CO*45*90.00"
    )
    assert _summary(_check(wrong)) == [("math_error", 0, "99214", "20.00", "15.00", "5.00")]


def test_claims_variance_secondary_pays_nothing_when_the_primary_paid_more_than_allowed() -> None:
    body = """
CLP*MSFP-2026-0001*2*245.00*18.00*0.00*12*PCN0001~
SVC*HC:99214:25*185.00*0.00**1~CAS*CO*45*35.00~CAS*OA*23*150.00~REF*6R*MSFP-0001-1~
AMT*B6*120.00~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~AMT*B6*18.00~
"""
    assert _check(body) == ()


def test_claims_variance_crossover_primary_is_still_compared() -> None:
    assert [f.kind for f in _check(UNDERPAID.replace("*1*245.00*", "*19*245.00*"))] == ["underpaid"]


def test_claims_variance_sequestration_is_not_an_underpayment() -> None:
    # Medicare style without AMT*B6: CO-253 comes off the payment, not the allowed amount.
    body = """
CLP*MSFP-2026-0001*1*245.00*163.07*23.60*12*PCN0001~
SVC*HC:99214:25*185.00*148.96**1~CAS*CO*45*13.00**253*3.04~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
SVC*HC:83036*60.00*14.11**1~CAS*CO*45*42.00~CAS*PR*2*3.60~CAS*CO*253*0.29~
REF*6R*MSFP-0001-2~
"""
    posting = _post(body)
    assert posting.findings == ()
    assert [allowed_amount(line) for line in posting.lines] == [Decimal("172.00"), Decimal("18.00")]
    assert _check(body) == ()


def test_claims_variance_lesser_of_charge_and_contract() -> None:
    claim = _claim()
    info = claim.claim_information
    cheap = replace(info.service_lines[1], charge_amount=Decimal("15.00"))
    claim = replace(
        claim,
        claim_information=replace(
            info,
            claim_charge_amount=Decimal("200.00"),
            service_lines=(info.service_lines[0], cheap),
        ),
    )
    body = """
CLP*MSFP-2026-0001*1*200.00*167.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*152.00**1~CAS*CO*45*13.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*172.00~
SVC*HC:83036*15.00*15.00**1~REF*6R*MSFP-0001-2~AMT*B6*15.00~
"""
    assert _check(body, claim) == ()
    short = (
        body.replace("*167.00*", "*162.00*")
        .replace("SVC*HC:83036*15.00*15.00**1~", "SVC*HC:83036*15.00*10.00**1~CAS*CO*45*5.00~")
        .replace("AMT*B6*15.00", "AMT*B6*10.00")
    )
    (flag,) = _check(short, claim)
    assert _summary((flag,)) == [("underpaid", 1, "83036", "15.00", "10.00", "5.00")]
    assert "capped at the charge 15.00" in flag.detail


def test_claims_variance_contract_amount_times_paid_units() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*188.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*152.00**1~CAS*CO*45*13.00~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
AMT*B6*172.00~
SVC*HC:83036*60.00*36.00**2~CAS*CO*45*24.00~REF*6R*MSFP-0001-2~AMT*B6*36.00~
"""
    assert _check(body) == ()
    (flag,) = _check(body.replace("*2~CAS*CO*45*24.00", "*3~CAS*CO*45*24.00"))
    assert _summary((flag,)) == [("underpaid", 1, "83036", "54.00", "36.00", "18.00")]
    assert "3 x 18.00 = 54.00" in flag.detail


def test_claims_variance_uses_the_contract_in_force_on_the_date_of_service() -> None:
    raised = FeeScheduleVersion(
        2,
        datetime(2026, 11, 20, tzinfo=UTC),
        (FeeScheduleRow("99214", None, None, Decimal("190.00"), date(2026, 12, 1), None),),
        "csv",
    )
    claim = _claim()
    posting = _post(UNDERPAID, claim)
    flags = check_payment(
        posting, claim, rate_for=contract_rate_for([SANDBOX_CONTRACT, raised], claim)
    )
    assert _summary(flags) == [("underpaid", 0, "99214", "172.00", "154.80", "17.20")]


def test_claims_variance_line_without_a_contract_rate_is_a_gap_not_a_flag() -> None:
    claim = _claim()
    posting = _post(UNDERPAID, claim)
    only_83036 = FeeScheduleVersion(
        1,
        datetime(2026, 1, 2, tzinfo=UTC),
        (FeeScheduleRow("83036", None, None, Decimal("18.00"), CONTRACT_START, None),),
        "json",
    )
    rate_for = contract_rate_for([only_83036], claim)
    assert check_payment(posting, claim, rate_for=rate_for) == ()
    (gap,) = contract_gaps(posting, claim, rate_for=rate_for)
    assert (gap.claim_line_index, gap.procedure_code, gap.modifiers, gap.service_date) == (
        0,
        "99214",
        ("25",),
        date(2026, 11, 16),
    )
    assert (
        contract_gaps(posting, claim, rate_for=contract_rate_for([SANDBOX_CONTRACT], claim)) == ()
    )


def test_claims_variance_rate_for_sees_the_claim_line_and_the_payment_line() -> None:
    seen: list[tuple[str, str]] = []

    def rate_for(service_line: ServiceLine, line: PostedLine) -> ContractedRate | None:
        seen.append((service_line.procedure_code, line.procedure_code))
        return None

    claim = _claim()
    assert check_payment(_post(UNDERPAID, claim), claim, rate_for=rate_for) == ()
    assert seen == [("99214", "99214"), ("83036", "83036")]


def test_claims_variance_negative_tolerance_refused() -> None:
    claim = _claim()
    posting = _post(UNDERPAID, claim)
    rate_for = contract_rate_for([SANDBOX_CONTRACT], claim)
    with pytest.raises(ValueError, match="tolerance"):
        check_payment(posting, claim, rate_for=rate_for, tolerance=Decimal("-0.01"))


def test_claims_variance_posting_read_back_from_storage_gives_the_same_flags() -> None:
    claim = _claim()
    posting = decode(Posting, encode(_post(UNDERPAID, claim)))
    flags = check_payment(posting, claim, rate_for=contract_rate_for([SANDBOX_CONTRACT], claim))
    assert _summary(flags) == [("underpaid", 0, "99214", "172.00", "154.80", "17.20")]


# -- the 835 as a whole ----------------------------------------------------------------------


def test_claims_variance_remittance_imbalance_flags() -> None:
    body = """
CLP*MSFP-2026-0001*1*245.00*150.00*20.00*12*PCN0001~
SVC*HC:99214:25*185.00*130.00**1~CAS*CO*45*30.20~CAS*PR*3*20.00~REF*6R*MSFP-0001-1~
SVC*HC:83036*60.00*18.00**1~CAS*CO*45*42.00~REF*6R*MSFP-0001-2~
PLB*1234567893*20261231*L6:PCN0001*-1.50~
"""
    remittance = _remittance(body, total_paid="160.00")
    flags = check_remittance_balance(remittance)
    assert [
        (
            f.kind,
            f.payment_line_index,
            f.procedure_code,
            str(f.expected),
            str(f.actual),
            str(f.difference),
        )
        for f in flags
    ] == [
        ("remittance_imbalance", 0, "99214", "134.80", "130.00", "4.80"),
        ("remittance_imbalance", None, None, "152.80", "150.00", "2.80"),
        ("remittance_imbalance", None, None, "151.50", "160.00", "-8.50"),
    ]
    line, claim, transaction = flags
    assert line.patient_control_number == claim.patient_control_number == "MSFP-2026-0001"
    assert line.claim_line_index is None
    assert "SVC02 185.00 less its adjustments is 134.80, but SVC03 is 130.00" in line.detail
    assert "BPR02 is 160.00" in transaction.detail


def test_claims_variance_balanced_remittance_has_no_flags() -> None:
    remittance = _remittance(UNDERPAID, total_paid="152.80")
    assert check_remittance_balance(remittance) == ()
    assert [f.code for f in remittance.findings] == []
