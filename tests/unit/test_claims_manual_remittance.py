"""A paper EOB keyed by hand: checked as the 835 TR3 balances a claim payment, and posted to
the very Posting the 835 reader's claim payment gives for the same adjudication."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from chalicelib.claims.lifecycle import Event
from chalicelib.claims.manual_remittance import Eob, EobAdjustment, EobLine, plan_keyed_payment
from chalicelib.claims.posting import ClaimPayment, Posting, post_claim_payment
from tests.unit.test_claims_posting import PAID_ON, PAYER_ID, TRACE, _claim, _payment

D = Decimal
EOB = Eob(
    payer_claim_control_number="PAPER-7731",
    payment_date=PAID_ON,
    check_number=TRACE,
    status="paid",
    paid=D("190.00"),
    patient_responsibility=D("20.00"),
    lines=(
        EobLine(
            paid=D("140.00"),
            line_number=1,
            allowed=D("160.00"),
            adjustments=(
                EobAdjustment("CO", "45", D("25.00")),
                EobAdjustment("PR", "2", D("20.00")),
            ),
            remarks=("N130",),
        ),
        EobLine(
            paid=D("50.00"),
            provider_control_number="MSFP-0001-2",
            allowed=D("50.00"),
            adjustments=(EobAdjustment("CO", "45", D("10.00")),),
        ),
    ),
)
# The same adjudication as an 835 Loop 2100 would carry it.
LOOP_2100 = """
CLP*MSFP-2026-0001*1*245*190*20*12*PAPER-7731~
SVC*HC:99214:25*185*140**1~DTM*472*20261116~CAS*CO*45*25~CAS*PR*2*20~REF*6R*MSFP-0001-1~
AMT*B6*160~LQ*HE*N130~
SVC*HC:83036*60*50**1~DTM*472*20261116~CAS*CO*45*10~REF*6R*MSFP-0001-2~AMT*B6*50~
"""


def _post(payment: ClaimPayment) -> Posting:
    posting = post_claim_payment(
        _claim(),
        payment,
        trace_number=TRACE,
        payer_id=PAYER_ID,
        payment_date=PAID_ON,
    )
    # Where each line stood in the file: the keyed EOB has no file.
    lines = tuple(replace(line, segment_index=0) for line in posting.lines)
    return replace(posting, lines=lines)


def test_manual_remittance_posts_as_the_same_835_would() -> None:
    keyed, problems = plan_keyed_payment(_claim(), EOB)
    assert problems == () and keyed is not None
    by_hand, by_835 = _post(keyed), _post(_payment(LOOP_2100))
    assert by_hand == by_835
    assert by_hand.event is Event.REMIT_PAID
    assert by_hand.findings == ()


def test_manual_remittance_out_of_balance_names_the_line_and_the_difference() -> None:
    line = replace(EOB.lines[0], paid=D("145.00"))
    _, problems = plan_keyed_payment(_claim(), replace(EOB, lines=(line, EOB.lines[1])))
    [problem] = problems
    assert (problem.field, problem.code) == ("lines[0]", "line_out_of_balance")
    assert "difference -5.00" in problem.message


def test_manual_remittance_denied_pays_nothing_and_denies() -> None:
    denied = Eob(
        payer_claim_control_number="PAPER-1",
        payment_date=date(2026, 12, 4),
        check_number="0",
        status="denied",
        paid=D("0"),
        adjustments=(EobAdjustment("CO", "29", D("245.00")),),
        remarks=("N211",),
    )
    keyed, problems = plan_keyed_payment(_claim(), denied)
    assert problems == () and keyed is not None
    assert _post(keyed).event is Event.REMIT_DENIED
    _, refused = plan_keyed_payment(_claim(), replace(denied, paid=D("1.00")))
    assert {p.code for p in refused} == {"denied_with_payment", "claim_out_of_balance"}


def test_manual_remittance_line_given_twice_or_unknown() -> None:
    twice = replace(EOB, lines=(EOB.lines[0], replace(EOB.lines[0], line_number=1)))
    codes = {(p.field, p.code) for p in plan_keyed_payment(_claim(), twice)[1]}
    assert ("lines[1]", "duplicate_line") in codes
    unknown = replace(EOB, lines=(replace(EOB.lines[0], line_number=3),))
    codes = {(p.field, p.code) for p in plan_keyed_payment(_claim(), unknown)[1]}
    assert ("lines[0].lineNumber", "unknown_line") in codes
