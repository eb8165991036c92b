"""Paper claims: the CMS-1500 of a claim (PDF)."""

from __future__ import annotations

from collections.abc import Mapping

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import error_response
from .refusals import refusal_response, refusals

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
