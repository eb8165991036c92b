"""The eligibility request as the large clearinghouse APIs shape JSON eligibility (camelCase:
tradingPartnerServiceId, provider, subscriber, dependents, encounter). Imported by the first
eligibility request, not at cold start: it builds on the claim contract's value types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.claims.npi import is_valid_npi

from .contract_values import BirthDate, Text, X12Date

_NAME = Field(min_length=1, max_length=60)


class EligibilityProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    npi: str = Field(pattern=r"^[0-9]{10}$")
    organizationName: str | None = Field(default=None, min_length=1, max_length=60)  # noqa: N815
    firstName: str | None = Field(default=None, min_length=1, max_length=35)  # noqa: N815
    lastName: str | None = Field(default=None, min_length=1, max_length=60)  # noqa: N815

    @field_validator("npi")
    @classmethod
    def _check_digit(cls, npi: str) -> str:
        if not is_valid_npi(npi):
            raise ValueError("the NPI fails its check digit")
        return npi


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    firstName: str = _NAME  # noqa: N815 - wire name
    lastName: str = _NAME  # noqa: N815
    middleName: str | None = Field(default=None, max_length=25)  # noqa: N815
    dateOfBirth: BirthDate | None = None  # noqa: N815
    gender: Literal["M", "F", "U"] | None = None


class SubscriberIn(MemberIn):
    memberId: Text  # noqa: N815


class EncounterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    serviceTypeCodes: list[str] = Field(default=["30"], min_length=1, max_length=99)  # noqa: N815
    dateOfService: X12Date | None = None  # noqa: N815

    @field_validator("serviceTypeCodes")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not (1 <= len(code) <= 2 and code.isascii() and code.isalnum()):
                raise ValueError("a service type code is 1-2 letters or digits (EQ01)")
        return codes


class EligibilityIn(BaseModel):
    """POST /v1/eligibility."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    controlNumber: str | None = Field(default=None, max_length=9)  # noqa: N815
    tradingPartnerServiceId: str = Field(pattern=r"^[A-Za-z0-9]{2,80}$")  # noqa: N815
    provider: EligibilityProviderIn
    subscriber: SubscriberIn
    dependents: list[MemberIn] = Field(default=[], max_length=1)
    encounter: EncounterIn = EncounterIn()
