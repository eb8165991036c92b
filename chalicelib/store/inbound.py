"""What came in: received files (deduplicated by sha256), gateway mailbox cursors, posted
remittances (deduplicated by payer and trace number) and the unmatched queue."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime, timedelta
from decimal import Decimal

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.claims.work_items import WorklistItem
from chalicelib.codec import encode

from .errors import ConcurrentUpdateError, conditional_failed
from .models import (
    NOTIFY,
    GatewayCursorItem,
    InboundFileItem,
    Item,
    PaperPaymentItem,
    RemittanceItem,
    UnmatchedItem,
)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _file_pk(tenant_id: str, sha256: str) -> str:
    return f"T#{tenant_id}#FILE#{sha256}"


def load_inbound_file(tenant_id: str, sha256: str) -> InboundFileItem | None:
    try:
        return InboundFileItem.get(_file_pk(tenant_id, sha256), "#FILE", consistent_read=True)
    except DoesNotExist:
        return None


# A file that was unreadable, failed half-way or was left for a delivery in progress may be
# taken again: applying is repeatable (every change it makes is keyed on the claim it changes).
_RETAKEABLE = ("unreadable", "failed", "deferred")


def claim_inbound_file(
    tenant_id: str,
    sha256: str,
    *,
    name: str,
    source: str,
    now: datetime,
    lease: timedelta,
) -> InboundFileItem | None:
    """Take the right to apply this file (conditional put on its sha256). None when taken;
    otherwise the record of the delivery that holds it: applied, or applying under a lease
    that has not expired. A delivery that crashed loses the file when its lease expires."""
    condition = (
        InboundFileItem.pk.does_not_exist()
        | InboundFileItem.status.is_in(*_RETAKEABLE)
        | (InboundFileItem.lease_until < _iso(now))
    )
    taken = _put_file(
        tenant_id,
        sha256,
        name=name,
        source=source,
        received_at=now,
        status="applying",
        result={},
        lease_until=_iso(now + lease),
        condition=condition,
    )
    if taken:
        return None
    holder = load_inbound_file(tenant_id, sha256)
    if holder is None:  # gone between the two calls: cannot happen, files are never deleted
        raise ConcurrentUpdateError(f"inbound file {sha256}")
    return holder


def finish_inbound_file(
    tenant_id: str, sha256: str, *, status: str, result: Mapping[str, object]
) -> None:
    """Record how applying the file ended, and give its lease back."""
    InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE").update(
        actions=[
            InboundFileItem.status.set(status),
            InboundFileItem.result.set(dict(result)),
            InboundFileItem.lease_until.remove(),
        ]
    )


def plan_parts(
    tenant_id: str, sha256: str, *, parts_total: int, result: Mapping[str, object]
) -> None:
    """The file held by this delivery (`applying`) is posted in `parts_total` parts: written
    before the first part is sent, so the last part always finds the plan. The lease stays
    until every part is sent (`release_file`): a delivery that died sending is taken over."""
    InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE").update(
        actions=[
            InboundFileItem.status.set("posting"),
            InboundFileItem.result.set(dict(result)),
            InboundFileItem.parts_total.set(parts_total),
            InboundFileItem.parts_done.remove(),
            InboundFileItem.claims_posted.set(0),
            InboundFileItem.claims_unmatched.set(0),
            InboundFileItem.failed_parts.set({}),
        ],
        condition=InboundFileItem.status == "applying",
    )


def release_file(tenant_id: str, sha256: str) -> None:
    """Every part is sent: the file is the queue's now, no delivery takes it again."""
    InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE").update(
        actions=[InboundFileItem.lease_until.remove()]
    )


def finish_part(
    tenant_id: str, sha256: str, part: str, *, posted: int, unmatched: int
) -> InboundFileItem | None:
    """Record part `part` done with its counts, once: the file as it is after this write, or
    None when the part was already recorded (a redelivered message) or the file is done."""
    item = InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE")
    try:
        item.update(
            actions=[
                InboundFileItem.parts_done.add({part}),
                InboundFileItem.claims_posted.add(posted),
                InboundFileItem.claims_unmatched.add(unmatched),
                InboundFileItem.failed_parts[part].remove(),
            ],
            condition=(InboundFileItem.status == "posting")
            & ~InboundFileItem.parts_done.contains(part),
        )
    except UpdateError as error:
        if not conditional_failed(error):
            raise
        return None
    return item


def fail_part(tenant_id: str, sha256: str, part: str, claim_ids: list[str]) -> None:
    """Part `part` could not post these claims (it is retried, then dead-lettered): the
    file's progress names them until the part succeeds."""
    with suppress(UpdateError):  # the file was finished meanwhile: nothing to show
        InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE").update(
            actions=[InboundFileItem.failed_parts[part].set(claim_ids)],
            condition=InboundFileItem.status == "posting",
        )


def finish_posting(tenant_id: str, sha256: str, result: Mapping[str, object]) -> bool:
    """The last part is done: the file is applied (once; False when it already was)."""
    try:
        InboundFileItem(pk=_file_pk(tenant_id, sha256), sk="#FILE").update(
            actions=[
                InboundFileItem.status.set("applied"),
                InboundFileItem.result.set(dict(result)),
                InboundFileItem.lease_until.remove(),
            ],
            condition=InboundFileItem.status == "posting",
        )
    except UpdateError as error:
        if not conditional_failed(error):
            raise
        return False
    return True


def save_inbound_file(
    tenant_id: str,
    sha256: str,
    *,
    name: str,
    source: str,
    received_at: datetime,
    status: str,
    result: Mapping[str, object],
) -> None:
    """Record a file that is not applied (unreadable): never over one that was applied."""
    _put_file(
        tenant_id,
        sha256,
        name=name,
        source=source,
        received_at=received_at,
        status=status,
        result=result,
        lease_until=None,
        condition=InboundFileItem.status != "applied",
    )


def _put_file(
    tenant_id: str,
    sha256: str,
    *,
    name: str,
    source: str,
    received_at: datetime,
    status: str,
    result: Mapping[str, object],
    lease_until: str | None,
    condition: Condition,
) -> bool:
    """Write the file's record if `condition` holds; False when it does not."""
    try:
        InboundFileItem(
            pk=_file_pk(tenant_id, sha256),
            sk="#FILE",
            tenant_id=tenant_id,
            sha256=sha256,
            name=name,
            source=source,
            received_at=received_at,
            status=status,
            result=dict(result),
            lease_until=lease_until,
        ).save(condition=condition)
    except PutError as error:
        if not conditional_failed(error):
            raise
        return False
    return True


def load_cursor(tenant_id: str, gateway: str) -> str | None:
    try:
        return GatewayCursorItem.get(f"T#{tenant_id}#GW#{gateway}", "#CURSOR").cursor
    except DoesNotExist:
        return None


def save_cursor(tenant_id: str, gateway: str, cursor: str | None, *, now: datetime) -> None:
    GatewayCursorItem(
        pk=f"T#{tenant_id}#GW#{gateway}", sk="#CURSOR", cursor=cursor, updated_at=now
    ).save()


def _remittance_pk(tenant_id: str, payer_key: str, trace_number: str) -> str:
    return f"T#{tenant_id}#REMIT#{payer_key}#{trace_number}"


def load_remittance(tenant_id: str, payer_key: str, trace_number: str) -> RemittanceItem | None:
    try:
        return RemittanceItem.get(
            _remittance_pk(tenant_id, payer_key, trace_number), "#REMIT", consistent_read=True
        )
    except DoesNotExist:
        return None


def claim_remittance(
    tenant_id: str,
    payer_key: str,
    trace_number: str,
    *,
    archive_key: str,
    now: datetime,
    lease: timedelta,
) -> RemittanceItem | None:
    """Take the right to post this remittance (payer + TRN02) with a conditional put. None when
    taken; otherwise the record of the delivery that holds it: posted, or posting under a lease
    that has not expired (a delivery that crashed half-way is taken over when it expires, and
    the claims it already posted are skipped by their posting keys)."""
    try:
        RemittanceItem(
            pk=_remittance_pk(tenant_id, payer_key, trace_number),
            sk="#REMIT",
            tenant_id=tenant_id,
            payer_key=payer_key,
            trace_number=trace_number,
            archive_key=archive_key,
            posted_at=now,
            result={"state": "posting"},
            lease_until=_iso(now + lease),
        ).save(
            condition=RemittanceItem.pk.does_not_exist() | (RemittanceItem.lease_until < _iso(now))
        )
    except PutError as error:
        if not conditional_failed(error):
            raise
        holder = load_remittance(tenant_id, payer_key, trace_number)
        if holder is None:
            raise
        return holder
    return None


def finish_remittance(
    tenant_id: str, payer_key: str, trace_number: str, result: Mapping[str, object]
) -> None:
    """Posted: the remittance is also a deposit, listed by its payment date for the cash
    report (the by-tenant index, `T#<tenant>#DEPOSITS`)."""
    paid_on = str(result.get("paymentDate") or "")
    RemittanceItem(pk=_remittance_pk(tenant_id, payer_key, trace_number), sk="#REMIT").update(
        actions=[
            RemittanceItem.result.set(dict(result)),
            RemittanceItem.lease_until.remove(),
            RemittanceItem.gsi3pk.set(f"T#{tenant_id}#DEPOSITS"),
            RemittanceItem.gsi_sk.set(f"{paid_on}#{payer_key}#{trace_number}"),
        ]
    )


def record_paper_payment(
    tenant_id: str, payer_id: str, check_number: str, paid_on: date, claim_id: str, amount: Decimal
) -> bool:
    """A claim's payment on a paper check, once (False: it was recorded before)."""
    try:
        PaperPaymentItem(
            pk=f"T#{tenant_id}#PAPERCHECK#{payer_id}#{check_number}",
            sk=f"C#{claim_id}",
            tenant_id=tenant_id,
            payer_id=payer_id,
            check_number=check_number,
            payment_date=paid_on.isoformat(),
            claim_id=claim_id,
            amount=str(amount),
            gsi3pk=f"T#{tenant_id}#DEPOSITS",
            gsi_sk=f"{paid_on.isoformat()}#{payer_id}#{check_number}#{claim_id}",
        ).save(condition=PaperPaymentItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def deposits(tenant_id: str, start: date, end: date) -> list[Mapping[str, object]]:
    """The remittances posted with a payment date in [start, end], oldest first, and the paper
    checks of manual EOBs (one deposit a payer and check, its claims added up)."""
    found: list[Mapping[str, object]] = []
    checks: dict[tuple[str, str], dict[str, object]] = {}
    for item in Item.by_tenant.query(
        f"T#{tenant_id}#DEPOSITS",
        range_key_condition=Item.gsi_sk.between(start.isoformat(), end.isoformat() + "~"),
    ):
        if isinstance(item, RemittanceItem):
            found.append(dict(item.result))
        elif isinstance(item, PaperPaymentItem):
            check = checks.get((item.payer_id, item.check_number))
            if check is None:
                check = checks[(item.payer_id, item.check_number)] = {
                    "payer": item.payer_id,
                    "traceNumber": item.check_number,
                    "paymentDate": item.payment_date,
                    "method": "CHK",
                    "source": "manual",
                    "totalPaid": "0",
                    "claimsPaid": "0",
                    "providerAdjustments": "0",
                }
                found.append(check)
            total = str(Decimal(str(check["totalPaid"])) + Decimal(item.amount))
            check["totalPaid"] = check["claimsPaid"] = total
    return found


def plan_remittance(
    tenant_id: str, payer_key: str, trace_number: str, result: Mapping[str, object]
) -> None:
    """The remittance this delivery holds is posted in parts: its record says how many (the
    lease stays until they are sent; the last of them marks it posted)."""
    RemittanceItem(pk=_remittance_pk(tenant_id, payer_key, trace_number), sk="#REMIT").update(
        actions=[RemittanceItem.result.set(dict(result))]
    )


def release_remittance(tenant_id: str, payer_key: str, trace_number: str) -> None:
    """Its parts are sent: no delivery takes the remittance again."""
    RemittanceItem(pk=_remittance_pk(tenant_id, payer_key, trace_number), sk="#REMIT").update(
        actions=[RemittanceItem.lease_until.remove()]
    )


def abandon_remittance(tenant_id: str, payer_key: str, trace_number: str) -> None:
    """A delivery that failed while posting gives its lease up at once, so the next delivery
    resumes the remittance without waiting for the lease to expire."""
    RemittanceItem(pk=_remittance_pk(tenant_id, payer_key, trace_number), sk="#REMIT").update(
        actions=[RemittanceItem.lease_until.set("")]
    )


def save_unmatched(
    tenant_id: str,
    key: str,
    *,
    received_at: datetime,
    reason: str,
    detail: Mapping[str, object],
    payer_id: str | None = None,
    kind: str = "unmatched_remittance",
    suggested_action: str = "find the claim, or refund or return the payment",
) -> None:
    """Park something that matched no claim, or a file that could not be applied; the same
    key again is the same entry. It shows on the worklist under `kind` until a person
    resolves it."""
    since, paid = received_at.isoformat(), detail.get("paid")
    UnmatchedItem(
        pk=f"T#{tenant_id}#UNMATCHED",
        sk=key,
        tenant_id=tenant_id,
        received_at=received_at,
        reason=reason,
        detail=dict(detail),
        payer_id=payer_id,
        worklist=[
            encode(
                WorklistItem(
                    kind=kind,
                    claim_id=None,
                    payer_id=payer_id,
                    since=received_at,
                    codes=(),
                    suggested_action=suggested_action,
                    detail=reason,
                    amount=Decimal(str(paid)) if paid else None,
                    reference=key,
                    patient_control_number=_text(detail.get("patientControlNumber")),
                    trace_number=_text(detail.get("traceNumber")),
                    file=_text(detail.get("file")),
                )
            )
        ],
        work_kinds=[kind],
        work_pk=f"T#{tenant_id}#WORK",
        work_sk=f"{since}#{key}",
        # a payment that matched no claim is announced (webhooks: remittance.unmatched)
        due_pk=NOTIFY if kind == "unmatched_remittance" else None,
        due_sk=f"{since}#{tenant_id}#{key}" if kind == "unmatched_remittance" else None,
    ).save()


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def resolve_unmatched(tenant_id: str, key: str) -> bool:
    """Take an entry off the unmatched queue (and the worklist); False when it was not there
    (resolved by someone else, or never): one resolution wins."""
    try:
        UnmatchedItem(pk=f"T#{tenant_id}#UNMATCHED", sk=key).delete(
            condition=UnmatchedItem.pk.exists()
        )
    except DeleteError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def list_unmatched(tenant_id: str, *, limit: int = 100) -> list[UnmatchedItem]:
    return [
        item
        for item in Item.query(f"T#{tenant_id}#UNMATCHED", limit=limit)
        if isinstance(item, UnmatchedItem)
    ]
