"""837P professional claims (ASC X12 005010X222A1): write domain claims out, read them back in.

Writing (`render_837p`) puts one or more claims in one interchange / group / transaction set,
grouped the way the TR3 nests them: billing provider (HL 20) > subscriber and payer (HL 22) >
patient when not the subscriber (HL 23) > claims (2300). Everything that would make the EDI
invalid raises `X12WriteError` naming the request field (contract camelCase path, the way a
scrub finding names it): a delimiter inside a value, a loop the TR3 requires but the claim
lacks, more codes than the segment holds. The envelope (ISA/GS/ST/SE/GE/IEA, counts,
padding) is `writer.X12Builder`'s job.

Reading (`parse_837p`) turns each 2300 loop of a transaction set back into a `Claim`, so claims
uploaded as 837 files go through the same scrub as JSON claims. Real files are messy; the rule
per defect is: when the claim can still be built without guessing, it is built and the defect
becomes a located `Finding`; when a value the claim cannot exist without is missing or
unreadable (a charge, a date, CLM05, the billing provider, the member id), that claim carries
a located `X12ReadError` instead and the other claims are still read. Only a transaction that
is not an 837P, or whose header is unreadable, raises.

Finding codes: `not_carried` (valid 837P data the claim model has no place for, so it would be
lost on re-submission), `unexpected_segment`, `element_missing`, `element_invalid`,
`segment_missing`, `segment_repeated`, `hl_structure`, `hi_composite_malformed`,
`implementation_reference`. A claim's findings cover every segment it was built from,
including the shared header and HL loops; envelope findings (SE01 ...) stay on the
`TransactionSet`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ..claims.model import (
    BILLING,
    PROVIDER_TYPES,
    REFERRING,
    RENDERING,
    SERVICE_FACILITY,
    Address,
    Adjustment,
    Claim,
    ClaimInformation,
    Contact,
    Dependent,
    Diagnosis,
    LineAdjudication,
    OtherInsured,
    OtherPayer,
    OtherSubscriberInformation,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
)
from .elements import AMOUNT, QUANTITY, Numeric, parse_integer, parse_number
from .envelope import Finding, TransactionSet
from .errors import X12ReadError, X12WriteError
from .tokenizer import Delimiters
from .writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    check_value,
    format_date8,
    format_date_range,
    format_time,
)

IMPLEMENTATION_REFERENCE = "005010X222A1"
FUNCTIONAL_ID = "HC"  # GS01 for every 837

PRINCIPAL_QUALIFIERS = ("ABK", "BK")  # HI01-1: ICD-10-CM / ICD-9-CM principal diagnosis
OTHER_QUALIFIERS = ("ABF", "BF")  # HI02-1 .. HI12-1: other diagnoses
MAX_DIAGNOSES = 12  # 2300 HI01..HI12
MAX_LINES = 50  # 2400 repeat
MAX_OTHER_SUBSCRIBERS = 10  # 2320 repeat
MAX_MODIFIERS = 4  # SV101-3..6, SVD03-3..6
MAX_POINTERS = 4  # SV107-1..4
MAX_CAS = 5  # 2320 / 2430 CAS repeat
MAX_CAS_TRIPLETS = 6  # CAS02..CAS19
FREQUENCIES_NEEDING_PAYER_CCN = ("7", "8")  # 2300 REF*F8: replacement / void


# ==========================================================================================
# Writing
# ==========================================================================================


def format_r(amount: Decimal, *, field: str) -> str:
    """X12 R (decimal) as X12.6 wants it: no exponent, trailing fractional zeros suppressed
    ("245.00" -> "245", "185.50" -> "185.5"). Never rounds: the value is exact or refused."""
    if not amount.is_finite():
        raise X12WriteError(f"amount {amount} is not a finite number", field=field)
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class _Out:
    """The builder plus the request path of the claim being written, so every value is
    checked under its business name before the builder sees it."""

    def __init__(self, builder: X12Builder, prefix: str) -> None:
        self.b = builder
        self.prefix = prefix

    def at(self, prefix: str) -> _Out:
        return _Out(self.b, prefix)

    def name(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def fail(self, message: str, path: str) -> X12WriteError:
        return X12WriteError(message, field=self.name(path))

    def text(self, value: str | None, path: str) -> str:
        if value is None:
            return ""
        return check_value(value, field=self.name(path), delimiters=self.b.delimiters)

    def required(self, value: str | None, path: str, what: str) -> str:
        if not value:
            raise self.fail(f"{what} is required", path)
        return self.text(value, path)

    def amount(self, value: Decimal | None, path: str) -> str:
        return "" if value is None else format_r(value, field=self.name(path))

    def add(self, segment_id: str, *elements: str | tuple[str, ...]) -> None:
        """A segment; a tuple element is a composite (already checked values)."""
        self.b.add(
            segment_id,
            *(self.b.composite(*e) if isinstance(e, tuple) else e for e in elements),
        )


def _claim_prefix(index: int, count: int) -> str:
    return f"claims[{index}]." if count > 1 else ""


def render_837p(
    claims: Sequence[Claim],
    envelope: EnvelopeValues,
    *,
    submitter_id: str,
    receiver_id: str,
    transaction_control_number: int | str,
    reference_id: str,
    created_at: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    line_breaks: bool = False,
) -> str:
    """One interchange holding one 837P transaction set with every claim in `claims`.

    `submitter_id` / `receiver_id` are the 1000A / 1000B NM109 (ETIN) agreed with the
    clearinghouse; `transaction_control_number` is ST02 (the reader hands it back as each
    claim's `control_number`); `reference_id` is BHT03, the batch id the 999 and 277CA echo;
    `created_at` is BHT04/BHT05 (the caller's clock, never ours). All claims must share the
    submitter, the receiver and the envelope's usage indicator, as one ST has one 1000A/1000B.
    Errors name the field as `claims[i].<path>` when there are several claims.
    """
    if not claims:
        raise X12WriteError("an 837P needs at least one claim", field="claims")
    if envelope.functional_id != FUNCTIONAL_ID:
        raise X12WriteError(
            f"GS01 must be {FUNCTIONAL_ID!r} for an 837", field="envelope.functional_id"
        )
    if envelope.implementation_reference != IMPLEMENTATION_REFERENCE:
        raise X12WriteError(
            f"GS08 must be {IMPLEMENTATION_REFERENCE!r} for an 837P",
            field="envelope.implementation_reference",
        )
    for name, value, where in (
        ("submitter_id", submitter_id, "1000A NM109"),
        ("receiver_id", receiver_id, "1000B NM109"),
        ("reference_id", reference_id, "BHT03"),
    ):
        if not value:
            raise X12WriteError(f"is required ({where})", field=name)
    count = len(claims)
    first = claims[0]
    for i, claim in enumerate(claims):
        prefix = _claim_prefix(i, count)
        if claim.usage_indicator != envelope.usage_indicator:
            raise X12WriteError(
                f"usage indicator {claim.usage_indicator!r} differs from the interchange's "
                f"ISA15 {envelope.usage_indicator!r}",
                field=f"{prefix}usageIndicator",
            )
        if claim.submitter != first.submitter:
            raise X12WriteError(
                "all claims in one transaction set share one submitter (loop 1000A)",
                field=f"{prefix}submitter",
            )
        if claim.receiver_name != first.receiver_name:
            raise X12WriteError(
                "all claims in one transaction set share one receiver (loop 1000B)",
                field=f"{prefix}receiver.organizationName",
            )

    builder = X12Builder(delimiters)
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("837", transaction_control_number, IMPLEMENTATION_REFERENCE)
    out = _Out(builder, _claim_prefix(0, count))
    # BHT01 0019: information source > subscriber > dependent; BHT02 00 original; BHT06 CH
    # chargeable (a claim, not an encounter).
    out.add(
        "BHT",
        "0019",
        "00",
        check_value(reference_id, field="reference_id", delimiters=delimiters),
        format_date8(created_at.date()),
        format_time(created_at.time()),
        "CH",
    )
    _write_submitter(out, first, submitter_id)
    _write_receiver(out, first, receiver_id)

    hl = 0
    for billing, subscriber_groups in _group(claims):
        hl += 1
        billing_hl = hl
        first_index, first_claim = subscriber_groups[0][0]
        billing_out = out.at(_claim_prefix(first_index, count))
        billing_out.add("HL", str(billing_hl), "", "20", "1")  # 2000A: always has a 22 child
        position = first_claim.providers.index(billing)
        _write_billing_provider(billing_out, billing, f"providers[{position}]")
        for group in subscriber_groups:
            index, claim = group[0]
            group_out = out.at(_claim_prefix(index, count))
            hl += 1
            subscriber_hl = hl
            child = "1" if claim.dependent is not None else "0"
            group_out.add("HL", str(subscriber_hl), str(billing_hl), "22", child)
            _write_subscriber(group_out, claim)
            if claim.dependent is not None:
                hl += 1
                group_out.add("HL", str(hl), str(subscriber_hl), "23", "0")
                _write_patient(group_out, claim.dependent)
            for index, claim in group:
                _write_claim(out.at(_claim_prefix(index, count)), claim)

    builder.se()
    builder.ge()
    builder.iea()
    return builder.render(line_breaks=line_breaks)


def _provider_index(claim: Claim, provider_type: str, prefix: str) -> int | None:
    """Index of the claim's provider of that type; the 837P has one loop per type here."""
    found = [i for i, p in enumerate(claim.providers) if p.provider_type == provider_type]
    if len(found) > 1:
        raise X12WriteError(
            f"more than one {provider_type}: the 837P carries one",
            field=f"{prefix}providers[{found[1]}]",
        )
    return found[0] if found else None


def _group(
    claims: Sequence[Claim],
) -> list[tuple[Provider, list[list[tuple[int, Claim]]]]]:
    """Claims grouped by billing provider (HL 20), then by subscriber + payer + patient
    (HL 22 / 23), both in order of first appearance; claims keep their order inside a group."""
    count = len(claims)
    by_billing: dict[Provider, dict[object, list[tuple[int, Claim]]]] = {}
    for i, claim in enumerate(claims):
        out_prefix = _claim_prefix(i, count)
        billing_index = _provider_index(claim, BILLING, out_prefix)
        if billing_index is None:
            raise X12WriteError(
                "a BillingProvider is required (loop 2010AA)", field=f"{out_prefix}providers"
            )
        billing = claim.providers[billing_index]
        key = (
            claim.subscriber,
            claim.trading_partner_service_id,
            claim.trading_partner_name or claim.receiver_name,
            claim.claim_information.claim_filing_code,
            claim.dependent,
        )
        by_billing.setdefault(billing, {}).setdefault(key, []).append((i, claim))
    return [(billing, list(groups.values())) for billing, groups in by_billing.items()]


def _write_contact(out: _Out, contact: Contact | None, path: str, *, required: bool) -> None:
    """PER*IC: name, then telephone and email (1000A PER is required, 2010AA PER optional)."""
    if contact is None:
        if required:
            raise out.fail("a contact with a phone number or email is required (PER)", path)
        return
    if not contact.phone_number and not contact.email:
        raise out.fail("PER needs a phone number or an email", path)
    elements: list[str] = ["IC", out.text(contact.name, f"{path}.name")]
    if contact.phone_number:
        elements += ["TE", out.text(contact.phone_number, f"{path}.phoneNumber")]
    if contact.email:
        elements += ["EM", out.text(contact.email, f"{path}.email")]
    out.add("PER", *elements)


def _write_address(out: _Out, address: Address | None, path: str, loop: str) -> None:
    """N3/N4; every loop we write an address in requires both (2010AA, 2010BA for the
    patient, 2010CA, 2310C)."""
    if address is None:
        raise out.fail(f"an address is required (loop {loop} N3/N4)", path)
    out.add(
        "N3",
        out.required(address.address1, f"{path}.address1", "address1"),
        out.text(address.address2, f"{path}.address2"),
    )
    out.add(
        "N4",
        out.required(address.city, f"{path}.city", "city"),
        out.text(address.state, f"{path}.state"),
        out.text(address.postal_code, f"{path}.postalCode"),
    )


def _write_submitter(out: _Out, claim: Claim, submitter_id: str) -> None:
    """Loop 1000A: NM1*41 (non-person, ETIN qualifier 46) and the required PER*IC."""
    submitter = claim.submitter
    out.add(
        "NM1",
        "41",
        "2",
        out.required(submitter.organization_name, "submitter.organizationName", "name"),
        "",
        "",
        "",
        "",
        "46",
        check_value(submitter_id, field="submitter_id", delimiters=out.b.delimiters),
    )
    _write_contact(out, submitter.contact, "submitter.contactInformation", required=True)


def _write_receiver(out: _Out, claim: Claim, receiver_id: str) -> None:
    """Loop 1000B: NM1*40, the clearinghouse or payer receiving the interchange."""
    out.add(
        "NM1",
        "40",
        "2",
        out.required(claim.receiver_name, "receiver.organizationName", "name"),
        "",
        "",
        "",
        "",
        "46",
        check_value(receiver_id, field="receiver_id", delimiters=out.b.delimiters),
    )


def _name_elements(out: _Out, provider: Provider, path: str) -> list[str]:
    """NM102..NM105 of a provider: an organization name wins over a person's names."""
    if provider.organization_name:
        return ["2", out.text(provider.organization_name, f"{path}.organizationName"), "", ""]
    return [
        "1",
        out.required(provider.last_name, f"{path}.lastName", "an organization or last name"),
        out.text(provider.first_name, f"{path}.firstName"),
        "",
    ]


def _write_billing_provider(out: _Out, billing: Provider, path: str) -> None:
    """2000A PRV*BI and loop 2010AA: NM1*85 with the NPI, N3/N4 (required), the tax id
    (REF*EI or REF*SY, one of them required) and the optional PER."""
    if billing.taxonomy_code:
        out.add("PRV", "BI", "PXC", out.text(billing.taxonomy_code, f"{path}.taxonomyCode"))
    out.add(
        "NM1",
        "85",
        *_name_elements(out, billing, path),
        "",
        "",
        "XX",
        out.required(billing.npi, f"{path}.npi", "the NPI"),
    )
    _write_address(out, billing.address, f"{path}.address", "2010AA")
    if billing.employer_id:
        out.add("REF", "EI", out.text(billing.employer_id, f"{path}.employerId"))
    elif billing.ssn:
        out.add("REF", "SY", out.text(billing.ssn, f"{path}.ssn"))
    else:
        raise out.fail("an employerId or ssn is required (loop 2010AA REF)", f"{path}.employerId")
    _write_contact(out, billing.contact, f"{path}.contactInformation", required=False)


def _write_dmg(
    out: _Out, birth: date | None, gender: str | None, path: str, *, required: bool, loop: str
) -> None:
    """DMG*D8: birth date and gender (F, M, U); a missing gender is written U (unknown)."""
    if birth is None:
        if required:
            raise out.fail(f"a date of birth is required (loop {loop} DMG)", f"{path}.dateOfBirth")
        return
    out.add("DMG", "D8", format_date8(birth), out.text(gender, f"{path}.gender") or "U")


def _write_subscriber(out: _Out, claim: Claim) -> None:
    """2000B SBR, 2010BA subscriber (NM1*IL, address and DMG required when the subscriber is
    the patient) and 2010BB payer (NM1*PR, PI = the clearinghouse payer id)."""
    subscriber = claim.subscriber
    info = claim.claim_information
    patient = claim.patient_is_subscriber
    out.add(
        "SBR",
        out.required(
            subscriber.payment_responsibility_level_code,
            "subscriber.paymentResponsibilityLevelCode",
            "payment responsibility",
        ),
        "18" if patient else "",  # SBR02: 18 = self, only when the subscriber is the patient
        out.text(subscriber.group_number, "subscriber.groupNumber"),
        "",
        "",
        "",
        "",
        "",
        out.required(info.claim_filing_code, "claimInformation.claimFilingCode", "SBR09"),
    )
    out.add(
        "NM1",
        "IL",
        "1",
        out.required(subscriber.last_name, "subscriber.lastName", "last name"),
        out.text(subscriber.first_name, "subscriber.firstName"),
        "",
        "",
        "",
        "MI",
        out.required(subscriber.member_id, "subscriber.memberId", "member id"),
    )
    if patient or subscriber.address is not None:
        _write_address(out, subscriber.address, "subscriber.address", "2010BA")
    _write_dmg(
        out,
        subscriber.date_of_birth,
        subscriber.gender,
        "subscriber",
        required=patient,
        loop="2010BA",
    )
    out.add(
        "NM1",
        "PR",
        "2",
        out.required(
            claim.trading_partner_name or claim.receiver_name, "tradingPartnerName", "payer name"
        ),
        "",
        "",
        "",
        "",
        "PI",
        out.required(claim.trading_partner_service_id, "tradingPartnerServiceId", "payer id"),
    )


def _write_patient(out: _Out, dependent: Dependent) -> None:
    """2000C PAT and 2010CA: NM1*QC (no id in 5010), N3/N4 and DMG, all required."""
    out.add(
        "PAT",
        out.required(
            dependent.relationship_to_subscriber_code,
            "dependent.relationshipToSubscriberCode",
            "relationship",
        ),
    )
    out.add(
        "NM1",
        "QC",
        "1",
        out.required(dependent.last_name, "dependent.lastName", "last name"),
        out.text(dependent.first_name, "dependent.firstName"),
    )
    _write_address(out, dependent.address, "dependent.address", "2010CA")
    _write_dmg(
        out, dependent.date_of_birth, dependent.gender, "dependent", required=True, loop="2010CA"
    )


def _write_claim(out: _Out, claim: Claim) -> None:
    """Loop 2300 with its 2310A-C providers, 2320/2330 other payers and 2400 lines."""
    info = claim.claim_information
    base = "claimInformation"
    out.add(
        "CLM",
        out.required(info.patient_control_number, f"{base}.patientControlNumber", "CLM01"),
        out.amount(info.claim_charge_amount, f"{base}.claimChargeAmount"),
        "",
        "",
        (
            out.required(info.place_of_service_code, f"{base}.placeOfServiceCode", "CLM05-1"),
            "B",  # CLM05-2: place of service codes for professional services
            out.required(info.claim_frequency_code, f"{base}.claimFrequencyCode", "CLM05-3"),
        ),
        out.text(info.signature_indicator, f"{base}.signatureIndicator"),
        out.text(info.plan_participation_code, f"{base}.planParticipationCode"),
        out.text(
            info.benefits_assignment_certification_indicator,
            f"{base}.benefitsAssignmentCertificationIndicator",
        ),
        out.text(info.release_information_code, f"{base}.releaseInformationCode"),
    )
    # 2300 REF order in the TR3: 9F referral, G1 prior authorization, F8 payer claim control.
    if info.referral_number:
        out.add("REF", "9F", out.text(info.referral_number, f"{base}.referralNumber"))
    if info.prior_authorization_number:
        out.add(
            "REF",
            "G1",
            out.text(info.prior_authorization_number, f"{base}.priorAuthorizationNumber"),
        )
    if info.claim_frequency_code in FREQUENCIES_NEEDING_PAYER_CCN:
        # REF*F8 is required for a replacement or void, and "do not send" otherwise.
        out.add(
            "REF",
            "F8",
            out.required(
                info.payer_claim_control_number,
                f"{base}.payerClaimControlNumber",
                "the payer claim control number of the claim replaced or voided",
            ),
        )
    _write_diagnoses(out, info.diagnoses)
    _write_claim_providers(out, claim)
    if len(info.other_subscribers) > MAX_OTHER_SUBSCRIBERS:
        raise out.fail(
            f"at most {MAX_OTHER_SUBSCRIBERS} other payers (loop 2320)",
            f"{base}.otherSubscriberInformation",
        )
    for i, other in enumerate(info.other_subscribers):
        _write_other_subscriber(out, other, f"{base}.otherSubscriberInformation[{i}]")
    payer_ids = {o.payer.identifier for o in info.other_subscribers}
    if not info.service_lines:
        raise out.fail("at least one service line is required (loop 2400)", f"{base}.serviceLines")
    if len(info.service_lines) > MAX_LINES:
        raise out.fail(f"at most {MAX_LINES} service lines (loop 2400)", f"{base}.serviceLines")
    for number, line in enumerate(info.service_lines, 1):
        _write_line(out, info, line, number, payer_ids, f"{base}.serviceLines[{number - 1}]")


def _write_diagnoses(out: _Out, diagnoses: tuple[Diagnosis, ...]) -> None:
    """2300 HI: the principal diagnosis (ABK) first, then others (ABF); codes without the
    decimal point. Order is never changed, as SV107 pointers count positions in it."""
    path = "claimInformation.healthCareCodeInformation"
    if not diagnoses:
        raise out.fail("at least one diagnosis is required (2300 HI)", path)
    if len(diagnoses) > MAX_DIAGNOSES:
        raise out.fail(f"at most {MAX_DIAGNOSES} diagnoses fit in HI01-HI12", path)
    composites: list[tuple[str, ...]] = []
    for i, diagnosis in enumerate(diagnoses):
        allowed = PRINCIPAL_QUALIFIERS if i == 0 else OTHER_QUALIFIERS
        if diagnosis.type_code not in allowed:
            raise out.fail(
                f"diagnosis {i + 1} must have type {' or '.join(allowed)}: the principal "
                "diagnosis comes first, exactly once",
                f"{path}[{i}].diagnosisTypeCode",
            )
        code = out.required(diagnosis.code.replace(".", ""), f"{path}[{i}].diagnosisCode", "code")
        composites.append((diagnosis.type_code, code))
    out.add("HI", *composites)


def _write_claim_providers(out: _Out, claim: Claim) -> None:
    """2310A referring (person), 2310B rendering (+ PRV*PE), 2310C service facility
    (organization, N3/N4 required). Fields those loops cannot carry (a rendering provider's
    address, a referring provider's taxonomy ...) are not written."""
    referring = _provider_index(claim, REFERRING, out.prefix)
    if referring is not None:
        provider, path = claim.providers[referring], f"providers[{referring}]"
        out.add(
            "NM1",
            "DN",
            "1",  # 2310A NM102: person only
            out.required(provider.last_name, f"{path}.lastName", "a referring provider's name"),
            out.text(provider.first_name, f"{path}.firstName"),
            "",
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
    rendering = _provider_index(claim, RENDERING, out.prefix)
    if rendering is not None:
        provider, path = claim.providers[rendering], f"providers[{rendering}]"
        out.add(
            "NM1",
            "82",
            *_name_elements(out, provider, path),
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
        if provider.taxonomy_code:
            out.add("PRV", "PE", "PXC", out.text(provider.taxonomy_code, f"{path}.taxonomyCode"))
    facility = _provider_index(claim, SERVICE_FACILITY, out.prefix)
    if facility is not None:
        provider, path = claim.providers[facility], f"providers[{facility}]"
        out.add(
            "NM1",
            "77",
            "2",  # 2310C NM102: organization only
            out.required(provider.organization_name, f"{path}.organizationName", "a facility name"),
            "",
            "",
            "",
            "",
            "XX",
            out.required(provider.npi, f"{path}.npi", "the NPI"),
        )
        _write_address(out, provider.address, f"{path}.address", "2310C")


def _adjustment_paths(adjustments: tuple[Adjustment, ...], path: str) -> list[str]:
    """Contract path of each flattened adjustment: group g (by first appearance), detail d."""
    groups: list[str] = []
    seen: dict[str, int] = {}
    paths: list[str] = []
    for adjustment in adjustments:
        if adjustment.group_code not in groups:
            groups.append(adjustment.group_code)
        g = groups.index(adjustment.group_code)
        d = seen.get(adjustment.group_code, 0)
        seen[adjustment.group_code] = d + 1
        paths.append(f"{path}[{g}].adjustmentDetails[{d}]")
    return paths


def _write_cas(out: _Out, adjustments: tuple[Adjustment, ...], path: str) -> None:
    """CAS per group code (CO, PR, OA, PI, CR), in order of first appearance, each with up
    to 6 reason/amount/quantity triplets (2320 and 2430 CAS, repeat 5)."""
    paths = _adjustment_paths(adjustments, path)
    by_group: dict[str, list[tuple[Adjustment, str]]] = {}
    for adjustment, adjustment_path in zip(adjustments, paths, strict=True):
        by_group.setdefault(adjustment.group_code, []).append((adjustment, adjustment_path))
    segments: list[tuple[str, int, list[tuple[Adjustment, str]]]] = []
    for number, (group, items) in enumerate(by_group.items()):
        for start in range(0, len(items), MAX_CAS_TRIPLETS):
            segments.append((group, number, items[start : start + MAX_CAS_TRIPLETS]))
    if len(segments) > MAX_CAS:
        raise out.fail(f"adjustments need more than {MAX_CAS} CAS segments", path)
    for group, number, items in segments:
        elements = [out.required(group, f"{path}[{number}].adjustmentGroupCode", "the group code")]
        for adjustment, item_path in items:
            elements += [
                out.required(adjustment.reason_code, f"{item_path}.adjustmentReasonCode", "CARC"),
                out.amount(adjustment.amount, f"{item_path}.adjustmentAmount"),
                out.amount(adjustment.quantity, f"{item_path}.adjustmentQuantity"),
            ]
        out.add("CAS", *elements)


def _write_other_subscriber(out: _Out, other: OtherSubscriberInformation, path: str) -> None:
    """Loop 2320 (SBR, CAS, AMT*D, AMT*EAF, OI) with 2330A other insured (NM1*IL) and 2330B
    other payer (NM1*PR, DTP*573 adjudication date, REF*F8 its claim control number)."""
    out.add(
        "SBR",
        out.required(
            other.payment_responsibility_level_code,
            f"{path}.paymentResponsibilityLevelCode",
            "SBR01",
        ),
        out.required(
            other.individual_relationship_code, f"{path}.individualRelationshipCode", "SBR02"
        ),
        out.text(other.group_number, f"{path}.insuredGroupOrPolicyNumber"),
        "",
        "",
        "",
        "",
        "",
        out.required(
            other.claim_filing_indicator_code, f"{path}.claimFilingIndicatorCode", "SBR09"
        ),
    )
    _write_cas(out, other.claim_adjustments, f"{path}.claimLevelAdjustments")
    if other.payer_paid_amount is not None:
        out.add("AMT", "D", out.amount(other.payer_paid_amount, f"{path}.payerPaidAmount"))
    if other.remaining_patient_liability is not None:
        out.add(
            "AMT",
            "EAF",
            out.amount(other.remaining_patient_liability, f"{path}.remainingPatientLiability"),
        )
    out.add(
        "OI",
        "",
        "",
        out.text(
            other.benefits_assignment_certification_indicator,
            f"{path}.benefitsAssignmentCertificationIndicator",
        ),
        "",
        "",
        out.text(other.release_of_information_code, f"{path}.releaseOfInformationCode"),
    )
    insured, name = other.insured, f"{path}.otherSubscriberName"
    out.add(
        "NM1",
        "IL",
        out.text(insured.qualifier, f"{name}.otherInsuredQualifier"),
        out.required(insured.last_name, f"{name}.otherInsuredLastName", "last name"),
        out.text(insured.first_name, f"{name}.otherInsuredFirstName"),
        "",
        "",
        "",
        out.text(insured.identifier_type_code, f"{name}.otherInsuredIdentifierTypeCode"),
        out.required(insured.identifier, f"{name}.otherInsuredIdentifier", "identifier"),
    )
    payer, name = other.payer, f"{path}.otherPayerName"
    out.add(
        "NM1",
        "PR",
        "2",
        out.required(payer.organization_name, f"{name}.otherPayerOrganizationName", "name"),
        "",
        "",
        "",
        "",
        out.text(payer.identifier_type_code, f"{name}.otherPayerIdentifierTypeCode"),
        out.required(payer.identifier, f"{name}.otherPayerIdentifier", "identifier"),
    )
    if payer.adjudication_date is not None:
        out.add("DTP", "573", "D8", format_date8(payer.adjudication_date))
    if payer.claim_control_number:
        out.add(
            "REF",
            "F8",
            out.text(payer.claim_control_number, f"{name}.otherPayerClaimControlNumber"),
        )


def _procedure(
    out: _Out, identifier: str, code: str, modifiers: tuple[str, ...], path: str, names: str
) -> tuple[str, ...]:
    """SV101 / SVD03 composite: qualifier : code : up to four modifiers."""
    ident_name, code_name, modifier_name = names.split(",")
    if len(modifiers) > MAX_MODIFIERS:
        raise out.fail(f"at most {MAX_MODIFIERS} procedure modifiers", f"{path}.{modifier_name}")
    return (
        out.required(identifier, f"{path}.{ident_name}", "the code qualifier"),
        out.required(code, f"{path}.{code_name}", "the procedure code"),
        *(out.text(m, f"{path}.{modifier_name}[{i}]") for i, m in enumerate(modifiers)),
    )


def _write_line(
    out: _Out,
    info: ClaimInformation,
    line: ServiceLine,
    number: int,
    payer_ids: set[str],
    path: str,
) -> None:
    """Loop 2400: LX, SV1, DTP*472, REF*6R, then a 2430 per prior payer adjudication."""
    service = f"{path}.professionalService"
    pointers = line.diagnosis_pointers
    if not 1 <= len(pointers) <= MAX_POINTERS:
        raise out.fail(
            f"SV107 needs 1 to {MAX_POINTERS} diagnosis pointers",
            f"{service}.compositeDiagnosisCodePointers.diagnosisCodePointers",
        )
    out.add("LX", str(number))
    # SV105 only when the line's place of service differs from CLM05-1 (TR3 2400 SV105 note).
    place = line.place_of_service_code
    out.add(
        "SV1",
        _procedure(
            out,
            line.procedure_identifier,
            line.procedure_code,
            line.procedure_modifiers,
            service,
            "procedureIdentifier,procedureCode,procedureModifiers",
        ),
        out.amount(line.charge_amount, f"{service}.lineItemChargeAmount"),
        out.text(line.measurement_unit, f"{service}.measurementUnit"),
        out.amount(line.unit_count, f"{service}.serviceUnitCount"),
        out.text(place, f"{service}.placeOfServiceCode")
        if place and place != info.place_of_service_code
        else "",
        "",
        tuple(str(p) for p in pointers),
    )
    if line.service_date_end is None:
        out.add("DTP", "472", "D8", format_date8(line.service_date))
    else:
        try:
            period = format_date_range(line.service_date, line.service_date_end)
        except X12WriteError as error:
            raise out.fail(error.message, f"{path}.serviceDateEnd") from None
        out.add("DTP", "472", "RD8", period)
    if line.provider_control_number:
        out.add(
            "REF", "6R", out.text(line.provider_control_number, f"{path}.providerControlNumber")
        )
    for i, adjudication in enumerate(line.line_adjudications):
        _write_line_adjudication(
            out, adjudication, payer_ids, f"{path}.lineAdjudicationInformation[{i}]"
        )


def _write_line_adjudication(
    out: _Out, adjudication: LineAdjudication, payer_ids: set[str], path: str
) -> None:
    """Loop 2430: SVD (SVD01 must match a 2330B NM109), CAS per group, DTP*573."""
    if adjudication.other_payer_primary_identifier not in payer_ids:
        raise out.fail(
            "must match the otherPayerIdentifier of one otherSubscriberInformation (2330B NM109)",
            f"{path}.otherPayerPrimaryIdentifier",
        )
    out.add(
        "SVD",
        out.text(
            adjudication.other_payer_primary_identifier, f"{path}.otherPayerPrimaryIdentifier"
        ),
        out.amount(adjudication.paid_amount, f"{path}.serviceLinePaidAmount"),
        _procedure(
            out,
            adjudication.procedure_identifier,
            adjudication.procedure_code,
            adjudication.procedure_modifiers,
            path,
            "serviceIdQualifier,procedureCode,procedureModifier",
        ),
        "",
        out.amount(adjudication.paid_unit_count, f"{path}.paidServiceUnitCount"),
        "" if adjudication.bundled_line_number is None else str(adjudication.bundled_line_number),
    )
    _write_cas(out, adjudication.adjustments, f"{path}.claimAdjustmentInformation")
    out.add("DTP", "573", "D8", format_date8(adjudication.adjudication_date))


# ==========================================================================================
# Reading
# ==========================================================================================


@dataclass(frozen=True, slots=True)
class Claim837:
    """One 2300 loop of an 837P: the claim when it could be built, else the located error
    that stopped it; findings either way. `segment_index` is the file position of its CLM."""

    segment_index: int
    patient_control_number: str
    claim: Claim | None
    findings: tuple[Finding, ...] = ()
    error: X12ReadError | None = None


_D8 = re.compile(r"[0-9]{8}")  # ASCII: \d and strptime take any Unicode digit
# N0 elements (X12.6: digits only; these count, so no minus sign): SV107 C004 diagnosis code
# pointers (DE 1328, 1/2) and the SVD06 bundled line number (DE 554, 1/6).
_POINTER = Numeric("diagnosis code pointer", 2, decimal=False, signed=False)
_LINE_NUMBER = Numeric("line number", 6, decimal=False, signed=False)
_DIAGNOSIS_QUALIFIERS = frozenset(PRINCIPAL_QUALIFIERS + OTHER_QUALIFIERS)
# HI segments that are not the diagnosis HI (anesthesia BP/BO, condition information BG).
_OTHER_HI_QUALIFIERS = frozenset(("BP", "BO", "BG"))


def _el(segment: list[str], position: int) -> str:
    return segment[position].strip() if len(segment) > position else ""


@dataclass(slots=True)
class _Context:
    """What every level (header, HL 20/22/23, claim) collects: findings and the first error
    that makes the claims built from it unreadable."""

    findings: list[Finding] = field(default_factory=list)
    error: X12ReadError | None = None


@dataclass(slots=True)
class _AddressParts:
    n3: list[str] | None = None
    n4: list[str] | None = None
    index: int = 0


@dataclass(slots=True)
class _ProviderParts:
    provider_type: str
    index: int
    npi: str
    organization_name: str | None
    first_name: str | None
    last_name: str | None
    employer_id: str | None = None
    ssn: str | None = None
    taxonomy_code: str | None = None
    address: _AddressParts = field(default_factory=_AddressParts)
    contact: Contact | None = None


@dataclass(slots=True)
class _Header(_Context):
    submitter_name: str | None = None
    contact: Contact | None = None
    receiver_name: str | None = None


@dataclass(slots=True)
class _Billing(_Context):
    index: int = 0
    hl_id: str = ""
    child_code: str = ""
    taxonomy_code: str | None = None
    provider: _ProviderParts | None = None
    built: Provider | None = None


@dataclass(slots=True)
class _SubscriberLevel(_Context):
    index: int = 0
    hl_id: str = ""
    child_code: str = ""
    has_children: bool = False
    sbr: list[str] | None = None
    sbr_index: int = 0
    last_name: str | None = None
    first_name: str | None = None
    member_id: str | None = None
    name_index: int = 0
    address: _AddressParts = field(default_factory=_AddressParts)
    date_of_birth: date | None = None
    gender: str | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    built: Subscriber | None = None
    filing: str = ""


@dataclass(slots=True)
class _PatientLevel(_Context):
    index: int = 0
    hl_id: str = ""
    relationship: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    name_index: int = 0
    address: _AddressParts = field(default_factory=_AddressParts)
    date_of_birth: date | None = None
    gender: str | None = None
    built: Dependent | None = None


@dataclass(slots=True)
class _OtherParts:
    index: int
    sbr: list[str]
    adjustments: list[Adjustment] = field(default_factory=list)
    paid: Decimal | None = None
    remaining: Decimal | None = None
    benefits: str = "Y"
    release: str = "Y"
    insured: OtherInsured | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    payer_id_type: str = "PI"
    payer_ccn: str | None = None
    payer_date: date | None = None


@dataclass(slots=True)
class _AdjudicationParts:
    index: int
    payer_id: str
    paid: Decimal
    procedure: list[str]
    units: Decimal
    bundled: int | None
    adjustments: list[Adjustment] = field(default_factory=list)
    adjudicated: date | None = None


@dataclass(slots=True)
class _LineParts:
    index: int
    sv1: list[str] | None = None
    procedure: list[str] = field(default_factory=list)
    charge: Decimal | None = None
    unit: str = "UN"
    units: Decimal | None = None
    place: str | None = None
    pointers: tuple[int, ...] = ()
    service_date: date | None = None
    service_date_end: date | None = None
    control_number: str | None = None
    adjudications: list[_AdjudicationParts] = field(default_factory=list)


@dataclass(slots=True)
class _ClaimParts(_Context):
    index: int = 0
    billing: _Billing | None = None
    subscriber: _SubscriberLevel | None = None
    patient: _PatientLevel | None = None
    pcn: str = ""
    charge: Decimal | None = None
    place: str = ""
    frequency: str = ""
    signature: str = "Y"
    plan: str = "A"
    benefits: str = "Y"
    release: str = "Y"
    prior_authorization: str | None = None
    referral: str | None = None
    payer_ccn: str | None = None
    diagnoses: list[Diagnosis] | None = None
    providers: dict[str, _ProviderParts] = field(default_factory=dict)
    others: list[_OtherParts] = field(default_factory=list)
    lines: list[_LineParts] = field(default_factory=list)


# Segments of valid 837P loops that the claim model has no place for. The first segment of
# a loop the model does not carry is reported once; the rest of that loop is skipped quietly.
_CLAIM_NOT_CARRIED = frozenset(
    ("DTP", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CRC", "HCP")
)
_LINE_NOT_CARRIED = frozenset(
    ("SV5", "PWK", "CR1", "CR3", "CRC", "QTY", "MEA", "CN1", "AMT", "K3", "NTE", "PS1", "HCP")
)
_IGNORED_LOOPS = {
    "2010AB": "pay-to address",
    "2010AC": "pay-to plan",
    "2310D": "supervising provider",
    "2310E": "ambulance pick-up location",
    "2310F": "ambulance drop-off location",
    "2330C": "other payer referring provider",
    "2330D": "other payer rendering provider",
    "2330E": "other payer service facility",
    "2330F": "other payer supervising provider",
    "2330G": "other payer billing provider",
    "2410": "drug identification",
    "2420": "line-level provider or location",
    "2440": "form identification",
}
_2310_NM1 = {
    "DN": "2310A",
    "P3": "2310A",
    "82": "2310B",
    "77": "2310C",
    "DQ": "2310D",
    "PW": "2310E",
    "45": "2310F",
}
_2330_NM1 = {
    "IL": "2330A",
    "PR": "2330B",
    "DN": "2330C",
    "P3": "2330C",
    "82": "2330D",
    "77": "2330E",
    "DQ": "2330F",
    "85": "2330G",
}
# Segments whose first element is a qualifier code, safe to quote in a finding. Others (N3,
# N4, K3 ...) start with data, possibly PHI, which findings never repeat (DESIGN rule 6).
_QUALIFIED = frozenset(
    ("NM1", "REF", "DTP", "AMT", "PER", "PRV", "LQ", "NTE", "CAS", "PWK", "CRC", "HCP", "DMG")
)
_2420_NM1 = frozenset(("82", "QB", "77", "DQ", "DK", "DN", "P3", "PW", "45"))


class _Reader:
    """One pass over the segments of a transaction set, tracking the current loop."""

    def __init__(self, ts: TransactionSet) -> None:
        self.ts = ts
        self.component = ts.interchange.delimiters.component
        self.header = _Header()
        self.billing: _Billing | None = None
        self.subscriber: _SubscriberLevel | None = None
        self.patient: _PatientLevel | None = None
        self.claim: _ClaimParts | None = None
        self.line: _LineParts | None = None
        self.other: _OtherParts | None = None
        self.adjudication: _AdjudicationParts | None = None
        self.provider: _ProviderParts | None = None
        self.loop = "HEADER"
        self.loop_start = 0
        self.claims: list[_ClaimParts] = []
        self.hl_ids: set[str] = set()
        self.seen: set[tuple[str, ...]] = set()  # (loop key, segment key) for repeats

    # -- locating ------------------------------------------------------------------------

    def context(self) -> _Context:
        if self.claim is not None:
            return self.claim
        if self.patient is not None:
            return self.patient
        if self.subscriber is not None:
            return self.subscriber
        if self.billing is not None:
            return self.billing
        return self.header

    def note(
        self, code: str, message: str, index: int, segment_id: str, position: int | None = None
    ) -> None:
        self.context().findings.append(Finding(code, message, index, segment_id, position))

    def error(
        self, message: str, index: int, segment_id: str, position: int | None = None
    ) -> X12ReadError:
        return X12ReadError(
            message, segment_index=index, segment_id=segment_id, element_position=position
        )

    def require(self, seg: list[str], position: int, index: int, what: str) -> str:
        value = _el(seg, position)
        if not value:
            raise self.error(f"{what} is missing", index, seg[0], position)
        return value

    def soft(self, seg: list[str], position: int, index: int, what: str) -> str:
        """A required element the claim can do without for now: read as "" with a finding,
        so the scrub still sees (and rejects) the claim."""
        value = _el(seg, position)
        if not value:
            self.note(
                "element_missing",
                f"{what} is missing",
                index,
                seg[0],
                position,
            )
        return value

    def decimal(
        self, seg: list[str], position: int, index: int, what: str, kind: Numeric = AMOUNT
    ) -> Decimal:
        """An R element the claim needs: missing, or not an X12 R number with at most
        `kind.max_digits` digits, is an error. Read as sent: `_el` strips text elements, but
        an R element has no spaces (X12.6)."""
        self.require(seg, position, index, what)
        number = parse_number(seg[position], kind)
        if number is None:
            raise self.error(kind.describe(what), index, seg[0], position)
        return number

    def optional_decimal(
        self, seg: list[str], position: int, index: int, what: str, kind: Numeric = AMOUNT
    ) -> Decimal | None:
        return self.decimal(seg, position, index, what, kind) if _el(seg, position) else None

    def d8(self, value: str, index: int, segment_id: str, position: int, what: str) -> date:
        """CCYYMMDD; the value is not quoted in the error, as it may be a birth date."""
        if not _D8.fullmatch(value):
            raise self.error(f"{what} is not CCYYMMDD", index, segment_id, position)
        try:
            return datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            raise self.error(f"{what} is not a real date", index, segment_id, position) from None

    def components(self, value: str) -> list[str]:
        return [part.strip() for part in value.split(self.component)]

    def not_carried(self, seg: list[str], index: int, what: str) -> None:
        qualifier = f"*{_el(seg, 1)}" if seg[0] in _QUALIFIED and _el(seg, 1) else ""
        self.note(
            "not_carried",
            f"{seg[0]}{qualifier} ({what}) is not carried by the claim model",
            index,
            seg[0],
        )

    def extra_elements(self, seg: list[str], index: int, read: set[int], what: str) -> None:
        """Report non-empty elements at positions the model does not carry."""
        extra = [p for p in range(1, len(seg)) if p not in read and seg[p].strip()]
        if extra:
            names = ", ".join(f"{seg[0]}{p:02d}" for p in extra)
            self.note(
                "not_carried", f"{names} ({what}) not carried by the claim model", index, seg[0]
            )

    def once(self, key: str, seg: list[str], index: int, *, valid_repeat: bool = False) -> bool:
        """True the first time `key` is seen in the current loop instance. A repeat is
        ignored and reported: as a defect, or as `not_carried` where the TR3 allows the
        repeat but the model holds one."""
        full = (self.loop_key(), key)
        if full in self.seen:
            if valid_repeat:
                self.note("not_carried", f"a second {key} in loop {self.loop}", index, seg[0])
            else:
                self.note(
                    "segment_repeated",
                    f"{key} repeated in loop {self.loop}; the repeat is ignored",
                    index,
                    seg[0],
                )
            return False
        self.seen.add(full)
        return True

    def loop_key(self) -> str:
        return f"{self.loop}@{self.loop_start}"

    def enter(self, loop: str, index: int) -> None:
        self.loop = loop
        self.loop_start = index

    # -- driving -------------------------------------------------------------------------

    def run(self) -> list[Claim837]:
        ts = self.ts
        self.check_header()
        for offset, seg in enumerate(ts.segments[1:], 1):
            index = ts.first_index + offset
            tag = seg[0]
            if tag == "SE":
                break
            try:
                self.segment(seg, index)
            except X12ReadError as error:
                context = self.context()
                if context is self.header:
                    raise
                if context.error is None:
                    context.error = error
        self.claim = None
        self.close_subscriber()
        self.close_billing()
        header = self.header
        if self.claims and header.submitter_name is None:
            raise self.error("loop 1000A submitter (NM1*41) is missing", ts.first_index, "ST")
        if self.claims and header.receiver_name is None:
            raise self.error("loop 1000B receiver (NM1*40) is missing", ts.first_index, "ST")
        return [self.build(parts) for parts in self.claims]

    def check_header(self) -> None:
        ts = self.ts
        st_index = ts.first_index
        if ts.transaction_set_id != "837":
            raise self.error(
                f"transaction set {ts.transaction_set_id!r} is not an 837", st_index, "ST", 1
            )
        reference = ts.implementation_reference or ts.group.version
        where = 3 if ts.implementation_reference else None
        if reference.startswith("005010X223"):
            raise self.error(
                f"{reference} is an 837I (institutional), not an 837P (005010X222A1)",
                st_index,
                "ST",
                where,
            )
        if reference.startswith("005010X224"):
            raise self.error(
                f"{reference} is an 837D (dental), not an 837P (005010X222A1)",
                st_index,
                "ST",
                where,
            )
        if not reference.startswith("005010X222"):
            raise self.error(
                f"implementation {reference!r} is not 837P 005010X222A1", st_index, "ST", where
            )
        if reference != IMPLEMENTATION_REFERENCE:
            self.header.findings.append(
                Finding(
                    "implementation_reference",
                    f"{reference} is not the HIPAA-adopted {IMPLEMENTATION_REFERENCE}; "
                    "read with its rules",
                    st_index,
                    "ST",
                    where,
                )
            )

    def segment(self, seg: list[str], index: int) -> None:
        tag = seg[0]
        if tag == "HL":
            self.hl(seg, index)
        elif tag == "CLM":
            self.start_claim(seg, index)
        elif self.claim is not None:
            self.claim_segment(seg, index)
        elif self.patient is not None:
            self.patient_segment(seg, index)
        elif self.subscriber is not None:
            self.subscriber_segment(seg, index)
        elif self.billing is not None:
            self.billing_segment(seg, index)
        else:
            self.header_segment(seg, index)

    # -- header: BHT, 1000A, 1000B -------------------------------------------------------

    def header_segment(self, seg: list[str], index: int) -> None:
        tag, qualifier = seg[0], _el(seg, 1)
        header = self.header
        if tag == "BHT":
            if not self.once("BHT", seg, index):
                return
        elif tag == "NM1" and qualifier == "41":
            self.enter("1000A", index)
            header.submitter_name = self.require(seg, 3, index, "NM103 submitter name")
        elif tag == "PER" and self.loop == "1000A":
            if self.once("PER", seg, index):
                header.contact = self.contact(seg, index)
        elif tag == "NM1" and qualifier == "40":
            self.enter("1000B", index)
            header.receiver_name = self.require(seg, 3, index, "NM103 receiver name")
            if not _el(seg, 2):
                self.note(
                    "element_missing", "NM102 entity type qualifier is missing", index, "NM1", 2
                )
        else:
            self.note(
                "unexpected_segment",
                f"{tag} is not expected in the 837P header; ignored",
                index,
                tag,
            )

    def contact(self, seg: list[str], index: int) -> Contact:
        """PER*IC: name, first telephone, first email; other numbers are not carried."""
        phone: str | None = None
        email: str | None = None
        dropped: list[str] = []
        for position in (3, 5, 7):
            kind, value = _el(seg, position), _el(seg, position + 1)
            if kind == "TE" and phone is None:
                phone = value
            elif kind == "EM" and email is None:
                email = value
            elif kind:
                dropped.append(f"PER{position:02d} {kind}")
        if dropped:
            self.note(
                "not_carried",
                f"{', '.join(dropped)} not carried by the claim model",
                index,
                "PER",
            )
        return Contact(name=_el(seg, 2), phone_number=phone, email=email)

    # -- HL ------------------------------------------------------------------------------

    def hl(self, seg: list[str], index: int) -> None:
        self.claim = None
        self.line = self.other = self.adjudication = None
        self.provider = None
        hl_id, parent, level, child = _el(seg, 1), _el(seg, 2), _el(seg, 3), _el(seg, 4)
        if level == "20":
            self.close_subscriber()
            self.close_billing()
            self.billing = _Billing(index=index, hl_id=hl_id, child_code=child)
            self.enter("2000A", index)
            if parent:
                self.note("hl_structure", "HL02 must be empty for HL 20", index, "HL", 2)
        elif level == "22":
            self.close_subscriber()
            billing = self.billing
            self.subscriber = _SubscriberLevel(index=index, hl_id=hl_id, child_code=child)
            self.enter("2000B", index)
            if billing is None:
                self.subscriber.error = self.error(
                    "HL 22 (subscriber) before any HL 20 (billing provider)", index, "HL", 3
                )
            elif parent != billing.hl_id:
                self.note(
                    "hl_structure",
                    f"HL02 {parent!r} is not the enclosing HL 20's id {billing.hl_id!r}",
                    index,
                    "HL",
                    2,
                )
        elif level == "23":
            self.close_patient()
            subscriber = self.subscriber
            self.patient = _PatientLevel(index=index, hl_id=hl_id)
            self.enter("2000C", index)
            if subscriber is None:
                self.patient.error = self.error(
                    "HL 23 (patient) outside an HL 22 (subscriber)", index, "HL", 3
                )
            else:
                if not subscriber.has_children and subscriber.child_code == "0":
                    subscriber.findings.append(
                        Finding(
                            "hl_structure",
                            "HL04 says 0 (no children) but an HL 23 follows",
                            subscriber.index,
                            "HL",
                            4,
                        )
                    )
                subscriber.has_children = True
                if parent != subscriber.hl_id:
                    self.note(
                        "hl_structure",
                        f"HL02 {parent!r} is not the enclosing HL 22's id {subscriber.hl_id!r}",
                        index,
                        "HL",
                        2,
                    )
            if child not in ("", "0"):
                self.note("hl_structure", "HL04 of an HL 23 must be 0", index, "HL", 4)
        else:
            # An unknown level: whatever follows cannot be placed, so its claims fail.
            self.close_subscriber()
            self.subscriber = _SubscriberLevel(index=index, hl_id=hl_id)
            self.subscriber.error = self.error(
                f"HL03 {level!r} is not an 837P level (20, 22, 23)", index, "HL", 3
            )
            self.enter("HL?", index)
            return
        if hl_id in self.hl_ids:
            self.note("hl_structure", f"HL01 {hl_id!r} is used twice", index, "HL", 1)
        self.hl_ids.add(hl_id)

    def close_patient(self) -> None:
        """Build the 2000C/2010CA dependent once, so its findings are not repeated per claim."""
        patient, self.patient = self.patient, None
        if patient is None or patient.error is not None:
            return
        if patient.relationship is None:
            patient.error = self.error("loop 2000C has no PAT", patient.index, "HL")
        elif patient.last_name is None:
            patient.error = self.error(
                "loop 2010CA patient (NM1*QC) is missing", patient.index, "HL"
            )
        else:
            patient.built = Dependent(
                first_name=patient.first_name or "",
                last_name=patient.last_name,
                relationship_to_subscriber_code=patient.relationship,
                gender=patient.gender,
                date_of_birth=patient.date_of_birth,
                address=self.build_address(patient.address, patient, "2010CA"),
            )

    def close_subscriber(self) -> None:
        """Check HL04 and build the 2000B/2010BA subscriber and 2010BB payer once."""
        self.close_patient()
        subscriber, self.subscriber = self.subscriber, None
        if subscriber is None or subscriber.error is not None:
            return
        if subscriber.child_code == "1" and not subscriber.has_children:
            subscriber.findings.append(
                Finding(
                    "hl_structure",
                    "HL04 says 1 (has children) but no HL 23 follows",
                    subscriber.index,
                    "HL",
                    4,
                )
            )
        sbr = subscriber.sbr
        if sbr is None:
            subscriber.error = self.error("loop 2000B has no SBR", subscriber.index, "HL")
            return
        for position, what in ((1, "SBR01 payment responsibility"), (9, "SBR09 claim filing code")):
            if not _el(sbr, position):
                subscriber.error = self.error(
                    f"{what} is missing", subscriber.sbr_index, "SBR", position
                )
                return
        if subscriber.member_id is None or subscriber.last_name is None:
            subscriber.error = self.error(
                "loop 2010BA subscriber (NM1*IL) is missing", subscriber.index, "HL"
            )
            return
        if subscriber.payer_id is None or subscriber.payer_name is None:
            subscriber.error = self.error(
                "loop 2010BB payer (NM1*PR) is missing", subscriber.index, "HL"
            )
            return
        subscriber.filing = _el(sbr, 9)
        subscriber.built = Subscriber(
            member_id=subscriber.member_id,
            first_name=subscriber.first_name or "",
            last_name=subscriber.last_name,
            payment_responsibility_level_code=_el(sbr, 1),
            gender=subscriber.gender,
            date_of_birth=subscriber.date_of_birth,
            group_number=_el(sbr, 3) or None,
            address=self.build_address(subscriber.address, subscriber, "2010BA"),
        )

    def close_billing(self) -> None:
        """Check HL04 and build the 2010AA billing provider once."""
        billing, self.billing = self.billing, None
        if billing is None or billing.error is not None:
            return
        if billing.child_code != "1":
            billing.findings.append(
                Finding("hl_structure", "HL04 of an HL 20 must be 1", billing.index, "HL", 4)
            )
        provider = billing.provider
        if provider is None:
            billing.error = self.error(
                "loop 2010AA billing provider (NM1*85) is missing from this HL 20",
                billing.index,
                "HL",
            )
            return
        if provider.employer_id is None and provider.ssn is None:
            billing.findings.append(
                Finding(
                    "segment_missing",
                    "loop 2010AA has no tax id (REF*EI or REF*SY)",
                    provider.index,
                    "NM1",
                )
            )
        if provider.address.n3 is None and provider.address.n4 is None:
            billing.findings.append(
                Finding(
                    "segment_missing", "loop 2010AA has no address (N3/N4)", provider.index, "NM1"
                )
            )
        provider.taxonomy_code = billing.taxonomy_code
        billing.built = self.build_provider(provider, billing, "2010AA")

    # -- 2000A / 2010AA ------------------------------------------------------------------

    def billing_segment(self, seg: list[str], index: int) -> None:
        billing = self.billing
        assert billing is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            if qualifier == "85":
                # Until NM1*85 is read, its N3/N4/REF/PER are skipped: a failed read fails
                # the HL, and they would have nothing to attach to.
                self.enter("2010AA-skip", index)
                if billing.provider is not None:
                    self.note(
                        "segment_repeated",
                        "a second billing provider (NM1*85) in one HL 20 is ignored",
                        index,
                        tag,
                    )
                    return
                billing.provider = self.name_to_provider(seg, index, BILLING, required_npi=True)
                self.provider = billing.provider
                self.enter("2010AA", index)
            elif qualifier in ("87", "PE"):
                loop = "2010AB" if qualifier == "87" else "2010AC"
                self.enter(loop, index)
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
            else:
                self.unexpected(seg, index)
            return
        if self.loop in ("2010AB", "2010AC", "2010AA-skip"):
            if tag not in ("N3", "N4", "REF", "PER"):
                self.unexpected(seg, index)
            return
        if self.loop == "2000A":
            if tag == "PRV":
                if qualifier == "BI" and self.once("PRV", seg, index):
                    billing.taxonomy_code = self.soft(seg, 3, index, "PRV03 taxonomy code") or None
                elif qualifier != "BI":
                    self.note("element_invalid", f"PRV01 {qualifier!r} is not BI", index, tag, 1)
            elif tag == "CUR":
                self.not_carried(seg, index, "currency")
            else:
                self.unexpected(seg, index)
            return
        provider = billing.provider
        assert provider is not None  # loop 2010AA
        if tag in ("N3", "N4"):
            self.address(provider.address, seg, index)
        elif tag == "REF" and qualifier in ("EI", "SY"):
            if self.once("REF tax id", seg, index):
                value = self.soft(seg, 2, index, "REF02 billing provider tax id") or None
                if qualifier == "EI":
                    provider.employer_id = value
                else:
                    provider.ssn = value
        elif tag == "REF":
            self.not_carried(seg, index, "billing provider secondary id")
        elif tag == "PER":
            if self.once("PER", seg, index, valid_repeat=True):  # 2010AA PER repeat 2
                provider.contact = self.contact(seg, index)
        else:
            self.unexpected(seg, index)

    def unexpected(self, seg: list[str], index: int) -> None:
        qualified = seg[0] in _QUALIFIED and _el(seg, 1)
        self.note(
            "unexpected_segment",
            f"{seg[0]}{'*' + _el(seg, 1) if qualified else ''} is not expected in loop "
            f"{self.loop}; ignored",
            index,
            seg[0],
        )

    def name_to_provider(
        self, seg: list[str], index: int, provider_type: str, *, required_npi: bool
    ) -> _ProviderParts:
        """NM1 of a provider: NM102 1 person / 2 organization, NM108 XX, NM109 the NPI."""
        entity_type = _el(seg, 2)
        last, first = _el(seg, 3), _el(seg, 4)
        if entity_type not in ("1", "2"):
            self.note(
                "element_invalid" if entity_type else "element_missing",
                f"NM102 entity type {entity_type!r} is not 1 (person) or 2 (organization)",
                index,
                "NM1",
                2,
            )
            entity_type = "1" if first else "2"
        if required_npi:
            npi = self.require(seg, 9, index, "NM109 NPI")
        else:
            npi = self.soft(seg, 9, index, "NM109 NPI")
        qualifier = _el(seg, 8)
        if npi and qualifier != "XX":
            self.note(
                "element_invalid",
                f"NM108 {qualifier!r} is not XX (NPI); NM109 read as the NPI",
                index,
                "NM1",
                8,
            )
        self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, prefix, suffix")
        if entity_type == "2":
            if not last:
                self.note("element_missing", "NM103 organization name is missing", index, "NM1", 3)
            return _ProviderParts(provider_type, index, npi, last or None, None, None)
        if not last:
            self.note("element_missing", "NM103 last name is missing", index, "NM1", 3)
        return _ProviderParts(provider_type, index, npi, None, first or None, last or None)

    def address(self, parts: _AddressParts, seg: list[str], index: int) -> None:
        tag = seg[0]
        if (parts.n3 if tag == "N3" else parts.n4) is not None:
            self.note(
                "segment_repeated", f"{tag} repeated in loop {self.loop}; ignored", index, tag
            )
            return
        if tag == "N3":
            parts.n3 = seg
            self.extra_elements(seg, index, {1, 2}, "address")
        else:
            parts.n4 = seg
            self.extra_elements(seg, index, {1, 2, 3}, "country")
        parts.index = parts.index or index

    def build_address(self, parts: _AddressParts, context: _Context, loop: str) -> Address | None:
        """N3 and N4 together make an address; one without the other is reported and
        dropped (the model's address needs a street and a city)."""
        n3, n4 = parts.n3, parts.n4
        if n3 is None and n4 is None:
            return None
        if n3 is None or n4 is None:
            missing = "N3" if n3 is None else "N4"
            context.findings.append(
                Finding(
                    "segment_missing",
                    f"loop {loop} has {'N4' if n3 is None else 'N3'} without {missing}; "
                    "the address is not read",
                    parts.index,
                    "N4" if n3 is None else "N3",
                )
            )
            return None
        for seg, position, what in ((n3, 1, "N301 address"), (n4, 1, "N401 city")):
            if not _el(seg, position):
                context.findings.append(
                    Finding("element_missing", f"{what} is missing", parts.index, seg[0], position)
                )
        return Address(
            address1=_el(n3, 1),
            address2=_el(n3, 2) or None,
            city=_el(n4, 1),
            state=_el(n4, 2),
            postal_code=_el(n4, 3),
        )

    # -- 2000B / 2010BA / 2010BB ---------------------------------------------------------

    def subscriber_segment(self, seg: list[str], index: int) -> None:
        level = self.subscriber
        assert level is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if self.loop == "HL?":
            return
        if tag == "SBR" and self.loop == "2000B":
            if self.once("SBR", seg, index):
                level.sbr, level.sbr_index = seg, index
                self.extra_elements(seg, index, {1, 2, 3, 9}, "group name, insurance type")
        elif tag == "PAT" and self.loop == "2000B":
            self.not_carried(seg, index, "patient information of a subscriber patient")
        elif tag == "NM1" and qualifier == "IL":
            self.enter("2010BA", index)
            if level.name_index:
                self.note("segment_repeated", "a second NM1*IL is ignored", index, tag)
                self.enter("2010BA-skip", index)
                return
            level.name_index = index
            level.last_name = self.require(seg, 3, index, "NM103 subscriber last name")
            level.first_name = _el(seg, 4)
            if _el(seg, 2) == "1" and not level.first_name:
                self.note("element_missing", "NM104 first name is missing", index, tag, 4)
            level.member_id = self.require(seg, 9, index, "NM109 member id")
            if _el(seg, 8) != "MI":
                self.note("element_invalid", f"NM108 {_el(seg, 8)!r} is not MI", index, tag, 8)
            self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, prefix, suffix")
        elif tag == "NM1" and qualifier == "PR":
            self.enter("2010BB", index)
            if level.payer_id is not None:
                self.note("segment_repeated", "a second NM1*PR is ignored", index, tag)
                self.enter("2010BB-skip", index)
                return
            level.payer_name = self.require(seg, 3, index, "NM103 payer name")
            level.payer_id = self.require(seg, 9, index, "NM109 payer id")
            self.extra_elements(seg, index, {1, 2, 3, 8, 9}, "payer name")
        elif self.loop == "2010BA" and tag in ("N3", "N4"):
            self.address(level.address, seg, index)
        elif self.loop == "2010BA" and tag == "DMG":
            if self.once("DMG", seg, index):
                level.date_of_birth, level.gender = self.dmg(seg, index)
        elif self.loop == "2010BA" and tag in ("REF", "PER"):
            self.not_carried(seg, index, "subscriber secondary id or contact")
        elif self.loop == "2010BB" and tag in ("N3", "N4", "REF"):
            self.not_carried(seg, index, "payer address or secondary id")
        elif self.loop.endswith("-skip"):
            return
        else:
            self.unexpected(seg, index)

    def dmg(self, seg: list[str], index: int) -> tuple[date | None, str | None]:
        """DMG*D8: an unreadable birth date is reported and left out (the field is
        optional), not fatal."""
        if _el(seg, 1) != "D8":
            self.note("element_invalid", f"DMG01 {_el(seg, 1)!r} is not D8", index, "DMG", 1)
        birth: date | None = None
        try:
            birth = self.d8(_el(seg, 2), index, "DMG", 2, "DMG02 birth date")
        except X12ReadError as error:
            self.note("element_invalid", error.message, index, "DMG", 2)
        self.extra_elements(seg, index, {1, 2, 3}, "marital status, race")
        return birth, _el(seg, 3) or None

    # -- 2000C / 2010CA ------------------------------------------------------------------

    def patient_segment(self, seg: list[str], index: int) -> None:
        level = self.patient
        assert level is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "PAT" and self.loop == "2000C":
            if self.once("PAT", seg, index):
                level.relationship = self.require(seg, 1, index, "PAT01 relationship")
                self.extra_elements(seg, index, {1}, "death date, weight, pregnancy")
        elif tag == "NM1" and qualifier == "QC":
            self.enter("2010CA", index)
            if level.name_index:
                self.note("segment_repeated", "a second NM1*QC is ignored", index, tag)
                self.enter("2010CA-skip", index)
                return
            level.name_index = index
            level.last_name = self.require(seg, 3, index, "NM103 patient last name")
            level.first_name = _el(seg, 4)
            if not level.first_name:
                self.note("element_missing", "NM104 first name is missing", index, tag, 4)
            self.extra_elements(seg, index, {1, 2, 3, 4}, "middle name, prefix, suffix")
        elif self.loop == "2010CA" and tag in ("N3", "N4"):
            self.address(level.address, seg, index)
        elif self.loop == "2010CA" and tag == "DMG":
            if self.once("DMG", seg, index):
                level.date_of_birth, level.gender = self.dmg(seg, index)
        elif self.loop == "2010CA" and tag in ("REF", "PER"):
            self.not_carried(seg, index, "patient secondary id or contact")
        elif self.loop.endswith("-skip"):
            return
        else:
            self.unexpected(seg, index)

    # -- 2300 ----------------------------------------------------------------------------

    def start_claim(self, seg: list[str], index: int) -> None:
        claim = _ClaimParts(
            index=index, billing=self.billing, subscriber=self.subscriber, patient=self.patient
        )
        self.claim = claim
        self.claims.append(claim)
        self.line = self.other = self.adjudication = None
        self.provider = None
        self.enter("2300", index)
        claim.pcn = _el(seg, 1)
        if self.subscriber is None:
            claim.error = self.error("CLM outside an HL 22 or HL 23 loop", index, "CLM")
            return
        self.require(seg, 1, index, "CLM01 patient control number")
        claim.charge = self.decimal(seg, 2, index, "CLM02 claim charge amount")
        facility = self.components(self.require(seg, 5, index, "CLM05 place of service"))
        facility += ["", "", ""]
        if not facility[0]:
            raise self.error("CLM05-1 place of service is missing", index, "CLM", 5)
        if not facility[2]:
            raise self.error("CLM05-3 claim frequency code is missing", index, "CLM", 5)
        if facility[1] != "B":
            self.note(
                "element_invalid",
                f"CLM05-2 {facility[1]!r} is not B (place of service code)",
                index,
                "CLM",
                5,
            )
        claim.place, claim.frequency = facility[0], facility[2]
        for position, name, attribute in (
            (6, "CLM06 provider signature indicator", "signature"),
            (7, "CLM07 assignment or plan participation code", "plan"),
            (8, "CLM08 benefits assignment certification indicator", "benefits"),
            (9, "CLM09 release of information code", "release"),
        ):
            value = _el(seg, position)
            if value:
                setattr(claim, attribute, value)
            else:
                self.note(
                    "element_missing",
                    f"{name} is missing; read as {getattr(claim, attribute)!r}",
                    index,
                    "CLM",
                    position,
                )
        self.extra_elements(
            seg, index, {1, 2, 5, 6, 7, 8, 9}, "signature source, related causes, delay reason"
        )

    def claim_segment(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        tag = seg[0]
        if claim.error is not None and claim.subscriber is None:
            return
        if tag == "LX":
            self.start_line(seg, index)
        elif self.line is not None:
            self.line_segment(seg, index)
        elif tag == "SBR":
            self.start_other(seg, index)
        elif self.other is not None:
            self.other_segment(seg, index)
        else:
            self.claim_level_segment(seg, index)

    def claim_level_segment(self, seg: list[str], index: int) -> None:
        """2300 itself and its 2310A-F provider loops."""
        claim = self.claim
        assert claim is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            loop = _2310_NM1.get(qualifier)
            if loop is None:
                self.enter("2310?", index)
                self.note(
                    "element_missing" if not qualifier else "unexpected_segment",
                    f"NM101 entity {qualifier!r} is not a 2310 provider; the loop is ignored",
                    index,
                    tag,
                    1,
                )
                return
            self.enter(loop, index)
            if loop in _IGNORED_LOOPS:
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
                return
            provider_type = {"2310A": REFERRING, "2310B": RENDERING, "2310C": SERVICE_FACILITY}[
                loop
            ]
            if provider_type in claim.providers or qualifier == "P3":
                what = "primary care provider" if qualifier == "P3" else f"a second {loop}"
                self.not_carried(seg, index, what)
                self.enter("2310?", index)
                return
            read = self.name_to_provider(seg, index, provider_type, required_npi=False)
            claim.providers[provider_type] = read
            self.provider = read
            return
        if self.loop == "2310?" or self.loop in _IGNORED_LOOPS:
            if tag not in ("N3", "N4", "REF", "PER", "PRV"):
                self.unexpected(seg, index)
            return
        if self.loop in ("2310A", "2310B", "2310C"):
            provider = self.provider
            assert provider is not None
            if tag == "PRV" and self.loop == "2310B":
                if qualifier != "PE":
                    self.note("element_invalid", f"PRV01 {qualifier!r} is not PE", index, tag, 1)
                if self.once("PRV", seg, index):
                    provider.taxonomy_code = self.soft(seg, 3, index, "PRV03 taxonomy") or None
            elif tag in ("N3", "N4") and self.loop == "2310C":
                self.address(provider.address, seg, index)
            elif tag in ("REF", "PER"):
                self.not_carried(seg, index, f"loop {self.loop} secondary id or contact")
            else:
                self.unexpected(seg, index)
            return
        # Loop 2300 proper.
        if tag == "REF":
            self.claim_ref(seg, index)
        elif tag == "HI":
            self.hi(seg, index)
        elif tag in _CLAIM_NOT_CARRIED:
            self.not_carried(seg, index, "claim-level detail")
        else:
            self.unexpected(seg, index)

    def claim_ref(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        qualifier = _el(seg, 1)
        attribute = {"9F": "referral", "G1": "prior_authorization", "F8": "payer_ccn"}.get(
            qualifier
        )
        if attribute is None:
            self.not_carried(seg, index, "claim reference")
        elif self.once(f"REF*{qualifier}", seg, index):
            setattr(claim, attribute, self.soft(seg, 2, index, f"REF02 ({qualifier})") or None)

    def hi(self, seg: list[str], index: int) -> None:
        """2300 HI: ABK/BK principal then ABF/BF others. The imsweb files write composites
        with the element separator ("HI*BK*8901*BF*87200"); a bare qualifier followed by a
        bare code is read as the composite it was meant to be, with a located finding, so
        positions (and so SV107 pointers) stay right. Anything else malformed is left out."""
        claim = self.claim
        assert claim is not None
        elements = [value.strip() for value in seg[1:]]
        first = self.components(elements[0])[0] if elements else ""
        if first in _OTHER_HI_QUALIFIERS:
            self.not_carried(seg, index, "anesthesia or condition information")
            return
        if claim.diagnoses is not None:
            self.note(
                "segment_repeated",
                "a second diagnosis HI is ignored (HI01-HI12 hold all diagnoses)",
                index,
                "HI",
            )
            return
        diagnoses: list[Diagnosis] = []
        i = 0
        while i < len(elements):
            position, raw = i + 1, elements[i]
            parts = self.components(raw)
            if not raw:
                i += 1
                continue
            if len(parts) >= 2 and parts[0] and parts[1]:
                qualifier, code = parts[0], parts[1]
                if any(parts[2:]):
                    self.note(
                        "not_carried",
                        f"HI{position:02d} components after the code are not carried",
                        index,
                        "HI",
                        position,
                    )
                i += 1
            elif (
                len(parts) == 1
                and raw in _DIAGNOSIS_QUALIFIERS
                and i + 1 < len(elements)
                and elements[i + 1]
                and self.component not in elements[i + 1]
                and elements[i + 1] not in _DIAGNOSIS_QUALIFIERS
            ):
                qualifier, code = raw, elements[i + 1]
                self.note(
                    "hi_composite_malformed",
                    f"HI{position:02d}-HI{position + 1:02d} {raw!r}, {code!r} is a composite "
                    f"written with the element separator; read as {raw}{self.component}{code}",
                    index,
                    "HI",
                    position,
                )
                i += 2
            else:
                self.note(
                    "hi_composite_malformed",
                    f"HI{position:02d} {raw!r} is not a qualifier{self.component}code "
                    "composite; not read",
                    index,
                    "HI",
                    position,
                )
                i += 1
                continue
            expected = PRINCIPAL_QUALIFIERS if not diagnoses else OTHER_QUALIFIERS
            if qualifier not in expected:
                self.note(
                    "element_invalid",
                    f"HI{position:02d}-1 {qualifier!r}: expected {' or '.join(expected)}",
                    index,
                    "HI",
                    position,
                )
            diagnoses.append(Diagnosis(type_code=qualifier, code=code))
        claim.diagnoses = diagnoses

    # -- 2320 / 2330 ---------------------------------------------------------------------

    def start_other(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        self.enter("2320", index)
        self.other = _OtherParts(index=index, sbr=seg)
        claim.others.append(self.other)
        for position, what in ((1, "SBR01"), (2, "SBR02"), (9, "SBR09")):
            self.require(seg, position, index, f"{what} of the other subscriber")
        self.extra_elements(seg, index, {1, 2, 3, 9}, "group name, insurance type")

    def other_segment(self, seg: list[str], index: int) -> None:
        other = self.other
        assert other is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "NM1":
            loop = _2330_NM1.get(qualifier)
            if loop is None:
                self.enter("2330?", index)
                self.note(
                    "element_missing" if not qualifier else "unexpected_segment",
                    f"NM101 entity {qualifier!r} is not a 2330 loop; ignored",
                    index,
                    tag,
                    1,
                )
                return
            self.enter(loop, index)
            if loop in _IGNORED_LOOPS:
                self.not_carried(seg, index, f"loop {loop} {_IGNORED_LOOPS[loop]}")
            elif loop == "2330A":
                if other.insured is not None:
                    self.note("segment_repeated", "a second 2330A is ignored", index, tag)
                    self.enter("2330?", index)
                    return
                other.insured = OtherInsured(
                    qualifier=self.soft(seg, 2, index, "NM102 entity type") or "1",
                    last_name=self.require(seg, 3, index, "NM103 other insured last name"),
                    first_name=_el(seg, 4) or None,
                    identifier_type_code=self.soft(seg, 8, index, "NM108") or "MI",
                    identifier=self.require(seg, 9, index, "NM109 other insured id"),
                )
                self.extra_elements(seg, index, {1, 2, 3, 4, 8, 9}, "middle name, suffix")
            else:
                if other.payer_id is not None:
                    self.note("segment_repeated", "a second 2330B is ignored", index, tag)
                    self.enter("2330?", index)
                    return
                other.payer_name = self.require(seg, 3, index, "NM103 other payer name")
                other.payer_id = self.require(seg, 9, index, "NM109 other payer id")
                other.payer_id_type = self.soft(seg, 8, index, "NM108") or "PI"
                self.extra_elements(seg, index, {1, 2, 3, 8, 9}, "payer name")
            return
        if self.loop == "2320":
            if tag == "CAS":
                other.adjustments += self.cas(seg, index)
            elif tag == "AMT" and qualifier in ("D", "EAF"):
                if self.once(f"AMT*{qualifier}", seg, index):
                    amount = self.decimal(seg, 2, index, f"AMT02 ({qualifier})")
                    if qualifier == "D":
                        other.paid = amount
                    else:
                        other.remaining = amount
            elif tag == "AMT":
                self.not_carried(seg, index, "other payer amount")
            elif tag == "OI":
                if self.once("OI", seg, index):
                    other.benefits = self.soft(seg, 3, index, "OI03") or other.benefits
                    other.release = self.soft(seg, 6, index, "OI06") or other.release
                    self.extra_elements(seg, index, {3, 6}, "patient signature source")
            elif tag == "MOA":
                self.not_carried(seg, index, "outpatient adjudication")
            else:
                self.unexpected(seg, index)
        elif self.loop == "2330B":
            if tag == "DTP" and qualifier == "573":
                if self.once("DTP*573", seg, index):
                    other.payer_date = self.dtp_d8(seg, index)
            elif tag == "REF" and qualifier == "F8":
                if self.once("REF*F8", seg, index):
                    other.payer_ccn = self.soft(seg, 2, index, "REF02 (F8)") or None
            elif tag in ("N3", "N4", "REF"):
                self.not_carried(seg, index, "other payer address or reference")
            else:
                self.unexpected(seg, index)
        elif self.loop == "2330A":
            if tag in ("N3", "N4", "REF"):
                self.not_carried(seg, index, "other insured address or secondary id")
            else:
                self.unexpected(seg, index)
        elif tag not in ("REF",):
            self.unexpected(seg, index)

    def dtp_d8(self, seg: list[str], index: int) -> date:
        if _el(seg, 2) != "D8":
            raise self.error(f"DTP02 {_el(seg, 2)!r} is not D8", index, "DTP", 2)
        return self.d8(_el(seg, 3), index, "DTP", 3, "DTP03 date")

    def cas(self, seg: list[str], index: int) -> list[Adjustment]:
        """CAS: group code, then up to six reason / amount / quantity triplets."""
        group = self.require(seg, 1, index, "CAS01 group code")
        adjustments: list[Adjustment] = []
        for position in range(2, 20, 3):
            if not any(_el(seg, p) for p in (position, position + 1, position + 2)):
                continue
            reason = self.require(seg, position, index, f"CAS{position:02d} reason code")
            amount = self.decimal(seg, position + 1, index, f"CAS{position + 1:02d} amount")
            quantity = self.optional_decimal(
                seg, position + 2, index, f"CAS{position + 2:02d} quantity", QUANTITY
            )
            adjustments.append(Adjustment(group, reason, amount, quantity))
        if not adjustments:
            raise self.error("CAS without a reason code and amount", index, "CAS", 2)
        return adjustments

    # -- 2400 / 2430 ---------------------------------------------------------------------

    def start_line(self, seg: list[str], index: int) -> None:
        claim = self.claim
        assert claim is not None
        self.enter("2400", index)
        self.other = self.adjudication = None
        self.line = _LineParts(index=index)
        claim.lines.append(self.line)
        number = _el(seg, 1)
        if number != str(len(claim.lines)):
            self.note(
                "element_invalid",
                f"LX01 {number!r}: lines are numbered from 1 within a claim, expected "
                f"{len(claim.lines)}",
                index,
                "LX",
                1,
            )

    def line_segment(self, seg: list[str], index: int) -> None:
        line = self.line
        assert line is not None
        tag, qualifier = seg[0], _el(seg, 1)
        if tag == "SVD":
            self.enter("2430", index)
            self.adjudication = None  # an unreadable SVD fails the claim; its loop is skipped
            self.adjudication = self.svd(seg, index)
            line.adjudications.append(self.adjudication)
            return
        if tag == "LIN":
            self.enter("2410", index)
            self.not_carried(seg, index, f"loop 2410 {_IGNORED_LOOPS['2410']}")
            return
        if tag == "NM1":
            if qualifier in _2420_NM1:
                self.enter("2420", index)
                self.not_carried(seg, index, f"loop 2420 {_IGNORED_LOOPS['2420']}")
            else:
                self.enter("2420", index)
                self.unexpected(seg, index)
            return
        if tag == "LQ":
            self.enter("2440", index)
            self.not_carried(seg, index, f"loop 2440 {_IGNORED_LOOPS['2440']}")
            return
        if self.loop == "2430":
            adjudication = self.adjudication
            if adjudication is None:
                return
            if tag == "CAS":
                adjudication.adjustments += self.cas(seg, index)
            elif tag == "DTP" and qualifier == "573":
                if self.once("DTP*573", seg, index):
                    adjudication.adjudicated = self.dtp_d8(seg, index)
            elif tag == "AMT":
                self.not_carried(seg, index, "remaining patient liability of the line")
            else:
                self.unexpected(seg, index)
            return
        if self.loop in ("2410", "2420", "2440"):
            if tag not in ("CTP", "REF", "PRV", "N3", "N4", "PER", "FRM"):
                self.unexpected(seg, index)
            return
        if tag == "SV1":
            if self.once("SV1", seg, index):
                self.sv1(line, seg, index)
        elif tag == "DTP" and qualifier == "472":
            if self.once("DTP*472", seg, index):
                self.service_date(line, seg, index)
        elif tag == "REF" and qualifier == "6R":
            if self.once("REF*6R", seg, index):
                line.control_number = self.soft(seg, 2, index, "REF02 (6R)") or None
        elif tag in ("DTP", "REF") or tag in _LINE_NOT_CARRIED:
            self.not_carried(seg, index, "line detail")
        else:
            self.unexpected(seg, index)

    def sv1(self, line: _LineParts, seg: list[str], index: int) -> None:
        """SV1: HC:code:modifiers, charge, unit, count, place of service, pointers."""
        line.sv1 = seg
        procedure = self.components(self.require(seg, 1, index, "SV101 procedure"))
        if len(procedure) < 2 or not procedure[1]:
            raise self.error("SV101-2 procedure code is missing", index, "SV1", 1)
        if any(procedure[6:]):
            self.note("not_carried", "SV101-7 description is not carried", index, "SV1", 1)
        line.procedure = procedure[:6]
        line.charge = self.decimal(seg, 2, index, "SV102 line charge")
        line.unit = self.soft(seg, 3, index, "SV103 unit of measure") or "UN"
        line.units = self.decimal(seg, 4, index, "SV104 service unit count", QUANTITY)
        line.place = _el(seg, 5) or None
        raw = seg[7] if _el(seg, 7) else ""  # as sent: N0 has no spaces
        if not raw:
            self.note("element_missing", "SV107 diagnosis pointers are missing", index, "SV1", 7)
        pointers: list[int] = []
        for part in raw.split(self.component) if raw else []:
            pointer = parse_integer(part, _POINTER)
            if pointer is not None:
                pointers.append(pointer)
            elif part:
                # Like the API: a pointer that is not a number points nowhere, the scrub names it.
                self.note("element_invalid", _POINTER.describe("SV107 pointer"), index, "SV1", 7)
                pointers.append(0)
        line.pointers = tuple(pointers)
        self.extra_elements(
            seg, index, {1, 2, 3, 4, 5, 7}, "emergency, EPSDT, family planning indicators"
        )

    def service_date(self, line: _LineParts, seg: list[str], index: int) -> None:
        kind, value = _el(seg, 2), _el(seg, 3)
        if kind == "D8":
            line.service_date = self.d8(value, index, "DTP", 3, "DTP03 service date")
        elif kind == "RD8":
            start, _, end = value.partition("-")
            line.service_date = self.d8(start, index, "DTP", 3, "DTP03 service date")
            line.service_date_end = self.d8(end, index, "DTP", 3, "DTP03 service end date")
        else:
            raise self.error(f"DTP02 {kind!r} is not D8 or RD8", index, "DTP", 2)

    def svd(self, seg: list[str], index: int) -> _AdjudicationParts:
        """SVD: payer id, paid amount, procedure composite, (SVD04 unused), units, bundled
        line number."""
        procedure = self.components(self.require(seg, 3, index, "SVD03 procedure"))
        if len(procedure) < 2 or not procedure[1]:
            raise self.error("SVD03-2 procedure code is missing", index, "SVD", 3)
        raw = seg[6] if _el(seg, 6) else ""
        bundled = parse_integer(raw, _LINE_NUMBER) if raw else None
        if raw and bundled is None:
            raise self.error(_LINE_NUMBER.describe("SVD06"), index, "SVD", 6)
        self.extra_elements(seg, index, {1, 2, 3, 5, 6}, "revenue code")
        return _AdjudicationParts(
            index=index,
            payer_id=self.require(seg, 1, index, "SVD01 other payer id"),
            paid=self.decimal(seg, 2, index, "SVD02 paid amount"),
            procedure=procedure[:6],
            units=self.decimal(seg, 5, index, "SVD05 paid units", QUANTITY),
            bundled=bundled,
        )

    # -- building ------------------------------------------------------------------------

    def build(self, parts: _ClaimParts) -> Claim837:
        levels: list[_Context] = [self.header]
        levels += [c for c in (parts.billing, parts.subscriber, parts.patient) if c is not None]
        levels.append(parts)
        error = next((c.error for c in levels if c.error is not None), None)
        claim: Claim | None = None
        findings: list[Finding] = []
        if error is None:
            try:
                claim = self.build_claim(parts)
            except X12ReadError as failure:
                error = failure
        for level in levels:
            findings += level.findings
        findings.sort(key=lambda f: f.segment_index or 0)
        return Claim837(
            segment_index=parts.index,
            patient_control_number=parts.pcn,
            claim=claim,
            findings=tuple(findings),
            error=error,
        )

    def build_provider(self, parts: _ProviderParts, context: _Context, loop: str) -> Provider:
        return Provider(
            provider_type=parts.provider_type,
            npi=parts.npi,
            organization_name=parts.organization_name,
            first_name=parts.first_name,
            last_name=parts.last_name,
            employer_id=parts.employer_id,
            ssn=parts.ssn,
            taxonomy_code=parts.taxonomy_code,
            address=self.build_address(parts.address, context, loop),
            contact=parts.contact,
        )

    def build_claim(self, parts: _ClaimParts) -> Claim:
        """The claim from its levels (already built when they closed) and its own parts."""
        header, billing, subscriber = self.header, parts.billing, parts.subscriber
        if billing is None or billing.built is None:
            raise self.error("the claim is not under an HL 20", parts.index, "CLM")
        if subscriber is None or subscriber.built is None:
            raise self.error("the claim is not under an HL 22", parts.index, "CLM")
        assert header.submitter_name is not None and header.receiver_name is not None
        assert subscriber.payer_id is not None
        patient = parts.patient
        if patient is not None and patient.built is None:
            raise self.error("the claim's HL 23 could not be read", patient.index, "HL")
        providers = [billing.built]
        for provider_type in PROVIDER_TYPES[1:]:
            found = parts.providers.get(provider_type)
            if found is not None:
                providers.append(self.build_provider(found, parts, "2310"))
        if parts.diagnoses is None:
            parts.findings.append(
                Finding("segment_missing", "loop 2300 has no HI (diagnoses)", parts.index, "CLM")
            )
        if not parts.lines:
            raise self.error("the claim has no service line (loop 2400)", parts.index, "CLM")
        assert parts.charge is not None
        info = ClaimInformation(
            claim_filing_code=subscriber.filing,
            patient_control_number=parts.pcn,
            claim_charge_amount=parts.charge,
            place_of_service_code=parts.place,
            claim_frequency_code=parts.frequency,
            diagnoses=tuple(parts.diagnoses or ()),
            service_lines=tuple(self.build_line(line) for line in parts.lines),
            signature_indicator=parts.signature,
            plan_participation_code=parts.plan,
            benefits_assignment_certification_indicator=parts.benefits,
            release_information_code=parts.release,
            prior_authorization_number=parts.prior_authorization,
            referral_number=parts.referral,
            payer_claim_control_number=parts.payer_ccn,
            other_subscribers=tuple(self.build_other(other) for other in parts.others),
        )
        payer_ids = {other.payer.identifier for other in info.other_subscribers}
        for line in parts.lines:
            for adjudication in line.adjudications:
                if adjudication.payer_id not in payer_ids:
                    parts.findings.append(
                        Finding(
                            "element_invalid",
                            f"SVD01 {adjudication.payer_id!r} matches no 2330B other payer id",
                            adjudication.index,
                            "SVD",
                            1,
                        )
                    )
        usage = self.ts.interchange.usage_indicator
        return Claim(
            control_number=self.ts.control_number,
            trading_partner_service_id=subscriber.payer_id,
            submitter=Submitter(organization_name=header.submitter_name, contact=header.contact),
            receiver_name=header.receiver_name,
            subscriber=subscriber.built,
            providers=tuple(providers),
            claim_information=info,
            trading_partner_name=subscriber.payer_name,
            usage_indicator=usage if usage in ("T", "P") else "P",
            dependent=patient.built if patient is not None else None,
        )

    def build_line(self, line: _LineParts) -> ServiceLine:
        if line.sv1 is None or line.charge is None or line.units is None:
            raise self.error("loop 2400 has no SV1", line.index, "LX")
        if line.service_date is None:
            raise self.error("loop 2400 has no DTP*472 service date", line.index, "LX")
        return ServiceLine(
            service_date=line.service_date,
            procedure_code=line.procedure[1],
            charge_amount=line.charge,
            unit_count=line.units,
            diagnosis_pointers=line.pointers,
            procedure_identifier=line.procedure[0],
            procedure_modifiers=tuple(m for m in line.procedure[2:] if m),
            measurement_unit=line.unit,
            provider_control_number=line.control_number,
            place_of_service_code=line.place,
            service_date_end=line.service_date_end,
            line_adjudications=tuple(self.build_adjudication(a) for a in line.adjudications),
        )

    def build_adjudication(self, parts: _AdjudicationParts) -> LineAdjudication:
        if parts.adjudicated is None:
            raise self.error("loop 2430 has no DTP*573 adjudication date", parts.index, "SVD")
        return LineAdjudication(
            other_payer_primary_identifier=parts.payer_id,
            paid_amount=parts.paid,
            procedure_code=parts.procedure[1],
            paid_unit_count=parts.units,
            adjudication_date=parts.adjudicated,
            procedure_modifiers=tuple(m for m in parts.procedure[2:] if m),
            procedure_identifier=parts.procedure[0],
            adjustments=tuple(parts.adjustments),
            bundled_line_number=parts.bundled,
        )

    def build_other(self, parts: _OtherParts) -> OtherSubscriberInformation:
        if parts.insured is None:
            raise self.error("loop 2320 has no 2330A other insured (NM1*IL)", parts.index, "SBR")
        if parts.payer_id is None or parts.payer_name is None:
            raise self.error("loop 2320 has no 2330B other payer (NM1*PR)", parts.index, "SBR")
        return OtherSubscriberInformation(
            payment_responsibility_level_code=_el(parts.sbr, 1),
            individual_relationship_code=_el(parts.sbr, 2),
            claim_filing_indicator_code=_el(parts.sbr, 9),
            insured=parts.insured,
            payer=OtherPayer(
                organization_name=parts.payer_name,
                identifier=parts.payer_id,
                identifier_type_code=parts.payer_id_type,
                claim_control_number=parts.payer_ccn,
                adjudication_date=parts.payer_date,
            ),
            benefits_assignment_certification_indicator=parts.benefits,
            release_of_information_code=parts.release,
            group_number=_el(parts.sbr, 3) or None,
            payer_paid_amount=parts.paid,
            claim_adjustments=tuple(parts.adjustments),
            remaining_patient_liability=parts.remaining,
        )


def parse_837p(ts: TransactionSet) -> list[Claim837]:
    """Every claim (2300 loop) of one 837P transaction set, in file order.

    Raises X12ReadError (located at the ST) when the set is not an 837P (an 837I or 837D
    included) and when the header cannot be read; a defect inside one HL or claim only
    fails the claims built from it (`Claim837.error`). `Claim.control_number` is ST02,
    `usage_indicator` ISA15."""
    return _Reader(ts).run()
