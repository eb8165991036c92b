"""Writer for the 276 claim status inquiry we send (005010X212).

A pure function from a typed request to the full ISA..IEA text. The caller passes every
envelope value (control numbers, date and time, test or production), so nothing here reads the
clock and a retry renders the same bytes. Bad data raises `X12WriteError` naming the request
field.

276 hierarchy (X212): HL 20 payer (2000A) > 21 information receiver (2000B) > 19 service
provider (2000C) > 22 subscriber (2000D) > 23 dependent (2000E); each claim is a 2200D/E loop
under the patient's HL. Inquiries are grouped so a provider and a subscriber each get one HL.
The parties are in `write.inquiry`, shared with the 270.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..errors import X12WriteError
from ..tokenizer import Delimiters
from ..writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    for_transaction,
    format_amount,
    format_date_range,
)
from .inquiry import (
    InformationReceiver,
    Payer,
    Person,
    Provider,
    _check_delimiters,
    _close,
    _dmg,
    _hl,
    _nm1_organisation,
    _nm1_person,
    _nm1_provider,
    _open,
    _require,
)

CLAIM_STATUS_VERSION = "005010X212"


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
