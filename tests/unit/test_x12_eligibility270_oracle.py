"""The 270s claimgate writes, read by an independent implementation: the linuxforhealth x12
library's 005010X279A1 models (pyx12 has no 5010 map for the 270). Every variant the service
writes reads clean there, with the member, the provider and the questions where the TR3 puts
them; a damaged 270 is refused there, so the oracle can say no."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.x12.write.eligibility270 import EligibilityInquiry, EligibilityRequest, render_270
from chalicelib.x12.write.inquiry import Payer, Person, Provider
from chalicelib.x12.writer import EnvelopeValues
from tests.linuxforhealth_oracle import read_with_linuxforhealth

ENVELOPE = EnvelopeValues(
    sender_qualifier="ZZ",
    sender_id="CLAIMGATE",
    receiver_qualifier="ZZ",
    receiver_id="SANDBOXCH",
    interchange_control_number=42,
    group_control_number=42,
    date=dt.date(2026, 11, 27),
    time="1200",
    usage_indicator="T",
    application_receiver_code="SANDBOXCH",
)
ADA = Person("LOVELACE", "ADA", member_id="W123456789", birth_date=dt.date(1980, 1, 1), gender="F")


def _inquiry(**changes: Any) -> EligibilityInquiry:
    fields: dict[str, Any] = {
        "subscriber": ADA,
        "trace_number": "ELG7F3A9C21B04D",
        "trace_originator_id": "9a1b2c3d4e",
        "service_types": ("30",),
        "date_of_service": dt.date(2026, 11, 20),
    }
    fields.update(changes)
    return EligibilityInquiry(**fields)


def _270(*inquiries: EligibilityInquiry, provider: Provider | None = None) -> str:
    request = EligibilityRequest(
        payer=Payer("SANDBOX COMMERCIAL PPO", "SBX01"),
        provider=provider or Provider("MAPLE STREET FAMILY PRACTICE", "1234567893"),
        inquiries=inquiries,
        reference_id="000000042",
    )
    return render_270(request, ENVELOPE, control_number=42)


VARIANTS = {
    "subscriber, one service type, a date of service": _270(_inquiry()),
    "subscriber, several service types, no date": _270(
        _inquiry(service_types=("30", "1", "33", "98", "MH"), date_of_service=None)
    ),
    "dependent of the subscriber": _270(
        _inquiry(
            subscriber=Person("LOVELACE", "ADA", member_id="W123456789"),
            dependent=Person("LOVELACE", "BYRON", birth_date=dt.date(2015, 3, 1), gender="M"),
        )
    ),
    "a person as the provider": _270(
        _inquiry(), provider=Provider("ORTIZ", "1245319599", first_name="LENA")
    ),
}
# Not among them: two members in one 270. The service asks one member a 270, and the
# library's own HL check refuses a second 2000C under one 2000B (it wants each HL's parent
# to be both the HL before it and the 2000B), which the TR3 allows.


def _member_loops(model: dict[str, Any]) -> list[dict[str, Any]]:
    [source] = model["loop_2000a"]
    [receiver] = source["loop_2000b"]
    return list(receiver["loop_2000c"])


def test_every_270_variant_we_write_reads_clean_in_the_linuxforhealth_models() -> None:
    answers = read_with_linuxforhealth(list(VARIANTS.values()))
    for (name, _text), answer in zip(VARIANTS.items(), answers, strict=True):
        assert answer["ok"], f"{name}: {answer.get('detail')}"
        [model] = answer["models"]
        assert model["header"]["st_segment"]["implementation_convention_reference"] == (
            "005010X279A1"
        )
        [source] = model["loop_2000a"]
        assert source["loop_2100a"]["nm1_segment"]["identification_code"] == "SBX01"
        members = _member_loops(model)
        assert members[0]["loop_2100c"]["nm1_segment"]["identification_code"] == "W123456789"


def test_the_questions_sit_where_the_tr3_puts_them() -> None:
    several, dependent = (
        VARIANTS["subscriber, several service types, no date"],
        VARIANTS["dependent of the subscriber"],
    )
    [first, second] = read_with_linuxforhealth([several, dependent])
    [member] = _member_loops(first["models"][0])
    asked = member["loop_2100c"]["loop_2110c"]  # one EQ, the service types repeated
    assert asked["eq_segment"]["service_type_code"] == ["30", "1", "33", "98", "MH"]
    [subscriber] = _member_loops(second["models"][0])
    [patient] = subscriber["loop_2000d"]
    assert patient["loop_2100d"]["nm1_segment"]["name_first"] == "BYRON"
    assert patient["loop_2100d"]["dmg_segment"]["date_time_period"] == "2015-03-01"
    assert patient["loop_2100d"]["loop_2110d"]["eq_segment"]["service_type_code"] == ["30"]


def test_the_oracle_refuses_a_damaged_270() -> None:
    good = VARIANTS["subscriber, one service type, a date of service"]
    damaged = [
        good.replace("EQ*30~", "EQ*ZZZ~"),  # not a service type code
        good.replace("DTP*291*D8*20261120~", "DTP*291*D8*20261320~"),  # not a date
        good.replace("NM1*1P*2*MAPLE STREET FAMILY PRACTICE*****XX*1234567893~", ""),  # 2100B
    ]
    assert all(d != good for d in damaged)
    assert [answer["ok"] for answer in read_with_linuxforhealth(damaged)] == [False] * 3
