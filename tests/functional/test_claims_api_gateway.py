"""The JSON clearinghouse gateway against a real HTTP server on 127.0.0.1 that implements the
documented endpoints and their error answers: accepted and refused claims (errors under our
request paths), OAuth2 tokens fetched once and again after a 401, 429 with Retry-After, 5xx,
no answer in time, a body that is no JSON, a dropped connection; reports listed, downloaded
and deleted; raw X12 status inquiries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.payers.gateways.base import (
    GatewayBusyError,
    GatewayError,
    GatewayTimeoutError,
    SubmissionRejectedError,
)
from chalicelib.payers.gateways.claims_api import (
    ClaimsApiCredentials,
    ClaimsApiGateway,
    ClaimsApiSettings,
    LoginRefusedError,
    request_path,
)
from tests.claims_api_server import ClaimsApiServer, Fault
from tests.functional.conftest import contract


@pytest.fixture
def server() -> Iterator[ClaimsApiServer]:
    with ClaimsApiServer() as running:
        yield running


def gateway(server: ClaimsApiServer, **creds: Any) -> ClaimsApiGateway:
    credentials = creds or {"client_id": server.client_id, "client_secret": server.client_secret}
    return ClaimsApiGateway(
        "api",
        ClaimsApiSettings(
            base_url=server.url,
            receiver_id="APICH",
            token_url=None if "api_key" in credentials else server.token_url,
            timeout_seconds=1.0,
        ),
        ClaimsApiCredentials(**credentials),
    )


def body(control: str = "000000001") -> bytes:
    claim = contract("claim-basic.json")
    claim["controlNumber"] = control
    return json.dumps(claim).encode()


def test_an_accepted_claim_gives_the_clearinghouse_reference(server: ClaimsApiServer) -> None:
    api = gateway(server)
    first = api.submit("ETIN1", body("000000001"))
    second = api.submit("ETIN1", body("000000002"))
    assert (first.reference, second.reference) == ("CORR000001", "CORR000002")
    assert [s["controlNumber"] for s in server.submissions] == ["000000001", "000000002"]
    assert server.tokens_issued == 1  # the token is kept while it is valid


def test_a_refused_claim_names_our_request_fields(server: ClaimsApiServer) -> None:
    server.edits.append(
        lambda claim: [
            {
                "field": "claimInformation.serviceLines.0.professionalService.procedureCode",
                "value": "99999",
                "code": "33",
                "description": "Procedure code is not valid",
                "followupAction": "Please Correct and Resubmit",
            },
            {"field": "$.subscriber.memberId", "code": "72", "description": "Invalid member"},
        ]
    )
    with pytest.raises(SubmissionRejectedError) as refused:
        gateway(server).submit("ETIN1", body())
    problems = refused.value.problems
    assert [p.field for p in problems] == [
        "claimInformation.serviceLines[0].professionalService.procedureCode",
        "subscriber.memberId",
    ]
    assert problems[0].code == "33"
    assert problems[0].message == "Procedure code is not valid"
    assert problems[0].followup == "Please Correct and Resubmit"
    assert server.submissions == []


def test_429_keeps_the_retry_after_and_5xx_is_retried_later(server: ClaimsApiServer) -> None:
    api = gateway(server)
    server.fail_next("/professionalclaims", Fault("status", 429, retry_after="7"))
    with pytest.raises(GatewayBusyError) as busy:
        api.submit("ETIN1", body())
    assert busy.value.retry_after == 7.0
    server.fail_next("/professionalclaims", Fault("status", 503))
    with pytest.raises(GatewayError) as failed:
        api.submit("ETIN1", body())
    assert not isinstance(failed.value, SubmissionRejectedError)
    assert "503" in str(failed.value)
    assert api.submit("ETIN1", body()).reference == "CORR000001"


@pytest.mark.parametrize(
    "fault", [Fault("slow", seconds=1.5), Fault("garbage"), Fault("drop")], ids=lambda f: f.kind
)
def test_an_answer_that_never_comes_or_cannot_be_read_is_resent_and_taken_once(
    server: ClaimsApiServer, fault: Fault
) -> None:
    """The claim may have been taken: the same bytes go again with the same Idempotency-Key
    and the clearinghouse answers its first answer, so it holds the claim once."""
    api = gateway(server)
    server.fail_next("/professionalclaims", fault)
    with pytest.raises(GatewayTimeoutError):
        api.submit("ETIN1", body())
    again = api.submit("ETIN1", body())
    assert again.reference == "CORR000001"
    assert len(server.submissions) == 1


def test_a_refused_client_secret_and_an_expired_token(server: ClaimsApiServer) -> None:
    with pytest.raises(LoginRefusedError):
        gateway(server, client_id=server.client_id, client_secret="wrong").submit("E", body())
    api = gateway(server)
    api.submit("ETIN1", body("000000001"))
    server.revoke_tokens()  # the clearinghouse forgot our token: 401, a new one, once
    assert api.submit("ETIN1", body("000000002")).reference == "CORR000002"
    assert server.tokens_issued == 2


def test_an_api_key_account(server: ClaimsApiServer) -> None:
    server.api_key = "key-123"
    assert gateway(server, api_key="key-123").submit("ETIN1", body()).reference
    with pytest.raises(LoginRefusedError):
        gateway(server, api_key="other").submit("ETIN1", body())


def test_reports_are_listed_downloaded_and_deleted_when_applied(server: ClaimsApiServer) -> None:
    api = gateway(server)
    server.add_report("R0001.277", b"ISA*277CA...~")
    server.add_report("R0002.835", b"ISA*835...~")
    batch = api.fetch_inbound("ETIN1", None)
    assert [(f.name, f.content) for f in batch.files] == [
        ("R0001.277", b"ISA*277CA...~"),
        ("R0002.835", b"ISA*835...~"),
    ]
    api.acknowledge("ETIN1", ["R0001.277", "R0002.835"])
    assert server.deleted == ["R0001.277", "R0002.835"]
    assert api.fetch_inbound("ETIN1", None).files == ()
    api.acknowledge("ETIN1", ["R0001.277"])  # already gone: nothing to do
    with pytest.raises(GatewayError):
        api.acknowledge("ETIN1", ["../../etc/passwd"])


def test_a_failing_report_listing_is_an_error_not_an_empty_mailbox(
    server: ClaimsApiServer,
) -> None:
    server.fail_next("/reports", Fault("garbage"))
    with pytest.raises(GatewayError, match="not JSON"):
        gateway(server).fetch_inbound("ETIN1", None)
    server.fail_next("/reports", Fault("status", 500))
    with pytest.raises(GatewayError, match="500"):
        gateway(server).fetch_inbound("ETIN1", None)


def test_claim_status_goes_as_raw_x12(server: ClaimsApiServer) -> None:
    server.raw_x12["/claimstatus/v2/raw-x12"] = "ISA*00*277...~"
    assert gateway(server).claim_status("ETIN1", b"ISA*00*276...~") == b"ISA*00*277...~"
    with pytest.raises(GatewayError, match="eligibility"):
        gateway(server).eligibility("ETIN1", b"ISA*00*270...~")  # no answer configured: 404


def test_nobody_listening_is_a_connection_error() -> None:
    api = ClaimsApiGateway(
        "api",
        ClaimsApiSettings(base_url="http://127.0.0.1:9", receiver_id="X", timeout_seconds=1),
        ClaimsApiCredentials(api_key="k"),
    )
    with pytest.raises(GatewayError, match="cannot connect"):
        api.submit("ETIN1", body())


@pytest.mark.parametrize(
    ("given", "path"),
    [
        (
            "claimInformation.serviceLines.2.professionalService",
            "claimInformation.serviceLines[2].professionalService",
        ),
        ("/subscriber/memberId", "subscriber.memberId"),
        ("$.providers.0.npi", "providers[0].npi"),
        ("", None),
        (None, None),
    ],
)
def test_request_paths(given: str | None, path: str | None) -> None:
    assert request_path(given) == path
