"""Large X12 files through S3: `POST /v1/uploads` announces a file and answers a presigned
POST to send it with (straight to S3, past the 6 MB a request body can carry);
`GET /v1/uploads/{uploadId}` shows what became of it (chalicelib.services.uploads)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.clock import utcnow
from chalicelib.config import settings

from .auth import tenant_of
from .http import BodyError, json_body, json_response, problems_response, schema_problems
from .refusals import refusal_response, refusals
from .views import View

if TYPE_CHECKING:
    from chalicelib.services.uploads import Upload

uploads = Blueprint(__name__)


class UploadIn(BaseModel):
    """`kind`: what the file holds, as the direct routes take it: `remittance` (835, as
    POST /v1/remittances), `acknowledgment` (999, 277CA, 277), `claim-file` (837P)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["remittance", "acknowledgment", "claim-file"]
    fileName: str = Field(  # noqa: N815 - wire name
        default="upload", min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._ -]+$"
    )


class PresignedPostOut(View):
    """POST the file to `url` as multipart/form-data: every field of `fields`, then the file
    as the field named `file`, last."""

    method: str
    url: str
    fields: dict[str, str]
    maxBytes: int  # noqa: N815


class UploadOut(View):
    uploadId: str  # noqa: N815
    kind: str
    fileName: str  # noqa: N815
    # awaiting_file | processing | applied | duplicate | unreadable | refused | failed | expired
    status: str
    createdAt: datetime  # noqa: N815
    expiresAt: datetime  # noqa: N815 - the presigned POST's end
    size: int | None
    receivedAt: datetime | None  # noqa: N815
    finishedAt: datetime | None  # noqa: N815
    result: dict[str, object]
    upload: PresignedPostOut | None = None

    @classmethod
    def of(cls, found: Upload, form: dict[str, object] | None = None) -> UploadOut:
        post = None
        if form is not None:
            fields = form["fields"]
            post = PresignedPostOut(
                method="POST",
                url=str(form["url"]),
                fields={str(k): str(v) for k, v in fields.items()}
                if isinstance(fields, dict)
                else {},
                maxBytes=settings().upload_max_bytes,
            )
        return cls(
            uploadId=found.upload_id,
            kind=found.kind,
            fileName=found.file_name,
            status=found.status,
            createdAt=found.created_at,
            expiresAt=found.expires_at,
            size=found.size,
            receivedAt=found.received_at,
            finishedAt=found.finished_at,
            result=dict(found.result),
            upload=post,
        )


@uploads.route("/v1/uploads", methods=["POST"])
def start_upload() -> Response:
    from chalicelib.services import uploads as service

    request = uploads.current_request
    try:
        given = UploadIn.model_validate(json_body(request, max_bytes=4096))
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the upload is not valid", schema_problems(error))
    try:
        found, form = service.start_upload(
            tenant_of(request), kind=given.kind, file_name=given.fileName, now=utcnow()
        )
    except refusals() as error:
        return refusal_response(error, "kind")
    return json_response(UploadOut.of(found, form), 201)


@uploads.route("/v1/uploads/{upload_id}", methods=["GET"])
def get_upload(upload_id: str) -> Response:
    from chalicelib.services import uploads as service

    try:
        found = service.get_upload(tenant_of(uploads.current_request), upload_id)
    except refusals() as error:
        return refusal_response(error, "uploadId")
    return json_response(UploadOut.of(found))
