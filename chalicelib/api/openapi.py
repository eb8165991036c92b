"""GET /v1/openapi.json: OpenAPI 3.1 generated from the pydantic models that validate requests
and shape responses, so the document cannot drift from the code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalice.app import Blueprint, Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .admin import (
    IssuedKeyOut,
    KeyIn,
    KeyListOut,
    KeyOut,
    OffboardingOut,
    RotatedOut,
    RotateIn,
    TenantIn,
    TenantOut,
)
from .appeals import AppealListOut, AppealOut
from .audit import AuditOut
from .authorizations import AuthorizationOut, AuthorizationPageOut, RulesOut, RulesVersionOut
from .clearinghouses import AccountIn, AccountListOut, AccountOut, RouteIn, RouteOut
from .collections import CollectionListOut
from .eligibility import BatchOut, EligibilityOut
from .inbound import ClaimFileOut, FileProblemOut, X12ErrorOut
from .manual_remittances import ManualRemittanceOut
from .operations import RunOut, RunPageOut, ScheduleListOut
from .paper import PrintItemOut, PrintQueueOut
from .patients import (
    LedgerOut,
    PatientOut,
    PaymentPostedOut,
    PlanListOut,
    PlanOut,
    PolicyOut,
    StatementListOut,
)
from .payers import FeeScheduleErrorOut, FeeScheduleOut, PayerOut, PayerUpdateIn
from .uploads import UploadIn, UploadOut
from .views import (
    ClaimCreatedOut,
    ClaimDetailOut,
    ClaimPageOut,
    ClaimSummaryOut,
    ErrorOut,
    FileOutcomeOut,
    ServerErrorOut,
    ValidationOut,
)
from .webhooks import DeliveryListOut, DeliveryOut, WebhookCreatedOut, WebhookIn, WebhookListOut
from .worklist import WorklistPageOut

docs = Blueprint(__name__)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad request (malformed JSON or query)",
        401: "Missing, unknown, revoked or expired x-api-key, or a suspended tenant",
        403: "The API key lacks a role this route takes (chalicelib/api/access.py)",
        503: "The read could not be recorded in the access audit: nothing shown, retry",
        413: "Body over the route's size limit",
        404: "Not found (also another tenant's claim)",
        409: "Conflict: duplicate claim, request in progress, or a concurrent update",
        415: "The body's Content-Type is not one this route takes",
        422: "Field-level errors, all of them at once (also JSON nested too deep)",
        502: "The payer or its clearinghouse did not answer, or answered what cannot be read",
        500: "Internal error: our fault, logged under the correlationId in the body",
    }
    # Every route may answer 500 (with the correlation id to find its log line by), and any
    # other error in the same shape.
    answers = {str(c): _json(ErrorOut, text[c]) for c in codes}
    return {**answers, "500": _json(ServerErrorOut, text[500]), "default": _DEFAULT_ERROR}


# Answers no route makes itself, in the same shape: 404 not_found for a path no route
# matches (the gateway), 405 method_not_allowed for a method the path does not take.
_DEFAULT_ERROR = _json(ErrorOut, "Any other error, in the same shape (unknown path 404, 405)")


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _x12_body(description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {
            media: {"schema": {"type": "string"}}
            for media in ("application/edi-x12", "text/plain", "application/octet-stream")
        },
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    from chalicelib.api.contract import ClaimRequest  # built on the first request for it

    from .authorization_request import AuthorizationIn, RulesIn
    from .eligibility_request import EligibilityIn
    from .manual_remittance_request import ManualRemittanceIn

    models: tuple[type[BaseModel], ...] = (
        ClaimRequest,
        ClaimCreatedOut,
        ClaimDetailOut,
        ClaimPageOut,
        ClaimSummaryOut,
        ErrorOut,
        ServerErrorOut,
        ValidationOut,
        FileOutcomeOut,
        ScheduleListOut,
        RunOut,
        RunPageOut,
        PayerOut,
        PayerUpdateIn,
        FeeScheduleOut,
        FeeScheduleErrorOut,
        WorklistPageOut,
        AppealOut,
        AppealListOut,
        PrintItemOut,
        PrintQueueOut,
        FileProblemOut,
        X12ErrorOut,
        ClaimFileOut,
        AccountIn,
        AccountOut,
        AccountListOut,
        RouteIn,
        RouteOut,
        WebhookIn,
        WebhookCreatedOut,
        WebhookListOut,
        DeliveryOut,
        TenantIn,
        TenantOut,
        KeyIn,
        KeyOut,
        IssuedKeyOut,
        KeyListOut,
        RotateIn,
        RotatedOut,
        AuditOut,
        OffboardingOut,
        BatchOut,
        DeliveryListOut,
        EligibilityIn,
        EligibilityOut,
        UploadIn,
        UploadOut,
        AuthorizationIn,
        AuthorizationOut,
        AuthorizationPageOut,
        RulesIn,
        RulesOut,
        RulesVersionOut,
        ManualRemittanceIn,
        ManualRemittanceOut,
        PatientOut,
        LedgerOut,
        PaymentPostedOut,
        StatementListOut,
        PolicyOut,
        PlanOut,
        PlanListOut,
        CollectionListOut,
    )
    inputs = (
        ManualRemittanceIn,
        AuthorizationIn,
        RulesIn,
        ClaimRequest,
        AccountIn,
        RouteIn,
        WebhookIn,
        EligibilityIn,
        UploadIn,
        TenantIn,
        KeyIn,
        RotateIn,
    )
    _, schemas = models_json_schema(
        [(m, "validation" if m in inputs else "serialization") for m in models],
        ref_template="#/components/schemas/{model}",
    )
    # The upload routes build each error of a file's answer with FileProblemOut.
    defs = schemas.get("$defs", {})
    defs["FileOutcomeOut"]["properties"]["errors"]["items"] = _ref(FileProblemOut)
    claim_body = {"required": True, "content": {"application/json": {"schema": _ref(ClaimRequest)}}}
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Same key and body within 24 h: the first answer, nothing created.",
        "schema": {"type": "string", "maxLength": 255},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "claimgate", "version": "1.0.0"},
        "components": {
            "schemas": defs,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
        "security": [{"apiKey": []}],
        "paths": {
            "/v1/claims": {
                "post": {
                    "summary": "Submit a claim (JSON 837P shape)",
                    "parameters": [idempotency],
                    "requestBody": claim_body,
                    "responses": {
                        "201": _json(ClaimCreatedOut, "Claim accepted for processing (queued)"),
                        **_errors(400, 401, 409, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "List claims, oldest update first, with a cursor",
                    "parameters": [
                        _query("status", "claim status", {"type": "string"}),
                        _query("payerId", "payer id", {"type": "string"}),
                        _query(
                            "updatedSince",
                            "ISO 8601 date-time",
                            {"type": "string", "format": "date-time"},
                        ),
                        _query(
                            "limit",
                            "page size (1-200)",
                            {"type": "integer", "minimum": 1, "maximum": 200},
                        ),
                        _query(
                            "cursor", "opaque cursor from the previous page", {"type": "string"}
                        ),
                    ],
                    "responses": {
                        "200": _json(ClaimPageOut, "A page of claims"),
                        **_errors(400, 401),
                    },
                },
            },
            "/v1/claims/validate": {
                "post": {
                    "summary": "Scrub a claim without storing anything",
                    "requestBody": claim_body,
                    "responses": {
                        "200": _json(ValidationOut, "Scrub findings"),
                        **_errors(400, 401, 413, 415, 422),
                    },
                }
            },
            "/v1/claims/{claimId}": {
                "get": {
                    "summary": "A claim with its status and history",
                    "parameters": [
                        {
                            "name": "claimId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"200": _json(ClaimDetailOut, "The claim"), **_errors(401, 404)},
                },
                "put": {
                    "summary": "Correct a rejected claim and queue it again (same id and PCN)",
                    "parameters": [_path("claimId")],
                    "requestBody": claim_body,
                    "responses": {
                        "200": _json(ClaimCreatedOut, "Queued again; the earlier version kept"),
                        **_errors(400, 401, 404, 409, 413, 415, 422),
                    },
                },
            },
            "/v1/claims/{claimId}/replacement": {
                "post": {
                    "summary": "Replace an adjudicated claim (frequency 7, REF*F8)",
                    "parameters": [_path("claimId")],
                    "requestBody": claim_body,
                    "responses": {
                        "201": _json(ClaimCreatedOut, "The replacement claim, queued"),
                        **_errors(400, 401, 404, 409, 413, 415, 422),
                    },
                }
            },
            "/v1/claims/{claimId}/void": {
                "post": {
                    "summary": "Void an adjudicated claim (frequency 8)",
                    "parameters": [_path("claimId")],
                    "responses": {
                        "201": _json(ClaimCreatedOut, "The void claim, queued"),
                        **_errors(401, 404, 409, 415),
                    },
                }
            },
            "/v1/claims/{claimId}/appeals": {
                "post": {
                    "summary": "Appeal a denied or underpaid claim (sent at once unless draft)",
                    "parameters": [_path("claimId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["argument"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "argument": {"type": "string", "maxLength": 4000},
                                        "lineNumbers": {
                                            "type": "array",
                                            "items": {"type": "integer", "minimum": 1},
                                        },
                                        "attachments": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "required": ["name", "contentBase64"],
                                                "properties": {
                                                    "name": {"type": "string"},
                                                    "contentBase64": {"type": "string"},
                                                },
                                            },
                                        },
                                        "draft": {"type": "boolean"},
                                        "deadline": {"type": "string", "format": "date"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(AppealOut, "The appeal"),
                        **_errors(401, 404, 409, 413, 422),
                    },
                },
                "get": {
                    "summary": "The claim's appeals",
                    "parameters": [_path("claimId")],
                    "responses": {"200": _json(AppealListOut, "Appeals"), **_errors(401, 404)},
                },
            },
            "/v1/claims/{claimId}/appeals/{appealId}/send": {
                "post": {
                    "summary": "Send a drafted appeal",
                    "parameters": [_path("claimId"), _path("appealId")],
                    "responses": {
                        "200": _json(AppealOut, "Sent"),
                        **_errors(401, 404, 409),
                    },
                }
            },
            "/v1/claims/{claimId}/appeals/{appealId}/outcome": {
                "post": {
                    "summary": "The payer's answer to a sent appeal: won, partially won, lost",
                    "parameters": [_path("claimId"), _path("appealId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "status": {"enum": ["won", "partially_won", "lost"]},
                                        "recovered": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(AppealOut, "The appeal, closed"),
                        **_errors(401, 404, 409, 422),
                    },
                }
            },
            "/v1/claims/{claimId}/appeals/{appealId}/letter": {
                "get": {
                    "summary": "The appeal letter (send Accept: application/pdf)",
                    "parameters": [_path("claimId"), _path("appealId")],
                    "responses": {
                        "200": {
                            "description": "The letter",
                            "content": {"application/pdf": {"schema": {"type": "string"}}},
                        },
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/v1/claims/{claimId}/cms1500.pdf": {
                "get": {
                    "summary": "The claim on the CMS-1500 (02/12) paper form (send Accept: "
                    "application/pdf); one page per six service lines, header X-Page-Count",
                    "parameters": [
                        _path("claimId"),
                        _query(
                            "form",
                            "print (default): the data alone, for the pre-printed red form; "
                            "drawn: with the form's boxes and labels, for review",
                            {"enum": ["print", "drawn"]},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "The form",
                            "content": {"application/pdf": {"schema": {"type": "string"}}},
                        },
                        **_errors(400, 401, 404, 422),
                    },
                }
            },
            "/v1/print-queue": {
                "get": {
                    "summary": "The print queue: CMS-1500s of claims to paper-only payers",
                    "parameters": [
                        _query(
                            "printed",
                            "true or false: only those (not) printed",
                            {"type": "boolean"},
                        )
                    ],
                    "responses": {
                        "200": _json(PrintQueueOut, "The queue, oldest first"),
                        **_errors(401, 422),
                    },
                }
            },
            "/v1/print-queue/{itemId}": {
                "get": {
                    "summary": "An item's CMS-1500 (send Accept: application/pdf)",
                    "parameters": [_path("itemId")],
                    "responses": {
                        "200": {
                            "description": "The form as queued",
                            "content": {"application/pdf": {"schema": {"type": "string"}}},
                        },
                        **_errors(401, 404),
                    },
                }
            },
            "/v1/print-queue/{itemId}/printed": {
                "post": {
                    "summary": "Mark an item printed (once)",
                    "parameters": [_path("itemId")],
                    "responses": {
                        "200": _json(PrintItemOut, "The item, printed"),
                        **_errors(401, 404, 409),
                    },
                }
            },
            "/v1/claims/{claimId}/close": {
                "post": {
                    "summary": "Close a claim: reason and amount written off",
                    "parameters": [_path("claimId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["reason"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "reason": {
                                            "enum": [
                                                "timely_filing",
                                                "small_balance",
                                                "not_covered",
                                                "bad_debt",
                                                "duplicate",
                                                "other",
                                            ]
                                        },
                                        "amountWrittenOff": {"type": "string"},
                                        "note": {"type": "string", "maxLength": 500},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(ClaimSummaryOut, "Closed"),
                        **_errors(400, 401, 404, 409, 415, 422),
                    },
                }
            },
            "/v1/claims/{claimId}/x12": {
                "get": {
                    "summary": "The 837P interchange exactly as it was sent",
                    "parameters": [_path("claimId")],
                    "responses": {
                        "200": {
                            "description": "The archived X12 bytes",
                            "content": {"application/edi-x12": {"schema": {"type": "string"}}},
                        },
                        **_errors(401, 404),
                    },
                }
            },
            "/v1/claim-files": {
                "post": {
                    "summary": "An 837P file: each claim scrubbed and queued like a JSON claim",
                    "requestBody": _x12_body("An 837P (005010X222A1) interchange"),
                    "responses": {
                        "200": _json(ClaimFileOut, "Per claim: its id and status, or its errors"),
                        **_errors(400, 401, 413, 415),
                        "422": _json(X12ErrorOut, "The file cannot be read: the located error"),
                    },
                }
            },
            "/v1/remittances": {
                "post": {
                    "summary": "Post an 835 delivered by upload",
                    "requestBody": _x12_body("An 835 (005010X221A1) file"),
                    "responses": {
                        "200": _json(FileOutcomeOut, "Applied, or already posted"),
                        "202": _json(
                            FileOutcomeOut, "Another delivery of it is being posted right now"
                        ),
                        **_errors(400, 401, 413, 415),
                        "422": _json(
                            FileOutcomeOut,
                            "Unreadable (located error), an 835 without TRN, or not an 835",
                        ),
                        "500": _json(FileOutcomeOut, "Failed while applied: archived, listed"),
                    },
                }
            },
            "/v1/remittances/manual": {
                "post": {
                    "summary": "Post a paper EOB by hand (paper-only payers): checked as the 835 "
                    "TR3 balances a claim payment, then posted as an 835 would be. Idempotency-Key "
                    "as other POSTs; the payer's check posted on the claim already: 409",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(ManualRemittanceIn)}},
                    },
                    "responses": {
                        "201": _json(
                            ManualRemittanceOut, "Posted: the claim's status, the payment"
                        ),
                        **_errors(400, 401, 409, 413, 422),
                    },
                }
            },
            "/v1/uploads": {
                "post": {
                    "summary": "Announce an X12 file too large for a request body: the answer "
                    "holds a presigned POST to send it straight to S3; its arrival applies it as "
                    "the direct route would (remittance, acknowledgment or claim-file)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(UploadIn)}},
                    },
                    "responses": {
                        "201": _json(UploadOut, "The upload, with the POST to send the file"),
                        **_errors(400, 401, 413, 415, 422),
                    },
                }
            },
            "/v1/uploads/{uploadId}": {
                "get": {
                    "summary": "What became of an upload: waiting, processing, or its result",
                    "parameters": [_path("uploadId")],
                    "responses": {"200": _json(UploadOut, "The upload"), **_errors(401, 404)},
                }
            },
            "/v1/inbound/{inboundId}": {
                "post": {
                    "summary": "A report a JSON clearinghouse pushes to an account's inboundUrl "
                    "(JSON with report_content, or the X12 itself); no API key: signed with the "
                    "account's webhookSecret in Claimgate-Signature (t=<unix>,v1=<hex "
                    "HMAC-SHA256 of '<t>.<body>'>), at most 5 minutes old",
                    "security": [],
                    "parameters": [
                        _path("inboundId"),
                        {
                            "name": "Claimgate-Signature",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            **_x12_body("The report")["content"],
                        },
                    },
                    "responses": {
                        "200": _json(FileOutcomeOut, "Applied, or applied before"),
                        "202": _json(FileOutcomeOut, "Another delivery is being applied now"),
                        **_errors(400, 401, 413, 415),
                        "422": _json(
                            FileOutcomeOut,
                            "Unreadable (located error), or addressed to another submitter id",
                        ),
                        "500": _json(FileOutcomeOut, "Failed while applied: archived, listed"),
                    },
                }
            },
            "/v1/acknowledgments": {
                "post": {
                    "summary": "Apply a 999, 277CA or 277 delivered by upload",
                    "requestBody": _x12_body("A 999, 277CA or 277 file"),
                    "responses": {
                        "200": _json(FileOutcomeOut, "Applied, or already applied"),
                        "202": _json(
                            FileOutcomeOut, "Another delivery of it is being applied right now"
                        ),
                        **_errors(400, 401, 413, 415),
                        "422": _json(FileOutcomeOut, "Unreadable (located error) or wrong type"),
                        "500": _json(FileOutcomeOut, "Failed while applied: archived, listed"),
                    },
                }
            },
            "/v1/schedules": {
                "get": {
                    "summary": "The schedules and their rates (operators)",
                    "responses": {"200": _json(ScheduleListOut, "Schedules"), **_errors(401, 403)},
                }
            },
            "/v1/schedules/{name}/runs": {
                "post": {
                    "summary": "Start a run of a schedule now and return its record (operators)",
                    "parameters": [_path("name")],
                    "responses": {"201": _json(RunOut, "The run"), **_errors(401, 403, 404)},
                }
            },
            "/v1/runs": {
                "get": {
                    "summary": "Runs, newest first (operators)",
                    "parameters": [
                        _query("schedule", "schedule name", {"type": "string"}),
                        _query(
                            "cursor", "opaque cursor from the previous page", {"type": "string"}
                        ),
                    ],
                    "responses": {
                        "200": _json(RunPageOut, "A page of runs"),
                        **_errors(400, 401, 403),
                    },
                }
            },
            "/v1/runs/{runId}": {
                "get": {
                    "summary": "One run: counts and errors with claim ids (operators)",
                    "parameters": [_path("runId")],
                    "responses": {"200": _json(RunOut, "The run"), **_errors(401, 403, 404)},
                }
            },
            "/v1/payers/{payerId}": {
                "get": {
                    "summary": "A payer: directory entry, the follow-up policy in force, fee "
                    "schedule versions",
                    "parameters": [_path("payerId")],
                    "responses": {"200": _json(PayerOut, "The payer"), **_errors(401, 404)},
                },
                "put": {
                    "summary": "Set the tenant's follow-up policy for this payer",
                    "parameters": [_path("payerId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(PayerUpdateIn)}},
                    },
                    "responses": {
                        "200": _json(PayerOut, "The payer"),
                        **_errors(400, 401, 404, 409, 413, 415, 422),
                    },
                },
            },
            "/v1/payers/{payerId}/route": {
                "get": {
                    "summary": "Which of the tenant's clearinghouse accounts carries this payer",
                    "parameters": [_path("payerId")],
                    "responses": {"200": _json(RouteOut, "The route"), **_errors(401, 404)},
                },
                "put": {
                    "summary": "Route the payer's claims through one of the tenant's accounts, "
                    "under the clearinghouse's own id for the payer (2010BB NM109)",
                    "parameters": [_path("payerId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(RouteIn)}},
                    },
                    "responses": {
                        "200": _json(RouteOut, "The route"),
                        **_errors(400, 401, 409, 413, 415, 422),
                    },
                },
                "delete": {
                    "summary": "Back to the directory's default connection for this payer",
                    "parameters": [_path("payerId")],
                    "responses": {"204": {"description": "Removed"}, **_errors(401, 404, 409)},
                },
            },
            "/v1/clearinghouses": {
                "get": {
                    "summary": "The tenant's clearinghouse accounts (never their secrets)",
                    "responses": {"200": _json(AccountListOut, "The accounts"), **_errors(401)},
                }
            },
            "/v1/clearinghouses/{accountId}": {
                "get": {
                    "summary": "One clearinghouse account (never its secret)",
                    "parameters": [_path("accountId")],
                    "responses": {"200": _json(AccountOut, "The account"), **_errors(401, 404)},
                },
                "put": {
                    "summary": "Create or replace an account: sftp (host, pinned host key, "
                    "submitter and receiver ids, folders, password or private key), http_json "
                    "(baseUrl, submitter and receiver ids, OAuth2 client credentials or an "
                    "apiKey, webhookSecret) or sandbox; "
                    "credentials go to the secret store and are never returned; a PUT without "
                    "them keeps the stored ones",
                    "parameters": [_path("accountId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(AccountIn)}},
                    },
                    "responses": {
                        "200": _json(AccountOut, "The account, replaced"),
                        "201": _json(AccountOut, "The account, created"),
                        **_errors(400, 401, 409, 413, 415, 422),
                    },
                },
                "delete": {
                    "summary": "Remove an account and its secret (refused while payers are "
                    "routed through it)",
                    "parameters": [_path("accountId")],
                    "responses": {"204": {"description": "Removed"}, **_errors(401, 404, 409)},
                },
            },
            "/v1/payers/{payerId}/fee-schedules": {
                "put": {
                    "summary": "Upload contracted rates as a new version (JSON rows or CSV)",
                    "parameters": [_path("payerId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"type": "array"}},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "201": _json(FeeScheduleOut, "The stored version"),
                        **_errors(400, 401, 404, 409, 413, 415),
                        "422": _json(
                            FeeScheduleErrorOut, "Every row error at once, with its row and field"
                        ),
                    },
                }
            },
            "/v1/patients/{patientId}": {
                "get": {
                    "summary": "A patient account (the practice's account number, REF*EA or "
                    "CLM01): who was billed, balance, aging by days since patient-owed",
                    "parameters": [_path("patientId")],
                    "responses": {"200": _json(PatientOut, "The account"), **_errors(401, 404)},
                },
                "put": {
                    "summary": 'The account\'s settings: {"doNotSend": true} holds its '
                    "statements (dispute, bankruptcy, deceased); the balance stays and ages",
                    "parameters": [_path("patientId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["doNotSend"],
                                    "properties": {"doNotSend": {"type": "boolean"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(PatientOut, "The account"),
                        **_errors(400, 401, 403, 404, 413, 415, 422),
                    },
                },
            },
            "/v1/patients/{patientId}/payment-plans": {
                "post": {
                    "summary": "Agree a payment plan: the balance (or total) in monthly "
                    "instalments, by number or amount, from startDate; one active plan at a "
                    "time; a missed instalment defaults it after the tenant's grace days",
                    "parameters": [_path("patientId"), idempotency],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "total": {"type": "string", "example": "300.00"},
                                        "instalments": {"type": "integer", "maximum": 60},
                                        "instalmentAmount": {"type": "string"},
                                        "startDate": {"type": "string", "format": "date"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(PlanOut, "The plan and its instalments"),
                        **_errors(400, 401, 403, 404, 409, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "The patient's plans with each instalment paid, due, missed or "
                    "upcoming as of today",
                    "parameters": [_path("patientId")],
                    "responses": {"200": _json(PlanListOut, "The plans"), **_errors(401, 404)},
                },
            },
            "/v1/patients/{patientId}/statements": {
                "get": {
                    "summary": "The patient's statements, one per cycle, oldest first",
                    "parameters": [_path("patientId")],
                    "responses": {
                        "200": _json(StatementListOut, "The statements"),
                        **_errors(401, 404),
                    },
                }
            },
            "/v1/patients/{patientId}/statements/{cycle}": {
                "get": {
                    "summary": "One statement as JSON (visits, what each payer paid and "
                    "adjusted, what the patient owes and why, due date), or the PDF mailed "
                    "with Accept: application/pdf",
                    "parameters": [_path("patientId"), _path("cycle")],
                    "responses": {
                        "200": {
                            "description": "The statement",
                            "content": {
                                "application/json": {"schema": {"type": "object"}},
                                "application/pdf": {
                                    "schema": {"type": "string", "format": "binary"}
                                },
                            },
                        },
                        **_errors(401, 404),
                    },
                }
            },
            "/v1/collections/export": {
                "get": {
                    "summary": "For the collection agency: every account sent to collections "
                    "(guarantor, address, placed on and amount, payments recorded since, balance)"
                    " as CSV, or ?format=json",
                    "parameters": [
                        _query("format", "csv (default) or json", {"enum": ["csv", "json"]})
                    ],
                    "responses": {
                        "200": {
                            "description": "The accounts",
                            "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": _ref(CollectionListOut)},
                            },
                        },
                        **_errors(401, 403, 422),
                    },
                }
            },
            "/v1/patient-billing/policy": {
                "get": {
                    "summary": "The tenant's patient billing policy (defaults until changed)",
                    "responses": {"200": _json(PolicyOut, "The policy"), **_errors(401)},
                },
                "put": {
                    "summary": "Change some settings of the patient billing policy: statement "
                    "cycle, minimum, due days, how to pay, plan grace days, dunning days, "
                    "small-balance write-off",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(PolicyOut)}},
                    },
                    "responses": {
                        "200": _json(PolicyOut, "The policy"),
                        **_errors(400, 401, 403, 413, 415, 422),
                    },
                },
            },
            "/v1/patients/{patientId}/ledger": {
                "get": {
                    "summary": "Every entry of the account, oldest first: the patient's share "
                    "of each visit once its last payer finished (with what each payer paid and "
                    "the PR reasons), payments, refunds, reversals, write-offs",
                    "parameters": [_path("patientId")],
                    "responses": {"200": _json(LedgerOut, "The ledger"), **_errors(401, 404)},
                }
            },
            "/v1/patients/{patientId}/payments": {
                "post": {
                    "summary": "Post a patient payment or refund, once per Idempotency-Key "
                    "and per paymentId (201; 200 when that payment was posted before)",
                    "parameters": [_path("patientId"), idempotency],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["amount", "method"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "amount": {"type": "string", "example": "25.00"},
                                        "kind": {"enum": ["payment", "refund"]},
                                        "method": {
                                            "enum": ["cash", "check", "card", "ach", "other"]
                                        },
                                        "receivedOn": {"type": "string", "format": "date"},
                                        "reference": {"type": "string", "maxLength": 64},
                                        "note": {"type": "string", "maxLength": 500},
                                        "paymentId": {"type": "string", "maxLength": 64},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(PaymentPostedOut, "The entry and the account after it"),
                        "200": _json(PaymentPostedOut, "The same payment, posted before"),
                        **_errors(400, 401, 403, 404, 409, 413, 415, 422),
                    },
                }
            },
            "/v1/worklist": {
                "get": {
                    "summary": "What needs a person, oldest first: rejections, denials with a "
                    "suggested next action, payment mismatches, requests for information, "
                    "timely-filing risk, unmatched remittances",
                    "parameters": [
                        _query("kind", "worklist kind", {"type": "string"}),
                        _query("payerId", "payer id", {"type": "string"}),
                        _query("olderThan", "ISO 8601 date-time", {"type": "string"}),
                        _query("assignee", "entries assigned to this person", {"type": "string"}),
                        _query(
                            "includeSnoozed",
                            "true: also entries snoozed till later",
                            {"type": "boolean"},
                        ),
                        _query("limit", "page size (1-200)", {"type": "integer"}),
                        _query(
                            "cursor", "opaque cursor from the previous page", {"type": "string"}
                        ),
                    ],
                    "responses": {
                        "200": _json(WorklistPageOut, "A page of items"),
                        **_errors(400, 401),
                    },
                }
            },
            "/v1/worklist/{itemId}/actions": {
                "post": {
                    "summary": "Assign, note, snooze or resolve one entry (its id from the list)",
                    "parameters": [_path("itemId")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["action"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "action": {"enum": ["assign", "note", "snooze", "resolve"]},
                                        "assignee": {"type": "string", "maxLength": 500},
                                        "note": {"type": "string", "maxLength": 500},
                                        "until": {"type": "string", "format": "date-time"},
                                        "outcome": {"type": "string", "maxLength": 500},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "204": {"description": "Done"},
                        **_errors(401, 404, 409, 422),
                    },
                }
            },
            "/v1/webhooks": {
                "post": {
                    "summary": "Register an endpoint for events (claim.status_changed, "
                    "claim.paid, remittance.unmatched, worklist.item_created, run.failed); the "
                    "signing secret is in "
                    "this answer only. Deliveries are signed: Claimgate-Signature: "
                    "t=<unix>,v1=<hex HMAC-SHA256 of '<t>.<body>'>",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(WebhookIn)}},
                    },
                    "responses": {
                        "201": _json(WebhookCreatedOut, "The endpoint and its signing secret"),
                        **_errors(400, 401, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "The tenant's webhook endpoints",
                    "responses": {"200": _json(WebhookListOut, "The endpoints"), **_errors(401)},
                },
            },
            "/v1/webhooks/{webhookId}": {
                "delete": {
                    "summary": "Remove an endpoint and its secret",
                    "parameters": [_path("webhookId")],
                    "responses": {"204": {"description": "Removed"}, **_errors(401, 404)},
                }
            },
            "/v1/webhooks/{webhookId}/deliveries": {
                "get": {
                    "summary": "Deliveries to the endpoint, newest first: status (pending, "
                    "delivered, dead), tries, the last answer",
                    "parameters": [
                        _path("webhookId"),
                        _query("limit", "page size (1-200)", {"type": "integer"}),
                    ],
                    "responses": {
                        "200": _json(DeliveryListOut, "The deliveries"),
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay": {
                "post": {
                    "summary": "Send a delivery again (a dead one included) at the next run",
                    "parameters": [_path("webhookId"), _path("deliveryId")],
                    "responses": {
                        "202": _json(DeliveryOut, "The delivery, pending again"),
                        **_errors(401, 404, 409),
                    },
                }
            },
            "/v1/eligibility": {
                "post": {
                    "summary": "Check a member's coverage now (a 270 to the payer through the "
                    "tenant's connection, its 271 answered in plain words: active or not, plan, "
                    "benefits with copay, coinsurance, deductible and what remains, other "
                    "payers, AAA rejections with what to do)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(EligibilityIn)}},
                    },
                    "responses": {
                        "200": _json(EligibilityOut, "The payer's answer"),
                        **_errors(400, 401, 413, 415, 422, 502),
                    },
                }
            },
            "/v1/eligibility/batches": {
                "post": {
                    "summary": "Check up to 1,000 members in the background (upcoming visits): "
                    '{"requests": [...]}, each in the shape of POST /v1/eligibility; 202 with '
                    "the batch, every problem of every request at once otherwise",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["requests"],
                                    "properties": {
                                        "requests": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 1000,
                                            "items": _ref(EligibilityIn),
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": _json(BatchOut, "The batch, checked in the background"),
                        **_errors(400, 401, 403, 413, 415, 422),
                    },
                }
            },
            "/v1/eligibility/batches/{batchId}": {
                "get": {
                    "summary": "A batch's progress and each request's result so far",
                    "parameters": [_path("batchId")],
                    "responses": {"200": _json(BatchOut, "The batch"), **_errors(401, 404)},
                }
            },
            "/v1/eligibility/{eligibilityId}": {
                "get": {
                    "summary": "An earlier check and its answer",
                    "parameters": [_path("eligibilityId")],
                    "responses": {"200": _json(EligibilityOut, "The check"), **_errors(401, 404)},
                }
            },
            "/": {
                "get": {
                    "summary": "Sends a browser to the console (302)",
                    "security": [],
                    "responses": {"302": {"description": "Location: console"}},
                }
            },
            "/console": {
                "get": {
                    "summary": "The operators' and billers' page (HTML; the API key is entered "
                    "in the page, never in the address)",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The page",
                            "content": {"text/html": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/console/{asset}": {
                "get": {
                    "summary": "The page's script (console.js) and style (console.css)",
                    "security": [],
                    "parameters": [_path("asset")],
                    "responses": {
                        "200": {
                            "description": "The file",
                            "content": {
                                "text/javascript": {"schema": {"type": "string"}},
                                "text/css": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors(404),
                    },
                }
            },
            "/v1/reports/{name}": {
                "get": {
                    "summary": "A report: ar-aging (by payer or patient, 0-30 ... 120+ days "
                    "from the date of service; the buckets sum to the open balance), cash "
                    "(deposits reconciled with their 835s), collections, denials, "
                    "underpayments (recovered on appeal), first-pass (acceptance rate), "
                    "days-in-ar. JSON, or CSV with the same rows",
                    "parameters": [
                        _path("name"),
                        _query("from", "YYYY-MM-DD (default: 90 days to `to`)", {"type": "string"}),
                        _query(
                            "to",
                            "YYYY-MM-DD (default: today; ar-aging's as-of day)",
                            {"type": "string"},
                        ),
                        _query("format", "json (default) or csv", {"type": "string"}),
                        _query("by", "ar-aging: payer (default) or patient", {"type": "string"}),
                    ],
                    "responses": {
                        "200": {
                            "description": "The report (with itemsRead: what it cost)",
                            "content": {
                                "application/json": {"schema": {"type": "object"}},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/v1/authorizations": {
                "post": {
                    "summary": "Record a prior authorization or referral the payer gave "
                    "(procedures, units, dates, rendering provider): claims naming its number "
                    "(REF*G1 / REF*9F) are held to it and count its units down",
                    "parameters": [idempotency],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(AuthorizationIn)}},
                    },
                    "responses": {
                        "201": _json(AuthorizationOut, "The authorization"),
                        **_errors(400, 401, 403, 409, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "The tenant's authorizations with the units claims used",
                    "parameters": [
                        _query("payerId", "Only this payer's", {"type": "string"}),
                        _query("limit", "Page size (1-200)", {"type": "integer"}),
                        _query("cursor", "Where the last page ended", {"type": "string"}),
                    ],
                    "responses": {
                        "200": _json(AuthorizationPageOut, "A page"),
                        **_errors(400, 401),
                    },
                },
            },
            "/v1/authorizations/{authorizationId}": {
                "get": {
                    "summary": "An authorization, its units used and left, and the claims "
                    "(patient control numbers) that used them",
                    "parameters": [_path("authorizationId")],
                    "responses": {
                        "200": _json(AuthorizationOut, "The authorization"),
                        **_errors(401, 404),
                    },
                }
            },
            "/v1/payers/{payerId}/authorization-rules": {
                "put": {
                    "summary": "A new version of the procedures the payer authorizes first, "
                    "each from a date (and to one); a row with required false lifts an older "
                    "requirement. Earlier versions are kept",
                    "parameters": [_path("payerId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(RulesIn)}},
                    },
                    "responses": {
                        "201": _json(RulesVersionOut, "The version"),
                        **_errors(400, 401, 403, 404, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "Every version of the payer's authorization rules",
                    "parameters": [_path("payerId")],
                    "responses": {"200": _json(RulesOut, "The versions"), **_errors(401)},
                },
            },
            "/v1/admin/tenants": {
                "post": {
                    "summary": "Admins: create a tenant (a practice)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(TenantIn)}},
                    },
                    "responses": {
                        "201": _json(TenantOut, "The tenant"),
                        **_errors(400, 401, 403, 409, 422),
                    },
                }
            },
            "/v1/admin/tenants/{tenantId}": {
                "get": {
                    "summary": "Admins: a tenant",
                    "parameters": [_path("tenantId")],
                    "responses": {"200": _json(TenantOut, "The tenant"), **_errors(401, 403, 404)},
                }
            },
            **{
                f"/v1/admin/tenants/{{tenantId}}/{action}": {
                    "post": {
                        "summary": f"Admins: {action} the tenant ({what})",
                        "parameters": [_path("tenantId")],
                        "responses": {
                            "200": _json(TenantOut, "The tenant"),
                            **_errors(401, 403, 404),
                        },
                    }
                }
                for action, what in (
                    ("suspend", "every key of it refused"),
                    ("resume", "its keys work again"),
                )
            },
            "/v1/admin/tenants/{tenantId}/keys": {
                "post": {
                    "summary": "Admins: issue a key with roles, a name and an optional expiry; "
                    "the key is in this answer only (kept as a hash)",
                    "parameters": [_path("tenantId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(KeyIn)}},
                    },
                    "responses": {
                        "201": _json(IssuedKeyOut, "The key, shown once"),
                        **_errors(400, 401, 403, 404, 422),
                    },
                },
                "get": {
                    "summary": "Admins: the tenant's keys (prefix, roles, name, last use)",
                    "parameters": [_path("tenantId")],
                    "responses": {
                        "200": _json(KeyListOut, "The keys, never a secret"),
                        **_errors(401, 403, 404),
                    },
                },
            },
            "/v1/admin/tenants/{tenantId}/keys/{keyId}/rotate": {
                "post": {
                    "summary": "Admins: a new key like this one; this one works for graceHours",
                    "parameters": [_path("tenantId"), _path("keyId")],
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref(RotateIn)}},
                    },
                    "responses": {
                        "201": _json(RotatedOut, "The new key (shown once) and the old"),
                        **_errors(400, 401, 403, 404, 409, 422),
                    },
                }
            },
            "/v1/admin/tenants/{tenantId}/keys/{keyId}": {
                "delete": {
                    "summary": "Admins: revoke the key (refused everywhere within a minute)",
                    "parameters": [_path("tenantId"), _path("keyId")],
                    "responses": {"200": _json(KeyOut, "The key"), **_errors(401, 403, 404)},
                }
            },
            "/v1/admin/tenants/{tenantId}/offboarding": {
                "post": {
                    "summary": "Admins: export all of a suspended tenant's data to its own "
                    "prefix of the archive bucket, then delete it; works about 20 s a call "
                    "(202 while it goes on: call again; 200 when done)",
                    "parameters": [_path("tenantId")],
                    "responses": {
                        "200": _json(OffboardingOut, "Done"),
                        "202": _json(OffboardingOut, "Going on: call again"),
                        **_errors(401, 403, 404, 409),
                    },
                },
                "get": {
                    "summary": "Admins: where the tenant's offboarding stands (kept when done)",
                    "parameters": [_path("tenantId")],
                    "responses": {
                        "200": _json(OffboardingOut, "The record"),
                        **_errors(401, 403, 404),
                    },
                },
            },
            "/v1/audit": {
                "get": {
                    "summary": "Admins: the access audit of one tenant (who read which "
                    "patient's data, when), up to 31 days; format=csv for a review",
                    "parameters": [
                        _query("tenantId", "The tenant (required)", {"type": "string"}),
                        _query("from", "First day, CCYY-MM-DD (today)", {"type": "string"}),
                        _query("to", "Last day, CCYY-MM-DD (today)", {"type": "string"}),
                        _query("principal", "A key id", {"type": "string"}),
                        _query("resource", "A path and what lies under it", {"type": "string"}),
                        _query("format", "json or csv", {"enum": ["json", "csv"]}),
                    ],
                    "responses": {
                        "200": _json(AuditOut, "The records, oldest first"),
                        **_errors(401, 403, 422),
                    },
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
    }


@docs.route("/v1/openapi.json", methods=["GET"])
def openapi() -> Response:
    return Response(
        body=openapi_document(), status_code=200, headers={"Content-Type": "application/json"}
    )
