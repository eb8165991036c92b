"""The sandbox mailbox's state: what was received, what waits for adjudication, the claims'
records and the files waiting for delivery; as JSON (`SandboxState.to_json`), versioned."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .payers import SandboxPayer
from .write import ack277ca

STATE_VERSION = 1
ACCEPTED = ack277ca.StatusCode("A2", "20")
UNKNOWN_MEMBER = ack277ca.StatusCode("A7", "33", "IL")
UNKNOWN_PAYER = ack277ca.StatusCode("A7", "26", "PR")
NOT_FOUND = ack277ca.StatusCode("A4", "35")
PENDING = ack277ca.StatusCode("P1", "20")
PAID = ack277ca.StatusCode("F1", "65")
DENIED = ack277ca.StatusCode("F2", "1")
NO_PAYMENT = ack277ca.StatusCode("F4", "1")
_ZERO = Decimal(0)


# ==========================================================================================
# State
# ==========================================================================================


@dataclass(frozen=True, slots=True)
class MailboxFile:
    """A file for the submitter: pending until its poll comes, then delivered under the next
    mailbox sequence number (its name sorts by arrival and shows its type)."""

    kind: str  # "999", "277CA", "835"
    content: str
    due_poll: int
    sequence: int | None = None

    @property
    def name(self) -> str:
        return f"{self.sequence or 0:06d}-{self.kind}.x12"


@dataclass(frozen=True, slots=True)
class ReceivedInterchange:
    """An interchange taken: ISA13 (or "sha256:<hex>" when the ISA was unreadable) and the
    sha256 of its bytes, for duplicate detection; its text is kept while claims from it still
    wait for adjudication."""

    control_number: str
    sha256: str
    reference: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """An accepted claim waiting for adjudication: where to find it and who gets the 835."""

    reference: str  # ReceivedInterchange.reference
    set_index: int
    claim_index: int
    payer_id: str
    received: date
    submitted_at: datetime
    due_poll: int
    receiver_qualifier: str  # the submitter's ISA05 / ISA06: where 835s go
    receiver_id: str
    usage_indicator: str


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """What the sandbox knows of a claim, for 276 answers. `state`: rejected, accepted or
    finalized."""

    patient_control_number: str
    payer_id: str
    member_id: str
    charge: Decimal
    service_from: date
    service_to: date
    state: str
    rejection: str | None = None  # "A7:33:IL"
    payer_claim_control_number: str | None = None
    status_code: str | None = None  # CLP02
    paid: Decimal | None = None
    adjudicated: date | None = None
    payment_method: str | None = None
    payment_date: date | None = None
    trace_number: str | None = None
    # What a reversal (CLP02 22) of this adjudication must take back: CLP05 and every CAS
    # (group, reason, amount) of its lines, summed.
    patient_responsibility: Decimal | None = None
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class PendingAppeal:
    """An appeal the payer answers at `due_poll`: the claim as billed (store codec JSON),
    the adjudication it contests, and where the 835 goes."""

    claim: str  # JSON of the domain claim (chalicelib.codec)
    payer_claim_control_number: str
    payer_id: str
    submitted_at: datetime
    due_poll: int
    receiver_id: str


@dataclass(frozen=True, slots=True)
class SandboxState:
    """Everything the sandbox remembers for one mailbox (account). JSON-able by `to_json`."""

    poll: int = 0  # fetches so far
    sequence: int = 0  # last mailbox sequence number delivered
    control: int = 0  # last outbound interchange control number (ISA13 / GS06)
    files: tuple[MailboxFile, ...] = ()
    interchanges: tuple[ReceivedInterchange, ...] = ()
    pending: tuple[PendingClaim, ...] = ()
    claims: tuple[ClaimRecord, ...] = ()
    deductibles: tuple[tuple[str, Decimal], ...] = ()  # ("payer|member", remaining)
    appeals: tuple[PendingAppeal, ...] = ()

    def claim(self, patient_control_number: str) -> ClaimRecord | None:
        for record in reversed(self.claims):
            if record.patient_control_number == patient_control_number:
                return record
        return None

    def deductible(self, payer: SandboxPayer, member_id: str) -> Decimal:
        key = f"{payer.payer_id}|{member_id}"
        for name, remaining in self.deductibles:
            if name == key:
                return remaining
        return payer.initial_deductible(member_id)

    def to_json(self) -> str:
        return json.dumps(_encode(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SandboxState:
        data: object = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError("not a sandbox clearinghouse state (or another version)")
        return _decode_state(data)


def _encode_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _encode(state: SandboxState) -> dict[str, object]:
    encoded = _encode_value(state)
    assert isinstance(encoded, dict)
    return {"version": STATE_VERSION, **encoded}


class _Fields:
    """Typed access to one decoded JSON object; a wrong shape is a ValueError."""

    def __init__(self, data: object) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, got {type(data).__name__}")
        self.data: dict[str, object] = {str(k): v for k, v in data.items()}

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise ValueError(f"{key} is not a string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        return None if value is None else self.text(key)

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{key} is not an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def decimal(self, key: str) -> Decimal:
        return Decimal(self.text(key))

    def opt_decimal(self, key: str) -> Decimal | None:
        text = self.opt_text(key)
        return None if text is None else Decimal(text)

    def day(self, key: str) -> date:
        return date.fromisoformat(self.text(key))

    def opt_day(self, key: str) -> date | None:
        text = self.opt_text(key)
        return None if text is None else date.fromisoformat(text)

    def moment(self, key: str) -> datetime:
        return datetime.fromisoformat(self.text(key))

    def items(self, key: str) -> list[object]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise ValueError(f"{key} is not a list")
        return value


def _decode_state(data: object) -> SandboxState:
    root = _Fields(data)
    files = []
    for item in root.items("files"):
        f = _Fields(item)
        files.append(
            MailboxFile(
                f.text("kind"), f.text("content"), f.integer("due_poll"), f.opt_integer("sequence")
            )
        )
    interchanges = []
    for item in root.items("interchanges"):
        f = _Fields(item)
        interchanges.append(
            ReceivedInterchange(
                f.text("control_number"), f.text("sha256"), f.text("reference"), f.opt_text("text")
            )
        )
    pending = []
    for item in root.items("pending"):
        f = _Fields(item)
        pending.append(
            PendingClaim(
                reference=f.text("reference"),
                set_index=f.integer("set_index"),
                claim_index=f.integer("claim_index"),
                payer_id=f.text("payer_id"),
                received=f.day("received"),
                submitted_at=f.moment("submitted_at"),
                due_poll=f.integer("due_poll"),
                receiver_qualifier=f.text("receiver_qualifier"),
                receiver_id=f.text("receiver_id"),
                usage_indicator=f.text("usage_indicator"),
            )
        )
    claims = []
    for item in root.items("claims"):
        f = _Fields(item)
        claims.append(
            ClaimRecord(
                patient_control_number=f.text("patient_control_number"),
                payer_id=f.text("payer_id"),
                member_id=f.text("member_id"),
                charge=f.decimal("charge"),
                service_from=f.day("service_from"),
                service_to=f.day("service_to"),
                state=f.text("state"),
                rejection=f.opt_text("rejection"),
                payer_claim_control_number=f.opt_text("payer_claim_control_number"),
                status_code=f.opt_text("status_code"),
                paid=f.opt_decimal("paid"),
                adjudicated=f.opt_day("adjudicated"),
                payment_method=f.opt_text("payment_method"),
                payment_date=f.opt_day("payment_date"),
                trace_number=f.opt_text("trace_number"),
                patient_responsibility=f.opt_decimal("patient_responsibility"),
                adjustments=tuple(_adjustment(a) for a in f.items("adjustments")),
            )
        )
    appeals = []
    for item in root.items("appeals"):
        f = _Fields(item)
        appeals.append(
            PendingAppeal(
                claim=f.text("claim"),
                payer_claim_control_number=f.text("payer_claim_control_number"),
                payer_id=f.text("payer_id"),
                submitted_at=f.moment("submitted_at"),
                due_poll=f.integer("due_poll"),
                receiver_id=f.text("receiver_id"),
            )
        )
    deductibles = []
    for item in root.items("deductibles"):
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError("a deductible is a [key, amount] pair")
        key, amount = item
        if not isinstance(key, str) or not isinstance(amount, str):
            raise ValueError("a deductible is a [key, amount] pair of strings")
        deductibles.append((key, Decimal(amount)))
    return SandboxState(
        poll=root.integer("poll"),
        sequence=root.integer("sequence"),
        control=root.integer("control"),
        files=tuple(files),
        interchanges=tuple(interchanges),
        pending=tuple(pending),
        claims=tuple(claims),
        deductibles=tuple(deductibles),
        appeals=tuple(appeals),
    )


def _adjustment(item: object) -> tuple[str, str, Decimal]:
    if not isinstance(item, list) or len(item) != 3 or not all(isinstance(v, str) for v in item):
        raise ValueError("an adjustment is a [group, reason, amount] triple of strings")
    return item[0], item[1], Decimal(item[2])


def _with_claim(claims: tuple[ClaimRecord, ...], record: ClaimRecord) -> tuple[ClaimRecord, ...]:
    """The latest record for a claim replaces the earlier one. A replacement or void shares
    its original's patient control number but not its payer claim number: the original's
    finalized adjudication stays, for the reversal that takes it back."""

    def same_claim(other: ClaimRecord) -> bool:
        if other.patient_control_number != record.patient_control_number:
            return False
        numbers = (other.payer_claim_control_number, record.payer_claim_control_number)
        return other.state != "finalized" or None in numbers or numbers[0] == numbers[1]

    return (*[c for c in claims if not same_claim(c)], record)


# ==========================================================================================
# Reading what was sent
# ==========================================================================================
