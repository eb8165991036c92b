"""The sandbox clearinghouse: a pure state machine that speaks real X12 with three payers.

`SandboxClearinghouse` holds configuration only; every call takes the mailbox state and
returns the new one, which the caller persists (as JSON: `SandboxState.to_json`). Nothing
reads a clock or a random source: `now` is passed in, control numbers come from counters in
the state, adjudication is deterministic given the claim. So the same calls give the same
bytes, and a test can say in advance what the demo will show.

The life of an 837P interchange here:

1. `submit` reads it (EnvelopeReader + parse_837p). A duplicate of an interchange already taken
   (same ISA13, same bytes: a retry after a timeout) changes nothing and says so in the receipt.
   Anything unreadable, or the same ISA13 with other bytes, gets a 999 R locating the defect
   (IK3 segment, position and loop, IK4 element, CTX*CLM01 claim). A readable one gets a 999 A
   and, per 837 transaction set, a 277CA from each payer (accepted A2:20, or rejected A7:33:IL
   for an unknown member) and one from the clearinghouse itself for claims to payers it does not
   know (A7:26:PR). Accepted claims wait for adjudication.
2. `fetch` advances the poll counter, adjudicates the claims now due (the remittance delay),
   writes one 835 per payer and payee, and delivers every file due, each under a new mailbox
   sequence number. The cursor is the last sequence a caller has seen: the same cursor returns
   the same files again (a caller that crashed before saving the new one loses nothing).
3. `claim_status` answers a 276 with a 277 from the mailbox's records; `eligibility` answers a
   270 with a 271 from the payers' rosters and the deductibles met so far.

Status codes used (claim status category code list 507 / claim status codes 508, X214 and X212
STC01): A2:20 accepted for processing; A7:33:IL subscriber and subscriber id not found;
A7:26:PR payer (entity) not found; A4:35 claim not found; P1:20 pending, in process;
F1:65 paid; F2:1 denied, see remittance; F4:1 adjudicated, no payment forthcoming.
271 (X279A1 AAA03): 75 subscriber/insured not found (2100C); 79 invalid participant
identification (2100A, a payer the sandbox does not have).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.claims.model import BILLING, RENDERING, Claim
from chalicelib.payers.gateways.base import (
    GatewayError,
    InboundBatch,
    InboundFile,
    SubmissionReceipt,
)
from chalicelib.x12 import render277, render277ca, render835, render999
from chalicelib.x12.claim837 import parse_837p
from chalicelib.x12.envelope import EnvelopeReader, FunctionalGroup, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.inquiry import InformationReceiver, Person, Provider
from chalicelib.x12.inquiry import Payer as InquiryPayer
from chalicelib.x12.tokenizer import SegmentReader, parse_isa_delimiters
from chalicelib.x12.writer import (
    DEFAULT_DELIMITERS,
    EnvelopeValues,
    X12Builder,
    for_transaction,
    format_date8,
    format_time,
)

from .adjudication import ClaimAdjudication, adjudicate_claim, payer_claim_control_number
from .payers import SANDBOX_PAYERS, SandboxPayer, member_known

STATE_VERSION = 1
ACCEPTED = render277ca.StatusCode("A2", "20")
UNKNOWN_MEMBER = render277ca.StatusCode("A7", "33", "IL")
UNKNOWN_PAYER = render277ca.StatusCode("A7", "26", "PR")
NOT_FOUND = render277ca.StatusCode("A4", "35")
PENDING = render277ca.StatusCode("P1", "20")
PAID = render277ca.StatusCode("F1", "65")
DENIED = render277ca.StatusCode("F2", "1")
NO_PAYMENT = render277ca.StatusCode("F4", "1")
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
    )


def _with_claim(claims: tuple[ClaimRecord, ...], record: ClaimRecord) -> tuple[ClaimRecord, ...]:
    """The latest record for a patient control number replaces the earlier one."""
    kept = [c for c in claims if c.patient_control_number != record.patient_control_number]
    return (*kept, record)


# ==========================================================================================
# Reading what was sent
# ==========================================================================================


@dataclass(frozen=True, slots=True)
class _Header:
    """The ISA fields the answers need, read even when the rest of the file is broken."""

    control_number: str
    sender_qualifier: str
    sender_id: str
    usage_indicator: str


def _peek_isa(data: bytes) -> _Header | None:
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    try:
        delimiters = parse_isa_delimiters(text)
    except X12ReadError:
        return None
    elements = text.split(delimiters.segment, 1)[0].split(delimiters.element)
    if len(elements) < 17:
        return None
    return _Header(
        control_number=elements[13].strip(),
        sender_qualifier=elements[5].strip() or "ZZ",
        sender_id=elements[6].strip(),
        usage_indicator=elements[15].strip() if elements[15].strip() in ("T", "P") else "P",
    )


def _scan(data: bytes) -> list[tuple[int, list[str]]]:
    """Segments with their file positions, up to where the file stops being readable."""
    reader = SegmentReader(data)
    found: list[tuple[int, list[str]]] = []
    try:
        for segment in reader:
            found.append((reader.index, segment))
    except X12ReadError:
        pass
    return found


_NM1_LOOPS = {
    "header": {"41": "1000A", "40": "1000B"},
    "hl": {"85": "2010AA", "87": "2010AB", "PE": "2010AC", "IL": "2010BA", "PR": "2010BB"}
    | {"QC": "2010CA"},
    "claim": {"DN": "2310A", "P3": "2310A", "82": "2310B", "77": "2310C", "DQ": "2310D"}
    | {"PW": "2310E", "45": "2310F"},
    "other": {"IL": "2330A", "PR": "2330B", "DN": "2330C", "P3": "2330C", "82": "2330D"}
    | {"77": "2330E", "DQ": "2330F", "85": "2330G"},
    "line": {"82": "2420A", "QB": "2420B", "77": "2420C", "DQ": "2420D", "DK": "2420E"}
    | {"DN": "2420F", "P3": "2420F", "PW": "2420G", "45": "2420H"},
}
_HL_LOOPS = {"20": "2000A", "22": "2000B", "23": "2000C"}


def _loop_837(segments: Sequence[list[str]], position: int) -> str | None:
    """The 837P (X222A1) loop of the segment at `position` (0 = ST), e.g. "2010AA"; IK303
    takes its first four characters (data element 447 is AN 1-4)."""
    loop: str | None = None
    stage = "header"
    for segment in segments[1 : position + 1]:
        tag = segment[0]
        code = segment[1] if len(segment) > 1 else ""
        if tag == "HL":
            loop, stage = _HL_LOOPS.get(segment[3] if len(segment) > 3 else ""), "hl"
        elif tag == "CLM":
            loop, stage = "2300", "claim"
        elif tag == "SBR" and stage in ("claim", "other", "line"):
            loop, stage = "2320", "other"
        elif tag == "LX":
            loop, stage = "2400", "line"
        elif tag == "LIN" and stage == "line":
            loop = "2410"
        elif tag == "SVD":
            loop = "2430"
        elif tag == "NM1":
            loop = _NM1_LOOPS[stage].get(code, loop)
        elif tag in ("SE", "ST"):
            loop = None
    return loop


# Data element reference numbers (IK402) of the 837P elements a reader most often rejects.
_ELEMENT_REFERENCES = {
    ("CLM", 1): "1028",
    ("CLM", 2): "782",
    ("SV1", 2): "782",
    ("SV1", 4): "380",
    ("DTP", 1): "374",
    ("DTP", 2): "1250",
    ("DTP", 3): "1251",
    ("NM1", 1): "98",
    ("NM1", 2): "1065",
    ("NM1", 3): "1035",
    ("NM1", 4): "1036",
    ("NM1", 8): "66",
    ("NM1", 9): "67",
    ("HL", 1): "628",
    ("HL", 2): "734",
    ("HL", 3): "735",
    ("HL", 4): "736",
    ("SBR", 1): "1138",
    ("SBR", 9): "1032",
    ("DMG", 2): "1251",
    ("DMG", 3): "1068",
    ("REF", 1): "128",
    ("REF", 2): "127",
    ("N4", 1): "19",
    ("N4", 2): "156",
    ("N4", 3): "116",
    ("AMT", 2): "782",
    ("LX", 1): "554",
    ("PAT", 1): "1069",
    ("SVD", 2): "782",
    ("CAS", 3): "782",
    ("BHT", 4): "373",
}
_NUMERIC = frozenset({"782", "380", "554"})
_DATES = frozenset({"1251", "373"})


def _element_error(
    segment: list[str] | None, position: int, delimiters: str
) -> render999.ElementError:
    """IK4 for one element: missing (1), not a number (6), not a date (8), else an invalid
    code value (7); the bad value is copied unless it holds one of our delimiters."""
    segment_id = segment[0] if segment else ""
    value = segment[position] if segment is not None and len(segment) > position else ""
    reference = _ELEMENT_REFERENCES.get((segment_id, position))
    if not value.strip():
        code = "1"
    elif reference in _NUMERIC:
        code = "6"
    elif reference in _DATES:
        code = "8"
    else:
        code = "7"
    copy = value if value and not any(c in value for c in delimiters) and len(value) <= 99 else ""
    return render999.ElementError(
        position=position,
        error_code=code,
        data_element_reference=reference,
        bad_value=copy or None,
    )


def _segment_error(
    segments: Sequence[list[str]],
    first_index: int,
    error: X12ReadError,
    claim_id: str | None = None,
) -> render999.SegmentError:
    """IK3 (+ IK4, CTX*CLM01) locating a read error inside one transaction set."""
    position = max(1, min(error.segment_index - first_index + 1, len(segments)))
    segment = segments[position - 1] if segments else None
    delimiters = "".join(
        (DEFAULT_DELIMITERS.element, DEFAULT_DELIMITERS.component, DEFAULT_DELIMITERS.segment)
    ) + (DEFAULT_DELIMITERS.repetition or "")
    elements: tuple[render999.ElementError, ...] = ()
    if error.element_position:
        elements = (_element_error(segment, error.element_position, delimiters),)
        code = "8"  # segment has data element errors
    elif any(word in error.message.lower() for word in ("missing", "has no", "truncated")):
        code = "3"  # required segment missing
    else:
        code = "2"  # unexpected segment
    segment_id = error.segment_id or (segment[0] if segment else "ST")
    if not segment_id.isalnum() or not 2 <= len(segment_id) <= 3:
        segment_id = segment[0] if segment and segment[0].isalnum() else "ST"
    return render999.SegmentError(
        segment_id=segment_id,
        position=position,
        loop_id=(_loop_837(segments, position - 1) or "")[:4] or None,
        error_code=code,
        business_context=("CLM01", claim_id) if claim_id else None,
        element_errors=elements,
    )


@dataclass(frozen=True, slots=True)
class _ReadSet:
    """One received transaction set: its acknowledgment and, when accepted, its claims."""

    ts: TransactionSet
    ack: render999.SetAcknowledgment
    claims: tuple[Claim, ...]


def _read_set(ts: TransactionSet) -> _ReadSet:
    def rejected(*codes: str, errors: tuple[render999.SegmentError, ...] = ()) -> _ReadSet:
        ack = render999.SetAcknowledgment(
            ts.transaction_set_id or "837",
            ts.control_number or "0000",
            "R",
            ts.implementation_reference,
            codes,
            errors,
        )
        return _ReadSet(ts, ack, ())

    if ts.transaction_set_id != "837":
        return rejected("1")  # transaction set not supported
    if not (ts.implementation_reference or "").startswith("005010X222"):
        return rejected("I6")  # implementation convention not supported
    codes = []
    for finding in ts.findings:
        if finding.code == "se_count_mismatch":
            codes.append("4")  # number of included segments does not match actual count
        elif finding.code == "se_control_mismatch":
            codes.append("3")  # control number in header and trailer do not match
    if codes:
        return rejected(*codes)
    try:
        read = parse_837p(ts)
    except X12ReadError as error:
        return rejected("5", errors=(_segment_error(ts.segments, ts.first_index, error),))
    errors = tuple(
        _segment_error(ts.segments, ts.first_index, item.error, item.patient_control_number)
        for item in read
        if item.error is not None
    )
    if errors or not read:
        return rejected("5", errors=errors)
    ack = render999.SetAcknowledgment("837", ts.control_number, "A", ts.implementation_reference)
    return _ReadSet(ts, ack, tuple(item.claim for item in read if item.claim is not None))


@dataclass(frozen=True, slots=True)
class _ReadGroup:
    group: FunctionalGroup
    sets: tuple[_ReadSet, ...]
    acknowledgment: render999.GroupAcknowledgment


def _group_from_scan(
    scanned: Sequence[tuple[int, list[str]]], before: int
) -> tuple[list[str] | None, list[tuple[int, list[list[str]]]]]:
    """The last GS before file position `before` and the sets (ST..) that follow it."""
    gs: list[str] | None = None
    sets: list[tuple[int, list[list[str]]]] = []
    for index, segment in scanned:
        if index > before:
            break
        if segment[0] == "GS":
            gs, sets = segment, []
        elif segment[0] == "ST":
            sets.append((index, [segment]))
        elif sets and sets[-1][1][-1][0] != "SE":
            sets[-1][1].append(segment)
    return gs, sets


def _unreadable(data: bytes, error: X12ReadError) -> render999.GroupAcknowledgment:
    """A 999 R for an interchange whose envelopes cannot be read: the set holding the error
    gets IK3 at it; sets read before it are rejected with the group (AK905 3 when the file
    ends inside the group)."""
    scanned = _scan(data)
    gs, sets = _group_from_scan(scanned, error.segment_index)
    acks: list[render999.SetAcknowledgment] = []
    for first_index, segments in sets:
        st = segments[0]
        closed = segments[-1][0] == "SE"
        errors: tuple[render999.SegmentError, ...] = ()
        codes: tuple[str, ...] = ()
        if not closed:
            errors = (_segment_error(segments, first_index, error),)
            truncated = "truncated" in error.message or "before SE" in error.message
            codes = ("2",) if truncated else ("5",)  # trailer missing / segments in error
        acks.append(
            render999.SetAcknowledgment(
                st[1] if len(st) > 1 and st[1] else "837",
                st[2] if len(st) > 2 and st[2] else "0000",
                "R",
                st[3] if len(st) > 3 and st[3] else None,
                codes,
                errors,
            )
        )
    group_codes: tuple[str, ...] = ()
    if "functional group" in error.message:
        group_codes = ("3",)  # functional group trailer missing
    return render999.GroupAcknowledgment(
        functional_id=gs[1] if gs and len(gs) > 1 and gs[1] else "HC",
        group_control_number=gs[6] if gs and len(gs) > 6 and gs[6] else "0",
        sets=tuple(acks),
        version=gs[8] if gs and len(gs) > 8 and gs[8] else None,
        status="R",
        sets_included=len(acks),
        error_codes=group_codes,
    )


def _read_groups(sets: Sequence[TransactionSet], reader: EnvelopeReader) -> list[_ReadGroup]:
    """Acknowledge each functional group (one 999 per group); GE/IEA count or control
    mismatches reject the whole group (AK905 5 / 4)."""
    groups: dict[tuple[str, str], list[TransactionSet]] = {}
    for ts in sets:
        groups.setdefault((ts.interchange.control_number, ts.group.control_number), []).append(ts)
    group_codes: list[str] = []
    interchange_broken = False
    for finding in reader.findings:
        if finding.code == "ge01_mismatch":
            group_codes.append("5")
        elif finding.code == "ge02_mismatch":
            group_codes.append("4")
        else:
            interchange_broken = True  # IEA01 / IEA02: TA1 territory, the group goes with it
    result = []
    for members in groups.values():
        read = [_read_set(ts) for ts in members]
        if group_codes or interchange_broken:
            # The group is rejected as a whole: its sets go with it, claims and all.
            read = [_ReadSet(r.ts, dataclasses.replace(r.ack, status="R"), ()) for r in read]
        group = members[0].group
        acknowledgment = render999.GroupAcknowledgment(
            functional_id=group.functional_id,
            group_control_number=group.control_number,
            sets=tuple(r.ack for r in read),
            version=group.version or None,
            status="R" if group_codes or interchange_broken else None,
            error_codes=tuple(dict.fromkeys(group_codes)),
        )
        result.append(_ReadGroup(group, tuple(read), acknowledgment))
    return result


# ==========================================================================================
# The clearinghouse
# ==========================================================================================


@dataclass(frozen=True, slots=True)
class _Routed:
    """One claim of an accepted set, with the source of its 277CA and its status there."""

    claim: Claim
    set_index: int
    claim_index: int
    source: str  # payer id, or "" for the clearinghouse itself
    status: render277ca.StatusCode
    trace: str  # REF*D9: the clearinghouse's own claim number (ISA13-set-claim)


class SandboxClearinghouse:
    """Configuration of the embedded clearinghouse; all state is passed in and returned."""

    def __init__(
        self,
        *,
        ack_delay_polls: int = 0,
        remit_delay_polls: int = 1,
        clearinghouse_id: str = "SANDBOXCH",
        clearinghouse_name: str = "Claimgate Sandbox Clearinghouse",
        clearinghouse_qualifier: str = "ZZ",
    ) -> None:
        if ack_delay_polls < 0 or remit_delay_polls < 0:
            raise ValueError("delays are whole numbers of polls, 0 or more")
        self.ack_delay_polls = ack_delay_polls
        self.remit_delay_polls = remit_delay_polls
        self.clearinghouse_id = clearinghouse_id
        self.clearinghouse_name = clearinghouse_name
        self.clearinghouse_qualifier = clearinghouse_qualifier

    # -- envelopes -------------------------------------------------------------------------

    def _envelope(
        self,
        control: int,
        when: datetime,
        *,
        receiver_qualifier: str,
        receiver_id: str,
        usage: str,
        sender_id: str | None = None,
    ) -> EnvelopeValues:
        return EnvelopeValues(
            sender_qualifier=self.clearinghouse_qualifier,
            sender_id=sender_id or self.clearinghouse_id,
            receiver_qualifier=receiver_qualifier or "ZZ",
            receiver_id=(receiver_id or "UNKNOWN")[:15],
            interchange_control_number=control,
            group_control_number=control,
            date=when.date(),
            time=when.time().replace(second=0, microsecond=0),
            usage_indicator=usage if usage in ("T", "P") else "P",
        )

    # -- submit ----------------------------------------------------------------------------

    def submit(
        self, state: SandboxState, interchange: bytes, *, now: datetime
    ) -> tuple[SandboxState, SubmissionReceipt]:
        """Take one 837P interchange (module docstring, step 1)."""
        digest = hashlib.sha256(interchange).hexdigest()
        header = _peek_isa(interchange)
        key = header.control_number if header and header.control_number else f"sha256:{digest}"
        reference = f"{key}-{digest[:12]}"
        prior = next((i for i in state.interchanges if i.control_number == key), None)
        if prior is not None and prior.sha256 == digest:
            return state, SubmissionReceipt(prior.reference, duplicate=True)
        sender = header or _Header(key, "ZZ", "UNKNOWN", "P")
        due = state.poll + 1 + self.ack_delay_polls
        files = list(state.files)
        control = state.control

        def add_999(ack: render999.GroupAcknowledgment) -> None:
            nonlocal control
            control += 1
            envelope = self._envelope(
                control,
                now,
                receiver_qualifier=sender.sender_qualifier,
                receiver_id=sender.sender_id,
                usage=sender.usage_indicator,
            )
            files.append(MailboxFile("999", render999.render_999(ack, envelope), due))

        if prior is not None:
            # Same ISA13, other bytes: a second interchange under a used control number (TA1
            # 025 territory). Every set is rejected; the first interchange stays the one taken.
            add_999(self._duplicate_ack(interchange))
            new = dataclasses.replace(state, files=tuple(files), control=control)
            return new, SubmissionReceipt(reference)

        reader = EnvelopeReader(interchange)
        read_sets: list[TransactionSet] = []
        failure: X12ReadError | None = None
        try:
            read_sets.extend(reader)
        except X12ReadError as error:
            failure = error
        text = interchange.decode("utf-8-sig", errors="replace")
        record = ReceivedInterchange(key, digest, reference)
        if failure is not None or not read_sets:
            failure = failure or X12ReadError(
                "the interchange holds no transaction set", segment_index=1, segment_id="ISA"
            )
            add_999(_unreadable(interchange, failure))
            new = dataclasses.replace(
                state,
                files=tuple(files),
                control=control,
                interchanges=(*state.interchanges, record),
            )
            return new, SubmissionReceipt(reference)

        routed: list[_Routed] = []
        set_index = 0
        for group in _read_groups(read_sets, reader):
            add_999(group.acknowledgment)
            for read in group.sets:
                set_index += 1
                if read.ack.status != "A":
                    continue
                for claim_index, claim in enumerate(read.claims):
                    routed.append(_route(claim, set_index, claim_index, key))

        claims = state.claims
        pending = list(state.pending)
        for item in routed:
            claims = _with_claim(claims, _record(item))
            if item.status == ACCEPTED:
                pending.append(
                    PendingClaim(
                        reference=reference,
                        set_index=item.set_index,
                        claim_index=item.claim_index,
                        payer_id=item.source,
                        received=now.date(),
                        submitted_at=now,
                        due_poll=state.poll + 1 + self.remit_delay_polls,
                        receiver_qualifier=sender.sender_qualifier,
                        receiver_id=sender.sender_id,
                        usage_indicator=sender.usage_indicator,
                    )
                )
        for (set_index, source), items in _by_set_and_source(routed).items():
            ts = read_sets[set_index - 1]
            control += 1
            envelope = self._envelope(
                control,
                now,
                receiver_qualifier=sender.sender_qualifier,
                receiver_id=sender.sender_id,
                usage=sender.usage_indicator,
            )
            report = self._acknowledgment_report(ts, source, items, control, now)
            content = render277ca.render_277ca(report, envelope, created_at=now)
            files.append(MailboxFile("277CA", content, due))
        keep_text = any(p.reference == reference for p in pending)
        record = dataclasses.replace(record, text=text if keep_text else None)
        new = dataclasses.replace(
            state,
            files=tuple(files),
            control=control,
            interchanges=(*state.interchanges, record),
            pending=tuple(pending),
            claims=claims,
        )
        return new, SubmissionReceipt(reference)

    def _duplicate_ack(self, data: bytes) -> render999.GroupAcknowledgment:
        scanned = _scan(data)
        gs, sets = _group_from_scan(scanned, scanned[-1][0] if scanned else 0)
        acks = tuple(
            render999.SetAcknowledgment(
                st[0][1] if len(st[0]) > 1 and st[0][1] else "837",
                st[0][2] if len(st[0]) > 2 and st[0][2] else "0000",
                "R",
                st[0][3] if len(st[0]) > 3 and st[0][3] else None,
            )
            for _, st in sets
        )
        return render999.GroupAcknowledgment(
            functional_id=gs[1] if gs and len(gs) > 1 and gs[1] else "HC",
            group_control_number=gs[6] if gs and len(gs) > 6 and gs[6] else "0",
            sets=acks,
            version=gs[8] if gs and len(gs) > 8 and gs[8] else None,
            status="R",
        )

    def _acknowledgment_report(
        self,
        ts: TransactionSet,
        source: str,
        items: list[_Routed],
        control: int,
        now: datetime,
    ) -> render277ca.ClaimAcknowledgmentReport:
        payer = SANDBOX_PAYERS.get(source)
        if payer is None:
            origin = render277ca.Source(
                self.clearinghouse_name, self.clearinghouse_id, entity_code="AY", id_qualifier="46"
            )
        else:
            origin = render277ca.Source(payer.name, payer.payer_id)
        first = items[0].claim
        bht03 = _bht03(ts)
        return render277ca.ClaimAcknowledgmentReport(
            source=origin,
            receiver=render277ca.Receiver(
                first.submitter.organization_name, ts.interchange.sender_id or "UNKNOWN"
            ),
            reference_id=f"{control:09d}",
            batch_reference=bht03 or ts.control_number,
            transmission_control_id=f"{control:09d}",
            received=now.date(),
            processed=now.date(),
            claims=tuple(_claim_acknowledgment(item, payer) for item in items),
        )

    # -- fetch -----------------------------------------------------------------------------

    def fetch(self, state: SandboxState, cursor: str | None) -> tuple[SandboxState, InboundBatch]:
        """Advance one poll, adjudicate what is due, deliver what is due, and return every
        delivered file after `cursor` (module docstring, step 2)."""
        after = _cursor(cursor)
        poll = state.poll + 1
        state = dataclasses.replace(state, poll=poll)
        state = self._remit(state, poll)
        sequence = state.sequence
        files: list[MailboxFile] = []
        for item in state.files:
            if item.sequence is None and item.due_poll <= poll:
                sequence += 1
                files.append(dataclasses.replace(item, sequence=sequence))
            else:
                files.append(item)
        state = dataclasses.replace(state, files=tuple(files), sequence=sequence)
        batch = sorted(
            (f for f in files if f.sequence is not None and f.sequence > after),
            key=lambda f: f.sequence or 0,
        )
        next_cursor = f"{batch[-1].sequence:06d}" if batch else cursor
        return state, InboundBatch(
            tuple(InboundFile(f.name, f.content.encode()) for f in batch), next_cursor
        )

    def _remit(self, state: SandboxState, poll: int) -> SandboxState:
        """Adjudicate the claims due at `poll` in submission order and write one 835 per
        payer, payee and receiver."""
        due = [p for p in state.pending if p.due_poll <= poll]
        if not due:
            return state
        texts = {i.reference: i.text for i in state.interchanges if i.text is not None}
        cache: dict[str, list[list[Claim]]] = {}
        deductibles = dict(state.deductibles)
        groups: dict[tuple[str, str, str], list[tuple[PendingClaim, Claim, ClaimAdjudication]]] = {}
        for item in due:
            claim = _pending_claim(item, texts, cache)
            payer = SANDBOX_PAYERS[item.payer_id]
            key = f"{payer.payer_id}|{claim.subscriber.member_id}"
            remaining = deductibles.get(key, payer.initial_deductible(claim.subscriber.member_id))
            adjudication = adjudicate_claim(
                claim, payer, received=item.received, deductible_remaining=remaining
            )
            deductibles[key] = remaining - adjudication.deductible_applied
            billing = claim.provider(BILLING)
            npi = billing.npi if billing is not None else ""
            groups.setdefault((payer.payer_id, npi, item.receiver_id), []).append(
                (item, claim, adjudication)
            )
        files = list(state.files)
        claims = state.claims
        control = state.control
        for (payer_id, _, _), members in groups.items():
            control += 1
            payer = SANDBOX_PAYERS[payer_id]
            advice = _advice(payer, members, control)
            last = max(item.submitted_at for item, _, _ in members)
            first = members[0][0]
            envelope = self._envelope(
                control,
                last,
                receiver_qualifier=first.receiver_qualifier,
                receiver_id=first.receiver_id,
                usage=first.usage_indicator,
            )
            files.append(MailboxFile("835", render835.render_835(advice, envelope), poll))
            for _, claim, adjudication in members:
                claims = _with_claim(claims, _finalized(claim, adjudication, advice))
        pending = tuple(p for p in state.pending if p.due_poll > poll)
        waiting = {p.reference for p in pending}
        interchanges = tuple(
            i if i.reference in waiting else dataclasses.replace(i, text=None)
            for i in state.interchanges
        )
        return dataclasses.replace(
            state,
            files=tuple(files),
            claims=claims,
            control=control,
            pending=pending,
            interchanges=interchanges,
            deductibles=tuple(sorted(deductibles.items())),
        )

    # -- 276 / 277 -------------------------------------------------------------------------

    def claim_status(self, state: SandboxState, inquiry_276: bytes, *, now: datetime) -> bytes:
        """A 277 (X212) answering each claim of a 276 from the sandbox's records, matched by
        patient control number (REF*EJ, else TRN02); the answer reuses the 276's control
        numbers, so the same inquiry gets the same answer while nothing changes."""
        inquiry = _read_276(inquiry_276)
        results = tuple(_status_result(state, item, now.date()) for item in inquiry.claims)
        payer = SANDBOX_PAYERS.get(inquiry.payer_id)
        envelope = self._envelope(
            inquiry.control,
            now,
            receiver_qualifier=inquiry.sender_qualifier,
            receiver_id=inquiry.sender_id,
            usage=inquiry.usage,
        )
        response = render277.ClaimStatusResponse(
            payer=InquiryPayer(payer.name if payer else inquiry.payer_name, inquiry.payer_id),
            information_receiver=InformationReceiver(inquiry.receiver_name, inquiry.receiver_id),
            reference_id=inquiry.reference_id,
            results=results,
        )
        return render277.render_277(response, envelope, created_at=now).encode()

    # -- 270 / 271 -------------------------------------------------------------------------

    def eligibility(
        self, state: SandboxState, inquiry_270: bytes, *, now: datetime | None = None
    ) -> bytes:
        """A 271 (X279A1) for each member of a 270: active coverage with copay, coinsurance
        and deductible (total and remaining) for a known member, AAA 75 for an unknown one,
        AAA 79 at 2100A for a payer the sandbox does not have. `now` defaults to the 270's
        own ISA date and time, so the answer is a function of the inquiry and the state."""
        inquiry = _read_270(inquiry_270)
        when = now or inquiry.created
        envelope = for_transaction(
            self._envelope(
                inquiry.control,
                when,
                receiver_qualifier=inquiry.sender_qualifier,
                receiver_id=inquiry.sender_id,
                usage=inquiry.usage,
            ),
            "HB",
            "005010X279A1",
        )
        return _render_271(state, inquiry, envelope, when).encode()


# ==========================================================================================
# Submit helpers
# ==========================================================================================


def _route(claim: Claim, set_index: int, claim_index: int, key: str) -> _Routed:
    """Which 277CA the claim goes in and with which status: the clearinghouse rejects a
    payer it does not have; the payer rejects a member not on its roster."""
    trace = f"{key[-20:]}-{set_index}-{claim_index + 1}"
    payer = SANDBOX_PAYERS.get(claim.trading_partner_service_id)
    if payer is None:
        return _Routed(claim, set_index, claim_index, "", UNKNOWN_PAYER, trace)
    if not member_known(claim.subscriber.member_id):
        return _Routed(claim, set_index, claim_index, payer.payer_id, UNKNOWN_MEMBER, trace)
    return _Routed(claim, set_index, claim_index, payer.payer_id, ACCEPTED, trace)


def _by_set_and_source(routed: Iterable[_Routed]) -> dict[tuple[int, str], list[_Routed]]:
    grouped: dict[tuple[int, str], list[_Routed]] = {}
    for item in routed:
        grouped.setdefault((item.set_index, item.source), []).append(item)
    return grouped


def _bht03(ts: TransactionSet) -> str | None:
    for segment in ts.segments[1:3]:
        if segment[0] == "BHT" and len(segment) > 3 and segment[3]:
            return segment[3]
    return None


def _service_period(claim: Claim) -> tuple[date, date]:
    lines = claim.claim_information.service_lines
    start = min(line.service_date for line in lines)
    end = max(line.service_date_end or line.service_date for line in lines)
    return start, end


def _status_text(code: render277ca.StatusCode) -> str:
    return ":".join(part for part in (code.category, code.status, code.entity) if part)


def _record(item: _Routed) -> ClaimRecord:
    claim = item.claim
    start, end = _service_period(claim)
    accepted = item.status == ACCEPTED
    payer = SANDBOX_PAYERS.get(item.source)
    return ClaimRecord(
        patient_control_number=claim.claim_information.patient_control_number,
        payer_id=claim.trading_partner_service_id,
        member_id=claim.subscriber.member_id,
        charge=claim.claim_information.claim_charge_amount,
        service_from=start,
        service_to=end,
        state="accepted" if accepted else "rejected",
        rejection=None if accepted else _status_text(item.status),
        payer_claim_control_number=(
            payer_claim_control_number(claim, payer) if accepted and payer else None
        ),
    )


def _claim_acknowledgment(
    item: _Routed, payer: SandboxPayer | None
) -> render277ca.ClaimAcknowledgment:
    claim = item.claim
    billing = claim.provider(BILLING)
    start, end = _service_period(claim)
    patient = claim.dependent
    accepted = item.status == ACCEPTED
    return render277ca.ClaimAcknowledgment(
        provider=render277ca.BillingProvider(
            name=(billing.organization_name or billing.last_name or "UNKNOWN")
            if billing
            else "UNKNOWN",
            npi=billing.npi if billing else "0000000000",
            first_name=billing.first_name if billing and not billing.organization_name else None,
            tax_id=billing.employer_id if billing else None,
        ),
        patient_last_name=patient.last_name if patient else claim.subscriber.last_name,
        patient_first_name=patient.first_name if patient else claim.subscriber.first_name,
        patient_member_id=claim.subscriber.member_id,
        patient_control_number=claim.claim_information.patient_control_number,
        statuses=(item.status,),
        total_charge=claim.claim_information.claim_charge_amount,
        service_date_from=start,
        service_date_to=end,
        payer_claim_control_number=(
            payer_claim_control_number(claim, payer) if accepted and payer else None
        ),
        clearinghouse_trace_number=item.trace,
    )


# ==========================================================================================
# Remittance helpers
# ==========================================================================================


def _cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not (cursor.isascii() and cursor.isdigit()):
        raise GatewayError(f"cursor {cursor!r} is not a sandbox mailbox position")
    return int(cursor)


def _pending_claim(
    item: PendingClaim, texts: Mapping[str, str], cache: dict[str, list[list[Claim]]]
) -> Claim:
    """The accepted claim, read again from the interchange text kept in the state."""
    if item.reference not in cache:
        text = texts.get(item.reference)
        if text is None:
            raise ValueError(f"interchange {item.reference} is no longer in the state")
        cache[item.reference] = [
            [c.claim for c in parse_837p(ts) if c.claim is not None]
            for ts in EnvelopeReader(text.encode())
        ]
    return cache[item.reference][item.set_index - 1][item.claim_index]


def _digits(seed: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return f"{number % 10**count:0{count}d}"


def _advice(
    payer: SandboxPayer,
    members: list[tuple[PendingClaim, Claim, ClaimAdjudication]],
    control: int,
) -> render835.RemittanceAdvice:
    """One 835's content: the claims, the PLBs (a WO recovery only while the payment covers
    it) and the payment (EFT or check; a notification when nothing is paid)."""
    first_claim = members[0][1]
    billing = first_claim.provider(BILLING)
    assert billing is not None  # parse_837p builds no claim without 2010AA
    payment_date = max(item.submitted_at for item, _, _ in members).date()
    claims = tuple(_claim_payment(claim, adjudication) for _, claim, adjudication in members)
    total = sum((c.paid for c in claims), _ZERO)
    plb: list[render835.ProviderAdjustment] = []
    fiscal = date(payment_date.year, 12, 31)
    for _, _, adjudication in members:
        for item in adjudication.provider_adjustments:
            if item.amount > 0 and total - item.amount < 0:
                continue
            total -= item.amount
            plb.append(
                render835.ProviderAdjustment(
                    billing.npi, fiscal, item.reason_code, item.amount, item.reference
                )
            )
    method = payer.payment_method if total > 0 else "NON"
    if method == "CHK":
        trace = f"{700000 + control}"
    else:
        trace = f"{payer.payer_id[-2:]}{payment_date:%y%m%d}{control:07d}"
    payment = render835.Payment(
        method=method,
        total_paid=total,
        payment_date=payment_date,
        trace_number=trace,
        payer_tax_id=payer.tax_id,
        sender_routing=payer.routing_number if method == "ACH" else None,
        sender_account=payer.account_number if method == "ACH" else None,
        receiver_routing=("0" + _digits(f"routing|{billing.npi}", 8)) if method == "ACH" else None,
        receiver_account=_digits(f"account|{billing.npi}", 10) if method == "ACH" else None,
    )
    return render835.RemittanceAdvice(
        payment=payment,
        payer=render835.Payer(
            name=payer.name,
            payer_id=payer.payer_id,
            address=payer.address,
            contact_name="PROVIDER SERVICES",
            contact_phone=payer.contact_phone,
            contact_url=payer.contact_url,
        ),
        payee=render835.Payee(
            name=billing.organization_name or billing.last_name or "UNKNOWN",
            npi=billing.npi,
            address=billing.address,
            tax_id=billing.employer_id,
        ),
        claims=claims,
        production_date=payment_date,
        receiver_id=members[0][0].receiver_id,
        provider_adjustments=tuple(plb),
    )


def _claim_payment(claim: Claim, adjudication: ClaimAdjudication) -> render835.ClaimPayment:
    subscriber = claim.subscriber
    dependent = claim.dependent
    patient = (
        render835.Person(dependent.last_name, None, dependent.first_name)
        if dependent
        else render835.Person(subscriber.last_name, subscriber.member_id, subscriber.first_name)
    )
    insured = (
        render835.Person(subscriber.last_name, subscriber.member_id, subscriber.first_name)
        if dependent
        else None
    )
    rendering = claim.provider(RENDERING)
    crossover = None
    if adjudication.crossover_payer_id is not None:
        carrier = SANDBOX_PAYERS[adjudication.crossover_payer_id]
        crossover = render835.Carrier(carrier.name, carrier.payer_id)
    start, end = _service_period(claim)
    return render835.ClaimPayment(
        patient_control_number=adjudication.patient_control_number,
        status_code=adjudication.status_code,
        charge=adjudication.charge,
        paid=adjudication.paid,
        patient_responsibility=adjudication.patient_responsibility,
        filing_code=adjudication.filing_code,
        payer_claim_control_number=adjudication.payer_claim_control_number,
        patient=patient,
        insured=insured,
        rendering_provider=(
            render835.RenderingProvider(
                rendering.organization_name or rendering.last_name or "UNKNOWN",
                rendering.npi,
                None if rendering.organization_name else rendering.first_name,
            )
            if rendering
            else None
        ),
        crossover_carrier=crossover,
        remark_codes=adjudication.remark_codes,
        frequency_code=adjudication.frequency_code,
        facility_code=adjudication.place_of_service or "11",
        statement_from=start,
        statement_to=end,
        received=adjudication.received,
        coverage_amount=None if adjudication.denied else adjudication.allowed,
        lines=tuple(
            render835.LinePayment(
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                charge=line.charge,
                paid=line.paid,
                units=line.units,
                service_date=line.service_date,
                adjustments=line.adjustments,
                line_item_control_number=line.line_item_control_number,
                allowed=None if line.denied else line.allowed,
                remark_codes=line.remark_codes,
            )
            for line in adjudication.lines
        ),
    )


def _finalized(
    claim: Claim, adjudication: ClaimAdjudication, advice: render835.RemittanceAdvice
) -> ClaimRecord:
    start, end = _service_period(claim)
    return ClaimRecord(
        patient_control_number=adjudication.patient_control_number,
        payer_id=adjudication.payer_id,
        member_id=claim.subscriber.member_id,
        charge=adjudication.charge,
        service_from=start,
        service_to=end,
        state="finalized",
        payer_claim_control_number=adjudication.payer_claim_control_number,
        status_code=adjudication.status_code,
        paid=adjudication.paid,
        adjudicated=advice.production_date,
        payment_method=advice.payment.method,
        payment_date=advice.payment.payment_date,
        trace_number=advice.payment.trace_number,
    )


# ==========================================================================================
# 276 / 270 readers (the sandbox is their receiving end) and the 277 / 271 answers
# ==========================================================================================


def _el(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


@dataclass(frozen=True, slots=True)
class _Envelope:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime


def _one_set(data: bytes, set_id: str) -> tuple[TransactionSet, _Envelope]:
    sets = list(EnvelopeReader(data))
    if len(sets) != 1 or sets[0].transaction_set_id != set_id:
        found = sets[0].transaction_set_id if sets else "nothing"
        raise X12ReadError(
            f"expected one {set_id} transaction set, found {found}",
            segment_index=sets[0].first_index if sets else 1,
            segment_id="ST",
            element_position=1,
        )
    ts = sets[0]
    interchange = ts.interchange
    control = (
        int(interchange.control_number)
        if interchange.control_number.isascii() and interchange.control_number.isdigit()
        else 1
    )
    day = interchange.date
    clock = interchange.time if len(interchange.time) == 4 else "0000"
    try:
        created = datetime.strptime(f"{day}{clock}", "%y%m%d%H%M")
    except ValueError:
        created = datetime(2000, 1, 1)
    return ts, _Envelope(
        control=max(1, control % 1_000_000_000),
        sender_qualifier=interchange.sender_qualifier or "ZZ",
        sender_id=interchange.sender_id or "UNKNOWN",
        usage=interchange.usage_indicator,
        created=created,
    )


def _person(segment: list[str]) -> Person:
    return Person(
        last_name=_el(segment, 3),
        first_name=_el(segment, 4) or None,
        middle_name=_el(segment, 5) or None,
        suffix=_el(segment, 7) or None,
        member_id=_el(segment, 9) or None,
    )


def _d8(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _StatusInquiry:
    provider: Provider
    subscriber: Person
    dependent: Person | None
    trace_number: str
    patient_control_number: str
    service_from: date
    service_to: date


@dataclass(frozen=True, slots=True)
class _Inquiry276:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    reference_id: str
    payer_name: str
    payer_id: str
    receiver_name: str
    receiver_id: str
    claims: tuple[_StatusInquiry, ...]


def _read_276(data: bytes) -> _Inquiry276:
    """The 276 (X212) fields the answer needs: payer, receiver, and per claim the provider,
    subscriber / dependent, TRN02, REF*EJ and DTP*472."""
    ts, envelope = _one_set(data, "276")
    payer = receiver = None
    provider: Provider | None = None
    subscriber: Person | None = None
    dependent: Person | None = None
    level = ""
    claims: list[_StatusInquiry] = []
    open_claim: dict[str, str] = {}
    reference_id = ""

    def close() -> None:
        if not open_claim or provider is None or subscriber is None:
            return
        start, _, end = open_claim.get("dates", "").partition("-")
        first = _d8(start) or envelope.created.date()
        claims.append(
            _StatusInquiry(
                provider=provider,
                subscriber=subscriber,
                dependent=dependent if level == "23" else None,
                trace_number=open_claim["trace"],
                patient_control_number=open_claim.get("pcn") or open_claim["trace"],
                service_from=first,
                service_to=_d8(end) or first,
            )
        )
        open_claim.clear()

    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = _el(segment, 3)
        elif tag == "HL":
            close()
            level = _el(segment, 3)
            if level == "22":
                dependent = None
        elif tag == "NM1":
            code = _el(segment, 1)
            if code == "PR":
                payer = segment
            elif code == "41":
                receiver = segment
            elif code == "1P":
                first_name = _el(segment, 4) or None
                provider = Provider(_el(segment, 3), _el(segment, 9), first_name)
            elif code == "IL":
                subscriber = _person(segment)
            elif code in ("QC", "03"):
                dependent = _person(segment)
        elif tag == "TRN":
            close()
            open_claim["trace"] = _el(segment, 2)
        elif tag == "REF" and open_claim and _el(segment, 1) == "EJ":
            open_claim["pcn"] = _el(segment, 2)
        elif tag == "DTP" and open_claim and _el(segment, 1) == "472":
            open_claim["dates"] = _el(segment, 3)
    close()
    if payer is None or receiver is None or not claims:
        raise X12ReadError(
            "a 276 needs a payer (2100A), a receiver (2100B) and at least one claim",
            segment_index=ts.first_index,
            segment_id="ST",
        )
    return _Inquiry276(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        reference_id=reference_id or ts.control_number,
        payer_name=_el(payer, 3),
        payer_id=_el(payer, 9),
        receiver_name=_el(receiver, 3),
        receiver_id=_el(receiver, 9),
        claims=tuple(claims),
    )


def _status_result(
    state: SandboxState, inquiry: _StatusInquiry, today: date
) -> render277.ClaimStatusResult:
    """One claim's status (X212 2200D/E STC) from the record the sandbox keeps."""
    record = state.claim(inquiry.patient_control_number)
    base = render277.ClaimStatusResult(
        provider=inquiry.provider,
        subscriber=inquiry.subscriber,
        dependent=inquiry.dependent,
        trace_number=inquiry.trace_number,
        patient_control_number=inquiry.patient_control_number,
        statuses=(NOT_FOUND,),
        effective_date=today,
        service_date_from=inquiry.service_from,
        service_date_to=inquiry.service_to,
    )
    if record is None:
        return base
    found = dataclasses.replace(
        base,
        total_charge=record.charge,
        service_date_from=record.service_from,
        service_date_to=record.service_to,
        payer_claim_control_number=record.payer_claim_control_number,
    )
    if record.state == "rejected":
        category, reason, *entity = (record.rejection or "A3:21").split(":")
        code = render277ca.StatusCode(category, reason, entity[0] if entity else None)
        return dataclasses.replace(found, statuses=(code,))
    if record.state != "finalized":
        return dataclasses.replace(found, statuses=(PENDING,))
    paid = record.paid or _ZERO
    if record.status_code == "4":
        status = DENIED
    elif paid > 0:
        status = PAID
    else:
        status = NO_PAYMENT
    return dataclasses.replace(
        found,
        statuses=(status,),
        effective_date=record.adjudicated or today,
        paid=paid,
        adjudication_date=record.adjudicated,
        payment_method=record.payment_method,
        check_date=record.payment_date,
        check_number=record.trace_number,
    )


@dataclass(frozen=True, slots=True)
class _EligibilityMember:
    subscriber: list[str]  # NM1*IL as sent
    dependent: list[str] | None  # NM1*03 as sent
    trace: list[str]  # TRN as sent
    subscriber_dmg: list[str] | None
    dependent_dmg: list[str] | None


@dataclass(frozen=True, slots=True)
class _Inquiry270:
    control: int
    sender_qualifier: str
    sender_id: str
    usage: str
    created: datetime
    reference_id: str
    payer: list[str]  # NM1*PR as sent
    provider: list[str]  # NM1*1P as sent
    members: tuple[_EligibilityMember, ...]


def _read_270(data: bytes) -> _Inquiry270:
    ts, envelope = _one_set(data, "270")
    payer: list[str] | None = None
    provider: list[str] | None = None
    reference_id = ""
    members: list[dict[str, list[str]]] = []
    level = ""
    for segment in ts.segments[1:-1]:
        tag = segment[0]
        if tag == "BHT":
            reference_id = _el(segment, 3)
        elif tag == "HL":
            level = _el(segment, 3)
            if level == "22":
                members.append({})
        elif tag == "NM1" and level == "20":
            payer = segment
        elif tag == "NM1" and level == "21":
            provider = segment
        elif members and level in ("22", "23"):
            prefix = "subscriber" if level == "22" else "dependent"
            if tag == "NM1":
                members[-1][prefix] = segment
            elif tag == "DMG":
                members[-1][f"{prefix}_dmg"] = segment
            elif tag == "TRN":
                members[-1]["trace"] = segment
    if payer is None or provider is None or not members:
        raise X12ReadError(
            "a 270 needs a payer (2100A), a provider (2100B) and at least one member",
            segment_index=ts.first_index,
            segment_id="ST",
        )
    return _Inquiry270(
        control=envelope.control,
        sender_qualifier=envelope.sender_qualifier,
        sender_id=envelope.sender_id,
        usage=envelope.usage,
        created=envelope.created,
        reference_id=reference_id or ts.control_number,
        payer=payer,
        provider=provider,
        members=tuple(
            _EligibilityMember(
                subscriber=m.get("subscriber", ["NM1", "IL", "1", "UNKNOWN"]),
                dependent=m.get("dependent"),
                trace=m.get("trace", ["TRN", "1", ts.control_number]),
                subscriber_dmg=m.get("subscriber_dmg"),
                dependent_dmg=m.get("dependent_dmg"),
            )
            for m in members
        ),
    )


_PLAN_NAMES = {"SBX01": "SANDBOX PPO GOLD", "SBXMCR": "MEDICARE PART B", "SBXMCD": "STATE MEDICAID"}


def _benefits(builder: X12Builder, payer: SandboxPayer, remaining: Decimal) -> None:
    """2110C/D EB: active coverage (1), copay (B), coinsurance (A), deductible (C) for the
    calendar year (EB06 23) and what remains of it (EB06 29)."""
    # EB04 insurance type: PR preferred provider organization, MB Medicare Part B, MC Medicaid.
    insurance = {"12": "PR", "MB": "MB", "MC": "MC"}.get(payer.remittance_filing_code, "")
    builder.add("EB", "1", "", "30", insurance, _PLAN_NAMES.get(payer.payer_id, payer.name))
    if payer.copay:
        # 98 professional (physician) visit - office; EB06 27 per visit.
        builder.add("EB", "B", "IND", "98", insurance, "", "27", str(payer.copay))
    if payer.coinsurance_rate:
        builder.add(
            "EB", "A", "IND", "30", insurance, "", "", "", format(payer.coinsurance_rate, "f")
        )
    if payer.annual_deductible:
        builder.add("EB", "C", "IND", "30", insurance, "", "23", str(payer.annual_deductible))
        builder.add("EB", "C", "IND", "30", insurance, "", "29", str(remaining))


def _render_271(
    state: SandboxState, inquiry: _Inquiry270, envelope: EnvelopeValues, when: datetime
) -> str:
    builder = X12Builder()
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("271", 1, "005010X279A1")
    # BHT02 11 response; BHT03 echoes the 270's BHT03.
    builder.add(
        "BHT",
        "0022",
        "11",
        inquiry.reference_id,
        format_date8(when.date()),
        format_time(when.time().replace(second=0, microsecond=0)),
    )
    payer_id = _el(inquiry.payer, 9)
    payer = SANDBOX_PAYERS.get(payer_id)
    builder.add("HL", "1", "", "20", "1")
    builder.add(
        "NM1",
        "PR",
        "2",
        payer.name if payer else _el(inquiry.payer, 3),
        *("", "", "", ""),
        _el(inquiry.payer, 8) or "PI",
        payer_id,
    )
    if payer is None:
        builder.add("AAA", "N", "", "79", "C")  # 2100A: invalid participant identification
        builder.add("HL", "2", "1", "21", "0")
        builder.add("NM1", *inquiry.provider[1:])
        builder.se()
        builder.ge()
        builder.iea()
        return builder.render()
    builder.add("HL", "2", "1", "21", "1")
    builder.add("NM1", *inquiry.provider[1:])
    hl = 2
    for member in inquiry.members:
        hl += 1
        subscriber_hl = hl
        known = member_known(_el(member.subscriber, 9))
        has_dependent = member.dependent is not None and known
        builder.add("HL", str(subscriber_hl), "2", "22", "1" if has_dependent else "0")
        if member.dependent is None or not known:
            builder.add("TRN", "2", *member.trace[2:4])  # 2000C: ours echoed as referenced
        builder.add("NM1", *member.subscriber[1:])
        if not known:
            builder.add("AAA", "Y", "", "75", "C")  # 2100C: subscriber/insured not found
            continue
        if member.subscriber_dmg is not None:
            builder.add("DMG", *member.subscriber_dmg[1:])
        remaining = state.deductible(payer, _el(member.subscriber, 9))
        year = when.date().replace(month=1, day=1)
        if member.dependent is None:
            builder.add("DTP", "346", "D8", format_date8(year))  # plan begin
            _benefits(builder, payer, remaining)
            continue
        hl += 1
        builder.add("HL", str(hl), str(subscriber_hl), "23", "0")
        builder.add("TRN", "2", *member.trace[2:4])
        builder.add("NM1", *member.dependent[1:])
        if member.dependent_dmg is not None:
            builder.add("DMG", *member.dependent_dmg[1:])
        builder.add("DTP", "346", "D8", format_date8(year))
        _benefits(builder, payer, remaining)
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()
