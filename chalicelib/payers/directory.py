"""The payer directory: who a claim goes to, through which clearinghouse gateway, under which
payer id there. The sandbox payers are the embedded defaults of `make run` and the tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Payer:
    """`plan_type` is the default claim filing indicator (SBR09): CI commercial, MB Medicare
    Part B, MC Medicaid, HM HMO ... `gateway` names the clearinghouse connection."""

    payer_id: str
    name: str
    plan_type: str
    gateway: str
    gateway_payer_id: str


SANDBOX_GATEWAY = "sandbox"

SANDBOX_PAYERS: tuple[Payer, ...] = (
    Payer("SBX01", "Sandbox Commercial PPO", "CI", SANDBOX_GATEWAY, "SBX01"),
    Payer("SBXMCR", "Sandbox Medicare Part B", "MB", SANDBOX_GATEWAY, "SBXMCR"),
    Payer("SBXMCD", "Sandbox State Medicaid", "MC", SANDBOX_GATEWAY, "SBXMCD"),
)
