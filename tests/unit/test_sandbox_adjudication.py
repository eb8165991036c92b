"""Sandbox payers' adjudication: the contract examples' outcomes, each denial built on
purpose, COB, determinism, and balancing on every line and claim."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import (
    Claim,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    ServiceLine,
)
from chalicelib.payers.gateways.sandbox.adjudication import (
    ClaimAdjudication,
    adjudicate_claim,
    payer_claim_control_number,
)
from chalicelib.payers.gateways.sandbox.payers import (
    SANDBOX_PAYERS,
    SBX01,
    SBXMCD,
    SBXMCR,
    member_known,
    sandbox_payer,
)

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
RECEIVED = date(2026, 11, 20)
D = Decimal


def contract_claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def with_lines(claim: Claim, *lines: ServiceLine, payer_id: str | None = None) -> Claim:
    info = dataclasses.replace(
        claim.claim_information,
        service_lines=lines,
        claim_charge_amount=sum((line.charge_amount for line in lines), D(0)),
    )
    return dataclasses.replace(
        claim,
        claim_information=info,
        trading_partner_service_id=payer_id or claim.trading_partner_service_id,
    )


def line(
    code: str,
    charge: str,
    *,
    modifiers: tuple[str, ...] = (),
    day: date = date(2026, 11, 16),
    control: str | None = None,
    units: str = "1",
) -> ServiceLine:
    return ServiceLine(
        service_date=day,
        procedure_code=code,
        charge_amount=D(charge),
        unit_count=D(units),
        diagnosis_pointers=(1,),
        procedure_modifiers=modifiers,
        provider_control_number=control or f"L-{code}",
    )


def assert_balanced(result: ClaimAdjudication) -> None:
    """Charge - adjustments = paid per line and claim; PR sums to patient responsibility."""
    for item in result.lines:
        assert item.charge - sum((a.amount for a in item.adjustments), D(0)) == item.paid
        assert item.paid >= 0
    assert result.charge == sum((item.charge for item in result.lines), D(0))
    assert result.paid == sum((item.paid for item in result.lines), D(0))
    assert result.patient_responsibility == sum(
        (a.amount for item in result.lines for a in item.adjustments if a.group_code == "PR"),
        D(0),
    )


def codes(result: ClaimAdjudication) -> list[list[tuple[str, str, Decimal]]]:
    return [
        [(a.group_code, a.reason_code, a.amount) for a in item.adjustments] for item in result.lines
    ]


# -- the contract examples -----------------------------------------------------------------


def test_adjudication_claim_basic_underpays_line_one_by_ten_percent() -> None:
    result = adjudicate_claim(contract_claim("claim-basic.json"), SBX01, received=RECEIVED)
    assert_balanced(result)
    assert (result.status_code, result.paid, result.patient_responsibility) == (
        "1",
        D("149.20"),
        D("23.60"),
    )
    first, second = result.lines
    # 99214-25: SBX01's own schedule says 172.00; it allows 10 % less on purpose.
    assert (first.contract_allowed, first.allowed, first.underpaid_by) == (
        D("172.00"),
        D("154.80"),
        D("17.20"),
    )
    assert codes(result)[0] == [("CO", "45", D("30.20")), ("PR", "3", D("20.00"))]
    # 83036 is paid at contract: 18.00 allowed, deductible met (W123456789), 20 % coinsurance.
    assert (second.contract_allowed, second.allowed, second.underpaid_by) == (
        D("18.00"),
        D("18.00"),
        D(0),
    )
    assert codes(result)[1] == [("CO", "45", D("42.00")), ("PR", "2", D("3.60"))]
    assert result.provider_adjustments[0].reason_code == "L6"  # "paid late": interest
    assert result.provider_adjustments[0].amount == D("-1.49")


def test_adjudication_medicare_with_medicaid_on_file_crosses_over() -> None:
    result = adjudicate_claim(
        contract_claim("claim-medicare-with-secondary.json"), SBXMCR, received=RECEIVED
    )
    assert_balanced(result)
    assert (result.status_code, result.crossover_payer_id) == ("19", "SBXMCD")
    assert result.remark_codes == ("MA01", "MA18")
    assert result.filing_code == "MB"
    # First claim for the member: the Part B deductible takes all of the allowed amount.
    assert codes(result) == [
        [("CO", "45", D("56.00")), ("PR", "1", D("129.00"))],
        [("CO", "45", D("47.00")), ("PR", "1", D("13.00"))],
    ]
    assert result.deductible_applied == D("142.00")
    met = adjudicate_claim(
        contract_claim("claim-medicare-with-secondary.json"),
        SBXMCR,
        received=RECEIVED,
        deductible_remaining=D(0),
    )
    assert_balanced(met)
    assert codes(met)[0] == [("CO", "45", D("56.00")), ("PR", "2", D("25.80"))]
    assert met.paid == D("103.20") + D("10.40")


def test_adjudication_dependent_claim_is_paid() -> None:
    result = adjudicate_claim(contract_claim("claim-dependent.json"), SBX01, received=RECEIVED)
    assert_balanced(result)
    assert result.status_code == "1"
    assert result.paid > 0


# -- denials, each from a claim built to trigger it ------------------------------------------


BASE = contract_claim("claim-basic.json")


def test_adjudication_bundles_venipuncture_with_a_same_day_visit() -> None:
    claim = with_lines(BASE, line("99213", "130.00"), line("36415", "15.00"))
    result = adjudicate_claim(claim, SBXMCR, received=RECEIVED)
    assert_balanced(result)
    assert codes(result)[1] == [("CO", "97", D("15.00"))]
    assert result.lines[1].remark_codes == ("M15",)
    assert result.status_code == "1"  # the visit is paid
    other_day = with_lines(
        BASE, line("99213", "130.00"), line("36415", "15.00", day=date(2026, 11, 17))
    )
    assert not adjudicate_claim(other_day, SBXMCR, received=RECEIVED).lines[1].denied


def test_adjudication_denies_a_missing_anatomic_modifier_as_co16() -> None:
    claim = with_lines(BASE, line("20610", "150.00"), line("20610", "150.00", modifiers=("RT",)))
    result = adjudicate_claim(claim, SBX01, received=RECEIVED)
    assert_balanced(result)
    assert codes(result)[0] == [("CO", "16", D("150.00"))]
    assert result.lines[0].remark_codes == ("M78",)
    assert not result.lines[1].denied


def test_adjudication_denies_late_filing_as_co29() -> None:
    limit = SBXMCD.timely_filing_days
    late = with_lines(BASE, line("99213", "100.00", day=RECEIVED - timedelta(days=limit + 1)))
    result = adjudicate_claim(late, SBXMCD, received=RECEIVED)
    assert_balanced(result)
    assert codes(result) == [[("CO", "29", D("100.00"))]]
    assert (result.status_code, result.paid) == ("4", D(0))
    on_time = with_lines(BASE, line("99213", "100.00", day=RECEIVED - timedelta(days=limit)))
    assert adjudicate_claim(on_time, SBXMCD, received=RECEIVED).status_code == "1"


def test_adjudication_denies_preventive_visits_to_medicare_as_pr96() -> None:
    claim = with_lines(BASE, line("99396", "210.00"))
    result = adjudicate_claim(claim, SBXMCR, received=RECEIVED)
    assert_balanced(result)
    assert codes(result) == [[("PR", "96", D("210.00"))]]
    assert result.lines[0].remark_codes == ("N130",)
    assert (result.status_code, result.patient_responsibility) == ("4", D("210.00"))
    medicaid = adjudicate_claim(
        with_lines(BASE, line("G0439", "200.00")), SBXMCD, received=RECEIVED
    )
    assert codes(medicaid) == [[("CO", "96", D("200.00"))]]  # Medicaid members are not billed


# -- COB, pricing and cost sharing -----------------------------------------------------------


def test_adjudication_secondary_claim_pays_what_the_primary_left() -> None:
    other = OtherSubscriberInformation(
        payment_responsibility_level_code="P",
        individual_relationship_code="18",
        claim_filing_indicator_code="MB",
        insured=OtherInsured("Quill", "W123456789", "Ada"),
        payer=OtherPayer("Sandbox Medicare Part B", "SBXMCR"),
        payer_paid_amount=D("100.00"),
    )
    info = dataclasses.replace(BASE.claim_information, other_subscribers=(other,))
    claim = dataclasses.replace(BASE, claim_information=info)
    result = adjudicate_claim(claim, SBX01, received=RECEIVED)
    assert_balanced(result)
    assert result.status_code == "2"
    prior = [a.amount for item in result.lines for a in item.adjustments if a.group_code == "OA"]
    assert sum(prior, D(0)) == D("100.00")
    assert all(
        a.reason_code == "23"
        for item in result.lines
        for a in item.adjustments
        if a.group_code == "OA"
    )


def test_adjudication_unknown_code_is_a_share_of_the_charge() -> None:
    result = adjudicate_claim(with_lines(BASE, line("99999", "100.00")), SBXMCD, received=RECEIVED)
    assert result.lines[0].allowed == D("30.00")
    assert_balanced(result)


def test_adjudication_modifier_rates_and_units() -> None:
    claim = with_lines(
        BASE,
        line("71046", "90.00", modifiers=("26",), control="A"),
        line("J1100", "10.00", units="8", control="B"),
    )
    result = adjudicate_claim(claim, SBXMCR, received=RECEIVED, deductible_remaining=D(0))
    assert [item.contract_allowed for item in result.lines] == [D("11.00"), D("0.96")]


def test_adjudication_allows_the_lesser_of_charge_and_schedule() -> None:
    result = adjudicate_claim(with_lines(BASE, line("99215", "100.00")), SBXMCD, received=RECEIVED)
    assert result.lines[0].allowed == D("100.00")
    assert codes(result) == [[]]


def test_adjudication_copay_commercial_and_none_for_medicaid() -> None:
    commercial = adjudicate_claim(
        with_lines(BASE, line("99212", "90.00", control="X")), SBX01, received=RECEIVED
    )
    assert ("PR", "3", D("20.00")) in codes(commercial)[0]
    medicaid = adjudicate_claim(with_lines(BASE, line("99212", "90.00")), SBXMCD, received=RECEIVED)
    assert medicaid.patient_responsibility == 0


def test_adjudication_deductible_not_met_member() -> None:
    member = next(m for m in (f"M{n:05d}" for n in range(100)) if SBX01.initial_deductible(m) > 0)
    claim = dataclasses.replace(
        with_lines(BASE, line("80053", "40.00")),
        subscriber=dataclasses.replace(BASE.subscriber, member_id=member),
    )
    result = adjudicate_claim(claim, SBX01, received=RECEIVED)
    allowed = result.lines[0].allowed
    assert codes(result) == [[("CO", "45", D("40.00") - allowed), ("PR", "1", allowed)]]
    assert (result.deductible_applied, result.paid) == (allowed, D(0))
    assert result.status_code == "1"  # processed, not denied, though nothing is paid


# -- the fee schedules and rosters ------------------------------------------------------------


REQUIRED_CODES = [
    "99211",
    "99212",
    "99213",
    "99214",
    "99215",
    "99202",
    "99203",
    "99204",
    "99205",
    "83036",
    "80053",
    "85025",
    "36415",
    "93000",
    "81002",
    "90471",
    "90686",
    "97110",
    "20610",
    "G0439",
    "J1100",
    "71046",
    "99395",
    "99396",
]


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_payers_schedules_order_commercial_medicare_medicaid(code: str) -> None:
    commercial = SBX01.allowed_per_unit(code, ())
    medicare = SBXMCR.allowed_per_unit(code, ())
    medicaid = SBXMCD.allowed_per_unit(code, ())
    assert commercial is not None and medicaid is not None
    if medicare is None:  # preventive visits are not a Medicare benefit
        assert code in SBXMCR.non_covered
        assert medicaid < commercial
    else:
        assert medicaid < medicare < commercial


def test_payers_set_up() -> None:
    assert set(SANDBOX_PAYERS) == {"SBX01", "SBXMCR", "SBXMCD"}
    assert [p.timely_filing_days for p in (SBX01, SBXMCR, SBXMCD)] == [180, 365, 90]
    assert [p.payment_method for p in (SBX01, SBXMCR, SBXMCD)] == ["ACH", "ACH", "CHK"]
    assert sandbox_payer("NOPE") is None
    for member in ("W123456789", "1EG4TE5MK73", "MCD55512345", "anything"):
        assert member_known(member)
    for member in ("UNK123", "unk-9"):
        assert not member_known(member)
    assert SBX01.initial_deductible("W123456789") == 0
    assert SBXMCR.initial_deductible("1EG4TE5MK73") == D("257.00")
    assert SBXMCD.initial_deductible("MCD55512345") == 0


# -- determinism ------------------------------------------------------------------------------


def test_adjudication_is_deterministic_given_the_claim() -> None:
    for name in ("claim-basic.json", "claim-dependent.json", "claim-medicare-with-secondary.json"):
        claim = contract_claim(name)
        payer = SANDBOX_PAYERS[claim.trading_partner_service_id]
        first = adjudicate_claim(claim, payer, received=RECEIVED)
        again = adjudicate_claim(contract_claim(name), payer, received=RECEIVED)
        assert first == again
        assert first.payer_claim_control_number == payer_claim_control_number(claim, payer)


def test_adjudication_underpays_about_one_line_in_four_and_only_sbx01() -> None:
    lines = [line("99213", "150.00", control=f"C{n}") for n in range(200)]
    claim = with_lines(BASE, *lines)
    result = adjudicate_claim(claim, SBX01, received=RECEIVED)
    assert_balanced(result)
    under = [item for item in result.lines if item.underpaid_by > 0]
    assert 30 <= len(under) <= 70
    for item in under:
        share = item.underpaid_by / item.contract_allowed
        assert D("0.05") <= share.quantize(D("0.01")) <= D("0.10")
    medicare = adjudicate_claim(with_lines(BASE, *lines), SBXMCR, received=RECEIVED)
    assert all(item.underpaid_by == 0 for item in medicare.lines)
