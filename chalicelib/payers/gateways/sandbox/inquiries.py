"""The sandbox payers' answers to inquiries: a 276 read and answered with a 277 from the
mailbox's records, a 270 read and answered with a 271 from the rosters and the deductibles met
so far."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from chalicelib.x12.elements import element
from chalicelib.x12.read.eligibility270 import EligibilityInquiries
from chalicelib.x12.read.status276 import StatusInquiry
from chalicelib.x12.writer import (
    EnvelopeValues,
    X12Builder,
    format_date8,
    format_time,
)

from .mailbox import (
    _ZERO,
    DENIED,
    NO_PAYMENT,
    NOT_FOUND,
    PAID,
    PENDING,
    SandboxState,
)
from .payers import (
    AUTHORIZATION_REQUIRED,
    SANDBOX_PAYERS,
    SandboxPayer,
    coverage_case,
    current_member_id,
    member_known,
)
from .write import ack277ca, status277


def _status_result(
    state: SandboxState, inquiry: StatusInquiry, today: date
) -> status277.ClaimStatusResult:
    """One claim's status (X212 2200D/E STC) from the record the sandbox keeps."""
    record = state.claim(inquiry.patient_control_number)
    base = status277.ClaimStatusResult(
        provider=inquiry.provider,
        subscriber=inquiry.subscriber,
        dependent=inquiry.dependent,
        trace_number=inquiry.trace_number,
        patient_control_number=inquiry.patient_control_number,
        statuses=(NOT_FOUND,),
        effective_date=today,
        service_date_from=inquiry.service_from,
        service_date_to=inquiry.service_to,
    )
    if record is None:
        return base
    found = dataclasses.replace(
        base,
        total_charge=record.charge,
        service_date_from=record.service_from,
        service_date_to=record.service_to,
        payer_claim_control_number=record.payer_claim_control_number,
    )
    if record.state == "rejected":
        category, reason, *entity = (record.rejection or "A3:21").split(":")
        code = ack277ca.StatusCode(category, reason, entity[0] if entity else None)
        return dataclasses.replace(found, statuses=(code,))
    if record.state != "finalized":
        return dataclasses.replace(found, statuses=(PENDING,))
    paid = record.paid or _ZERO
    if record.status_code == "4":
        status = DENIED
    elif paid > 0:
        status = PAID
    else:
        status = NO_PAYMENT
    return dataclasses.replace(
        found,
        statuses=(status,),
        effective_date=record.adjudicated or today,
        paid=paid,
        adjudication_date=record.adjudicated,
        payment_method=record.payment_method,
        check_date=record.payment_date,
        check_number=record.trace_number,
    )


_PLAN_NAMES = {"SBX01": "SANDBOX PPO GOLD", "SBXMCR": "MEDICARE PART B", "SBXMCD": "STATE MEDICAID"}


def _plan_dates(builder: X12Builder, case: str, when: datetime) -> None:
    """2100C/D DTP: plan begin (346) this year; a terminated plan began and ended (347) last
    year."""
    year = when.date().replace(month=1, day=1)
    if case == "terminated":
        last = year.replace(year=year.year - 1)
        builder.add("DTP", "346", "D8", format_date8(last))
        builder.add("DTP", "347", "D8", format_date8(last.replace(month=12, day=31)))
    else:
        builder.add("DTP", "346", "D8", format_date8(year))


def _benefits(builder: X12Builder, payer: SandboxPayer, remaining: Decimal, case: str) -> None:
    """2110C/D EB: active coverage (1), copay (B), coinsurance (A), deductible (C) for the
    calendar year (EB06 23) and what remains of it (EB06 29); the procedures that need a prior
    authorization (EB11 Y, EB13 the procedure). Terminated: inactive coverage (6) only.
    Another payer primary or secondary (R): its name and id in 2120C (NM101 PRP / SEP),
    between LS and LE."""
    # EB04 insurance type: PR preferred provider organization, MB Medicare Part B, MC Medicaid.
    insurance = {"12": "PR", "MB": "MB", "MC": "MC"}.get(payer.remittance_filing_code, "")
    plan = _PLAN_NAMES.get(payer.payer_id, payer.name)
    if case == "terminated":
        builder.add("EB", "6", "", "30", insurance, plan)
        return
    builder.add("EB", "1", "", "30", insurance, plan)
    if case in ("other_payer_primary", "other_payer_secondary"):
        other = SANDBOX_PAYERS["SBXMCR"] if payer.payer_id != "SBXMCR" else SANDBOX_PAYERS["SBX01"]
        entity = "PRP" if case == "other_payer_primary" else "SEP"
        builder.add("EB", "R", "", "30", "")
        builder.add("LS", "2120")
        builder.add("NM1", entity, "2", other.name, *("", "", "", ""), "PI", other.payer_id)
        builder.add("LE", "2120")
    if payer.copay:
        # 98 professional (physician) visit - office; EB06 27 per visit.
        builder.add("EB", "B", "IND", "98", insurance, "", "27", str(payer.copay))
    if payer.coinsurance_rate:
        builder.add(
            "EB", "A", "IND", "30", insurance, "", "", "", format(payer.coinsurance_rate, "f")
        )
    if payer.annual_deductible:
        builder.add("EB", "C", "IND", "30", insurance, "", "23", str(payer.annual_deductible))
        builder.add("EB", "C", "IND", "30", insurance, "", "29", str(remaining))
    for code in AUTHORIZATION_REQUIRED:
        # EB11 Y: authorization or certification required; EB13 the procedure (HC: CPT).
        builder.add(
            "EB", "1", "IND", "", insurance, *("",) * 6, "Y", "", builder.composite("HC", code)
        )


def _render_271(
    state: SandboxState, inquiry: EligibilityInquiries, envelope: EnvelopeValues, when: datetime
) -> str:
    builder = X12Builder()
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("271", 1, "005010X279A1")
    # BHT02 11 response; BHT03 echoes the 270's BHT03.
    builder.add(
        "BHT",
        "0022",
        "11",
        inquiry.reference_id,
        format_date8(when.date()),
        format_time(when.time().replace(second=0, microsecond=0)),
    )
    payer_id = element(inquiry.payer, 9)
    payer = SANDBOX_PAYERS.get(payer_id)
    builder.add("HL", "1", "", "20", "1")
    builder.add(
        "NM1",
        "PR",
        "2",
        payer.name if payer else element(inquiry.payer, 3),
        *("", "", "", ""),
        element(inquiry.payer, 8) or "PI",
        payer_id,
    )
    if payer is None:
        builder.add("AAA", "N", "", "79", "C")  # 2100A: invalid participant identification
        builder.add("HL", "2", "1", "21", "0")
        builder.add("NM1", *inquiry.provider[1:])
        builder.se()
        builder.ge()
        builder.iea()
        return builder.render()
    builder.add("HL", "2", "1", "21", "1")
    builder.add("NM1", *inquiry.provider[1:])
    hl = 2
    for member in inquiry.members:
        hl += 1
        subscriber_hl = hl
        known = member_known(element(member.subscriber, 9))
        has_dependent = member.dependent is not None and known
        builder.add("HL", str(subscriber_hl), "2", "22", "1" if has_dependent else "0")
        if member.dependent is None or not known:
            builder.add("TRN", "2", *member.trace[2:4])  # 2000C: ours echoed as referenced
        asked = element(member.subscriber, 9)
        current = current_member_id(asked) if known else asked
        if current == asked:
            builder.add("NM1", *member.subscriber[1:])
        else:
            builder.add("NM1", *member.subscriber[1:9], current, *member.subscriber[10:])
            builder.add("REF", "Q4", asked)  # 2100C REF*Q4: the prior id, the one asked
        if not known:
            builder.add("AAA", "Y", "", "75", "C")  # 2100C: subscriber/insured not found
            continue
        if member.subscriber_dmg is not None:
            builder.add("DMG", *member.subscriber_dmg[1:])
        remaining = state.deductible(payer, element(member.subscriber, 9))
        case = coverage_case(element(member.subscriber, 9))
        if member.dependent is None:
            _plan_dates(builder, case, when)
            _benefits(builder, payer, remaining, case)
            continue
        hl += 1
        builder.add("HL", str(hl), str(subscriber_hl), "23", "0")
        builder.add("TRN", "2", *member.trace[2:4])
        builder.add("NM1", *member.dependent[1:])
        if member.dependent_dmg is not None:
            builder.add("DMG", *member.dependent_dmg[1:])
        _plan_dates(builder, case, when)
        _benefits(builder, payer, remaining, case)
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
