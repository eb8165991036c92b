"""The use cases' refusals as the API's errors, in one place for every route that changes a
claim: a refused request (services.errors.RefusedError) is 404 / 422 / 409 by its code, a
missing claim 404, a claim that failed scrubbing 422 with every finding, a lifecycle step
the claim cannot take or a concurrent change 409."""

from __future__ import annotations

from chalice.app import Response

from .http import error_response, problems_response
from .views import ProblemOut


def refusals() -> tuple[type[Exception], ...]:
    """What `refusal_response` answers (imported on first use: the use cases are not loaded
    at cold start)."""
    from chalicelib.claims.errors import LifecycleError
    from chalicelib.services.claims import ClaimNotFoundError, ClaimRejectedError
    from chalicelib.services.errors import ConcurrentUpdateError, RefusedError

    return (
        RefusedError,
        ClaimNotFoundError,
        ClaimRejectedError,
        LifecycleError,
        ConcurrentUpdateError,
    )


def refusal_response(error: Exception, field: str | None = None) -> Response:
    from chalicelib.claims.errors import LifecycleError
    from chalicelib.services.claims import ClaimNotFoundError, ClaimRejectedError
    from chalicelib.services.errors import RefusedError

    if isinstance(error, RefusedError):
        if error.code == "not_found":
            status = 404
        elif error.code == "not_supported" or error.code.startswith("invalid_"):
            status = 422
        else:
            status = 409
        return error_response(status, error.code, error.reason, field)
    if isinstance(error, ClaimNotFoundError):
        return error_response(404, "not_found", "no such claim", "claimId")
    if isinstance(error, ClaimRejectedError):
        return problems_response(
            422, "the claim failed scrubbing", [ProblemOut.of(f) for f in error.findings]
        )
    if isinstance(error, LifecycleError):
        return error_response(409, "not_allowed_in_status", str(error))
    return error_response(409, "concurrent_update", "the claim changed meanwhile: retry")
