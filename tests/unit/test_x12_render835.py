"""835 writer: pyx12 accepts it, parse_835 reads it back with the same values and zero
balancing findings, and anything that would not balance is refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.claims.model import Address, Adjustment
from chalicelib.payers.gateways.sandbox.write.remit835 import (
    Carrier,
    ClaimPayment,
    LinePayment,
    Payee,
    Payer,
    Payment,
    Person,
    ProviderAdjustment,
    RemittanceAdvice,
    RenderingProvider,
    render_835,
)
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.read.remit835 import Remittance, parse_835
from chalicelib.x12.writer import EnvelopeValues
from tests.pyx12_oracle import validate_many

D = Decimal
DAY = dt.date(2026, 11, 16)


def _envelope(control: int = 9) -> EnvelopeValues:
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id="SANDBOXCH",
        receiver_qualifier="ZZ",
        receiver_id="CLAIMGATE",
        interchange_control_number=control,
        group_control_number=control,
        date=dt.date(2026, 11, 20),
        time="1030",
        usage_indicator="T",
    )


PAID_CLAIM = ClaimPayment(
    patient_control_number="MSFP-2026-0001",
    status_code="1",
    charge=D("245.00"),
    paid=D("149.20"),
    patient_responsibility=D("23.60"),
    filing_code="12",
    payer_claim_control_number="01123456",
    patient=Person("Quill", "W123456789", "Ada"),
    rendering_provider=RenderingProvider("Ortiz", "1245319599", "Lena"),
    statement_from=DAY,
    statement_to=DAY,
    received=dt.date(2026, 11, 20),
    coverage_amount=D("172.80"),
    lines=(
        LinePayment(
            procedure_code="99214",
            modifiers=("25",),
            charge=D("185.00"),
            paid=D("134.80"),
            service_date=DAY,
            adjustments=(Adjustment("CO", "45", D("30.20")), Adjustment("PR", "3", D("20.00"))),
            line_item_control_number="MSFP-0001-1",
            allowed=D("154.80"),
        ),
        LinePayment(
            procedure_code="83036",
            charge=D("60.00"),
            paid=D("14.40"),
            service_date=DAY,
            adjustments=(Adjustment("CO", "45", D("42.00")), Adjustment("PR", "2", D("3.60"))),
            line_item_control_number="MSFP-0001-2",
            allowed=D("18.00"),
        ),
    ),
)
DEPENDENT_DENIED = ClaimPayment(
    patient_control_number="MSFP-2026-0007",
    status_code="4",
    charge=D("30.00"),
    paid=D("0"),
    patient_responsibility=D("0"),
    filing_code="12",
    payer_claim_control_number="01999",
    patient=Person("Quill", None, "Milo"),
    insured=Person("Quill", "W123456789", "Ada"),
    lines=(
        LinePayment(
            procedure_code="36415",
            charge=D("10.00"),
            paid=D("0"),
            service_date=DAY,
            adjustments=(Adjustment("CO", "97", D("10.00")),),
            remark_codes=("M15",),
        ),
        LinePayment(
            procedure_code="J1100",
            charge=D("20.00"),
            paid=D("0"),
            units=D("4"),
            service_date=DAY,
            adjustments=(Adjustment("CO", "29", D("20.00")),),
        ),
    ),
)
CROSSOVER = ClaimPayment(
    patient_control_number="MSFP-2026-0002",
    status_code="19",
    charge=D("185.00"),
    paid=D("82.56"),
    patient_responsibility=D("20.64"),
    filing_code="MB",
    payer_claim_control_number="CR123",
    patient=Person("Brandt", "1EG4TE5MK73", "Walter"),
    crossover_carrier=Carrier("Sandbox State Medicaid", "SBXMCD"),
    remark_codes=("MA01", "MA18"),
    lines=(
        LinePayment(
            procedure_code="99214",
            charge=D("185.00"),
            paid=D("82.56"),
            service_date=DAY,
            # eight reasons in one group: two CAS segments (six triplets each at most)
            adjustments=(
                *(Adjustment("CO", "45", D("7.00")) for _ in range(8)),
                Adjustment("PR", "2", D("20.64")),
                Adjustment("OA", "23", D("25.80"), D("1")),
            ),
            allowed=D("103.20"),
        ),
    ),
)
PAYER = Payer(
    name="Sandbox Commercial PPO",
    payer_id="SBX01",
    address=Address("100 Sandbox Plaza", "Chicago", "IL", "606010001"),
    contact_name="PROVIDER SERVICES",
    contact_phone="8005550101",
    contact_url="www.sandbox.example",
)
PAYEE = Payee(
    "Maple Street Family Practice",
    "1234567893",
    Address("400 Maple St", "Springfield", "IL", "627019876"),
    "371234567",
)
ACH = Payment(
    method="ACH",
    total_paid=D("149.20") + D("82.56") + D("1.49") - D("12.50"),
    payment_date=dt.date(2026, 11, 20),
    trace_number="0126112000000007",
    payer_tax_id="366001001",
    sender_routing="071000013",
    sender_account="550010001",
    receiver_routing="021000021",
    receiver_account="1234567890",
)
ADVICE = RemittanceAdvice(
    payment=ACH,
    payer=PAYER,
    payee=PAYEE,
    claims=(PAID_CLAIM, DEPENDENT_DENIED, CROSSOVER),
    production_date=dt.date(2026, 11, 20),
    receiver_id="CLAIMGATE",
    provider_adjustments=(
        ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "L6", D("-1.49"), "01123456"),
        ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", D("12.50"), "OVP1"),
    ),
)
CHECK = dataclasses.replace(
    ADVICE,
    payment=Payment("CHK", ACH.total_paid, dt.date(2026, 11, 21), "700123", "366003003"),
)
NOTIFICATION = dataclasses.replace(
    ADVICE,
    claims=(DEPENDENT_DENIED,),
    provider_adjustments=(),
    payment=Payment("NON", D("0"), dt.date(2026, 11, 21), "NOPAY1", "366003003"),
)


def _read(text: str) -> Remittance:
    sets = list(EnvelopeReader(text.encode()))
    assert len(sets) == 1
    return parse_835(sets[0])


def test_render835_passes_pyx12() -> None:
    texts = {
        "ach": render_835(ADVICE, _envelope(9)),
        "check": render_835(CHECK, _envelope(10)),
        "notification": render_835(NOTIFICATION, _envelope(11)),
    }
    assert validate_many(texts) == {"ach": [], "check": [], "notification": []}


def test_render835_reads_back_balanced_with_the_same_values() -> None:
    remittance = _read(render_835(ADVICE, _envelope()))
    assert remittance.findings == ()
    payment = remittance.payment
    assert (payment.handling_code, payment.total_paid, payment.method) == (
        "I",
        ACH.total_paid,
        "ACH",
    )
    assert (payment.payment_format, payment.effective_date) == ("CCP", dt.date(2026, 11, 20))
    assert remittance.trace is not None
    assert (remittance.trace.trace_number, remittance.trace.payer_id) == (
        "0126112000000007",
        "1366001001",
    )
    assert remittance.production_date == dt.date(2026, 11, 20)
    assert remittance.payer is not None and remittance.payee is not None
    assert (remittance.payer.name, remittance.payer.id_qualifier, remittance.payer.id) == (
        "Sandbox Commercial PPO",
        "XV",
        "SBX01",
    )
    assert (remittance.payee.id_qualifier, remittance.payee.id) == ("XX", "1234567893")
    assert [(r.qualifier, r.value) for r in remittance.payee.references] == [("TJ", "371234567")]
    paid, denied, crossover = remittance.claims
    assert (paid.patient_control_number, paid.status_code, paid.charge, paid.paid) == (
        "MSFP-2026-0001",
        "1",
        D("245"),
        D("149.2"),
    )
    assert (paid.patient_responsibility, paid.filing_code, paid.payer_claim_control_number) == (
        D("23.6"),
        "12",
        "01123456",
    )
    assert paid.patient is not None and paid.patient.id == "W123456789"
    assert paid.rendering_provider is not None and paid.rendering_provider.id == "1245319599"
    assert (paid.statement_start, paid.statement_end, paid.received_date) == (
        DAY,
        DAY,
        dt.date(2026, 11, 20),
    )
    assert [(a.qualifier, a.amount) for a in paid.amounts] == [("AU", D("172.8"))]
    line = paid.lines[0]
    assert (line.procedure.code, line.procedure.modifiers, line.charge, line.paid) == (
        "99214",
        ("25",),
        D("185"),
        D("134.8"),
    )
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
        ("CO", "45", D("30.2")),
        ("PR", "3", D("20")),
    ]
    assert (line.line_item_control_number, line.allowed, line.service_date) == (
        "MSFP-0001-1",
        D("154.8"),
        DAY,
    )
    assert denied.insured is not None and denied.insured.id == "W123456789"
    assert denied.patient is not None and denied.patient.id == ""
    assert [line.remark_codes for line in denied.lines] == [("M15",), ()]
    assert denied.lines[1].units == D("4")
    assert crossover.crossover_carrier is not None
    assert (crossover.crossover_carrier.id_qualifier, crossover.crossover_carrier.id) == (
        "PI",
        "SBXMCD",
    )
    assert crossover.outpatient_remark_codes == ("MA01", "MA18")
    assert len(crossover.lines[0].adjustments) == 10
    assert crossover.lines[0].adjustments[-1].quantity == D("1")
    assert [(p.reason_code, p.reference_id, p.amount) for p in remittance.provider_adjustments] == [
        ("L6", "01123456", D("-1.49")),
        ("WO", "OVP1", D("12.5")),
    ]


def test_render835_check_and_notification() -> None:
    check = _read(render_835(CHECK, _envelope()))
    assert (check.payment.handling_code, check.payment.method, check.trace_number) == (
        "I",
        "CHK",
        "700123",
    )
    assert check.findings == ()
    note = _read(render_835(NOTIFICATION, _envelope()))
    assert (note.payment.handling_code, note.payment.method, note.total_paid) == ("H", "NON", D(0))
    assert note.findings == ()


def _line_off_by_a_cent() -> RemittanceAdvice:
    line = dataclasses.replace(PAID_CLAIM.lines[0], paid=D("134.81"))
    claim = dataclasses.replace(PAID_CLAIM, lines=(line, PAID_CLAIM.lines[1]), paid=D("149.21"))
    return dataclasses.replace(
        ADVICE,
        claims=(claim,),
        provider_adjustments=(),
        payment=dataclasses.replace(ACH, total_paid=D("149.21")),
    )


@pytest.mark.parametrize(
    ("advice", "field"),
    [
        (_line_off_by_a_cent(), "claims[0].lines[0]"),
        (
            dataclasses.replace(
                ADVICE,
                claims=(
                    dataclasses.replace(PAID_CLAIM, paid=D("150.00")),
                    DEPENDENT_DENIED,
                    CROSSOVER,
                ),
            ),
            "claims[0]",
        ),
        (
            dataclasses.replace(ADVICE, payment=dataclasses.replace(ACH, total_paid=D("1"))),
            "payment.total_paid",
        ),
        (
            dataclasses.replace(ADVICE, payment=dataclasses.replace(ACH, method="NON")),
            "payment.method",
        ),
        (
            dataclasses.replace(
                NOTIFICATION, payment=dataclasses.replace(NOTIFICATION.payment, method="CHK")
            ),
            "payment.method",
        ),
        (
            dataclasses.replace(ADVICE, payment=dataclasses.replace(ACH, sender_routing=None)),
            "payment.sender_routing",
        ),
        (
            dataclasses.replace(
                ADVICE,
                claims=(
                    dataclasses.replace(PAID_CLAIM, filing_code="CI"),
                    DEPENDENT_DENIED,
                    CROSSOVER,
                ),
            ),
            "claims[0]",
        ),
        (
            dataclasses.replace(
                ADVICE,
                claims=(
                    dataclasses.replace(PAID_CLAIM, crossover_carrier=Carrier("X", "Y")),
                    DEPENDENT_DENIED,
                    CROSSOVER,
                ),
            ),
            "claims[0]",
        ),
        (dataclasses.replace(ADVICE, claims=()), "claims"),
    ],
)
def test_render835_refuses_what_does_not_balance(advice: RemittanceAdvice, field: str) -> None:
    with pytest.raises(X12WriteError) as caught:
        render_835(advice, _envelope())
    assert caught.value.field == field


def test_render835_st03_is_not_used() -> None:
    """X221A1 marks ST03 not used; pyx12 rejects an 835 that carries it."""
    assert "~ST*835*0001~" in render_835(ADVICE, _envelope())
