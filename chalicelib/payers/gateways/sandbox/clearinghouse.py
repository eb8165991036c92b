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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.claims.model import BILLING, Claim
from chalicelib.payers.gateways.base import (
    AppealRequest,
    GatewayError,
    InboundBatch,
    InboundFile,
    SubmissionReceipt,
)
from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.claim837p import parse_837p
from chalicelib.x12.read.eligibility270 import read_270
from chalicelib.x12.read.status276 import read_276
from chalicelib.x12.write.inquiry import InformationReceiver
from chalicelib.x12.write.inquiry import Payer as InquiryPayer
from chalicelib.x12.writer import (
    EnvelopeValues,
    for_transaction,
)

from .adjudication import ClaimAdjudication, adjudicate_claim, payer_claim_control_number
from .inquiries import _render_271, _status_result
from .intake import (
    _group_from_scan,
    _Header,
    _peek_isa,
    _read_groups,
    _scan,
    _unreadable,
)
from .mailbox import (
    ACCEPTED,
    DENIED,
    NO_PAYMENT,
    NOT_FOUND,
    PAID,
    PENDING,
    STATE_VERSION,
    UNKNOWN_MEMBER,
    UNKNOWN_PAYER,
    ClaimRecord,
    MailboxFile,
    PendingClaim,
    ReceivedInterchange,
    SandboxState,
    _with_claim,
)
from .payers import SANDBOX_PAYERS, SandboxPayer, member_known
from .remits import Member, remittance_advice, service_period
from .reversals import (
    answer_appeal,
    pending_appeal,
    replaced,
    reversal_of,
    summed_adjustments,
)
from .write import ack277ca, ack999, remit835, status277

__all__ = [
    "ACCEPTED",
    "DENIED",
    "NOT_FOUND",
    "NO_PAYMENT",
    "PAID",
    "PENDING",
    "STATE_VERSION",
    "UNKNOWN_MEMBER",
    "UNKNOWN_PAYER",
    "ClaimRecord",
    "MailboxFile",
    "PendingClaim",
    "ReceivedInterchange",
    "SandboxClearinghouse",
    "SandboxState",
]


@dataclass(frozen=True, slots=True)
class _Routed:
    """One claim of an accepted set, with the source of its 277CA and its status there."""

    claim: Claim
    set_index: int
    claim_index: int
    source: str  # payer id, or "" for the clearinghouse itself
    status: ack277ca.StatusCode
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

        def add_999(ack: ack999.GroupAcknowledgment) -> None:
            nonlocal control
            control += 1
            envelope = self._envelope(
                control,
                now,
                receiver_qualifier=sender.sender_qualifier,
                receiver_id=sender.sender_id,
                usage=sender.usage_indicator,
            )
            files.append(MailboxFile("999", ack999.render_999(ack, envelope), due))

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
            content = ack277ca.render_277ca(report, envelope, created_at=now)
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

    def _duplicate_ack(self, data: bytes) -> ack999.GroupAcknowledgment:
        scanned = _scan(data)
        gs, sets = _group_from_scan(scanned, scanned[-1][0] if scanned else 0)
        acks = tuple(
            ack999.SetAcknowledgment(
                st[0][1] if len(st[0]) > 1 and st[0][1] else "837",
                st[0][2] if len(st[0]) > 2 and st[0][2] else "0000",
                "R",
                st[0][3] if len(st[0]) > 3 and st[0][3] else None,
            )
            for _, st in sets
        )
        return ack999.GroupAcknowledgment(
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
    ) -> ack277ca.ClaimAcknowledgmentReport:
        payer = SANDBOX_PAYERS.get(source)
        if payer is None:
            origin = ack277ca.Source(
                self.clearinghouse_name, self.clearinghouse_id, entity_code="AY", id_qualifier="46"
            )
        else:
            origin = ack277ca.Source(payer.name, payer.payer_id)
        first = items[0].claim
        bht03 = _bht03(ts)
        return ack277ca.ClaimAcknowledgmentReport(
            source=origin,
            receiver=ack277ca.Receiver(
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

    def appeal(
        self, state: SandboxState, request: AppealRequest, *, account: str, now: datetime
    ) -> SandboxState:
        """Take an appeal: the payer answers it with the next 835."""
        taken = pending_appeal(request, account=account, poll=state.poll, now=now)
        return dataclasses.replace(state, appeals=(*state.appeals, taken))

    def _remit(self, state: SandboxState, poll: int) -> SandboxState:
        """Adjudicate the claims due at `poll` in submission order and write one 835 per
        payer, payee and receiver."""
        due = [p for p in state.pending if p.due_poll <= poll]
        appeals = [a for a in state.appeals if a.due_poll <= poll]
        if not due and not appeals:
            return state
        texts = {i.reference: i.text for i in state.interchanges if i.text is not None}
        cache: dict[str, list[list[Claim]]] = {}
        deductibles = dict(state.deductibles)
        groups: dict[tuple[str, str, str], list[Member]] = {}
        claims = state.claims
        for item in due:
            claim = _pending_claim(item, texts, cache)
            payer = SANDBOX_PAYERS[item.payer_id]
            # A replacement (7) or a void (8) takes back the adjudication its REF*F8 names
            # with a reversal (CLP02 22) in the same 835; a replacement is then adjudicated.
            original = replaced(claims, claim, payer.payer_id)
            reversal = reversal_of(claim, original) if original is not None else None
            if original is not None:
                claims = _with_claim(claims, dataclasses.replace(original, status_code="22"))
            adjudication: ClaimAdjudication | None = None
            if claim.claim_information.claim_frequency_code != "8":
                key = f"{payer.payer_id}|{claim.subscriber.member_id}"
                member = claim.subscriber.member_id
                remaining = deductibles.get(key, payer.initial_deductible(member))
                adjudication = adjudicate_claim(
                    claim, payer, received=item.received, deductible_remaining=remaining
                )
                deductibles[key] = remaining - adjudication.deductible_applied
            elif reversal is None:
                continue  # a void of nothing the payer paid: nothing to take back
            billing = claim.provider(BILLING)
            npi = billing.npi if billing is not None else ""
            groups.setdefault((payer.payer_id, npi, item.receiver_id), []).append(
                (item, claim, adjudication, reversal)
            )
        for appeal in appeals:
            answered = answer_appeal(appeal, claims)
            if answered is None:
                continue  # nothing adjudicated to reconsider: the appeal goes unanswered
            entry, original = answered
            claims = _with_claim(claims, dataclasses.replace(original, status_code="22"))
            billing = entry[1].provider(BILLING)
            npi = billing.npi if billing is not None else ""
            groups.setdefault((entry[0].payer_id, npi, appeal.receiver_id), []).append(entry)
        files = list(state.files)
        control = state.control
        for (payer_id, _, _), members in groups.items():
            control += 1
            payer = SANDBOX_PAYERS[payer_id]
            advice = remittance_advice(payer, members, control)
            last = max(item.submitted_at for item, _, _, _ in members)
            first = members[0][0]
            envelope = self._envelope(
                control,
                last,
                receiver_qualifier=first.receiver_qualifier,
                receiver_id=first.receiver_id,
                usage=first.usage_indicator,
            )
            files.append(MailboxFile("835", remit835.render_835(advice, envelope), poll))
            for _, claim, adjudication, _ in members:
                if adjudication is not None:
                    claims = _with_claim(claims, _finalized(claim, adjudication, advice))
        pending = tuple(p for p in state.pending if p.due_poll > poll)
        later_appeals = tuple(a for a in state.appeals if a.due_poll > poll)
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
            appeals=later_appeals,
            interchanges=interchanges,
            deductibles=tuple(sorted(deductibles.items())),
        )

    # -- 276 / 277 -------------------------------------------------------------------------

    def claim_status(self, state: SandboxState, inquiry_276: bytes, *, now: datetime) -> bytes:
        """A 277 (X212) answering each claim of a 276 from the sandbox's records, matched by
        patient control number (REF*EJ, else TRN02); the answer reuses the 276's control
        numbers, so the same inquiry gets the same answer while nothing changes."""
        inquiry = read_276(inquiry_276)
        results = tuple(_status_result(state, item, now.date()) for item in inquiry.claims)
        payer = SANDBOX_PAYERS.get(inquiry.payer_id)
        envelope = self._envelope(
            inquiry.control,
            now,
            receiver_qualifier=inquiry.sender_qualifier,
            receiver_id=inquiry.sender_id,
            usage=inquiry.usage,
        )
        response = status277.ClaimStatusResponse(
            payer=InquiryPayer(payer.name if payer else inquiry.payer_name, inquiry.payer_id),
            information_receiver=InformationReceiver(inquiry.receiver_name, inquiry.receiver_id),
            reference_id=inquiry.reference_id,
            results=results,
        )
        return status277.render_277(response, envelope, created_at=now).encode()

    # -- 270 / 271 -------------------------------------------------------------------------

    def eligibility(
        self, state: SandboxState, inquiry_270: bytes, *, now: datetime | None = None
    ) -> bytes:
        """A 271 (X279A1) for each member of a 270: active coverage with copay, coinsurance
        and deductible (total and remaining) for a known member, AAA 75 for an unknown one,
        AAA 79 at 2100A for a payer the sandbox does not have. `now` defaults to the 270's
        own ISA date and time, so the answer is a function of the inquiry and the state."""
        inquiry = read_270(inquiry_270)
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


def _status_text(code: ack277ca.StatusCode) -> str:
    return ":".join(part for part in (code.category, code.status, code.entity) if part)


def _record(item: _Routed) -> ClaimRecord:
    claim = item.claim
    start, end = service_period(claim)
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
) -> ack277ca.ClaimAcknowledgment:
    claim = item.claim
    billing = claim.provider(BILLING)
    start, end = service_period(claim)
    patient = claim.dependent
    accepted = item.status == ACCEPTED
    return ack277ca.ClaimAcknowledgment(
        provider=ack277ca.BillingProvider(
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


def _finalized(
    claim: Claim, adjudication: ClaimAdjudication, advice: remit835.RemittanceAdvice
) -> ClaimRecord:
    start, end = service_period(claim)
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
        patient_responsibility=adjudication.patient_responsibility,
        adjustments=summed_adjustments(adjudication),
    )


# ==========================================================================================
# 276 / 270 readers (the sandbox is their receiving end) and the 277 / 271 answers
# ==========================================================================================
