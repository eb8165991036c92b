"""Writers for the two inquiries we send: 276 claim status (005010X212) and 270 eligibility
(005010X279A1).

Pure functions from typed requests to the full ISA..IEA text. The caller passes every envelope
value (control numbers, date and time, test or production), so nothing here reads the clock and
a retry renders the same bytes. Bad data is our fault: it raises `X12WriteError` naming the
request field (e.g. "inquiries[0].subscriber.last_name"), never writes a delimiter raw.

276 hierarchy (X212): HL 20 payer (2000A) > 21 information receiver (2000B) > 19 service
provider (2000C) > 22 subscriber (2000D) > 23 dependent (2000E); each claim is a 2200D/E loop
under the patient's HL. Inquiries are grouped so a provider and a subscriber each get one HL.

270 hierarchy (X279A1): HL 20 payer > 21 information receiver (the provider) > 22 subscriber
> 23 dependent; each inquiry gets its own subscriber HL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .errors import X12WriteError
from .tokenizer import Delimiters
from .writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    check_value,
    for_transaction,
    format_amount,
    format_date8,
    format_date_range,
    format_time,
)

CLAIM_STATUS_VERSION = "005010X212"
ELIGIBILITY_VERSION = "005010X279A1"
_GENDERS = frozenset({"M", "F", "U"})


@dataclass(frozen=True, slots=True)
class Payer:
    """2100A payer (NM1*PR)."""

    name: str  # NM103
    payer_id: str  # NM109
    id_qualifier: str = "PI"  # NM108: PI payer id, XV CMS plan id


@dataclass(frozen=True, slots=True)
class InformationReceiver:
    """276 2100B (NM1*41): who receives the 277, usually us, identified by our ETIN."""

    name: str  # NM103 organisation name
    identifier: str  # NM109
    id_qualifier: str = "46"  # NM108: 46 electronic transmitter identification number


@dataclass(frozen=True, slots=True)
class Provider:
    """276 2100C service provider / 270 2100B information receiver (NM1*1P) by NPI.
    With `first_name` set the provider is a person (NM102 1), else an organisation (2)."""

    name: str  # NM103 organisation or last name
    npi: str  # NM109 with NM108 XX
    first_name: str | None = None  # NM104


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber or dependent (PHI). The subscriber needs `member_id`; whoever is the
    patient needs `birth_date` (276 2000D/E DMG is required for the patient)."""

    last_name: str  # NM103
    first_name: str | None = None  # NM104
    middle_name: str | None = None  # NM105
    suffix: str | None = None  # NM107
    member_id: str | None = None  # NM109 (NM108 MI), subscriber only in 5010
    birth_date: dt.date | None = None  # DMG02
    gender: str | None = None  # DMG03: M, F, U


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiry:
    """One claim to ask about: loop 2200D (subscriber is the patient) or 2200E (dependent)."""

    provider: Provider
    subscriber: Person
    patient_control_number: str  # our CLM01, REF*EJ (X212 2200D/E)
    total_charge: Decimal  # AMT*T3, CLM02 as billed
    service_date_from: dt.date  # DTP*472 RD8
    service_date_to: dt.date | None = None  # None: a one-day claim
    dependent: Person | None = None  # the patient when it is not the subscriber
    payer_claim_control_number: str | None = None  # REF*1K, once the payer has assigned one
    trace_number: str | None = None  # TRN02; defaults to the patient control number
    bill_type: str | None = None  # REF*BLT, institutional claims only
    clearinghouse_trace_number: str | None = None  # REF*D9


@dataclass(frozen=True, slots=True)
class ClaimStatusRequest:
    """One 276 transaction set to one payer: any number of claims."""

    payer: Payer
    information_receiver: InformationReceiver
    inquiries: tuple[ClaimStatusInquiry, ...]
    reference_id: str  # BHT03, our batch reference


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """One member to check: loop 2000C (and 2000D when the patient is a dependent)."""

    subscriber: Person
    trace_number: str  # TRN02, echoed in the 271 to match it back
    trace_originator_id: str  # TRN03: 10 characters, "1" + our EIN (or "9" + own number)
    service_types: tuple[str, ...] = ("30",)  # EQ01, repeated; 30 health benefit plan coverage
    date_of_service: dt.date | None = None  # DTP*291; None asks about the processing date
    dependent: Person | None = None


@dataclass(frozen=True, slots=True)
class EligibilityRequest:
    """One 270 transaction set to one payer."""

    payer: Payer
    provider: Provider  # 2100B information receiver
    inquiries: tuple[EligibilityInquiry, ...]
    reference_id: str  # BHT03, echoed in the 271


# -- validation: name the field, before any segment is written ---------------------------------


def _check_delimiters(value: object, path: str, builder: X12Builder) -> None:
    """Every string anywhere in the request, checked with its field path."""
    if isinstance(value, str):
        check_value(value, field=path, delimiters=builder.delimiters)
    elif isinstance(value, tuple):
        for position, item in enumerate(value):
            _check_delimiters(item, f"{path}[{position}]", builder)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            name = f"{path}.{item.name}" if path else item.name
            _check_delimiters(getattr(value, item.name), name, builder)


def _require(value: str | None, field: str, max_length: int, min_length: int = 1) -> str:
    if value is None or not value.strip():
        raise X12WriteError("is required", field=field)
    if not min_length <= len(value) <= max_length:
        raise X12WriteError(f"must be {min_length}-{max_length} characters", field=field)
    return value


def _optional(value: str | None, field: str, max_length: int) -> str:
    if value is None or value == "":
        return ""
    return _require(value, field, max_length)


def _npi(value: str, field: str) -> str:
    # ASCII: str.isdigit() also takes "²" and "２", which no NPI (or X12 receiver) has.
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        raise X12WriteError("an NPI is 10 digits", field=field)
    return value


# -- segment helpers ---------------------------------------------------------------------------


def _nm1_organisation(
    builder: X12Builder, code: str, name: str, qualifier: str, identifier: str, field: str
) -> None:
    builder.add(
        "NM1",
        code,
        "2",
        _require(name, f"{field}.name", 60),
        "",
        "",
        "",
        "",
        _require(qualifier, f"{field}.id_qualifier", 2),
        _require(identifier, f"{field}.identifier", 80, 2),
    )


def _nm1_provider(builder: X12Builder, provider: Provider, field: str) -> None:
    """NM1*1P (276 2100C, 270 2100B): person (NM102 1) or organisation (2), NPI (XX)."""
    builder.add(
        "NM1",
        "1P",
        "1" if provider.first_name else "2",
        _require(provider.name, f"{field}.name", 60),
        _optional(provider.first_name, f"{field}.first_name", 35),
        "",
        "",
        "",
        "XX",
        _npi(provider.npi, f"{field}.npi"),
    )


def _nm1_person(
    builder: X12Builder, code: str, person: Person, field: str, *, with_id: bool
) -> None:
    """NM1*IL subscriber (with MI member id) or NM1*QC / NM1*03 patient (no id in 5010)."""
    member_id = _require(person.member_id, f"{field}.member_id", 80, 2) if with_id else ""
    builder.add(
        "NM1",
        code,
        "1",
        _require(person.last_name, f"{field}.last_name", 60),
        _optional(person.first_name, f"{field}.first_name", 35),
        _optional(person.middle_name, f"{field}.middle_name", 25),
        "",
        _optional(person.suffix, f"{field}.suffix", 10),
        "MI" if with_id else "",
        member_id,
    )


def _dmg(builder: X12Builder, person: Person, field: str, *, required: bool) -> None:
    if person.birth_date is None:
        if required:
            raise X12WriteError("the patient's birth date is required (DMG02)", field=field)
        return
    if person.gender is not None and person.gender not in _GENDERS:
        raise X12WriteError(f"{person.gender!r} is not M, F or U", field=f"{field}.gender")
    builder.add("DMG", "D8", format_date8(person.birth_date), person.gender or "")


def _hl(builder: X12Builder, hl_id: int, parent: int | None, level: str, child: str) -> None:
    builder.add("HL", str(hl_id), str(parent) if parent else "", level, child)


def _open(
    builder: X12Builder,
    envelope: EnvelopeValues,
    set_id: str,
    control_number: int | str,
    bht01: str,
    reference_id: str,
) -> None:
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st(set_id, control_number, envelope.implementation_reference)
    builder.add(
        "BHT",
        bht01,
        "13",  # BHT02 13 request
        _require(reference_id, "reference_id", 50),
        format_date8(envelope.date),
        format_time(envelope.time),
    )


def _close(builder: X12Builder) -> str:
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()


# -- 276 ---------------------------------------------------------------------------------------


def _claim_loop(builder: X12Builder, inquiry: ClaimStatusInquiry, field: str) -> None:
    """Loop 2200D/E claim status tracking number, in TR3 segment order."""
    control = _require(inquiry.patient_control_number, f"{field}.patient_control_number", 50)
    trace = inquiry.trace_number or control
    builder.add("TRN", "1", _require(trace, f"{field}.trace_number", 50))
    if inquiry.payer_claim_control_number:
        builder.add(
            "REF",
            "1K",
            _require(inquiry.payer_claim_control_number, f"{field}.payer_claim_control_number", 50),
        )
    if inquiry.bill_type:
        builder.add("REF", "BLT", _require(inquiry.bill_type, f"{field}.bill_type", 3, 2))
    builder.add("REF", "EJ", control)
    if inquiry.clearinghouse_trace_number:
        builder.add(
            "REF",
            "D9",
            _require(inquiry.clearinghouse_trace_number, f"{field}.clearinghouse_trace_number", 50),
        )
    charge = format_amount(inquiry.total_charge, field=f"{field}.total_charge")
    if inquiry.total_charge < 0:
        raise X12WriteError("cannot be negative", field=f"{field}.total_charge")
    builder.add("AMT", "T3", charge)
    end = inquiry.service_date_to or inquiry.service_date_from
    try:
        period = format_date_range(inquiry.service_date_from, end)
    except X12WriteError:
        raise X12WriteError(
            "service dates end before they start", field=f"{field}.service_date_to"
        ) from None
    builder.add("DTP", "472", "RD8", period)


def render_276(
    request: ClaimStatusRequest,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 276 interchange text for `request`. `envelope` may leave GS01/GS08 empty; they are
    set to HR / 005010X212. `control_number` is ST02 (an int is zero-padded to 4 digits)."""
    builder = X12Builder(delimiters)
    if not request.inquiries:
        raise X12WriteError("a 276 needs at least one claim", field="inquiries")
    _check_delimiters(request, "", builder)
    envelope = for_transaction(envelope, "HR", CLAIM_STATUS_VERSION)
    _open(builder, envelope, "276", control_number, "0010", request.reference_id)

    # Group claims: provider > subscriber > dependent, in order of first appearance; the
    # first claim in each group names the field when that provider or person is invalid.
    tree: dict[Provider, dict[Person, dict[Person | None, list[int]]]] = {}
    first: dict[object, int] = {}
    for position, inquiry in enumerate(request.inquiries):
        first.setdefault(inquiry.provider, position)
        first.setdefault((inquiry.provider, inquiry.subscriber), position)
        subscribers = tree.setdefault(inquiry.provider, {})
        patients = subscribers.setdefault(inquiry.subscriber, {})
        patients.setdefault(inquiry.dependent, []).append(position)

    _hl(builder, 1, None, "20", "1")
    _nm1_organisation(
        builder,
        "PR",
        request.payer.name,
        request.payer.id_qualifier,
        request.payer.payer_id,
        "payer",
    )
    _hl(builder, 2, 1, "21", "1")
    receiver = request.information_receiver
    _nm1_organisation(
        builder,
        "41",
        receiver.name,
        receiver.id_qualifier,
        receiver.identifier,
        "information_receiver",
    )
    next_id = 3
    for provider, subscribers in tree.items():
        provider_hl = next_id
        next_id += 1
        _hl(builder, provider_hl, 2, "19", "1")
        _nm1_provider(builder, provider, f"inquiries[{first[provider]}].provider")
        for subscriber, patients in subscribers.items():
            subscriber_hl = next_id
            next_id += 1
            field = f"inquiries[{first[(provider, subscriber)]}].subscriber"
            has_dependents = any(dependent is not None for dependent in patients)
            own_claims = patients.get(None, [])
            _hl(builder, subscriber_hl, provider_hl, "22", "1" if has_dependents else "0")
            if own_claims:  # 2000D DMG: required when the subscriber is the patient
                _dmg(builder, subscriber, field, required=True)
            _nm1_person(builder, "IL", subscriber, field, with_id=True)
            for position in own_claims:
                _claim_loop(builder, request.inquiries[position], f"inquiries[{position}]")
            for dependent, positions in patients.items():
                if dependent is None:
                    continue
                field = f"inquiries[{positions[0]}].dependent"
                _hl(builder, next_id, subscriber_hl, "23", "")
                next_id += 1
                _dmg(builder, dependent, field, required=True)
                _nm1_person(builder, "QC", dependent, field, with_id=False)
                for position in positions:
                    _claim_loop(builder, request.inquiries[position], f"inquiries[{position}]")
    return _close(builder)


# -- 270 ---------------------------------------------------------------------------------------


def _eligibility_tail(builder: X12Builder, inquiry: EligibilityInquiry, field: str) -> None:
    """2100C/D DTP*291 and 2110C/D EQ, written under whoever is the patient."""
    if inquiry.date_of_service is not None:
        builder.add("DTP", "291", "D8", format_date8(inquiry.date_of_service))
    codes = inquiry.service_types
    if not codes or len(codes) > 99:
        raise X12WriteError("between 1 and 99 service type codes", field=f"{field}.service_types")
    for position, code in enumerate(codes):
        if not 1 <= len(code) <= 2 or not code.isalnum():
            raise X12WriteError(
                f"{code!r} is not a service type code", field=f"{field}.service_types[{position}]"
            )
    builder.add("EQ", builder.repeated(*codes))


def _trn(builder: X12Builder, inquiry: EligibilityInquiry, field: str) -> None:
    originator = inquiry.trace_originator_id
    if len(originator) != 10 or not originator.isalnum():
        raise X12WriteError("TRN03 is 10 characters", field=f"{field}.trace_originator_id")
    builder.add("TRN", "1", _require(inquiry.trace_number, f"{field}.trace_number", 50), originator)


def render_270(
    request: EligibilityRequest,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 270 interchange text for `request`; GS01/GS08 default to HS / 005010X279A1."""
    builder = X12Builder(delimiters)
    if not request.inquiries:
        raise X12WriteError("a 270 needs at least one member", field="inquiries")
    _check_delimiters(request, "", builder)
    envelope = for_transaction(envelope, "HS", ELIGIBILITY_VERSION)
    _open(builder, envelope, "270", control_number, "0022", request.reference_id)
    _hl(builder, 1, None, "20", "1")
    _nm1_organisation(
        builder,
        "PR",
        request.payer.name,
        request.payer.id_qualifier,
        request.payer.payer_id,
        "payer",
    )
    _hl(builder, 2, 1, "21", "1")
    _nm1_provider(builder, request.provider, "provider")
    next_id = 3
    for position, inquiry in enumerate(request.inquiries):
        field = f"inquiries[{position}]"
        subscriber_hl = next_id
        next_id += 1
        dependent = inquiry.dependent
        _hl(builder, subscriber_hl, 2, "22", "0" if dependent is None else "1")
        if dependent is None:  # 2000C TRN: required when the subscriber is the patient
            _trn(builder, inquiry, field)
        _nm1_person(builder, "IL", inquiry.subscriber, f"{field}.subscriber", with_id=True)
        _dmg(builder, inquiry.subscriber, f"{field}.subscriber", required=False)
        if dependent is None:
            _eligibility_tail(builder, inquiry, field)
            continue
        _hl(builder, next_id, subscriber_hl, "23", "0")
        next_id += 1
        _trn(builder, inquiry, field)
        _nm1_person(builder, "03", dependent, f"{field}.dependent", with_id=False)
        _dmg(builder, dependent, f"{field}.dependent", required=False)
        _eligibility_tail(builder, inquiry, field)
    return _close(builder)
