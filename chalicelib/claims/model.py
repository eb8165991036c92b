"""The claim as the domain sees it: frozen values mirroring the JSON 837P contract shape
("professional claims v3": subscriber, providers, claimInformation.serviceLines ...), so a path
in a scrub finding reads the same as a path in the request.

Standard library only: the X12 codec reads and writes these, the API builds them from requests.
Money is Decimal; dates are datetime.date; every collection is a tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Address:
    address1: str
    city: str
    state: str
    postal_code: str
    address2: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    phone_number: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Submitter:
    """Loop 1000A. `identification` is NM109, the submitter's id at the clearinghouse (ETIN);
    without it the tenant's clearinghouse account supplies it."""

    organization_name: str
    contact: Contact | None = None
    identification: str | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    """Loop 2000B/2010BA. `payment_responsibility_level_code` is SBR01 (P, S, T ...)."""

    member_id: str
    first_name: str
    last_name: str
    payment_responsibility_level_code: str = "P"
    gender: str | None = None
    date_of_birth: date | None = None
    group_number: str | None = None
    address: Address | None = None
    middle_name: str | None = None
    suffix: str | None = None
    group_name: str | None = None  # SBR04, for a group without a number


@dataclass(frozen=True, slots=True)
class Dependent:
    """Loop 2000C/2010CA: the patient when not the subscriber (PAT01 relationship)."""

    first_name: str
    last_name: str
    relationship_to_subscriber_code: str
    gender: str | None = None
    date_of_birth: date | None = None
    address: Address | None = None
    middle_name: str | None = None
    suffix: str | None = None


# providerType values in the contract shape and the 837P loop each becomes.
BILLING = "BillingProvider"  # 2010AA
RENDERING = "RenderingProvider"  # 2310B
REFERRING = "ReferringProvider"  # 2310A
SERVICE_FACILITY = "ServiceFacility"  # 2310C (organization only)
SUPERVISING = "SupervisingProvider"  # 2310D; 2420D on a line
ORDERING = "OrderingProvider"  # 2420E: a line's ordering provider (no claim-level loop)
PROVIDER_TYPES = (BILLING, RENDERING, REFERRING, SERVICE_FACILITY, SUPERVISING, ORDERING)
# On a service line: 2420A rendering, 2420D supervising, 2420E ordering, 2420F referring.
LINE_PROVIDER_TYPES = (RENDERING, SUPERVISING, ORDERING, REFERRING)


@dataclass(frozen=True, slots=True)
class Provider:
    provider_type: str
    npi: str
    organization_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    employer_id: str | None = None
    ssn: str | None = None
    taxonomy_code: str | None = None
    address: Address | None = None
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One HI composite: qualifier ABK (principal) or ABF (other) and an ICD-10-CM code,
    written without the decimal point as X12 requires."""

    type_code: str
    code: str


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group (CO, PR, OA, PI, CR), CARC reason, amount, optional quantity."""

    group_code: str
    reason_code: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """Loop 2430: how a prior payer adjudicated this line (SVD, CAS, DTP*573)."""

    other_payer_primary_identifier: str
    paid_amount: Decimal
    procedure_code: str
    paid_unit_count: Decimal
    adjudication_date: date
    procedure_modifiers: tuple[str, ...] = ()
    procedure_identifier: str = "HC"
    adjustments: tuple[Adjustment, ...] = ()
    bundled_line_number: int | None = None


@dataclass(frozen=True, slots=True)
class Drug:
    """Loop 2410: the drug a line supplied. LIN*N4 (NDC, 11 digits), CTP04/05 (quantity and
    unit: F2, GR, ME, ML, UN), REF*XZ (prescription number) when the payer wants it."""

    ndc: str
    unit_count: Decimal
    unit_code: str
    prescription_number: str | None = None
    qualifier: str = "N4"


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Loop 2400: LX, SV1, DTP*472, REF*6R (provider control number, echoed in the 835)."""

    service_date: date
    procedure_code: str
    charge_amount: Decimal
    unit_count: Decimal
    diagnosis_pointers: tuple[int, ...]
    procedure_identifier: str = "HC"
    procedure_modifiers: tuple[str, ...] = ()
    measurement_unit: str = "UN"
    provider_control_number: str | None = None
    place_of_service_code: str | None = None
    service_date_end: date | None = None
    line_adjudications: tuple[LineAdjudication, ...] = ()
    prior_authorization_numbers: tuple[str, ...] = ()  # 2400 REF*G1
    referral_numbers: tuple[str, ...] = ()  # 2400 REF*9F
    drug: Drug | None = None  # 2410
    providers: tuple[Provider, ...] = ()  # 2420A/D/E/F, when not the claim's own


@dataclass(frozen=True, slots=True)
class OtherInsured:
    """Loop 2330A."""

    last_name: str
    identifier: str
    first_name: str | None = None
    qualifier: str = "1"
    identifier_type_code: str = "MI"


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """Loop 2330B: payer name, id, and (secondary claims) its claim control number and
    adjudication date."""

    organization_name: str
    identifier: str
    identifier_type_code: str = "PI"
    claim_control_number: str | None = None
    adjudication_date: date | None = None


@dataclass(frozen=True, slots=True)
class OtherSubscriberInformation:
    """Loop 2320 with its 2330A/2330B: another payer on file and, once it has paid, its
    adjudication (claim-level CAS and AMT*D)."""

    payment_responsibility_level_code: str
    individual_relationship_code: str
    claim_filing_indicator_code: str
    insured: OtherInsured
    payer: OtherPayer
    benefits_assignment_certification_indicator: str = "Y"
    release_of_information_code: str = "Y"
    group_number: str | None = None
    payer_paid_amount: Decimal | None = None
    claim_adjustments: tuple[Adjustment, ...] = ()
    remaining_patient_liability: Decimal | None = None


# The 2300 DTP qualifiers a professional claim carries, in the TR3's segment order.
CLAIM_DATE_QUALIFIERS = (
    "431", "454", "304", "453", "439", "484", "455", "471", "297", "296", "435", "096"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimDate:
    """One Loop 2300 DTP: `qualifier` is DTP01 (431 onset, 454 initial treatment, 304 last
    seen, 439 accident, 435 admission, 096 discharge, 484 last menstrual period, 455 last
    X-ray, 453 acute manifestation, 471 prescription, 297 last worked, 296 return to work)."""

    qualifier: str
    on: date


@dataclass(frozen=True, slots=True)
class ClaimNote:
    """Loop 2300 NTE (one per claim): NTE01 ADD, CER, DCP, DGN or TPO, NTE02 the text."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class ClaimInformation:
    """Loop 2300 (CLM, DTP, REF, HI) with its service lines and other payers."""

    claim_filing_code: str
    patient_control_number: str
    claim_charge_amount: Decimal
    place_of_service_code: str
    claim_frequency_code: str
    diagnoses: tuple[Diagnosis, ...]
    service_lines: tuple[ServiceLine, ...]
    signature_indicator: str = "Y"
    plan_participation_code: str = "A"
    benefits_assignment_certification_indicator: str = "Y"
    release_information_code: str = "Y"
    prior_authorization_number: str | None = None
    referral_number: str | None = None
    payer_claim_control_number: str | None = None
    other_subscribers: tuple[OtherSubscriberInformation, ...] = ()
    medical_record_number: str | None = None  # REF*EA
    clia_number: str | None = None  # REF*X4
    dates: tuple[ClaimDate, ...] = ()
    note: ClaimNote | None = None
    patient_amount_paid: Decimal | None = None  # AMT*F5
    related_causes: tuple[str, ...] = ()  # CLM11-1/-2: AA auto accident, EM employment, OA other
    auto_accident_state: str | None = None  # CLM11-4


@dataclass(frozen=True, slots=True)
class Claim:
    """A professional claim. `trading_partner_service_id` is the payer id at the clearinghouse."""

    control_number: str
    trading_partner_service_id: str
    submitter: Submitter
    receiver_name: str
    subscriber: Subscriber
    providers: tuple[Provider, ...]
    claim_information: ClaimInformation
    trading_partner_name: str | None = None
    usage_indicator: str = "P"
    dependent: Dependent | None = None
    pay_to_address: Address | None = None  # 2010AB, when payments go elsewhere than 2010AA

    def provider(self, provider_type: str) -> Provider | None:
        return next((p for p in self.providers if p.provider_type == provider_type), None)

    @property
    def patient_is_subscriber(self) -> bool:
        return self.dependent is None
