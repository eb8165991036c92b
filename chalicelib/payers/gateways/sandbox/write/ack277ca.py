"""277CA health care claim acknowledgment writer (005010X214).

One 277CA answers one 837 transaction set (X214 1.7.1: a one-to-one correlation, so the 837's
BHT03 is echoed in the 2200B TRN): HL 20 information source (the payer, or the clearinghouse
when it rejects before any payer sees the claim), HL 21 information receiver (the submitter),
HL 19 billing provider, HL PT patient with one 2200D loop per claim. Each claim gets an STC
whose C043 composite says category (A1/A2 accepted, A3/A6/A7/A8 rejected), status code and the
entity the status is about, with STC03 WQ (accepted) or U (rejected).

Input is typed; counts and amounts of the 2200B/2200C summaries are computed from the claims,
so they are right by construction. `parse_277` reads back what is written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.writer import (
    DEFAULT_DELIMITERS,
    Composite,
    Element,
    EnvelopeValues,
    X12Builder,
    check_value,
    for_transaction,
    format_amount,
    format_date8,
    format_date_range,
    format_time,
)

IMPLEMENTATION_REFERENCE = "005010X214"
FUNCTIONAL_ID = "HN"  # GS01 for every 277
ACCEPT, REJECT = "WQ", "U"  # STC03 action codes (X214 2200B/C/D)
REJECTED_CATEGORIES = frozenset({"A3", "A6", "A7", "A8"})
"""Claim status categories that mean the claim did not enter adjudication (X214 2200D STC01)."""


@dataclass(frozen=True, slots=True)
class StatusCode:
    """C043 (STC01, STC10, STC11): category (code 507), status (code 508), entity (98)."""

    category: str
    status: str
    entity: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """2100A: NM101 PR payer or AY clearinghouse; NM108 PI payer id, 46 ETIN, FI, XV."""

    name: str
    identifier: str
    entity_code: str = "PR"
    id_qualifier: str = "PI"


@dataclass(frozen=True, slots=True)
class Receiver:
    """2100B information receiver (NM1*41): the submitter, by its ETIN (NM108 46)."""

    name: str
    identifier: str


@dataclass(frozen=True, slots=True)
class BillingProvider:
    """2100C (NM1*85): organisation, or a person when `first_name` is set; NPI (XX)."""

    name: str
    npi: str
    first_name: str | None = None
    trace_number: str = "0"  # 2200C TRN02 provider of service information trace identifier
    tax_id: str | None = None  # 2200C REF*TJ


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgment:
    """One claim (loops 2000D/2100D/2200D). `statuses` are STC01, STC10, STC11."""

    provider: BillingProvider
    patient_last_name: str  # 2100D NM103 (PHI)
    patient_member_id: str  # 2100D NM109 (NM108 MI)
    patient_control_number: str  # 2200D TRN02: the 837 CLM01
    statuses: tuple[StatusCode, ...]
    total_charge: Decimal  # STC04: the 837 CLM02
    service_date_from: dt.date  # DTP*472
    service_date_to: dt.date | None = None
    patient_first_name: str | None = None  # NM104
    payer_claim_control_number: str | None = None  # REF*1K
    clearinghouse_trace_number: str | None = None  # REF*D9
    message: str | None = None  # STC12 free-form message

    @property
    def accepted(self) -> bool:
        return self.statuses[0].category not in REJECTED_CATEGORIES


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgmentReport:
    """The whole 277CA for one received 837 transaction set."""

    source: Source
    receiver: Receiver
    reference_id: str  # BHT03: our id for this 277CA
    batch_reference: str  # 2200B TRN02: the 837's BHT03
    transmission_control_id: str  # 2200A TRN02 transmission receipt control identifier
    received: dt.date  # 2200A DTP*050: when the 837 arrived
    processed: dt.date  # 2200A DTP*009 and every STC02
    claims: tuple[ClaimAcknowledgment, ...]


def _status(builder: X12Builder, code: StatusCode) -> Composite:
    return builder.composite(code.category, code.status, code.entity or "")


def _check(report: ClaimAcknowledgmentReport, delimiters: Delimiters) -> None:
    if not report.claims:
        raise X12WriteError("a 277CA needs at least one claim", field="claims")
    for i, claim in enumerate(report.claims):
        field = f"claims[{i}]"
        if not claim.statuses or len(claim.statuses) > 3:
            raise X12WriteError("one to three status codes (STC01, 10, 11)", field=field)
        if claim.total_charge < 0:
            raise X12WriteError("cannot be negative", field=f"{field}.total_charge")
        for name in ("patient_control_number", "patient_last_name", "patient_member_id"):
            value = getattr(claim, name)
            if not value:
                raise X12WriteError("is required", field=f"{field}.{name}")
            check_value(value, field=f"{field}.{name}", delimiters=delimiters)
        if len(claim.provider.npi) != 10 or not claim.provider.npi.isdigit():
            raise X12WriteError("an NPI is 10 digits", field=f"{field}.provider.npi")


def _summary(
    builder: X12Builder, claims: list[ClaimAcknowledgment], accepted_id: str, rejected_id: str
) -> None:
    """QTY/AMT of accepted and rejected claims (2200B: 90/AA; 2200C: QA/QC; AMT YU/YY)."""
    accepted = [c for c in claims if c.accepted]
    rejected = [c for c in claims if not c.accepted]
    if accepted:
        builder.add("QTY", accepted_id, str(len(accepted)))
    if rejected:
        builder.add("QTY", rejected_id, str(len(rejected)))
    if accepted:
        builder.add("AMT", "YU", format_amount(sum((c.total_charge for c in accepted), Decimal(0))))
    if rejected:
        builder.add("AMT", "YY", format_amount(sum((c.total_charge for c in rejected), Decimal(0))))


def _level_status(builder: X12Builder, claims: list[ClaimAcknowledgment], processed: str) -> None:
    """2200B/2200C STC: A1:20 (received, accepted for processing) for the unit of work; U only
    when every claim in it was rejected (X214 2200B STC03 note: U is for a whole rejection)."""
    total = sum((c.total_charge for c in claims), Decimal(0))
    action = ACCEPT if any(c.accepted for c in claims) else REJECT
    status = builder.composite("A1", "20") if action == ACCEPT else builder.composite("A3", "21")
    builder.add("STC", status, processed, action, format_amount(total))


def _provider_status(builder: X12Builder, claims: list[ClaimAcknowledgment]) -> None:
    """2200C STC (STC02 is not used at this level)."""
    total = sum((c.total_charge for c in claims), Decimal(0))
    action = ACCEPT if any(c.accepted for c in claims) else REJECT
    status = builder.composite("A1", "20") if action == ACCEPT else builder.composite("A3", "21")
    builder.add("STC", status, "", action, format_amount(total))


def render_277ca(
    report: ClaimAcknowledgmentReport,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    created_at: dt.datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 277CA interchange text; GS01/GS08 default to HN / 005010X214. `created_at` is
    BHT04/BHT05 (the caller's clock)."""
    _check(report, delimiters)
    builder = X12Builder(delimiters)
    envelope = for_transaction(envelope, FUNCTIONAL_ID, IMPLEMENTATION_REFERENCE)
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("277", control_number, IMPLEMENTATION_REFERENCE)
    # BHT01 0085 information source > receiver > provider > patient; BHT02 08 status;
    # BHT06 TH receipt acknowledgment notification.
    builder.add(
        "BHT",
        "0085",
        "08",
        report.reference_id,
        format_date8(created_at.date()),
        format_time(created_at.time()),
        "TH",
    )
    processed = format_date8(report.processed)
    claims = list(report.claims)

    builder.add("HL", "1", "", "20", "1")  # 2000A
    source = report.source
    builder.add(
        "NM1",
        source.entity_code,
        "2",
        source.name,
        *("", "", "", ""),
        source.id_qualifier,
        source.identifier,
    )
    builder.add("TRN", "1", report.transmission_control_id)  # 2200A
    builder.add("DTP", "050", "D8", format_date8(report.received))
    builder.add("DTP", "009", "D8", processed)

    builder.add("HL", "2", "1", "21", "1")  # 2000B
    receiver = report.receiver
    builder.add("NM1", "41", "2", receiver.name, *("", "", "", ""), "46", receiver.identifier)
    builder.add("TRN", "2", report.batch_reference)  # 2200B: the 837 BHT03
    _level_status(builder, claims, processed)
    _summary(builder, claims, "90", "AA")

    providers: dict[BillingProvider, list[ClaimAcknowledgment]] = {}
    for claim in claims:
        providers.setdefault(claim.provider, []).append(claim)
    hl = 2
    for provider, provider_claims in providers.items():
        hl += 1
        provider_hl = hl
        builder.add("HL", str(provider_hl), "2", "19", "1")  # 2000C
        builder.add(
            "NM1",
            "85",
            "1" if provider.first_name else "2",
            provider.name,
            provider.first_name or "",
            *("", "", ""),
            "XX",
            provider.npi,
        )
        builder.add("TRN", "1", provider.trace_number)  # 2200C
        _provider_status(builder, provider_claims)
        if provider.tax_id:
            builder.add("REF", "TJ", provider.tax_id)
        _summary(builder, provider_claims, "QA", "QC")
        for claim in provider_claims:
            hl += 1
            builder.add("HL", str(hl), str(provider_hl), "PT")  # 2000D
            builder.add(
                "NM1",
                "QC",
                "1",
                claim.patient_last_name,
                claim.patient_first_name or "",
                *("", "", ""),
                "MI",
                claim.patient_member_id,
            )
            builder.add("TRN", "2", claim.patient_control_number)  # 2200D: the 837 CLM01
            action = ACCEPT if claim.accepted else REJECT
            first, *others = claim.statuses
            elements: list[Element] = [
                _status(builder, first),
                processed,
                action,
                format_amount(claim.total_charge),
            ]
            if others or claim.message:
                elements += [""] * 5  # STC05-STC09 are not used in the 277CA
                elements += [_status(builder, code) for code in others]
                elements += [""] * (2 - len(others))
                elements.append(claim.message or "")
            builder.add("STC", *elements)
            if claim.payer_claim_control_number:
                builder.add("REF", "1K", claim.payer_claim_control_number)
            if claim.clearinghouse_trace_number:
                builder.add("REF", "D9", claim.clearinghouse_trace_number)
            end = claim.service_date_to or claim.service_date_from
            if end == claim.service_date_from:
                builder.add("DTP", "472", "D8", format_date8(claim.service_date_from))
            else:
                builder.add("DTP", "472", "RD8", format_date_range(claim.service_date_from, end))
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
