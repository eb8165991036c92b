"""What the two inquiries we send share (276 claim status, `write.status276`; 270
eligibility, `write.eligibility270`): the parties, and the validation and segments that name
them. Bad data is our fault: it raises `X12WriteError` naming the request field (e.g.
"inquiries[0].subscriber.last_name"), never writes a delimiter raw.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..errors import X12WriteError
from ..writer import (
    EnvelopeValues,
    X12Builder,
    check_value,
    format_date8,
    format_time,
)

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
