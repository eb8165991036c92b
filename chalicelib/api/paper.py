"""Paper claims: the CMS-1500 of a claim (PDF), and the print queue the clearinghouse poll
fills with the claims of paper-only payers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import error_response, json_response
from .refusals import refusal_response, refusals
from .views import View

if TYPE_CHECKING:
    from chalicelib.services.print_queue import PrintJob

paper = Blueprint(__name__)

# ?form=: "print" (the default) is the data alone, for the pre-printed red form; "drawn"
# draws the form's boxes and labels too, for review on plain paper.
FORMS = ("print", "drawn")


@paper.route("/v1/claims/{claim_id}/cms1500.pdf", methods=["GET"])
def get_cms1500(claim_id: str) -> Response:
    """The claim on the CMS-1500 (02/12), one page per six service lines."""
    from chalicelib.services.paper import cms1500_pdf

    request = paper.current_request
    query: Mapping[str, str] = request.query_params or {}
    form = query.get("form") or "print"
    if form not in FORMS:
        return error_response(422, "invalid_value", f"one of {', '.join(FORMS)}", "form")
    try:
        pdf, pages = cms1500_pdf(
            tenant_of(request), claim_id, today=utcnow().date(), drawn=form == "drawn"
        )
    except refusals() as error:
        return refusal_response(error)
    headers: dict[str, str | list[str]] = {
        "Content-Type": "application/pdf",
        "X-Page-Count": str(pages),
    }
    return Response(body=pdf, status_code=200, headers=headers)


class PrintItemOut(View):
    itemId: str  # noqa: N815
    claimId: str  # noqa: N815
    payerId: str  # noqa: N815
    pages: int
    createdAt: datetime  # noqa: N815
    printed: bool
    printedAt: datetime | None  # noqa: N815
    printedBy: str | None  # noqa: N815

    @classmethod
    def of(cls, job: PrintJob) -> PrintItemOut:
        return cls(
            itemId=job.item_id,
            claimId=job.claim_id,
            payerId=job.payer_id,
            pages=job.pages,
            createdAt=job.created_at,
            printed=job.printed_at is not None,
            printedAt=job.printed_at,
            printedBy=job.printed_by,
        )


class PrintQueueOut(View):
    items: list[PrintItemOut]


@paper.route("/v1/print-queue", methods=["GET"])
def list_print_queue() -> Response:
    """The tenant's print queue, oldest first; `?printed=false` for what is left to print."""
    from chalicelib.services.print_queue import list_print_jobs

    request = paper.current_request
    query: Mapping[str, str] = request.query_params or {}
    printed = query.get("printed")
    if printed not in (None, "true", "false"):
        return error_response(422, "invalid_value", "true or false", "printed")
    jobs = list_print_jobs(
        tenant_of(request), printed=None if printed is None else printed == "true"
    )
    return json_response(PrintQueueOut(items=[PrintItemOut.of(job) for job in jobs]))


@paper.route("/v1/print-queue/{item_id}", methods=["GET"])
def get_print_item(item_id: str) -> Response:
    """The item's CMS-1500 (application/pdf), as it was printed into the queue."""
    from chalicelib.services.print_queue import print_job_pdf

    try:
        pdf = print_job_pdf(tenant_of(paper.current_request), item_id)
    except refusals() as error:
        return refusal_response(error, "itemId")
    headers: dict[str, str | list[str]] = {"Content-Type": "application/pdf"}
    return Response(body=pdf, status_code=200, headers=headers)


@paper.route("/v1/print-queue/{item_id}/printed", methods=["POST"])
def post_printed(item_id: str) -> Response:
    """Mark the item printed (once: a second mark is 409 already_printed)."""
    from chalicelib.actor import current_actor
    from chalicelib.services.print_queue import mark_printed

    actor = current_actor()
    try:
        job = mark_printed(
            tenant_of(paper.current_request),
            item_id,
            now=utcnow(),
            actor=(actor.name or actor.principal) if actor else None,
        )
    except refusals() as error:
        return refusal_response(error, "itemId")
    return json_response(PrintItemOut.of(job))
