"""The authorization requests (`POST /v1/authorizations`, `PUT .../authorization-rules`):
imported with the first such request, not at cold start (they build on the claim contract's
value types)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.claims.npi import is_valid_npi

from .contract_values import BirthDate, Quantity, X12Date

# CPT (5 digits; 4 digits and F, T or U) and HCPCS level II (a letter and 4 digits).
ProcedureCode = Annotated[str, Field(pattern=r"^(?:[0-9]{5}|[0-9]{4}[FTU]|[A-Z][0-9]{4})$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PatientIn(_In):
    memberId: str = Field(min_length=1, max_length=80)  # noqa: N815 - wire name
    dateOfBirth: BirthDate | None = None  # noqa: N815


class AuthorizationIn(_In):
    kind: Literal["authorization", "referral"] = "authorization"
    payerId: str = Field(min_length=1, max_length=80)  # noqa: N815
    number: str = Field(min_length=1, max_length=50)  # REF02 (G1 / 9F): AN 1/50
    patient: PatientIn
    procedureCodes: list[ProcedureCode] = Field(default=[], max_length=50)  # noqa: N815
    units: Quantity | None = Field(default=None, gt=0)
    validFrom: X12Date  # noqa: N815
    validTo: X12Date  # noqa: N815
    renderingProviderNpi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")  # noqa: N815

    @field_validator("renderingProviderNpi")
    @classmethod
    def _check_digit(cls, npi: str | None) -> str | None:
        if npi is not None and not is_valid_npi(npi):
            raise ValueError("the NPI fails its check digit")
        return npi

    @model_validator(mode="after")
    def _dates_in_order(self) -> AuthorizationIn:
        if self.validTo < self.validFrom:
            raise ValueError("validTo is before validFrom")
        return self


class RuleIn(_In):
    procedureCode: ProcedureCode  # noqa: N815
    effectiveFrom: X12Date  # noqa: N815
    effectiveTo: X12Date | None = None  # noqa: N815
    required: bool = True


class RulesIn(_In):
    rules: list[RuleIn] = Field(min_length=1, max_length=2000)
