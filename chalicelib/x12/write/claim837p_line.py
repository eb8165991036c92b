"""Loop 2400 of the 837P, the service line, with what hangs under it: 2410 drug, 2420A-F
the line's own providers, 2430 a prior payer's adjudication (005010X222A1)."""

from __future__ import annotations

from ...claims.model import (
    ORDERING,
    REFERRING,
    RENDERING,
    SUPERVISING,
    ClaimInformation,
    Drug,
    LineAdjudication,
    ServiceLine,
)
from ..errors import X12WriteError
from ..writer import format_date8, format_date_range
from .claim837p_base import MAX_POINTERS, Out, procedure, write_cas, write_person_provider


def write_line(
    out: Out,
    info: ClaimInformation,
    line: ServiceLine,
    number: int,
    payer_ids: set[str],
    path: str,
) -> None:
    """Loop 2400: LX, SV1, DTP*472, REF*G1 / 6R / 9F, then 2410 (the drug), 2420A-F (the
    line's own providers) and a 2430 per prior payer adjudication."""
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
        procedure(
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
    # 2400 REF order in the TR3: G1 prior authorization (repeat 5), 6R line item control
    # number, 9F referral number (repeat 5) last.
    references = f"{path}.serviceLineReferenceInformation"
    _write_line_references(
        out, "G1", line.prior_authorization_numbers, f"{references}.priorAuthorization"
    )
    if line.provider_control_number:
        out.add(
            "REF", "6R", out.text(line.provider_control_number, f"{path}.providerControlNumber")
        )
    _write_line_references(out, "9F", line.referral_numbers, f"{references}.referralNumber")
    if line.drug is not None:
        _write_drug(out, line.drug, f"{path}.drugIdentification")
    _write_line_providers(out, line, path)
    for i, adjudication in enumerate(line.line_adjudications):
        write_line_adjudication(
            out, adjudication, payer_ids, f"{path}.lineAdjudicationInformation[{i}]"
        )


def write_line_adjudication(
    out: Out, adjudication: LineAdjudication, payer_ids: set[str], path: str
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
        procedure(
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
    write_cas(out, adjudication.adjustments, f"{path}.claimAdjustmentInformation")
    out.add("DTP", "573", "D8", format_date8(adjudication.adjudication_date))


MAX_LINE_REFERENCES = 5  # 2400 REF*G1 and REF*9F repeat
DRUG_UNITS = ("F2", "GR", "ME", "ML", "UN")  # CTP05-1 in 2410
# The loops of a line's own providers, in TR3 order, with their NM101 and whether NM102 may
# name an organization (2420A rendering only).
LINE_PROVIDER_LOOPS = (
    (RENDERING, "82", "renderingProvider", True),
    (SUPERVISING, "DQ", "supervisingProvider", False),
    (ORDERING, "DK", "orderingProvider", False),
    (REFERRING, "DN", "referringProvider", False),
)


def _write_line_references(out: Out, qualifier: str, numbers: tuple[str, ...], path: str) -> None:
    if len(numbers) > MAX_LINE_REFERENCES:
        raise out.fail(f"at most {MAX_LINE_REFERENCES} (2400 REF*{qualifier})", path)
    for i, number in enumerate(numbers):
        out.add("REF", qualifier, out.required(number, f"{path}[{i}]", "the number"))


def _write_drug(out: Out, drug: Drug, path: str) -> None:
    """Loop 2410: LIN*N4 with the 11-digit NDC, CTP04/05 quantity and unit, REF*XZ."""
    ndc = out.required(drug.ndc, f"{path}.nationalDrugCode", "the NDC")
    if drug.qualifier == "N4" and not (len(ndc) == 11 and ndc.isascii() and ndc.isdigit()):
        raise out.fail(
            "an NDC is 11 digits, without dashes (LIN03, 5-4-2)", f"{path}.nationalDrugCode"
        )
    if drug.unit_code not in DRUG_UNITS:
        raise out.fail(
            f"the unit is one of {', '.join(DRUG_UNITS)} (CTP05-1)", f"{path}.measurementUnitCode"
        )
    out.add("LIN", "", out.text(drug.qualifier, f"{path}.serviceIdQualifier"), ndc)
    out.add(
        "CTP",
        "",
        "",
        "",
        out.amount(drug.unit_count, f"{path}.nationalDrugUnitCount"),
        (drug.unit_code,),
    )
    if drug.prescription_number:
        out.add(
            "REF", "XZ", out.text(drug.prescription_number, f"{path}.pharmacyPrescriptionNumber")
        )


def _write_line_providers(out: Out, line: ServiceLine, path: str) -> None:
    """Loops 2420A rendering (+ PRV*PE), 2420D supervising, 2420E ordering, 2420F referring:
    a line's own, when they differ from the claim's (2310); one of each type."""
    for provider_type, entity, name, organization in LINE_PROVIDER_LOOPS:
        found = [p for p in line.providers if p.provider_type == provider_type]
        if len(found) > 1:
            raise out.fail(f"one {name} per line (loop 2420)", f"{path}.{name}")
        if not found:
            continue
        provider, where = found[0], f"{path}.{name}"
        write_person_provider(
            out, entity, provider, where, what=f"the {name}", organization=organization
        )
        if provider_type == RENDERING and provider.taxonomy_code:
            out.add("PRV", "PE", "PXC", out.text(provider.taxonomy_code, f"{where}.taxonomyCode"))
