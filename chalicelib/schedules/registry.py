"""The schedules: stable names (they become Lambda function names) and their rates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    rate_minutes: int
    description: str

    @property
    def rate(self) -> str:
        unit = "minute" if self.rate_minutes == 1 else "minutes"  # as EventBridge spells it
        return f"rate({self.rate_minutes} {unit})"


CLEARINGHOUSE_POLL = Schedule(
    "clearinghouse-poll",
    5,
    "send queued claims; fetch 999, 277CA, 277 and 835 files from each clearinghouse mailbox, "
    "archive them unchanged, parse and apply them",
)

SECONDARY_ROUTING = Schedule(
    "secondary-routing",
    5,
    "after a payer's 835 posts on a claim with other payers on file: build and queue the "
    "secondary (then tertiary) claim with the prior payers' adjudication, or record the "
    "crossover",
)

CLAIM_FOLLOWUPS = Schedule(
    "claim-followups",
    60,
    "find claims whose status check is due (sparse index), send 276s in batches per payer "
    "(fanned out over SQS when there is more than one batch), apply the 277s, schedule the "
    "next check by payer policy, flag timely-filing risk",
)

PAYMENT_MISMATCHES = Schedule(
    "payment-mismatches",
    24 * 60,
    "compare every line paid in the last 120 days with the contracted rate in force on its "
    "date of service (rates change); flag underpayments, overpayments and math errors",
)

WEBHOOK_DELIVERIES = Schedule(
    "webhook-deliveries",
    1,
    "announce claim status changes, payments, unmatched remittances and failed runs to the "
    "tenants' webhook endpoints; deliver each signed, retrying with exponential backoff; "
    "after the last try the delivery is dead (listed, replayable)",
)

UPLOADS = Schedule(
    "uploads",
    1,
    "apply the files uploaded through S3 whose arrival no event announced yet, take over "
    "those left unfinished, expire announced uploads whose file never came",
)

ELIGIBILITY_RECHECK = Schedule(
    "eligibility-recheck",
    5,
    "confirm coverage before claims go out where the payer's policy asks for it: claims "
    "waiting to be verified go to the work queue, ten a message, each asked of its payer "
    "within its checks a minute, then released or rejected by the answer",
)

PATIENT_STATEMENTS = Schedule(
    "patient-statements",
    60,
    "make the statement of every patient account whose cycle is due (sparse index): PDF and "
    "JSON into the archive, one per patient per cycle; none for a zero or credit balance, "
    "below the tenant's minimum, or marked do-not-send",
)

PAYMENT_PLANS = Schedule(
    "payment-plans",
    24 * 60,
    "record each payment plan whose instalment's grace has run out (sparse index): "
    "defaulted when an instalment was missed, completed when paid in full",
)

SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        ELIGIBILITY_RECHECK,
        CLEARINGHOUSE_POLL,
        CLAIM_FOLLOWUPS,
        SECONDARY_ROUTING,
        PAYMENT_MISMATCHES,
        WEBHOOK_DELIVERIES,
        UPLOADS,
        PATIENT_STATEMENTS,
        PAYMENT_PLANS,
    )
}
