"""X12Builder: envelopes, counts, padding, trimming and delimiter safety."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.writer import (
    EnvelopeValues,
    X12Builder,
    check_value,
    for_transaction,
    format_amount,
    format_date_range,
    format_time,
)

VALUES = EnvelopeValues(
    sender_qualifier="ZZ",
    sender_id="CLAIMGATE",
    receiver_qualifier="ZZ",
    receiver_id="CLEARHOUSE",
    interchange_control_number=907,
    group_control_number=42,
    date=dt.date(2024, 3, 5),
    time=dt.time(9, 7),
    usage_indicator="T",
    functional_id="HR",
    implementation_reference="005010X212",
)


def _minimal(builder: X12Builder, values: EnvelopeValues = VALUES) -> str:
    builder.isa(values)
    builder.gs(values)
    builder.st("276", 1, values.implementation_reference)
    builder.add("BHT", "0010", "13", "REF1", "20240305", "0907")
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()


def test_writer_renders_whole_interchange_with_counts_and_control_numbers() -> None:
    assert _minimal(X12Builder()) == (
        "ISA*00*          *00*          *ZZ*CLAIMGATE      *ZZ*CLEARHOUSE     "
        "*240305*0907*^*00501*000000907*0*T*:~"
        "GS*HR*CLAIMGATE*CLEARHOUSE*20240305*0907*42*X*005010X212~"
        "ST*276*0001*005010X212~"
        "BHT*0010*13*REF1*20240305*0907~"
        "SE*3*0001~"
        "GE*1*42~"
        "IEA*1*000000907~"
    )


def test_writer_isa_is_fixed_width() -> None:
    isa = _minimal(X12Builder()).split("~")[0]
    assert len(isa) == 105  # 106 with the terminator (X12.5)
    assert [len(e) for e in isa.split("*")[1:9]] == [2, 10, 2, 10, 2, 15, 2, 15]


def test_writer_output_reads_back_without_findings() -> None:
    reader = EnvelopeReader(_minimal(X12Builder()).encode())
    sets = list(reader)
    assert reader.findings == []
    assert [(ts.transaction_set_id, ts.control_number, ts.findings) for ts in sets] == [
        ("276", "0001", [])
    ]
    assert reader.interchanges[0].control_number == "000000907"


def test_writer_counts_sets_and_groups() -> None:
    builder = X12Builder()
    builder.isa(VALUES)
    for group in (1, 2):
        builder.gs(dataclasses.replace(VALUES, group_control_number=group))
        for control in (1, 2, 3):
            builder.st("276", control, "005010X212")
            builder.add("BHT", "0010")
            builder.add("HL", "1", "", "20", "1")
            builder.se()
        builder.ge()
    builder.iea()
    segments = builder.render().split("~")
    assert "SE*4*0003" in segments
    assert segments.count("GE*3*1") == 1 and segments.count("GE*3*2") == 1
    assert "IEA*2*000000907" in segments
    reader = EnvelopeReader(builder.render().encode())
    assert len(list(reader)) == 6
    assert reader.findings == []


def test_writer_trims_trailing_empty_elements_and_components() -> None:
    builder = X12Builder()
    builder.isa(VALUES)
    builder.gs(VALUES)
    builder.st("276", 1, "005010X212")
    builder.add("HL", "1", "", "20", "", "")
    builder.add("SVC", builder.composite("HC", "99213", "", ""), "100.00", "", "")
    builder.add("EQ", builder.repeated("30", "1", "AL"))
    assert builder.segment_count == 4
    builder.se()
    builder.ge()
    builder.iea()
    segments = builder.render(line_breaks=True).splitlines()
    assert segments[3:6] == ["HL*1**20~", "SVC*HC:99213*100.00~", "EQ*30^1^AL~"]
    assert segments[6] == "SE*5*0001~"


@pytest.mark.parametrize("char", ["~", "*", ":", "^"])
def test_writer_rejects_every_delimiter_in_a_value(char: str) -> None:
    builder = X12Builder()
    builder.isa(VALUES)
    builder.gs(VALUES)
    builder.st("276", 1, "005010X212")
    with pytest.raises(X12WriteError) as raised:
        builder.add("NM1", "IL", "1", f"SMITH{char}JR")
    assert raised.value.field == "NM103"
    with pytest.raises(X12WriteError) as raised:
        builder.add("SVC", builder.composite("HC", f"992{char}13"))
    assert raised.value.field == "SVC01-2"


def test_writer_check_value_names_the_field_and_rejects_control_characters() -> None:
    assert check_value("O'BRIEN-SMITH", field="subscriber.last_name") == "O'BRIEN-SMITH"
    with pytest.raises(X12WriteError, match=r"subscriber\.last_name: .*delimiter '\*'"):
        check_value("A*B", field="subscriber.last_name")
    with pytest.raises(X12WriteError, match="control character"):
        check_value("LINE\nBREAK", field="note")
    custom = Delimiters(element="|", component=">", segment="\n", repetition="!")
    assert check_value("A*B:C~D^E", field="x", delimiters=custom) == "A*B:C~D^E"
    with pytest.raises(X12WriteError):
        check_value("A>B", field="x", delimiters=custom)


def test_writer_rejects_isa_values_that_do_not_fit() -> None:
    with pytest.raises(X12WriteError) as raised:
        X12Builder().isa(dataclasses.replace(VALUES, sender_id="X" * 16))
    assert raised.value.field == "ISA06"
    with pytest.raises(X12WriteError) as raised:
        X12Builder().isa(dataclasses.replace(VALUES, receiver_id="A*B"))
    assert raised.value.field == "ISA08"
    with pytest.raises(X12WriteError) as raised:
        X12Builder().isa(dataclasses.replace(VALUES, usage_indicator="X"))
    assert raised.value.field == "ISA15"


@pytest.mark.parametrize("number", [0, -1, 1_000_000_000])
def test_writer_rejects_control_numbers_out_of_range(number: int) -> None:
    with pytest.raises(X12WriteError) as raised:
        X12Builder().isa(dataclasses.replace(VALUES, interchange_control_number=number))
    assert raised.value.field == "ISA13"
    builder = X12Builder()
    builder.isa(VALUES)
    with pytest.raises(X12WriteError) as raised:
        builder.gs(dataclasses.replace(VALUES, group_control_number=number))
    assert raised.value.field == "GS06"


def test_writer_refuses_envelopes_out_of_order() -> None:
    builder = X12Builder()
    with pytest.raises(X12WriteError):
        builder.add("BHT", "0010")  # outside ST
    with pytest.raises(X12WriteError):
        builder.gs(VALUES)  # before ISA
    builder.isa(VALUES)
    builder.gs(VALUES)
    builder.st("276", 1, "005010X212")
    with pytest.raises(X12WriteError):
        builder.ge()  # ST still open
    with pytest.raises(X12WriteError):
        builder.render()
    with pytest.raises(X12WriteError):
        builder.st("276", "12", "005010X212")  # ST inside ST, and too short


def test_writer_rejects_delimiters_that_clash() -> None:
    with pytest.raises(X12WriteError):
        X12Builder(Delimiters(element="*", component="*", segment="~", repetition="^"))
    with pytest.raises(X12WriteError):
        X12Builder(Delimiters(element="A", component=":", segment="~", repetition="^"))


def test_writer_formats_times_amounts_and_ranges() -> None:
    assert format_time(dt.time(23, 59, 59)) == "2359"
    assert format_time("0000") == "0000"
    for bad in ("2400", "12:00", "930", "1260"):
        with pytest.raises(X12WriteError):
            format_time(bad)
    assert format_amount(Decimal("7599.00")) == "7599.00"
    assert format_amount(Decimal("1E+2")) == "100"
    assert format_amount(Decimal("-0")) == "0"
    with pytest.raises(X12WriteError):
        format_amount(Decimal("NaN"), field="total_charge")
    assert format_date_range(dt.date(2005, 8, 31), dt.date(2005, 9, 6)) == "20050831-20050906"
    with pytest.raises(X12WriteError):
        format_date_range(dt.date(2005, 9, 6), dt.date(2005, 8, 31))


def test_writer_for_transaction_fills_but_never_overrides_gs01_gs08() -> None:
    blank = dataclasses.replace(VALUES, functional_id="", implementation_reference="")
    filled = for_transaction(blank, "HS", "005010X279A1")
    assert (filled.functional_id, filled.implementation_reference) == ("HS", "005010X279A1")
    with pytest.raises(X12WriteError) as raised:
        for_transaction(VALUES, "HS", "005010X279A1")
    assert raised.value.field == "GS01"
    builder = X12Builder()
    builder.isa(blank)
    with pytest.raises(X12WriteError):
        builder.gs(blank)
