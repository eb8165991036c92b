"""Scrubbing edits: what a biller checks before a claim leaves the practice, so that no
clearinghouse or payer rejects it for something we could have seen. Every edit runs and every
problem is reported at once, each naming the request field (the contract's camelCase path) to fix.

Errors block submission; warnings are reported and do not block. Messages may echo codes
(NPI, ICD-10, CPT, payer ids) but never a patient's name, member id, birth date or address.
Pure: the caller passes `today`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext
from types import MappingProxyType
from typing import Literal

from chalicelib.claims import codes
from chalicelib.claims.model import (
    BILLING,
    ORDERING,
    REFERRING,
    RENDERING,
    SERVICE_FACILITY,
    SUPERVISING,
    Address,
    Claim,
    Provider,
    ServiceLine,
)
from chalicelib.claims.npi import is_valid_npi
from chalicelib.claims.paths import text_fields
from chalicelib.x12.charset import is_x12_text, to_x12_text

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class ScrubFinding:
    """One problem: `field` is the path into the request, e.g. `providers[0].npi`."""

    field: str
    code: str
    message: str
    severity: Severity

    def __post_init__(self) -> None:
        if self.severity not in ("error", "warning"):
            raise ValueError(f"severity must be 'error' or 'warning', not {self.severity!r}")


@dataclass(frozen=True, slots=True)
class Edit:
    """One scrubbing edit as the API lists it."""

    code: str
    severity: Severity
    description: str


# The edits, in the order a biller reads a claim. Codes are stable: clients key on them.
CATALOG: tuple[Edit, ...] = (
    Edit("npi_invalid", "error", "NPI is not 10 digits with a valid check digit (Luhn, 80840)"),
    Edit("ein_invalid", "error", "employer id (EIN) is not 9 digits (NN-NNNNNNN)"),
    Edit("taxonomy_invalid", "error", "taxonomy code is not 9 letters or digits followed by X"),
    Edit("billing_provider_missing", "error", "no BillingProvider: a claim has exactly one"),
    Edit("provider_repeated", "error", "a provider type appears more times than the 837P allows"),
    Edit("provider_name_missing", "error", "provider has no name of the kind its loop requires"),
    Edit("billing_address_missing", "error", "billing provider has no address (2010AA N3/N4)"),
    Edit("billing_address_po_box", "error", "billing provider address is a PO box, not a street"),
    Edit("billing_tax_id_missing", "error", "billing provider has neither an EIN nor an SSN"),
    Edit("billing_zip_not_nine_digits", "error", "billing provider ZIP is not 9 digits (N403)"),
    Edit("zip_invalid", "error", "ZIP code is not 5 or 9 digits"),
    Edit("state_invalid", "error", "state is not a US state, DC, territory or AA/AE/AP code"),
    Edit("required_field_missing", "error", "a required subscriber or patient field is blank"),
    Edit("gender_invalid", "error", "gender is not M, F or U"),
    Edit("birth_date_in_future", "error", "birth date is after today"),
    Edit("patient_relationship_invalid", "error", "dependent relationship is not a PAT01 code"),
    Edit(
        "other_insured_relationship_invalid",
        "error",
        "other insured relationship is not an SBR02 code",
    ),
    Edit("medicare_id_invalid", "error", "Medicare member id is not an MBI (11 characters)"),
    Edit("claim_filing_code_invalid", "error", "claim filing indicator is not an SBR09 code"),
    Edit("place_of_service_invalid", "error", "place of service is not in the CMS POS code set"),
    Edit(
        "original_claim_reference_missing",
        "error",
        "replacement or void (frequency 7/8) without the payer's claim control number",
    ),
    Edit(
        "original_claim_reference_unused",
        "warning",
        "payer claim control number on an original (frequency 1) claim",
    ),
    Edit("diagnosis_count", "error", "a claim has 1 to 12 diagnosis codes"),
    Edit("icd10_invalid", "error", "diagnosis code is not shaped like an ICD-10-CM code"),
    Edit("diagnosis_qualifier_icd9", "error", "BK/BF are ICD-9 qualifiers: use ABK/ABF"),
    Edit("diagnosis_duplicate", "error", "the same diagnosis code is listed twice"),
    Edit("principal_diagnosis_invalid", "error", "the first code, and only it, must be ABK"),
    Edit("service_line_count", "error", "a claim has 1 to 50 service lines"),
    Edit("procedure_code_invalid", "error", "procedure code is not a CPT or HCPCS Level II code"),
    Edit("modifier_count", "error", "a service line has at most 4 procedure modifiers"),
    Edit("modifier_invalid", "error", "procedure modifier is not 2 letters or digits"),
    Edit("diagnosis_pointer_count", "error", "a service line has 1 to 4 diagnosis pointers"),
    Edit("diagnosis_pointer_invalid", "error", "diagnosis pointer does not point at a listed code"),
    Edit("units_not_positive", "error", "service unit count is not greater than zero"),
    Edit("amount_invalid", "error", "amount or quantity is not a finite number"),
    Edit("charge_negative", "error", "a charge is negative"),
    Edit("claim_charge_mismatch", "error", "claim charge is not the sum of the line charges"),
    Edit("service_date_in_future", "error", "service date is after today"),
    Edit("service_date_before_birth", "error", "service date is before the patient's birth"),
    Edit("service_date_end_before_start", "error", "service end date is before the start date"),
    Edit("service_date_too_old", "warning", "service is over 365 days old: timely filing risk"),
    Edit("other_payer_same_as_primary", "error", "other payer id is the claim's own payer id"),
    Edit("payer_responsibility_repeated", "error", "two payers share a responsibility level"),
    Edit("line_adjudication_payer_unknown", "error", "line adjudication names no listed payer"),
    Edit(
        "x12_delimiter_in_text",
        "error",
        "text contains an X12 delimiter (~ * : ^ |) or a control character",
    ),
    Edit(
        "x12_text_transliterated",
        "warning",
        "text outside the X12 character set is written transliterated (Nuñez as Nunez)",
    ),
    Edit("x12_text_unwritable", "error", "text has no letter or digit X12 can carry"),
)
EDITS: Mapping[str, str] = MappingProxyType({e.code: e.description for e in CATALOG})
SEVERITIES: Mapping[str, Severity] = MappingProxyType({e.code: e.severity for e in CATALOG})


def scrub_claim(claim: Claim, *, today: date) -> tuple[ScrubFinding, ...]:
    """Every problem with `claim`, errors and warnings, in the order of the checks."""
    findings = [finding for check in _CHECKS for finding in check(claim, today)]
    # A field already failing an edit needs fixing anyway: one finding per problem is enough.
    flagged = {f.field for f in findings if f.severity == "error"}
    findings += (f for f in _check_text(claim) if f.field not in flagged)
    return tuple(findings)


def has_errors(findings: Iterable[ScrubFinding]) -> bool:
    """True when any finding blocks submission."""
    return any(f.severity == "error" for f in findings)


def _finding(code: str, field: str, message: str) -> ScrubFinding:
    return ScrubFinding(field=field, code=code, message=message, severity=SEVERITIES[code])


# ---- shapes -----------------------------------------------------------------------------------

_EIN = re.compile(r"[0-9]{2}-?[0-9]{7}")
_TAXONOMY = re.compile(r"[0-9A-Z]{9}X")  # NUCC health care provider taxonomy
_ZIP = re.compile(r"[0-9]{5}(?:[0-9]{4})?")
_ZIP9 = re.compile(r"[0-9]{9}")
_PO_BOX = re.compile(r"\b(?:P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|LOCK\s*BOX)\b", re.IGNORECASE)
# ICD-10-CM: letter, digit, then 1 to 5 letters or digits, never I or O after the first
# character (they read as 1 and 0: "I1O" is a typo for I10). The dot after the third
# character is accepted as people write it; the 837P writer drops it (HI takes no dot).
_ICD10 = re.compile(r"[A-Z][0-9][0-9A-HJ-NP-Z](?:\.?[0-9A-HJ-NP-Z]{1,4})?")
# CPT (5 digits; category II/III and PLA codes end in F, T, U) or HCPCS Level II (A-V + 4).
_PROCEDURE = re.compile(r"[0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
# Medicare Beneficiary Identifier (CMS MBI format): letters exclude S, L, O, I, B, Z.
_A = "[AC-HJKMNP-RT-Y]"
_AN = "[AC-HJKMNP-RT-Y0-9]"
_MBI = re.compile(f"[1-9]{_A}{_AN}[0-9]{_A}{_AN}[0-9]{_A}{_A}[0-9][0-9]")

_PRINCIPAL = frozenset({"ABK", "BK"})
_ICD9_QUALIFIERS = frozenset({"BK", "BF"})
_MAX_DIAGNOSES = 12  # HI: 12 composites across the two HI segments
_MAX_POINTERS = 4  # SV107
_MAX_MODIFIERS = 4  # SV101-3..6
_MAX_LINES = 50  # loop 2400 repeat
_TIMELY_FILING = timedelta(days=365)
# Loop repeats for 2010AA, 2310B, 2310A (referring and PCP), 2310C.
_MAX_PROVIDERS: Mapping[str, int] = MappingProxyType(
    {BILLING: 1, RENDERING: 1, REFERRING: 2, SERVICE_FACILITY: 1}
)
_X12_DELIMITERS = frozenset("~*:^|")


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _patient_birth_date(claim: Claim) -> date | None:
    patient = claim.dependent if claim.dependent is not None else claim.subscriber
    return patient.date_of_birth


# ---- providers and addresses ------------------------------------------------------------------


def _npi(npi: str, field: str) -> Iterator[ScrubFinding]:
    if not is_valid_npi(npi):
        shape = npi.isascii() and npi.isdigit() and len(npi) == 10
        yield _finding(
            "npi_invalid",
            field,
            f"NPI {npi} fails its check digit: a digit is mistyped"
            if shape
            else "NPI must be exactly 10 digits",
        )


_LINE_PROVIDER_NAMES = {
    RENDERING: "renderingProvider",
    REFERRING: "referringProvider",
    SUPERVISING: "supervisingProvider",
    ORDERING: "orderingProvider",
}


def _check_line_providers(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    """A line's own providers (2420A-F) carry an NPI like the claim's."""
    for i, line in enumerate(claim.claim_information.service_lines):
        for provider in line.providers:
            name = _LINE_PROVIDER_NAMES.get(provider.provider_type, provider.provider_type)
            yield from _npi(provider.npi, f"claimInformation.serviceLines[{i}].{name}.npi")


def _check_providers(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    seen: dict[str, int] = {}
    for i, provider in enumerate(claim.providers):
        at = f"providers[{i}]"
        # A service facility may have no NPI of its own (2310C NM109 is situational).
        if provider.npi or provider.provider_type != SERVICE_FACILITY:
            yield from _npi(provider.npi, f"{at}.npi")
        if provider.employer_id is not None and not _EIN.fullmatch(provider.employer_id):
            yield _finding("ein_invalid", f"{at}.employerId", "employerId must be 9 digits")
        if provider.taxonomy_code is not None and not _TAXONOMY.fullmatch(provider.taxonomy_code):
            yield _finding(
                "taxonomy_invalid",
                f"{at}.taxonomyCode",
                f"taxonomy code {provider.taxonomy_code} is not 9 letters or digits and an X",
            )
        seen[provider.provider_type] = seen.get(provider.provider_type, 0) + 1
        allowed = _MAX_PROVIDERS.get(provider.provider_type, 1)
        if seen[provider.provider_type] > allowed:
            yield _finding(
                "provider_repeated",
                f"{at}.providerType",
                f"a claim has at most {allowed} {provider.provider_type}",
            )
        yield from _provider_name(provider, at)
        if provider.provider_type == BILLING:
            yield from _billing_provider(provider, at)
    if BILLING not in seen:
        yield _finding("billing_provider_missing", "providers", "no BillingProvider is listed")


def _provider_name(provider: Provider, at: str) -> Iterator[ScrubFinding]:
    """2010AA and 2310B take an organization or a person; 2310A a person; 2310C a place."""
    has_org = not _blank(provider.organization_name)
    if provider.provider_type == SERVICE_FACILITY:
        if not has_org:
            yield _finding(
                "provider_name_missing",
                f"{at}.organizationName",
                "a ServiceFacility needs organizationName",
            )
        return
    if provider.provider_type == REFERRING:
        if _blank(provider.last_name):
            yield _finding(
                "provider_name_missing", f"{at}.lastName", "a ReferringProvider needs lastName"
            )
        return
    needs_first = provider.provider_type == BILLING
    first_ok = not needs_first or not _blank(provider.first_name)
    if has_org or (first_ok and not _blank(provider.last_name)):
        return
    if _blank(provider.first_name) and _blank(provider.last_name):
        missing = "organizationName"
    elif _blank(provider.last_name):
        missing = "lastName"
    else:
        missing = "firstName"
    wanted = "firstName and lastName" if needs_first else "lastName"
    yield _finding(
        "provider_name_missing",
        f"{at}.{missing}",
        f"a {provider.provider_type} needs organizationName or {wanted}",
    )


def _billing_provider(provider: Provider, at: str) -> Iterator[ScrubFinding]:
    """2010AA rules: a street address and a tax id are required (the ZIP is checked with the
    other addresses)."""
    if _blank(provider.employer_id) and _blank(provider.ssn):
        yield _finding(
            "billing_tax_id_missing",
            f"{at}.employerId",
            "the billing provider needs employerId or ssn (2010AA REF*EI / REF*SY)",
        )
    if provider.address is None:
        yield _finding(
            "billing_address_missing", f"{at}.address", "the billing provider needs an address"
        )
        return
    for name, line in (
        ("address1", provider.address.address1),
        ("address2", provider.address.address2),
    ):
        if line is not None and _PO_BOX.search(line):
            yield _finding(
                "billing_address_po_box",
                f"{at}.address.{name}",
                "the billing provider address must be a street address, not a PO or lock box",
            )


def _addresses(claim: Claim) -> Iterator[tuple[str, Address, bool]]:
    """(path, address, is the billing provider's) for every address on the claim."""
    if claim.subscriber.address is not None:
        yield "subscriber.address", claim.subscriber.address, False
    if claim.dependent is not None and claim.dependent.address is not None:
        yield "dependent.address", claim.dependent.address, False
    for i, provider in enumerate(claim.providers):
        if provider.address is not None:
            yield f"providers[{i}].address", provider.address, provider.provider_type == BILLING


def _check_addresses(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    for at, address, billing in _addresses(claim):
        if address.state not in codes.STATE_CODES:
            yield _finding(
                "state_invalid",
                f"{at}.state",
                "state must be a two-letter USPS code (state, DC, territory, AA/AE/AP)",
            )
        if billing:
            if not _ZIP9.fullmatch(address.postal_code):
                yield _finding(
                    "billing_zip_not_nine_digits",
                    f"{at}.postalCode",
                    "the billing provider ZIP must be 9 digits (ZIP+4, no hyphen)",
                )
        elif not _ZIP.fullmatch(address.postal_code):
            yield _finding(
                "zip_invalid", f"{at}.postalCode", "ZIP must be 5 or 9 digits, no hyphen"
            )


# ---- subscriber, patient, payers --------------------------------------------------------------


def _check_people(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    subscriber, dependent = claim.subscriber, claim.dependent
    required: list[tuple[str, str | None]] = [
        ("subscriber.memberId", subscriber.member_id),
        ("subscriber.firstName", subscriber.first_name),
        ("subscriber.lastName", subscriber.last_name),
    ]
    births: list[tuple[str, date | None]] = [("subscriber.dateOfBirth", subscriber.date_of_birth)]
    genders = [("subscriber.gender", subscriber.gender)]
    if dependent is not None:
        required += [
            ("dependent.firstName", dependent.first_name),
            ("dependent.lastName", dependent.last_name),
        ]
        births.append(("dependent.dateOfBirth", dependent.date_of_birth))
        genders.append(("dependent.gender", dependent.gender))
    for at, text in required:
        if _blank(text):
            yield _finding("required_field_missing", at, f"{at.split('.')[-1]} is blank")
    for at, born in births:
        if born is None:
            yield _finding("required_field_missing", at, "dateOfBirth is missing")
        elif born > today:
            yield _finding("birth_date_in_future", at, "dateOfBirth is after today")
    for at, gender in genders:
        if gender is not None and gender not in codes.GENDER_CODES:
            yield _finding("gender_invalid", at, "gender must be M, F or U")
    if dependent is not None:
        relationship = dependent.relationship_to_subscriber_code
        if relationship not in codes.PATIENT_RELATIONSHIP_CODES:
            yield _finding(
                "patient_relationship_invalid",
                "dependent.relationshipToSubscriberCode",
                "18 (self) means the subscriber is the patient: send no dependent"
                if relationship == "18"
                else "relationshipToSubscriberCode must be one of "
                + ", ".join(sorted(codes.PATIENT_RELATIONSHIP_CODES)),
            )
    info = claim.claim_information
    if (
        info.claim_filing_code in codes.MEDICARE_FILING_CODES
        and not _blank(subscriber.member_id)
        and not _MBI.fullmatch(subscriber.member_id)
    ):
        yield _finding(
            "medicare_id_invalid",
            "subscriber.memberId",
            "a Medicare claim needs the Medicare Beneficiary Identifier (MBI) as memberId",
        )


def _check_other_payers(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    primary = claim.trading_partner_service_id.strip().upper()
    levels = {claim.subscriber.payment_responsibility_level_code}
    for k, other in enumerate(claim.claim_information.other_subscribers):
        at = f"claimInformation.otherSubscriberInformation[{k}]"
        if other.individual_relationship_code not in codes.OTHER_INSURED_RELATIONSHIP_CODES:
            yield _finding(
                "other_insured_relationship_invalid",
                f"{at}.individualRelationshipCode",
                "individualRelationshipCode must be one of "
                + ", ".join(sorted(codes.OTHER_INSURED_RELATIONSHIP_CODES)),
            )
        if other.claim_filing_indicator_code not in codes.CLAIM_FILING_CODES:
            yield _finding(
                "claim_filing_code_invalid",
                f"{at}.claimFilingIndicatorCode",
                f"claim filing indicator {other.claim_filing_indicator_code} is not an SBR09 code",
            )
        if (
            other.claim_filing_indicator_code in codes.MEDICARE_FILING_CODES
            and not _blank(other.insured.identifier)
            and not _MBI.fullmatch(other.insured.identifier)
        ):
            yield _finding(
                "medicare_id_invalid",
                f"{at}.otherSubscriberName.otherInsuredIdentifier",
                "a Medicare payer needs the Medicare Beneficiary Identifier (MBI)",
            )
        if other.payer.identifier.strip().upper() == primary:
            yield _finding(
                "other_payer_same_as_primary",
                f"{at}.otherPayerName.otherPayerIdentifier",
                f"other payer {other.payer.identifier} is the payer this claim is sent to",
            )
        level = other.payment_responsibility_level_code
        if level in levels:
            yield _finding(
                "payer_responsibility_repeated",
                f"{at}.paymentResponsibilityLevelCode",
                f"responsibility level {level} is already taken by another payer on the claim",
            )
        levels.add(level)


# ---- claim, diagnoses, service lines ----------------------------------------------------------


def _check_claim(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    info = claim.claim_information
    if info.claim_filing_code not in codes.CLAIM_FILING_CODES:
        yield _finding(
            "claim_filing_code_invalid",
            "claimInformation.claimFilingCode",
            f"claim filing code {info.claim_filing_code} is not an SBR09 code",
        )
    if info.place_of_service_code not in codes.PLACE_OF_SERVICE_CODES:
        yield _finding(
            "place_of_service_invalid",
            "claimInformation.placeOfServiceCode",
            f"place of service {info.place_of_service_code} is not in the CMS POS code set",
        )
    replaces = info.claim_frequency_code in {"7", "8"}
    if replaces and _blank(info.payer_claim_control_number):
        yield _finding(
            "original_claim_reference_missing",
            "claimInformation.payerClaimControlNumber",
            f"frequency {info.claim_frequency_code} replaces or voids a claim: "
            "give the payer's claim control number of the original",
        )
    elif not replaces and not _blank(info.payer_claim_control_number):
        yield _finding(
            "original_claim_reference_unused",
            "claimInformation.payerClaimControlNumber",
            "payerClaimControlNumber belongs to a replacement or void (frequency 7 or 8): "
            "is this a corrected claim?",
        )


def _check_diagnoses(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    diagnoses = claim.claim_information.diagnoses
    if not 1 <= len(diagnoses) <= _MAX_DIAGNOSES:
        yield _finding(
            "diagnosis_count",
            "claimInformation.healthCareCodeInformation",
            f"{len(diagnoses)} diagnosis codes: a claim has 1 to {_MAX_DIAGNOSES}",
        )
    first_seen: dict[str, int] = {}
    for i, diagnosis in enumerate(diagnoses):
        at = f"claimInformation.healthCareCodeInformation[{i}]"
        if diagnosis.type_code in _ICD9_QUALIFIERS:
            yield _finding(
                "diagnosis_qualifier_icd9",
                f"{at}.diagnosisTypeCode",
                f"{diagnosis.type_code} is an ICD-9 qualifier: use A{diagnosis.type_code}",
            )
        if i == 0 and diagnosis.type_code not in _PRINCIPAL:
            yield _finding(
                "principal_diagnosis_invalid",
                f"{at}.diagnosisTypeCode",
                "the first diagnosis must be the principal one (ABK)",
            )
        elif i > 0 and diagnosis.type_code in _PRINCIPAL:
            yield _finding(
                "principal_diagnosis_invalid",
                f"{at}.diagnosisTypeCode",
                "only the first diagnosis may be principal: use ABF",
            )
        if not _ICD10.fullmatch(diagnosis.code):
            yield _finding(
                "icd10_invalid",
                f"{at}.diagnosisCode",
                f"{diagnosis.code} is not an ICD-10-CM code: a letter, a digit, then one to five "
                "letters or digits (never I or O), optionally with a dot after the third",
            )
            continue
        key = diagnosis.code.replace(".", "")
        if key in first_seen:
            yield _finding(
                "diagnosis_duplicate",
                f"{at}.diagnosisCode",
                f"{diagnosis.code} repeats healthCareCodeInformation[{first_seen[key]}]",
            )
        else:
            first_seen[key] = i


def _check_lines(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    info = claim.claim_information
    if not 1 <= len(info.service_lines) <= _MAX_LINES:
        yield _finding(
            "service_line_count",
            "claimInformation.serviceLines",
            f"{len(info.service_lines)} service lines: a claim has 1 to {_MAX_LINES}",
        )
    pointable = min(len(info.diagnoses), _MAX_DIAGNOSES)
    born = _patient_birth_date(claim)
    payer_ids = {o.payer.identifier for o in info.other_subscribers}
    for i, line in enumerate(info.service_lines):
        at = f"claimInformation.serviceLines[{i}]"
        service = f"{at}.professionalService"
        if line.procedure_identifier == "HC" and not _PROCEDURE.fullmatch(line.procedure_code):
            yield _finding(
                "procedure_code_invalid",
                f"{service}.procedureCode",
                f"{line.procedure_code} is not a CPT code (5 digits, or 4 and F/T/U) "
                "or a HCPCS Level II code (A-V and 4 digits)",
            )
        if len(line.procedure_modifiers) > _MAX_MODIFIERS:
            yield _finding(
                "modifier_count",
                f"{service}.procedureModifiers",
                f"{len(line.procedure_modifiers)} modifiers: a line has at most {_MAX_MODIFIERS}",
            )
        for j, modifier in enumerate(line.procedure_modifiers):
            if not _MODIFIER.fullmatch(modifier):
                yield _finding(
                    "modifier_invalid",
                    f"{service}.procedureModifiers[{j}]",
                    f"modifier {modifier} is not 2 uppercase letters or digits",
                )
        pointers_at = f"{service}.compositeDiagnosisCodePointers.diagnosisCodePointers"
        if not 1 <= len(line.diagnosis_pointers) <= _MAX_POINTERS:
            yield _finding(
                "diagnosis_pointer_count",
                pointers_at,
                f"{len(line.diagnosis_pointers)} diagnosis pointers: "
                f"a line has 1 to {_MAX_POINTERS}",
            )
        for j, pointer in enumerate(line.diagnosis_pointers):
            if not 1 <= pointer <= pointable:
                yield _finding(
                    "diagnosis_pointer_invalid",
                    f"{pointers_at}[{j}]",
                    f"pointer {pointer} points at no diagnosis code (1 to {pointable} listed)"
                    if pointer > 0
                    else "pointer is not a number from 1 to 12",
                )
        if line.place_of_service_code is not None and (
            line.place_of_service_code not in codes.PLACE_OF_SERVICE_CODES
        ):
            yield _finding(
                "place_of_service_invalid",
                f"{service}.placeOfServiceCode",
                f"place of service {line.place_of_service_code} is not in the CMS POS code set",
            )
        for j, adjudication in enumerate(line.line_adjudications):
            if adjudication.other_payer_primary_identifier not in payer_ids:
                yield _finding(
                    "line_adjudication_payer_unknown",
                    f"{at}.lineAdjudicationInformation[{j}].otherPayerPrimaryIdentifier",
                    f"payer {adjudication.other_payer_primary_identifier} is not one of the "
                    "otherPayerIdentifier values on the claim",
                )
        yield from _line_dates(line, at, born, today)


def _line_dates(
    line: ServiceLine, at: str, born: date | None, today: date
) -> Iterator[ScrubFinding]:
    for name, day in (
        ("serviceDate", line.service_date),
        ("serviceDateEnd", line.service_date_end),
    ):
        if day is not None and day > today:
            yield _finding("service_date_in_future", f"{at}.{name}", f"{name} is after today")
    if born is not None and line.service_date < born:
        yield _finding(
            "service_date_before_birth",
            f"{at}.serviceDate",
            "serviceDate is before the patient's date of birth",
        )
    if line.service_date_end is not None and line.service_date_end < line.service_date:
        yield _finding(
            "service_date_end_before_start",
            f"{at}.serviceDateEnd",
            "serviceDateEnd is before serviceDate",
        )
    last = line.service_date_end or line.service_date
    if today - last > _TIMELY_FILING:  # date arithmetic that cannot overflow
        yield _finding(
            "service_date_too_old",
            f"{at}.serviceDateEnd" if line.service_date_end else f"{at}.serviceDate",
            f"service is more than {_TIMELY_FILING.days} days old: "
            "check the payer's timely filing limit",
        )


# Amounts may be huge or odd when a claim is built without the API schema: never trap.
_LENIENT = Context(prec=60, traps=[])


def _check_amounts(claim: Claim, today: date) -> Iterator[ScrubFinding]:
    info = claim.claim_information
    amounts: list[tuple[str, Decimal, bool]] = [
        ("claimInformation.claimChargeAmount", info.claim_charge_amount, True)
    ]
    for i, line in enumerate(info.service_lines):
        service = f"claimInformation.serviceLines[{i}].professionalService"
        amounts.append((f"{service}.lineItemChargeAmount", line.charge_amount, True))
        amounts.append((f"{service}.serviceUnitCount", line.unit_count, False))
    all_finite = True
    for at, amount, is_charge in amounts:
        if not amount.is_finite():
            all_finite = False
            yield _finding("amount_invalid", at, f"{at.rsplit('.', 1)[-1]} is not a number")
        elif is_charge and amount < 0:
            yield _finding("charge_negative", at, f"charge {amount} is negative")
        elif not is_charge and amount <= 0:
            yield _finding("units_not_positive", at, "serviceUnitCount must be greater than 0")
    if not all_finite:
        return
    with localcontext(_LENIENT):
        lines_total = sum((line.charge_amount for line in info.service_lines), Decimal(0))
        if lines_total != info.claim_charge_amount:
            yield _finding(
                "claim_charge_mismatch",
                "claimInformation.claimChargeAmount",
                f"claimChargeAmount {info.claim_charge_amount} is not the sum of the "
                f"service line charges {lines_total}",
            )


_Check = Callable[[Claim, date], Iterator[ScrubFinding]]
_CHECKS: tuple[_Check, ...] = (
    _check_providers,
    _check_line_providers,
    _check_people,
    _check_addresses,
    _check_claim,
    _check_diagnoses,
    _check_lines,
    _check_amounts,
    _check_other_payers,
)


# ---- every text field, with its request path -------------------------------------------------


def _check_text(claim: Claim) -> Iterator[ScrubFinding]:
    for at, text in text_fields(claim):
        delimiters = sorted({ch for ch in text if ch in _X12_DELIMITERS})
        controls = sorted({ch for ch in text if unicodedata.category(ch) == "Cc"})
        problems = [f"the X12 delimiter {ch!r}" for ch in delimiters]
        problems += [f"the control character U+{ord(ch):04X}" for ch in controls]
        if problems:
            yield _finding(
                "x12_delimiter_in_text",
                at,
                f"{at.rsplit('.', 1)[-1]} contains {', '.join(problems)}: remove it",
            )
        elif not is_x12_text(text):
            written = to_x12_text(text)
            name = at.rsplit(".", 1)[-1]
            if written:
                yield _finding(
                    "x12_text_transliterated",
                    at,
                    f"{name} is outside the X12 character set: it is written as {written!r}",
                )
            else:
                yield _finding(
                    "x12_text_unwritable",
                    at,
                    f"{name} has no character the X12 character set carries: spell it in "
                    "Latin letters",
                )
