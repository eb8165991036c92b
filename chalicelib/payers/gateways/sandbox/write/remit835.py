"""835 health care claim payment/advice writer (005010X221A1).

Takes an adjudication as typed data and writes BPR/TRN, the payer (1000A) and payee (1000B),
one 2000 header number loop with a 2100 claim loop per claim and a 2110 loop per service line,
and the provider-level adjustments (PLB).

An 835 that does not balance sends a biller chasing money that does not exist, so the TR3
balancing rules (X221A1 front matter 1.10.2, "Balancing") are preconditions here, not
afterthoughts: the writer refuses, with `X12WriteError`, any advice where

- a line's  SVC02 - sum of its CAS amounts          != SVC03,
- a claim's CLP03 - claim CAS - sum of line CAS     != CLP04,
- the       BPR02 != sum of CLP04 - sum of PLB amounts,

or where the payment method contradicts the amount (a zero payment is a notification, BPR01 H
with BPR04 NON; money moves only by ACH or check). `parse_835` reads back what is written here
with no balancing findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.claims.model import Address, Adjustment
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.writer import (
    DEFAULT_DELIMITERS,
    Element,
    EnvelopeValues,
    X12Builder,
    for_transaction,
    format_date8,
    format_r,
)

IMPLEMENTATION_REFERENCE = "005010X221A1"
FUNCTIONAL_ID = "HP"  # GS01 for the 835
CLAIM_STATUSES = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})
"""CLP02 claim status codes allowed by X221A1 2100 CLP02."""
FILING_CODES = frozenset(
    {"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF"}
    | {"TV", "VA", "WC", "ZZ"}
)
"""CLP06 claim filing indicator codes of X221A1 (no CI: a commercial PPO is 12)."""
GROUP_CODES = frozenset({"CO", "OA", "PI", "PR"})
"""CAS01 claim adjustment group codes (X221A1 2100/2110 CAS01)."""
METHODS = frozenset({"ACH", "CHK", "NON"})
"""BPR04 payment methods written here (BOP and FWT are not offered)."""
_ZERO = Decimal(0)
_CAS_TRIPLETS = 6  # CAS02-04 .. CAS17-19
_PLB_PAIRS = 6  # PLB03-04 .. PLB13-14
_MOA_REMARKS = 5  # MOA03 .. MOA07


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR and TRN. `total_paid` is BPR02, checked against the claims and PLBs.

    ACH (CCP format) needs the sending and receiving bank routing (DFI, qualifier 01) and
    account (DA) numbers; CHK and NON need none. `trace_number` is the check number or the
    EFT trace (TRN02); TRN03 is "1" + `payer_tax_id`, as is BPR10 for ACH."""

    method: str  # BPR04
    total_paid: Decimal  # BPR02
    payment_date: dt.date  # BPR16 check issue or EFT effective date
    trace_number: str  # TRN02
    payer_tax_id: str  # 9-digit EIN, TRN03 / BPR10 with a leading "1"
    sender_routing: str | None = None  # BPR07
    sender_account: str | None = None  # BPR09
    receiver_routing: str | None = None  # BPR13
    receiver_account: str | None = None  # BPR15


@dataclass(frozen=True, slots=True)
class Payer:
    """Loop 1000A: N1*PR (N103 XV payer id), N3, N4, PER*BL technical contact."""

    name: str
    payer_id: str
    address: Address
    contact_name: str
    contact_phone: str
    contact_url: str | None = None


@dataclass(frozen=True, slots=True)
class Payee:
    """Loop 1000B: N1*PE with the NPI (XX), N3, N4, REF*TJ tax id."""

    name: str
    npi: str
    address: Address | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """NM1*QC patient / NM1*IL insured (PHI); NM108 MI member id. A dependent patient has
    no member id of its own in 5010 (the insured's NM1*IL carries it)."""

    last_name: str
    identifier: str | None = None
    first_name: str | None = None
    id_qualifier: str = "MI"


@dataclass(frozen=True, slots=True)
class RenderingProvider:
    """NM1*82: a person when `first_name` is set, else an organisation; NPI (XX)."""

    name: str
    npi: str
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class Carrier:
    """NM1*TT crossover carrier: the payer the claim was forwarded to (PI payer id)."""

    name: str
    payer_id: str


@dataclass(frozen=True, slots=True)
class LinePayment:
    """Loop 2110: SVC, DTM*472, CAS, REF*6R, AMT*B6, LQ*HE."""

    procedure_code: str
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    service_date: dt.date  # DTM*472
    adjustments: tuple[Adjustment, ...] = ()
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)  # SVC05 (written only when not 1, X221A1 SVC05 note)
    procedure_qualifier: str = "HC"
    line_item_control_number: str | None = None  # REF*6R, the 837 line's REF*6R
    allowed: Decimal | None = None  # AMT*B6
    remark_codes: tuple[str, ...] = ()  # LQ*HE


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100: CLP and what goes with it."""

    patient_control_number: str  # CLP01: the 837 CLM01
    status_code: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    filing_code: str  # CLP06: the 837 SBR09 (CI, MB, MC ...)
    payer_claim_control_number: str  # CLP07
    patient: Person  # NM1*QC
    lines: tuple[LinePayment, ...]
    frequency_code: str = "1"  # CLP09
    facility_code: str = "11"  # CLP08 place of service
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    insured: Person | None = None  # NM1*IL, when the patient is not the subscriber
    rendering_provider: RenderingProvider | None = None  # NM1*82
    crossover_carrier: Carrier | None = None  # NM1*TT, with CLP02 19/20/21
    remark_codes: tuple[str, ...] = ()  # MOA03-07 outpatient remarks
    statement_from: dt.date | None = None  # DTM*232
    statement_to: dt.date | None = None  # DTM*233
    received: dt.date | None = None  # DTM*050
    coverage_amount: Decimal | None = None  # AMT*AU


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason/amount pair: positive reduces the payment (WO recovery), negative adds
    to it (L6 interest)."""

    provider_id: str  # PLB01
    fiscal_period_end: dt.date  # PLB02
    reason_code: str  # PLB03-1, e.g. L6, WO, FB
    amount: Decimal
    reference: str | None = None  # PLB03-2


@dataclass(frozen=True, slots=True)
class RemittanceAdvice:
    """One 835 transaction set: one payment from one payer to one payee."""

    payment: Payment
    payer: Payer
    payee: Payee
    claims: tuple[ClaimPayment, ...]
    production_date: dt.date  # DTM*405
    receiver_id: str | None = None  # REF*EV: the receiver's id (our ETIN at the clearinghouse)
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = _ZERO
    for value in values:
        total += value
    return total


def _check_balances(advice: RemittanceAdvice) -> None:
    """X221A1 1.10.2 balancing, checked with exact Decimal arithmetic."""
    claims_paid = _ZERO
    for i, claim in enumerate(advice.claims):
        field = f"claims[{i}]"
        if claim.status_code not in CLAIM_STATUSES:
            raise X12WriteError(f"{claim.status_code!r} is not a CLP02 code", field=field)
        if claim.filing_code not in FILING_CODES:
            raise X12WriteError(f"{claim.filing_code!r} is not a CLP06 code", field=field)
        if claim.crossover_carrier is not None and claim.status_code not in ("19", "20", "21"):
            raise X12WriteError(
                "a crossover carrier (NM1*TT) goes with CLP02 19, 20 or 21", field=field
            )
        adjusted = _ZERO
        for adjustment in claim.adjustments:
            _check_adjustment(adjustment, f"{field}.adjustments")
            adjusted += adjustment.amount
        for j, line in enumerate(claim.lines):
            where = f"{field}.lines[{j}]"
            line_adjusted = _ZERO
            for adjustment in line.adjustments:
                _check_adjustment(adjustment, f"{where}.adjustments")
                line_adjusted += adjustment.amount
            if line.charge - line_adjusted != line.paid:
                raise X12WriteError(
                    f"line does not balance: SVC02 {line.charge} - adjustments {line_adjusted}"
                    f" != SVC03 {line.paid}",
                    field=where,
                )
            adjusted += line_adjusted
        if claim.charge - adjusted != claim.paid:
            raise X12WriteError(
                f"claim does not balance: CLP03 {claim.charge} - adjustments {adjusted}"
                f" != CLP04 {claim.paid}",
                field=field,
            )
        claims_paid += claim.paid
    provider = _sum(item.amount for item in advice.provider_adjustments)
    if claims_paid - provider != advice.payment.total_paid:
        raise X12WriteError(
            f"BPR02 {advice.payment.total_paid} != sum of CLP04 {claims_paid} - PLB {provider}",
            field="payment.total_paid",
        )


def _check_adjustment(adjustment: Adjustment, field: str) -> None:
    if adjustment.group_code not in GROUP_CODES:
        raise X12WriteError(f"{adjustment.group_code!r} is not a CAS01 group", field=field)
    if not adjustment.reason_code:
        raise X12WriteError("a CAS reason code is required", field=field)


def _check_payment(payment: Payment) -> None:
    if payment.method not in METHODS:
        raise X12WriteError(f"{payment.method!r} is not ACH, CHK or NON", field="payment.method")
    if payment.total_paid < 0:
        raise X12WriteError("BPR02 cannot be negative", field="payment.total_paid")
    if (payment.total_paid == 0) != (payment.method == "NON"):
        raise X12WriteError(
            "a zero payment is sent as NON (notification), and NON moves no money",
            field="payment.method",
        )
    if len(payment.payer_tax_id) != 9 or not payment.payer_tax_id.isdigit():
        raise X12WriteError("an EIN is 9 digits", field="payment.payer_tax_id")
    if payment.method == "ACH":
        for name in ("sender_routing", "receiver_routing"):
            value = getattr(payment, name)
            if value is None or len(value) != 9 or not value.isdigit():
                raise X12WriteError("an ABA routing number is 9 digits", field=f"payment.{name}")
        for name in ("sender_account", "receiver_account"):
            if not getattr(payment, name):
                raise X12WriteError("an ACH payment needs the account", field=f"payment.{name}")


def _amount(value: Decimal, field: str) -> str:
    return format_r(value, field=field)


def _cas(builder: X12Builder, adjustments: tuple[Adjustment, ...], field: str) -> None:
    """One CAS per group code, in order of first appearance, up to six triplets each."""
    groups: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        groups.setdefault(adjustment.group_code, []).append(adjustment)
    for group, items in groups.items():
        for start in range(0, len(items), _CAS_TRIPLETS):
            elements: list[str] = [group]
            for item in items[start : start + _CAS_TRIPLETS]:
                elements += [
                    item.reason_code,
                    _amount(item.amount, field),
                    "" if item.quantity is None else _amount(item.quantity, field),
                ]
            builder.add("CAS", *elements)


def _address(builder: X12Builder, address: Address) -> None:
    builder.add("N3", address.address1, address.address2 or "")
    builder.add("N4", address.city, address.state, address.postal_code)


def _bpr(builder: X12Builder, payment: Payment) -> None:
    """BPR01 I remittance information only (the money moves separately: ACH or check), H
    notification only when nothing is paid (X221A1 BPR01)."""
    amount = _amount(payment.total_paid, "payment.total_paid")
    when = format_date8(payment.payment_date)
    if payment.method == "ACH":
        builder.add(
            "BPR",
            "I",
            amount,
            "C",
            "ACH",
            "CCP",
            "01",
            payment.sender_routing or "",
            "DA",
            payment.sender_account or "",
            "1" + payment.payer_tax_id,
            "",
            "01",
            payment.receiver_routing or "",
            "DA",
            payment.receiver_account or "",
            when,
        )
    else:
        handling = "H" if payment.method == "NON" else "I"
        builder.add("BPR", handling, amount, "C", payment.method, *([""] * 11), when)
    builder.add("TRN", "1", payment.trace_number, "1" + payment.payer_tax_id)


def _person(builder: X12Builder, code: str, person: Person) -> None:
    builder.add(
        "NM1",
        code,
        "1",
        person.last_name,
        person.first_name or "",
        *("", "", ""),
        person.id_qualifier if person.identifier else "",
        person.identifier or "",
    )


def _claim(builder: X12Builder, claim: ClaimPayment, field: str) -> None:
    builder.add(
        "CLP",
        claim.patient_control_number,
        claim.status_code,
        _amount(claim.charge, f"{field}.charge"),
        _amount(claim.paid, f"{field}.paid"),
        _amount(claim.patient_responsibility, f"{field}.patient_responsibility"),
        claim.filing_code,
        claim.payer_claim_control_number,
        claim.facility_code,
        claim.frequency_code,
    )
    _cas(builder, claim.adjustments, f"{field}.adjustments")
    _person(builder, "QC", claim.patient)
    if claim.insured is not None:  # 2100 NM1*IL: only when the insured is not the patient
        _person(builder, "IL", claim.insured)
    rendering = claim.rendering_provider
    if rendering is not None:
        builder.add(
            "NM1",
            "82",
            "1" if rendering.first_name else "2",
            rendering.name,
            rendering.first_name or "",
            *("", "", ""),
            "XX",
            rendering.npi,
        )
    if claim.crossover_carrier is not None:
        carrier = claim.crossover_carrier
        builder.add("NM1", "TT", "2", carrier.name, *("", "", "", ""), "PI", carrier.payer_id)
    if claim.remark_codes:
        if len(claim.remark_codes) > _MOA_REMARKS:
            raise X12WriteError("MOA holds five remark codes", field=f"{field}.remark_codes")
        builder.add("MOA", "", "", *claim.remark_codes)
    if claim.statement_from is not None:
        builder.add("DTM", "232", format_date8(claim.statement_from))
    if claim.statement_to is not None:
        builder.add("DTM", "233", format_date8(claim.statement_to))
    if claim.received is not None:
        builder.add("DTM", "050", format_date8(claim.received))
    if claim.coverage_amount is not None:
        builder.add("AMT", "AU", _amount(claim.coverage_amount, f"{field}.coverage_amount"))
    for j, line in enumerate(claim.lines):
        _line(builder, line, f"{field}.lines[{j}]")


def _line(builder: X12Builder, line: LinePayment, field: str) -> None:
    procedure = builder.composite(line.procedure_qualifier, line.procedure_code, *line.modifiers)
    units = "" if line.units == 1 else _amount(line.units, f"{field}.units")
    builder.add(
        "SVC",
        procedure,
        _amount(line.charge, f"{field}.charge"),
        _amount(line.paid, f"{field}.paid"),
        "",
        units,
    )
    builder.add("DTM", "472", format_date8(line.service_date))
    _cas(builder, line.adjustments, f"{field}.adjustments")
    if line.line_item_control_number:
        builder.add("REF", "6R", line.line_item_control_number)
    if line.allowed is not None:
        builder.add("AMT", "B6", _amount(line.allowed, f"{field}.allowed"))
    for code in line.remark_codes:
        builder.add("LQ", "HE", code)


def _plb(builder: X12Builder, adjustments: tuple[ProviderAdjustment, ...]) -> None:
    """PLB per provider and fiscal period, up to six reason/amount pairs each."""
    groups: dict[tuple[str, dt.date], list[ProviderAdjustment]] = {}
    for item in adjustments:
        groups.setdefault((item.provider_id, item.fiscal_period_end), []).append(item)
    for (provider, fiscal), items in groups.items():
        for start in range(0, len(items), _PLB_PAIRS):
            elements: list[Element] = [provider, format_date8(fiscal)]
            for item in items[start : start + _PLB_PAIRS]:
                elements.append(builder.composite(item.reason_code, item.reference or ""))
                elements.append(_amount(item.amount, "provider_adjustments"))
            builder.add("PLB", *elements)


def render_835(
    advice: RemittanceAdvice,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 835 interchange text; GS01/GS08 default to HP / 005010X221A1. Raises
    `X12WriteError` for an advice that does not balance."""
    if not advice.claims:
        raise X12WriteError("an 835 needs at least one claim", field="claims")
    _check_payment(advice.payment)
    _check_balances(advice)
    builder = X12Builder(delimiters)
    envelope = for_transaction(envelope, FUNCTIONAL_ID, IMPLEMENTATION_REFERENCE)
    builder.isa(envelope)
    builder.gs(envelope)
    # X221A1 marks ST03 "not used" (GS08 alone names the guide).
    builder.st("835", control_number, "")
    _bpr(builder, advice.payment)
    if advice.receiver_id:
        builder.add("REF", "EV", advice.receiver_id)
    builder.add("DTM", "405", format_date8(advice.production_date))
    payer = advice.payer
    builder.add("N1", "PR", payer.name, "XV", payer.payer_id)  # 1000A
    _address(builder, payer.address)
    contact: list[str] = [payer.contact_name, "TE", payer.contact_phone]
    if payer.contact_url:
        contact += ["UR", payer.contact_url]
    builder.add("PER", "BL", *contact)
    payee = advice.payee
    builder.add("N1", "PE", payee.name, "XX", payee.npi)  # 1000B
    if payee.address is not None:
        _address(builder, payee.address)
    if payee.tax_id:
        builder.add("REF", "TJ", payee.tax_id)
    builder.add("LX", "1")  # 2000: one header number for every claim
    for i, claim in enumerate(advice.claims):
        _claim(builder, claim, f"claims[{i}]")
    _plb(builder, advice.provider_adjustments)
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
