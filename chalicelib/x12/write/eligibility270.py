"""Writer for the 270 eligibility inquiry we send (005010X279A1).

A pure function from a typed request to the full ISA..IEA text; the caller passes every
envelope value, so a retry renders the same bytes. Bad data raises `X12WriteError` naming the
request field.

270 hierarchy (X279A1): HL 20 payer > 21 information receiver (the provider) > 22 subscriber
> 23 dependent; each inquiry gets its own subscriber HL. The parties are in `write.inquiry`,
shared with the 276.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import X12WriteError
from ..tokenizer import Delimiters
from ..writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    for_transaction,
    format_date8,
)
from .inquiry import (
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

ELIGIBILITY_VERSION = "005010X279A1"


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
