"""Prior authorizations and referrals: what a payer approved for a patient (procedures, units,
dates, rendering provider), which procedures a payer says need one (its rules, effective-dated
like fee schedules), the scrub edits that hold a claim to them, and the units each claim uses.

A claim names an authorization by its number: 2300 REF*G1 (prior authorization) or REF*9F
(referral) for every line, 2400 REF*G1 / REF*9F for one line (TR3 005010X222A1; a line's own
number wins over the claim's). Units are counted per claim by its patient control number
(CLM01), so a claim sent again, a replacement (CLM05-3 7) and a retry count once, and a void
(CLM05-3 8) gives its units back.

The edits warn and never block: a payer may grant an authorization after the fact, and the
biller decides; a claim that goes out without one is the CARC 197 / 15 denial they prevent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Final, Literal

from .model import Claim, ServiceLine
from .scrub import ScrubFinding
from .work_items import WorklistItem
from .worklist import KIND_ACTIONS

AuthorizationKind = Literal["authorization", "referral"]
KINDS: Final = ("authorization", "referral")

# An authorization is on the worklist this long before it ends, and once this share of its
# units (or fewer than two) is left.
EXPIRY_NOTICE: Final = timedelta(days=14)
RUNNING_OUT_SHARE: Final = Decimal("0.2")
VOID_FREQUENCY: Final = "8"  # CLM05-3: void or cancel of a prior claim


@dataclass(frozen=True, slots=True)
class AuthorizationTerms:
    """What the payer approved, as the biller records it. `procedure_codes` empty: any
    procedure; `units` None: no limit. `member_id` and the birth date identify the patient
    (PHI: kept like the claims, never logged)."""

    kind: AuthorizationKind
    payer_id: str
    number: str
    member_id: str
    patient_birth_date: date | None
    procedure_codes: tuple[str, ...]
    units: Decimal | None
    valid_from: date
    valid_to: date
    rendering_provider_npi: str | None


@dataclass(frozen=True, slots=True)
class Authorization:
    """Our record of an approval: its terms, and `uses`, each claim's patient control number
    to the units it bills under this number."""

    tenant_id: str
    authorization_id: str
    terms: AuthorizationTerms
    recorded_at: datetime
    uses: Mapping[str, Decimal] = field(default_factory=dict)
    running_out_since: datetime | None = None  # when the units left first ran low
    resolved: Mapping[str, datetime] = field(default_factory=dict)  # worklist kind -> when
    version: int | None = None

    @property
    def units_used(self) -> Decimal:
        return sum(self.uses.values(), Decimal(0))

    @property
    def units_left(self) -> Decimal | None:
        return None if self.terms.units is None else self.terms.units - self.units_used

    @property
    def running_out(self) -> bool:
        left = self.units_left
        if self.terms.units is None or left is None:
            return False
        return left < 2 or left <= self.terms.units * RUNNING_OUT_SHARE

    def covers(self, procedure: str) -> bool:
        return not self.terms.procedure_codes or procedure in self.terms.procedure_codes


@dataclass(frozen=True, slots=True)
class AuthorizationRule:
    """One row of a payer's rules: from `effective_from` (to `effective_to`, inclusive) the
    procedure needs an authorization (`required`), or no longer does (a newer version lifts
    an older requirement with `required` false)."""

    procedure_code: str
    effective_from: date
    effective_to: date | None = None
    required: bool = True

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class AuthorizationRules:
    """One uploaded version of a payer's rules; none is overwritten."""

    version: str  # sorts in upload order
    uploaded_at: datetime
    rules: tuple[AuthorizationRule, ...]


def rule_in_force(
    versions: Sequence[AuthorizationRules], procedure: str, on: date
) -> AuthorizationRule | None:
    """The newest version with a row for the procedure in force on the date wins (as fee
    schedules: an amendment carrying only the changed codes works)."""
    for version in sorted(versions, key=lambda v: v.version, reverse=True):
        for rule in version.rules:
            if rule.procedure_code == procedure and rule.in_force(on):
                return rule
    return None


def line_numbers(claim: Claim, line: ServiceLine, kind: AuthorizationKind) -> tuple[str, ...]:
    """The numbers a line is billed under: its own 2400 REF, else the claim's 2300 REF."""
    information = claim.claim_information
    if kind == "authorization":
        own, shared = line.prior_authorization_numbers, information.prior_authorization_number
    else:
        own, shared = line.referral_numbers, information.referral_number
    return own or ((shared,) if shared else ())


def claim_numbers(claim: Claim) -> tuple[tuple[AuthorizationKind, str], ...]:
    """Every (kind, number) the claim names, once each, in order."""
    found: dict[tuple[AuthorizationKind, str], None] = {}
    for line in claim.claim_information.service_lines:
        for number in line_numbers(claim, line, "authorization"):
            found[("authorization", number)] = None
        for number in line_numbers(claim, line, "referral"):
            found[("referral", number)] = None
    return tuple(found)


def units_billed(claim: Claim, authorization: Authorization) -> Decimal:
    """The units this claim bills under the authorization (lines naming its number, for a
    procedure it covers); none for a void."""
    if claim.claim_information.claim_frequency_code == VOID_FREQUENCY:
        return Decimal(0)
    return sum(
        (
            line.unit_count
            for line in claim.claim_information.service_lines
            if authorization.terms.number in line_numbers(claim, line, authorization.terms.kind)
            and authorization.covers(line.procedure_code)
        ),
        Decimal(0),
    )


def with_use(authorization: Authorization, claim: Claim, *, now: datetime) -> Authorization | None:
    """The authorization with this claim's units counted (under its patient control number),
    or None when nothing changes."""
    pcn = claim.claim_information.patient_control_number
    units = units_billed(claim, authorization)
    uses = dict(authorization.uses)
    if units:
        uses[pcn] = units
    else:
        uses.pop(pcn, None)
    if uses == dict(authorization.uses):
        return None
    changed = replace(authorization, uses=uses)
    if not changed.running_out:
        return replace(changed, running_out_since=None)
    return replace(changed, running_out_since=authorization.running_out_since or now)


def _same_member(one: str, other: str) -> bool:
    def plain(text: str) -> str:
        return "".join(c for c in text.upper() if c.isalnum())

    return plain(one) == plain(other)


def authorization_edits(
    claim: Claim,
    *,
    needed: Mapping[int, str],
    recorded: Mapping[tuple[str, str], Authorization],
) -> tuple[ScrubFinding, ...]:
    """Warnings for each line: `needed` maps a line's index to why its procedure needs an
    authorization (the payer's rules, its 271); `recorded` holds the authorizations on file by
    (kind, number) for the claim's payer. A line that needs one and names none, or names one
    that is not on file, is warned; a recorded one is held to its patient, procedures, dates,
    units (what other claims used) and rendering provider."""
    found: list[ScrubFinding] = []
    information = claim.claim_information
    pcn = information.patient_control_number
    billed: dict[str, Decimal] = {}
    for index, line in enumerate(information.service_lines):
        path = f"claimInformation.serviceLines[{index}]"
        numbers = line_numbers(claim, line, "authorization")
        referrals = line_numbers(claim, line, "referral")
        reason = needed.get(index)
        if reason is not None and not numbers:
            found.append(
                _warning(
                    f"{path}.professionalService.procedureCode",
                    "authorization_missing",
                    f"{reason} needs a prior authorization for {line.procedure_code} and the "
                    "claim carries none (REF*G1; CARC 197)",
                )
            )
        for kind, names in (("authorization", numbers), ("referral", referrals)):
            for number in names:
                held = recorded.get((kind, number))
                if held is None:
                    if reason is not None and kind == "authorization":
                        found.append(
                            _warning(
                                f"{path}.professionalService.procedureCode",
                                "authorization_not_on_file",
                                f"authorization {number} is not recorded "
                                "(POST /v1/authorizations): its dates and units are unchecked",
                            )
                        )
                    continue
                billed[held.authorization_id] = billed.get(held.authorization_id, Decimal(0)) + (
                    line.unit_count if held.covers(line.procedure_code) else Decimal(0)
                )
                # The claim's own number (2300) is not meant for every line: a line it does
                # not cover is only named when the line needs an authorization.
                own = number in (line.prior_authorization_numbers + line.referral_numbers)
                found.extend(_held_to(claim, line, path, held, named=own or reason is not None))
    for authorization in {a.authorization_id: a for a in recorded.values()}.values():
        terms = authorization.terms
        used_elsewhere = sum(
            (units for key, units in authorization.uses.items() if key != pcn), Decimal(0)
        )
        wanted = billed.get(authorization.authorization_id, Decimal(0))
        if terms.units is not None and wanted and used_elsewhere + wanted > terms.units:
            left = max(terms.units - used_elsewhere, Decimal(0))
            found.append(
                _warning(
                    "claimInformation.serviceLines",
                    "authorization_units",
                    f"{terms.kind} {terms.number} has {left} of "
                    f"{terms.units} units left and the claim bills {wanted} (CARC 198)",
                )
            )
    return tuple(dict.fromkeys(found))  # a claim-level number speaks once, not once a line


def _held_to(
    claim: Claim, line: ServiceLine, path: str, held: Authorization, *, named: bool
) -> Iterable[ScrubFinding]:
    """`named`: the line itself names the number, or needs an authorization."""
    terms = held.terms
    name = f"{terms.kind} {terms.number}"
    if not named and not held.covers(line.procedure_code):
        return
    if not _same_member(terms.member_id, claim.subscriber.member_id):
        yield _warning(
            "subscriber.memberId",
            "authorization_other_patient",
            f"{name} was recorded for another member",
        )
    if not held.covers(line.procedure_code):
        yield _warning(
            f"{path}.professionalService.procedureCode",
            "authorization_procedure",
            f"{name} does not cover {line.procedure_code} "
            f"(it covers {', '.join(terms.procedure_codes)})",
        )
    last = line.service_date_end or line.service_date
    if line.service_date < terms.valid_from or last > terms.valid_to:
        yield _warning(
            f"{path}.serviceDate",
            "authorization_dates",
            f"{name} is valid {terms.valid_from} to {terms.valid_to}; the service is not "
            "(CARC 197)",
        )
    rendering = _rendering_npi(claim, line)
    if terms.rendering_provider_npi and rendering and rendering != terms.rendering_provider_npi:
        yield _warning(
            f"{path}.renderingProvider",
            "authorization_provider",
            f"{name} was given for another rendering provider",
        )


def _rendering_npi(claim: Claim, line: ServiceLine) -> str | None:
    """2420A for the line, else 2310B, else the billing provider (who renders then)."""
    for provider in (*line.providers, *claim.providers):
        if provider.provider_type == "RenderingProvider":
            return provider.npi
    billing = next((p for p in claim.providers if p.provider_type == "BillingProvider"), None)
    return billing.npi if billing else None


def _warning(field_path: str, code: str, message: str) -> ScrubFinding:
    return ScrubFinding(field=field_path, code=code, message=message, severity="warning")


def work_items(authorization: Authorization) -> tuple[WorklistItem, ...]:
    """What a person should do about the authorization: ask for an extension before it ends
    (listed from EXPIRY_NOTICE before its last day) and before its units run out. An entry a
    person resolved stays off until the authorization raises it again later."""
    terms = authorization.terms
    reference = f"auth:{authorization.authorization_id}"
    ends = datetime.combine(terms.valid_to, time(), tzinfo=UTC) - EXPIRY_NOTICE
    items = [
        WorklistItem(
            kind="authorization_expiring",
            claim_id=None,
            payer_id=terms.payer_id,
            since=ends,
            codes=(terms.kind,),
            suggested_action=KIND_ACTIONS["authorization_expiring"],
            detail=f"{terms.kind} {terms.number} ends {terms.valid_to}",
            amount=None,
            reference=reference,
            deadline=terms.valid_to,
        )
    ]
    since = authorization.running_out_since
    if authorization.running_out and since is not None:
        items.append(
            WorklistItem(
                kind="authorization_running_out",
                claim_id=None,
                payer_id=terms.payer_id,
                since=since,
                codes=(terms.kind,),
                suggested_action=KIND_ACTIONS["authorization_running_out"],
                detail=f"{terms.kind} {terms.number}: "
                f"{authorization.units_left} of {terms.units} units left",
                amount=None,
                reference=f"{reference}:units",
                deadline=terms.valid_to,
            )
        )
    return tuple(
        item
        for item in items
        if (resolved := authorization.resolved.get(item.kind)) is None or resolved < item.since
    )
