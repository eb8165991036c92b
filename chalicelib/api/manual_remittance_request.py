"""POST /v1/remittances/manual: a paper EOB as the biller keys it in. Imported by the first
such request, not at cold start."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.claims.manual_remittance import Eob, EobAdjustment, EobLine

from .contract_values import Money, X12Date

_Code = Annotated[str, Field(pattern=r"^[A-Z0-9]{1,5}$")]
_Paid = Annotated[Money, Field(ge=Decimal(0))]


class EobAdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    groupCode: Literal["CO", "PR", "OA", "PI", "CR"]  # noqa: N815 - wire name
    reasonCode: _Code  # noqa: N815 - a CARC
    amount: Money

    def to_domain(self) -> EobAdjustment:
        return EobAdjustment(self.groupCode, self.reasonCode, self.amount)


class EobLineIn(BaseModel):
    """One line of the EOB: the claim's line by its number (1-based) or its provider control
    number."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lineNumber: int | None = Field(default=None, ge=1, le=50)  # noqa: N815
    providerControlNumber: str | None = Field(default=None, min_length=1, max_length=50)  # noqa: N815
    paid: _Paid
    allowed: _Paid | None = None
    adjustments: list[EobAdjustmentIn] = Field(default=[], max_length=30)
    remarkCodes: list[_Code] = Field(default=[], max_length=10)  # noqa: N815 - RARCs

    @model_validator(mode="after")
    def _one_reference(self) -> EobLineIn:
        if (self.lineNumber is None) == (self.providerControlNumber is None):
            raise PydanticCustomError(
                "line_reference", "give the line's lineNumber or its providerControlNumber"
            )
        return self

    def to_domain(self) -> EobLine:
        return EobLine(
            paid=self.paid,
            line_number=self.lineNumber,
            provider_control_number=self.providerControlNumber,
            allowed=self.allowed,
            adjustments=tuple(a.to_domain() for a in self.adjustments),
            remarks=tuple(self.remarkCodes),
        )


class ManualRemittanceIn(BaseModel):
    """The claim (its id, or its patient control number and payer) and what the EOB says."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    claimId: str | None = Field(default=None, min_length=1, max_length=80)  # noqa: N815
    patientControlNumber: str | None = Field(default=None, min_length=1, max_length=38)  # noqa: N815
    payerId: str | None = Field(default=None, min_length=1, max_length=80)  # noqa: N815
    payerClaimControlNumber: str = Field(min_length=1, max_length=50)  # noqa: N815
    paymentDate: X12Date  # noqa: N815
    checkNumber: str = Field(min_length=1, max_length=50)  # noqa: N815
    status: Literal["paid", "denied"]
    paid: _Paid
    patientResponsibility: _Paid | None = None  # noqa: N815
    adjustments: list[EobAdjustmentIn] = Field(default=[], max_length=30)
    remarkCodes: list[_Code] = Field(default=[], max_length=10)  # noqa: N815
    lines: list[EobLineIn] = Field(default=[], max_length=50)

    @model_validator(mode="after")
    def _one_claim(self) -> ManualRemittanceIn:
        if self.claimId is None and (self.patientControlNumber is None or self.payerId is None):
            raise PydanticCustomError(
                "claim_reference", "give the claimId, or the patientControlNumber and payerId"
            )
        return self

    def to_eob(self) -> Eob:
        return Eob(
            payer_claim_control_number=self.payerClaimControlNumber,
            payment_date=self.paymentDate,
            check_number=self.checkNumber,
            status=self.status,
            paid=self.paid,
            lines=tuple(line.to_domain() for line in self.lines),
            patient_responsibility=self.patientResponsibility,
            adjustments=tuple(a.to_domain() for a in self.adjustments),
            remarks=tuple(self.remarkCodes),
        )
