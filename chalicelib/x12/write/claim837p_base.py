"""What every part of the 837P writer shares: the TR3's limits, the output that checks each
value under its request path, and the segments several loops write (PER, N3/N4, DMG, NM1
names, the SV101/SVD03 procedure composite, CAS)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ...claims.model import Address, Adjustment, Contact, Provider
from ..errors import X12WriteError
from ..writer import X12Builder, check_value, format_date8, format_r

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


class Out:
    """The builder plus the request path of the claim being written, so every value is
    checked under its business name before the builder sees it."""

    def __init__(self, builder: X12Builder, prefix: str) -> None:
        self.b = builder
        self.prefix = prefix

    def at(self, prefix: str) -> Out:
        return Out(self.b, prefix)

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


def claim_prefix(index: int, count: int) -> str:
    return f"claims[{index}]." if count > 1 else ""


def write_contact(out: Out, contact: Contact | None, path: str, *, required: bool) -> None:
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


def write_address(out: Out, address: Address | None, path: str, loop: str) -> None:
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


def name_elements(out: Out, provider: Provider, path: str) -> list[str]:
    """NM102..NM105 of a provider: an organization name wins over a person's names."""
    if provider.organization_name:
        return ["2", out.text(provider.organization_name, f"{path}.organizationName"), "", ""]
    return [
        "1",
        out.required(provider.last_name, f"{path}.lastName", "an organization or last name"),
        out.text(provider.first_name, f"{path}.firstName"),
        "",
    ]


def procedure(
    out: Out, identifier: str, code: str, modifiers: tuple[str, ...], path: str, names: str
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


def adjustment_paths(adjustments: tuple[Adjustment, ...], path: str) -> list[str]:
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


def write_cas(out: Out, adjustments: tuple[Adjustment, ...], path: str) -> None:
    """CAS per group code (CO, PR, OA, PI, CR), in order of first appearance, each with up
    to 6 reason/amount/quantity triplets (2320 and 2430 CAS, repeat 5)."""
    paths = adjustment_paths(adjustments, path)
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


def write_dmg(
    out: Out, birth: date | None, gender: str | None, path: str, *, required: bool, loop: str
) -> None:
    """DMG*D8: birth date and gender (F, M, U); a missing gender is written U (unknown)."""
    if birth is None:
        if required:
            raise out.fail(f"a date of birth is required (loop {loop} DMG)", f"{path}.dateOfBirth")
        return
    out.add("DMG", "D8", format_date8(birth), out.text(gender, f"{path}.gender") or "U")


def write_person_provider(
    out: Out, entity: str, provider: Provider, path: str, *, what: str, organization: bool
) -> None:
    """NM1 of a provider loop with the NPI (2310A/B/D, 2420A/D/E/F): entity `entity`, a
    person unless `organization` allows a name of an organization (2310B, 2420A only)."""
    names = (
        name_elements(out, provider, path)
        if organization
        else [
            "1",
            out.required(provider.last_name, f"{path}.lastName", f"{what}'s last name"),
            out.text(provider.first_name, f"{path}.firstName"),
            "",
        ]
    )
    out.add(
        "NM1", entity, *names, "", "", "XX", out.required(provider.npi, f"{path}.npi", "the NPI")
    )
