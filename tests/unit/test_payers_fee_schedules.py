"""Fee schedules: JSON and CSV uploads (every error at once, with row and field), versions,
the most specific row, and the sandbox payers' contracts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.api.contract import ClaimRequest
from chalicelib.payers.fee_schedules import (
    FILE_ROW,
    ContractedRate,
    FeeScheduleError,
    FeeScheduleRow,
    FeeScheduleVersion,
    contracted_rate,
    parse_fee_schedule_csv,
    parse_fee_schedule_json,
)
from chalicelib.payers.gateways.sandbox.payers import sandbox_contract_rows

CONTRACT = Path(__file__).resolve().parents[2] / "examples"
JAN = date(2026, 1, 1)
UPLOADED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)


def _errors(raised: pytest.ExceptionInfo[FeeScheduleError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.code) for e in raised.value.errors]


def _row(
    code: str,
    amount: str,
    *,
    modifier: str | None = None,
    place: str | None = None,
    start: date = JAN,
    end: date | None = None,
) -> FeeScheduleRow:
    return FeeScheduleRow(code, modifier, place, Decimal(amount), start, end)


def _version(number: int, *rows: FeeScheduleRow) -> FeeScheduleVersion:
    return FeeScheduleVersion(number, UPLOADED, rows, "json")


def _rate(
    versions: list[FeeScheduleVersion],
    code: str = "99214",
    modifiers: tuple[str, ...] = (),
    place: str | None = "11",
    on: date = date(2026, 11, 16),
) -> ContractedRate | None:
    return contracted_rate(
        versions, procedure_code=code, modifiers=modifiers, place_of_service=place, service_date=on
    )


# -- JSON ----------------------------------------------------------------------------------


def test_payers_fee_schedules_json_rows_read() -> None:
    rows = parse_fee_schedule_json(
        [
            {"procedureCode": "99214", "amount": "172", "effectiveFrom": "2026-01-01"},
            {
                "procedureCode": "71046",
                "modifier": "26",
                "placeOfService": "22",
                "amount": "11.5",
                "effectiveFrom": "20260101",
                "effectiveTo": "20261231",
            },
            {
                "procedureCode": "g0439",
                "modifier": None,
                "placeOfService": "",
                "amount": " 129.00 ",
                "effectiveFrom": "2026-01-01",
                "effectiveTo": None,
            },
            {"procedureCode": "0001U", "amount": "1,250.00", "effectiveFrom": "2026-01-01"},
            {"procedureCode": "3044F", "amount": Decimal("0.01"), "effectiveFrom": "2026-01-01"},
        ]
    )
    assert rows == (
        FeeScheduleRow("99214", None, None, Decimal("172.00"), JAN, None),
        FeeScheduleRow("71046", "26", "22", Decimal("11.50"), JAN, date(2026, 12, 31)),
        FeeScheduleRow("G0439", None, None, Decimal("129.00"), JAN, None),
        FeeScheduleRow("0001U", None, None, Decimal("1250.00"), JAN, None),
        FeeScheduleRow("3044F", None, None, Decimal("0.01"), JAN, None),
    )
    assert str(rows[0].amount) == "172.00"


def test_payers_fee_schedules_json_every_error_at_once() -> None:
    base = {"procedureCode": "99213", "amount": "91.00", "effectiveFrom": "2026-01-01"}
    data: list[object] = [
        {**base, "procedureCode": "9921"},  # 1
        {**base, "procedureCode": "99214", "modifier": "2"},  # 2
        {**base, "procedureCode": "99215", "placeOfService": "1A"},  # 3
        {**base, "procedureCode": "99202", "amount": "-5.00"},  # 4
        {**base, "procedureCode": "99203", "amount": "1.005"},  # 5
        {**base, "procedureCode": "99204", "amount": "abc"},  # 6
        {**base, "procedureCode": "99205", "amount": 98.0},  # 7: a float lost its cents
        {**base, "procedureCode": "99211", "effectiveFrom": "2026-13-01"},  # 8
        {**base, "procedureCode": "99212", "effectiveTo": "2025-12-31"},  # 9
        {**base, "procedureCode": "G0439", "effectiveTo": "2026-06-30"},  # 10
        {**base, "procedureCode": "G0439", "effectiveFrom": "2026-06-30"},  # 11: overlaps 10
        {"procedureCode": "99395"},  # 12: amount and effectiveFrom missing
        {**base, "procedureCode": "99396", "price": "1.00"},  # 13
        "99213,91.00",  # 14
        {**base, "procedureCode": "83036", "amount": "0"},  # 15
        {**base, "procedureCode": "80053", "effectiveTo": "31/12/2026"},  # 16
        {**base, "procedureCode": "85025", "modifier": "X", "placeOfService": "123"},  # 17
        {**base, "procedureCode": "99213"},  # 18: fine
    ]
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_json(data)
    assert _errors(raised) == [
        (1, "procedureCode", "invalid_procedure_code"),
        (2, "modifier", "invalid_modifier"),
        (3, "placeOfService", "invalid_place_of_service"),
        (4, "amount", "amount_not_positive"),
        (5, "amount", "too_many_decimals"),
        (6, "amount", "invalid_amount"),
        (7, "amount", "invalid_type"),
        (8, "effectiveFrom", "invalid_date"),
        (9, "effectiveTo", "effective_to_before_from"),
        (11, "effectiveFrom", "overlapping_rows"),
        (12, "amount", "required"),
        (12, "effectiveFrom", "required"),
        (13, "price", "unknown_field"),
        (14, "", "not_an_object"),
        (15, "amount", "amount_not_positive"),
        (16, "effectiveTo", "invalid_date"),
        (17, "modifier", "invalid_modifier"),
        (17, "placeOfService", "invalid_place_of_service"),
    ]
    overlap = next(e for e in raised.value.errors if e.code == "overlapping_rows")
    assert "row 10" in overlap.message
    assert "18 fee schedule error(s)" in str(raised.value)
    assert raised.value.errors[0].to_json() == {
        "row": 1,
        "field": "procedureCode",
        "code": "invalid_procedure_code",
        "message": raised.value.errors[0].message,
    }


def test_payers_fee_schedules_json_not_a_list_or_empty() -> None:
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_json({"procedureCode": "99213"})
    assert _errors(raised) == [(FILE_ROW, "", "not_a_list")]
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_json([])
    assert _errors(raised) == [(FILE_ROW, "", "empty")]


def test_payers_fee_schedules_same_key_different_periods_do_not_overlap() -> None:
    rows = parse_fee_schedule_json(
        [
            {
                "procedureCode": "99214",
                "amount": "172.00",
                "effectiveFrom": "2026-01-01",
                "effectiveTo": "2026-11-30",
            },
            {"procedureCode": "99214", "amount": "180.00", "effectiveFrom": "2026-12-01"},
            {
                "procedureCode": "99214",
                "modifier": "25",
                "amount": "175.00",
                "effectiveFrom": JAN.isoformat(),
            },
            {
                "procedureCode": "99214",
                "placeOfService": "22",
                "amount": "150.00",
                "effectiveFrom": "2026-01-01",
            },
        ]
    )
    assert len(rows) == 4


def test_payers_fee_schedules_row_is_valid_when_built() -> None:
    with pytest.raises(FeeScheduleError) as raised:
        FeeScheduleRow("ABC", "1", "x", Decimal("-1"), JAN, date(2025, 1, 1))
    assert [(e.row, e.field) for e in raised.value.errors] == [
        (FILE_ROW, "procedureCode"),
        (FILE_ROW, "modifier"),
        (FILE_ROW, "placeOfService"),
        (FILE_ROW, "amount"),
        (FILE_ROW, "effectiveTo"),
    ]


def test_payers_fee_schedules_version_refuses_overlapping_rows() -> None:
    with pytest.raises(FeeScheduleError) as raised:
        _version(1, _row("99214", "172.00"), _row("99214", "180.00", start=date(2026, 6, 1)))
    assert _errors(raised) == [(2, "effectiveFrom", "overlapping_rows")]
    with pytest.raises(ValueError, match="version"):
        _version(0, _row("99214", "172.00"))


def test_payers_fee_schedules_stored_row_reads_back() -> None:
    row = _row("71046", "11.00", modifier="26", place="22", end=date(2026, 12, 31))
    assert parse_fee_schedule_json([json.loads(json.dumps(row.to_json()))]) == (row,)


# -- CSV -----------------------------------------------------------------------------------


def test_payers_fee_schedules_csv_with_bom_crlf_blank_lines_and_quotes() -> None:
    text = (
        "\ufeffprocedureCode,Modifier,placeOfService,amount,effectiveFrom,effectiveTo\r\n"
        '"99214",,,"172.00",2026-01-01,\r\n'
        "\r\n"
        '20610,"50",11,"1,132.00",20260101,20261231\r\n'
        "   \r\n"
        "83036,,,18,2026-01-01,,\r\n"
    )
    assert parse_fee_schedule_csv(text) == (
        FeeScheduleRow("99214", None, None, Decimal("172.00"), JAN, None),
        FeeScheduleRow("20610", "50", "11", Decimal("1132.00"), JAN, date(2026, 12, 31)),
        FeeScheduleRow("83036", None, None, Decimal("18.00"), JAN, None),
    )


def test_payers_fee_schedules_csv_optional_columns_may_be_left_out() -> None:
    text = "amount,procedureCode,effectiveFrom\n92.00,99214,2026-01-01\n"
    assert parse_fee_schedule_csv(text) == (
        FeeScheduleRow("99214", None, None, Decimal("92.00"), JAN, None),
    )


def test_payers_fee_schedules_csv_every_error_with_its_line() -> None:
    text = (
        "procedureCode,modifier,placeOfService,amount,effectiveFrom,effectiveTo\n"  # row 1
        "9921,,,91.00,2026-01-01,\n"  # 2
        "\n"  # 3: blank, still counted as a person counts lines
        "99214,2,1A,91.005,2026-02-30,\n"  # 4
        "99215,,,,,\n"  # 5
        "99213,,,91.00,2026-06-01,2026-01-01\n"  # 6
        "99212,,,56.00,2026-01-01,2026-12-31\n"  # 7
        "99212,,,57.00,2026-12-31,\n"  # 8: overlaps 7 on its last day
        '"99211","AB","11","23.00","2026-01-01","","surplus"\n'  # 9
        "J1100,,,0.30,2026-01-01,\n"  # 10: fine
    )
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_csv(text)
    assert _errors(raised) == [
        (2, "procedureCode", "invalid_procedure_code"),
        (4, "modifier", "invalid_modifier"),
        (4, "placeOfService", "invalid_place_of_service"),
        (4, "amount", "too_many_decimals"),
        (4, "effectiveFrom", "invalid_date"),
        (5, "amount", "required"),
        (5, "effectiveFrom", "required"),
        (6, "effectiveTo", "effective_to_before_from"),
        (8, "effectiveFrom", "overlapping_rows"),
        (9, "", "extra_cells"),
    ]


def test_payers_fee_schedules_csv_header_errors() -> None:
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_csv("code,amount,amount,effectiveTo\n99214,1.00,1.00,\n")
    assert _errors(raised) == [
        (1, "code", "unknown_field"),
        (1, "amount", "duplicate_field"),
        (1, "procedureCode", "missing_column"),
        (1, "effectiveFrom", "missing_column"),
    ]
    for empty in ("", "\ufeff", "\r\n\r\n"):
        with pytest.raises(FeeScheduleError) as raised:
            parse_fee_schedule_csv(empty)
        assert _errors(raised) == [(FILE_ROW, "", "empty")]
    with pytest.raises(FeeScheduleError) as raised:
        parse_fee_schedule_csv("procedureCode,amount,effectiveFrom\r\n")
    assert _errors(raised) == [(FILE_ROW, "", "empty")]


# -- lookup --------------------------------------------------------------------------------


def test_payers_fee_schedules_rate_change_next_month_leaves_this_month_alone() -> None:
    current = _version(1, _row("99214", "172.00"))
    raise_in_december = _version(2, _row("99214", "180.00", start=date(2026, 12, 1)))
    versions = [current, raise_in_december]
    november = _rate(versions, on=date(2026, 11, 30))
    assert november is not None
    assert (november.amount, november.version) == (Decimal("172.00"), 1)
    december = _rate(versions, on=date(2026, 12, 1))
    assert december is not None
    assert (december.amount, december.version) == (Decimal("180.00"), 2)
    assert december.row == raise_in_december.rows[0]


def test_payers_fee_schedules_newest_version_wins_whatever_the_order() -> None:
    first = _version(1, _row("99214", "172.00"))
    corrected = _version(2, _row("99214", "174.00"))
    for versions in ([first, corrected], [corrected, first]):
        rate = _rate(versions)
        assert rate is not None
        assert (rate.amount, rate.version) == (Decimal("174.00"), 2)


def test_payers_fee_schedules_amendment_without_the_code_keeps_the_older_rate() -> None:
    versions = [
        _version(1, _row("99214", "172.00"), _row("83036", "18.00")),
        _version(2, _row("83036", "19.00")),
    ]
    rate = _rate(versions)
    assert rate is not None
    assert (rate.amount, rate.version) == (Decimal("172.00"), 1)


def test_payers_fee_schedules_effective_to_is_inclusive_and_gaps_price_nothing() -> None:
    versions = [_version(1, _row("99214", "172.00", end=date(2026, 6, 30)))]
    assert _rate(versions, on=date(2026, 6, 30)) is not None
    assert _rate(versions, on=date(2026, 7, 1)) is None
    assert _rate(versions, on=date(2025, 12, 31)) is None
    assert _rate(versions, code="99215") is None
    assert _rate([]) is None


def test_payers_fee_schedules_most_specific_row_wins() -> None:
    version = _version(
        1,
        _row("71046", "48.00"),
        _row("71046", "40.00", place="22"),
        _row("71046", "15.00", modifier="26"),
        _row("71046", "12.00", modifier="26", place="22"),
    )

    def amount(modifiers: tuple[str, ...], place: str | None) -> Decimal | None:
        rate = _rate([version], code="71046", modifiers=modifiers, place=place)
        return None if rate is None else rate.amount

    assert amount(("26",), "22") == Decimal("12.00")  # code + modifier + POS
    assert amount(("26",), "11") == Decimal("15.00")  # code + modifier
    assert amount((), "22") == Decimal("40.00")  # code + POS
    assert amount((), "11") == Decimal("48.00")  # code alone
    assert amount(("TC",), None) == Decimal("48.00")  # no TC row, no POS: the code alone
    assert amount(("59", "26"), "11") == Decimal("15.00")  # the modifier is among the line's


def test_payers_fee_schedules_first_billed_modifier_breaks_a_tie() -> None:
    version = _version(
        1, _row("20610", "96.00", modifier="50"), _row("20610", "70.00", modifier="RT")
    )
    rate = _rate([version], code="20610", modifiers=("RT", "50"))
    assert rate is not None and rate.row.modifier == "RT"
    rate = _rate([version], code="20610", modifiers=("50", "RT"))
    assert rate is not None and rate.row.modifier == "50"


def test_payers_fee_schedules_lookup_ignores_case_and_spaces() -> None:
    version = _version(1, _row("G0439", "129.00", modifier="GT"))
    rate = _rate([version], code=" g0439", modifiers=("gt",), place=" 11 ")
    assert rate is not None and rate.amount == Decimal("129.00")


# -- sandbox contracts ---------------------------------------------------------------------


def test_payers_fee_schedules_sandbox_contract_prices_the_contract_example() -> None:
    claim = ClaimRequest.model_validate_json((CONTRACT / "claim-basic.json").read_text()).to_claim()
    rows = sandbox_contract_rows(claim.trading_partner_service_id, JAN)
    version = FeeScheduleVersion(1, UPLOADED, rows, "json")
    expected = {"99214": Decimal("172.00"), "83036": Decimal("18.00")}
    for line in claim.claim_information.service_lines:
        rate = contracted_rate(
            [version],
            procedure_code=line.procedure_code,
            modifiers=line.procedure_modifiers,
            place_of_service=line.place_of_service_code
            or claim.claim_information.place_of_service_code,
            service_date=line.service_date,
        )
        assert rate is not None
        assert rate.amount == expected[line.procedure_code]
        assert rate.row.modifier is None  # 99214-25: no 25 row, the base rate
    assert all(row.effective_from == JAN and row.effective_to is None for row in rows)


def test_payers_fee_schedules_sandbox_contract_is_what_the_sandbox_prices() -> None:
    from chalicelib.payers.gateways.sandbox.adjudication import adjudicate_claim
    from chalicelib.payers.gateways.sandbox.payers import SBX01

    claim = ClaimRequest.model_validate_json((CONTRACT / "claim-basic.json").read_text()).to_claim()
    version = FeeScheduleVersion(1, UPLOADED, sandbox_contract_rows("SBX01", JAN), "json")
    decided = adjudicate_claim(claim, SBX01, received=date(2026, 11, 20))
    for line, adjudicated in zip(claim.claim_information.service_lines, decided.lines, strict=True):
        rate = contracted_rate(
            [version],
            procedure_code=line.procedure_code,
            modifiers=line.procedure_modifiers,
            place_of_service="11",
            service_date=line.service_date,
        )
        assert rate is not None
        assert (
            min(rate.amount * line.unit_count, line.charge_amount) == adjudicated.contract_allowed
        )
    # The sandbox underpays claim line 1 on purpose, which is what the contract must reveal.
    assert decided.lines[0].allowed < decided.lines[0].contract_allowed


def test_payers_fee_schedules_sandbox_contracts_follow_each_payers_schedule() -> None:
    medicare = {
        (r.procedure_code, r.modifier): r.amount for r in sandbox_contract_rows("SBXMCR", JAN)
    }
    assert medicare[("99214", None)] == Decimal("129.00")
    assert medicare[("71046", "26")] == Decimal("11.00")
    assert ("99395", None) not in medicare  # not priced: non-covered by Medicare
    medicaid = {
        (r.procedure_code, r.modifier): r.amount for r in sandbox_contract_rows("SBXMCD", JAN)
    }
    assert medicaid[("83036", None)] == Decimal("9.00")
    with pytest.raises(ValueError, match="not a sandbox payer"):
        sandbox_contract_rows("NOPE", JAN)
