"""277 health care claim status response writer (005010X212), the answer to a 276.

Same hierarchy as the 276 it answers (X212): HL 20 payer (2000A) > 21 information receiver
(2000B) > 19 service provider (2000C) > 22 subscriber (2000D) > 23 dependent (2000E), each
claim a 2200D/E loop under whoever is the patient: TRN*2 echoes the 276 TRN02, STC carries
the status (category F1 paid, F2 denied, P1 pending, A4 not found ...) with the amounts and
the payment (STC04-STC09), REF*1K the payer's claim control number, REF*EJ our patient control
number, DTP*472 the service period.

pyx12 has no X212 map, so `parse_277` reading back the same values is the check here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.payers.gateways.sandbox.write.ack277ca import StatusCode
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
from chalicelib.x12.writer import (
    DEFAULT_DELIMITERS,
    Element,
    EnvelopeValues,
    X12Builder,
    for_transaction,
    format_date8,
    format_date_range,
    format_r,
    format_time,
)

IMPLEMENTATION_REFERENCE = "005010X212"
FUNCTIONAL_ID = "HN"
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})
"""STC07 payment method codes (X212 2200D STC07)."""


@dataclass(frozen=True, slots=True)
class ClaimStatusResult:
    """One claim's status (loop 2200D, or 2200E when `dependent` is the patient)."""

    provider: Provider
    subscriber: Person  # needs member_id (NM109 MI)
    trace_number: str  # TRN02: the 276's TRN02
    patient_control_number: str  # REF*EJ
    statuses: tuple[StatusCode, ...]  # STC01, STC10, STC11
    effective_date: dt.date  # STC02
    service_date_from: dt.date  # DTP*472 RD8
    service_date_to: dt.date | None = None
    dependent: Person | None = None
    total_charge: Decimal | None = None  # STC04, when the claim was found
    paid: Decimal | None = None  # STC05
    adjudication_date: dt.date | None = None  # STC06
    payment_method: str | None = None  # STC07
    check_date: dt.date | None = None  # STC08 check issue or EFT effective date
    check_number: str | None = None  # STC09 check or EFT trace number
    payer_claim_control_number: str | None = None  # REF*1K
    message: str | None = None  # STC12


@dataclass(frozen=True, slots=True)
class ClaimStatusResponse:
    """One 277 transaction set from one payer."""

    payer: Payer
    information_receiver: InformationReceiver
    reference_id: str  # BHT03: echoes the 276 BHT03
    results: tuple[ClaimStatusResult, ...]


def _stc(builder: X12Builder, result: ClaimStatusResult, field: str) -> None:
    if not result.statuses or len(result.statuses) > 3:
        raise X12WriteError("one to three status codes (STC01, 10, 11)", field=field)
    if result.payment_method is not None and result.payment_method not in PAYMENT_METHODS:
        raise X12WriteError(f"{result.payment_method!r} is not an STC07 code", field=field)
    first, *others = result.statuses

    def amount(value: Decimal | None, name: str) -> str:
        return "" if value is None else format_r(value, field=f"{field}.{name}")

    def day(value: dt.date | None) -> str:
        return "" if value is None else format_date8(value)

    elements: list[Element] = [
        builder.composite(first.category, first.status, first.entity or ""),
        format_date8(result.effective_date),
        "",
        amount(result.total_charge, "total_charge"),
        amount(result.paid, "paid"),
        day(result.adjudication_date),
        result.payment_method or "",
        day(result.check_date),
        result.check_number or "",
    ]
    elements += [builder.composite(c.category, c.status, c.entity or "") for c in others]
    if result.message:
        elements += [""] * (2 - len(others)) + [result.message]
    builder.add("STC", *elements)


def _claim(builder: X12Builder, result: ClaimStatusResult, field: str) -> None:
    """Loop 2200D/E in TR3 segment order: TRN, STC, REF*1K, REF*EJ, DTP*472."""
    builder.add("TRN", "2", result.trace_number)
    _stc(builder, result, field)
    if result.payer_claim_control_number:
        builder.add("REF", "1K", result.payer_claim_control_number)
    builder.add("REF", "EJ", result.patient_control_number)
    end = result.service_date_to or result.service_date_from
    builder.add("DTP", "472", "RD8", format_date_range(result.service_date_from, end))


def _person(builder: X12Builder, code: str, person: Person, *, with_id: bool) -> None:
    if with_id and not person.member_id:
        raise X12WriteError("the subscriber's member id is required", field="subscriber")
    builder.add(
        "NM1",
        code,
        "1",
        person.last_name,
        person.first_name or "",
        person.middle_name or "",
        "",
        person.suffix or "",
        "MI" if with_id else "",
        (person.member_id or "") if with_id else "",
    )


def render_277(
    response: ClaimStatusResponse,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    created_at: dt.datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 277 interchange text; GS01/GS08 default to HN / 005010X212."""
    if not response.results:
        raise X12WriteError("a 277 needs at least one claim", field="results")
    builder = X12Builder(delimiters)
    envelope = for_transaction(envelope, FUNCTIONAL_ID, IMPLEMENTATION_REFERENCE)
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("277", control_number, IMPLEMENTATION_REFERENCE)
    # BHT01 0010 information source > receiver > provider > subscriber > dependent;
    # BHT02 08 status; BHT06 DG response.
    builder.add(
        "BHT",
        "0010",
        "08",
        response.reference_id,
        format_date8(created_at.date()),
        format_time(created_at.time()),
        "DG",
    )
    payer = response.payer
    builder.add("HL", "1", "", "20", "1")
    builder.add("NM1", "PR", "2", payer.name, *("", "", "", ""), payer.id_qualifier, payer.payer_id)
    receiver = response.information_receiver
    builder.add("HL", "2", "1", "21", "1")
    builder.add(
        "NM1",
        "41",
        "2",
        receiver.name,
        *("", "", "", ""),
        receiver.id_qualifier,
        receiver.identifier,
    )

    tree: dict[Provider, dict[Person, dict[Person | None, list[int]]]] = {}
    for position, result in enumerate(response.results):
        patients = tree.setdefault(result.provider, {}).setdefault(result.subscriber, {})
        patients.setdefault(result.dependent, []).append(position)
    next_id = 3
    for provider, subscribers in tree.items():
        provider_hl = next_id
        next_id += 1
        builder.add("HL", str(provider_hl), "2", "19", "1")
        builder.add(
            "NM1",
            "1P",
            "1" if provider.first_name else "2",
            provider.name,
            provider.first_name or "",
            *("", "", ""),
            "XX",
            provider.npi,
        )
        for subscriber, patients in subscribers.items():
            subscriber_hl = next_id
            next_id += 1
            has_dependents = any(dependent is not None for dependent in patients)
            builder.add(
                "HL", str(subscriber_hl), str(provider_hl), "22", "1" if has_dependents else "0"
            )
            _person(builder, "IL", subscriber, with_id=True)
            for position in patients.get(None, []):
                _claim(builder, response.results[position], f"results[{position}]")
            for dependent, positions in patients.items():
                if dependent is None:
                    continue
                builder.add("HL", str(next_id), str(subscriber_hl), "23")
                next_id += 1
                _person(builder, "QC", dependent, with_id=False)
                for position in positions:
                    _claim(builder, response.results[position], f"results[{position}]")
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
