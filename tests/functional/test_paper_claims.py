"""Paper claims: a claim printed on the CMS-1500, its items checked where they stand on the page
(by coordinates, read back with pypdf's text positions), six service lines to a page."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from chalice.test import Client
from pypdf import PdfReader

from chalicelib.documents.cms1500 import BOXES, LINE
from tests.functional.conftest import ADMIN_KEY, TENANT_B_KEY, contract, headers, run_schedule

PAGE_HEIGHT = 792.0
Word = tuple[str, float, float]  # text, x from the left edge, baseline y from the top edge


def post_claim(client: Client, body: dict[str, Any]) -> str:
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert response.status_code == 201, response.body
    claim_id: str = response.json_body["claimId"]
    return claim_id


def cms1500(client: Client, claim_id: str, query: str = "", key: str | None = None) -> Any:
    extra = {"Accept": "application/pdf"}  # API Gateway sends binary on request only
    return client.http.get(
        f"/v1/claims/{claim_id}/cms1500.pdf{query}",
        headers=headers(key, **extra) if key else headers(**extra),
    )


def words(pdf: bytes) -> list[list[Word]]:
    """Each page's text runs with where they start (pypdf reports the text matrix, whose
    origin is the bottom-left corner)."""
    pages: list[list[Word]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[Word] = []

        def visit(text: str, cm: Any, tm: Any, *_: Any, found: list[Word] = found) -> None:
            if text.strip():
                found.append((text.strip(), float(tm[4]), PAGE_HEIGHT - float(tm[5])))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def in_box(page: list[Word], box: str, *, line: int | None = None) -> list[str]:
    """The texts that start inside the box (and, given a form line, on that line)."""
    x0, y0, x1, y1 = BOXES[box].rect
    if line is not None:
        y0, y1 = (line - 1) * LINE, line * LINE
    return [text for text, x, y in page if x0 <= x < x1 and y0 < y <= y1]


def service_line(index: int) -> int:
    """The form line of box 24's main line for service line `index` (0-5) of a page."""
    return 44 + 2 * index


def test_cms1500_has_each_item_in_its_box(client: Client) -> None:
    claim_id = post_claim(client, contract("claim-basic.json"))
    response = cms1500(client, claim_id)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Page-Count"] == "1"
    [page] = words(response.body)

    assert in_box(page, "2") == ["QUILL, ADA"]  # the patient (the subscriber herself)
    assert in_box(page, "4") == ["QUILL, ADA"]
    assert in_box(page, "1a") == ["W123456789"]
    assert in_box(page, "3") == ["03", "14", "1962", "X"]  # MM DD YYYY, then F checked
    assert in_box(page, "11") == ["GRP7781"]
    assert "E11.9" in in_box(page, "21") and "I10" in in_box(page, "21")
    assert "0" in in_box(page, "21")  # ICD indicator: ICD-10-CM
    assert in_box(page, "12")[0] == "SIGNATURE ON FILE"  # then the date it is printed
    assert in_box(page, "13") == ["SIGNATURE ON FILE"]
    expected = (("99214", "185", "AB"), ("83036", "60", "A"))
    for index, (code, dollars, pointer) in enumerate(expected):
        row = service_line(index)
        assert in_box(page, "24D", line=row)[0] == code
        assert in_box(page, "24F", line=row) == [dollars, "00"]  # dollars, cents sub-boxes
        assert in_box(page, "24E", line=row) == [pointer]
        assert in_box(page, "24J", line=row) == ["1245319599"]  # rendering NPI
    assert in_box(page, "24D", line=service_line(0)) == ["99214", "25"]  # with its modifier
    assert in_box(page, "25") == ["371234567", "X"]  # EIN, EIN box checked
    assert in_box(page, "26") == ["MSFP-2026-0001"]
    assert in_box(page, "28") == ["245", "00"]
    assert in_box(page, "29") == []  # nothing paid yet: left blank
    assert "MAPLE STREET FAMILY PRACTICE" in in_box(page, "33")
    assert "1234567893" in in_box(page, "33")  # 33a billing NPI
    assert "(217) 555-0100" in in_box(page, "33")
    # The print on the red form carries the data only; the review copy draws the form too.
    assert not any(text.startswith("2. PATIENT'S NAME") for text, _, _ in page)
    drawn = cms1500(client, claim_id, "?form=drawn")
    assert drawn.status_code == 200
    [review] = words(drawn.body)
    assert in_box(review, "2")[0].startswith("2. PATIENT'S NAME")
    assert "QUILL, ADA" in in_box(review, "2")


def test_cms1500_dependent_resubmission_and_diagnoses(client: Client) -> None:
    body = contract("claim-dependent.json")
    info = body["claimInformation"]
    info["healthCareCodeInformation"] = [
        {"diagnosisTypeCode": "ABK" if i == 0 else "ABF", "diagnosisCode": code}
        for i, code in enumerate(("J069", "R509", "R05", "J029", "H6690"))
    ]
    info["priorAuthorizationNumber"] = "AUTH55"
    claim_id = post_claim(client, body)
    [page] = words(cms1500(client, claim_id).body)
    patient = body["dependent"]
    subscriber = body["subscriber"]
    assert in_box(page, "2") == [f"{patient['lastName']}, {patient['firstName']}".upper()]
    assert in_box(page, "4") == [f"{subscriber['lastName']}, {subscriber['firstName']}".upper()]
    diagnoses = in_box(page, "21")
    for code in ("J06.9", "R50.9", "R05", "J02.9", "H66.90"):
        assert code in diagnoses, code
    assert in_box(page, "21", line=39) == ["H66.90"]  # E starts the second row
    assert in_box(page, "23") == ["AUTH55"]
    assert in_box(page, "6") == ["X"]


def test_cms1500_of_eight_lines_is_two_pages_with_the_total_on_the_last(client: Client) -> None:
    body = contract("claim-basic.json")
    template = body["claimInformation"]["serviceLines"][1]
    codes = ("99214", "83036", "36415", "81002", "85025", "80053", "93000", "71046")
    lines = []
    for number, code in enumerate(codes, start=1):
        line = copy.deepcopy(template)
        line["providerControlNumber"] = f"MSFP-0001-{number}"
        line["professionalService"]["procedureCode"] = code
        line["professionalService"]["lineItemChargeAmount"] = f"{10 * number}.50"
        lines.append(line)
    body["claimInformation"]["serviceLines"] = lines
    total = sum(Decimal(f"{10 * n}.50") for n in range(1, 9))
    body["claimInformation"]["claimChargeAmount"] = str(total)
    claim_id = post_claim(client, body)
    response = cms1500(client, claim_id)
    assert response.headers["X-Page-Count"] == "2"
    first, second = words(response.body)
    for page, expected in ((first, codes[:6]), (second, codes[6:])):
        for index, code in enumerate(expected):
            row = service_line(index)
            assert in_box(page, "24D", line=row) == [code]
            number = codes.index(code) + 1
            assert in_box(page, "24F", line=row) == [str(10 * number), "50"]
        assert in_box(page, "2") == ["QUILL, ADA"]  # every page is a whole form
    assert in_box(first, "28") == [] and in_box(first, "29") == []
    assert in_box(second, "28") == ["364", "00"] == [str(int(total)), "00"]
    assert in_box(second, "carrier")[-1] == "PAGE 2 OF 2"


def test_cms1500_is_the_tenants_own_and_a_phi_read(client: Client) -> None:
    claim_id = post_claim(client, contract("claim-basic.json"))
    assert cms1500(client, claim_id).status_code == 200
    assert cms1500(client, claim_id, key=TENANT_B_KEY).status_code == 404
    assert cms1500(client, "clm_unknown").status_code == 404
    bad = cms1500(client, claim_id, "?form=red")
    assert bad.status_code == 422
    assert bad.json_body["errors"][0]["field"] == "form"
    audit = client.http.get("/v1/audit?tenantId=tenant-a", headers=headers(ADMIN_KEY))
    assert [(r["route"], r["resource"]) for r in audit.json_body["records"]] == [
        ("/v1/claims/{claim_id}/cms1500.pdf", f"/v1/claims/{claim_id}/cms1500.pdf")
    ]


class RecordingGateway:
    """The sandbox clearinghouse, recording every interchange submitted to it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.name: str = inner.name
        self.wire: str = inner.wire
        self.receiver_id: str = inner.receiver_id
        self.sent: list[bytes] = []

    def submit(self, account: str, interchange: bytes) -> Any:
        self.sent.append(interchange)
        return self._inner.submit(account, interchange)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture
def recording(client: Client) -> Iterator[RecordingGateway]:
    from chalicelib import wiring

    gateway = RecordingGateway(wiring.gateway("sandbox"))
    wiring.use_gateway("sandbox", gateway)
    yield gateway
    wiring.use_gateway("sandbox", None)


def paper_only(client: Client, payer_id: str = "SBX01", *, on: bool = True) -> None:
    policy = client.http.get(f"/v1/payers/{payer_id}", headers=headers()).json_body["policy"]
    response = client.http.put(
        f"/v1/payers/{payer_id}",
        headers=headers(),
        body=json.dumps({"policy": {**policy, "paperOnly": on}}),
    )
    assert response.status_code == 200, response.body
    assert response.json_body["policy"]["paperOnly"] is on


def claim_of(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def print_queue(client: Client, query: str = "", key: str | None = None) -> list[dict[str, Any]]:
    response = client.http.get(
        f"/v1/print-queue{query}", headers=headers(key) if key else headers()
    )
    assert response.status_code == 200, response.body
    items: list[dict[str, Any]] = response.json_body["items"]
    return items


def test_paper_only_payers_claims_go_to_the_print_queue_once(
    client: Client, recording: RecordingGateway
) -> None:
    paper_only(client)
    claim_id = post_claim(client, contract("claim-basic.json"))
    electronic = post_claim(client, contract("claim-medicare-with-secondary.json"))
    run = run_schedule(client, "clearinghouse-poll")
    assert run["counts"]["claims_printed"] == 1

    # The paper payer's claim is printed, not sent: only the Medicare claim went as an 837P.
    assert len(recording.sent) == 1
    pcn = contract("claim-basic.json")["claimInformation"]["patientControlNumber"]
    assert pcn.encode() not in recording.sent[0]
    printed = claim_of(client, claim_id)
    assert printed["status"] == "submitted"
    sent = printed["history"][-1]
    assert sent["event"] == "sent" and sent["detail"]["form"] == "CMS-1500"
    assert claim_of(client, electronic)["status"] != "queued"

    [item] = print_queue(client)
    assert (item["claimId"], item["payerId"], item["pages"]) == (claim_id, "SBX01", 1)
    assert item["printed"] is False and item["printedAt"] is None
    assert sent["detail"]["printItem"] == item["itemId"]

    # A rerun prints nothing again, and nothing comes back from the clearinghouse for it.
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")
    assert [i["itemId"] for i in print_queue(client)] == [item["itemId"]]
    history = claim_of(client, claim_id)["history"]
    assert [h["event"] for h in history].count("sent") == 1
    assert claim_of(client, claim_id)["status"] == "submitted"
    assert all(pcn.encode() not in sent_bytes for sent_bytes in recording.sent)

    pdf = client.http.get(
        f"/v1/print-queue/{item['itemId']}", headers=headers(Accept="application/pdf")
    )
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    [page] = words(pdf.body)
    assert in_box(page, "2") == ["QUILL, ADA"] and in_box(page, "28") == ["245", "00"]

    marked = client.http.post(f"/v1/print-queue/{item['itemId']}/printed", headers=headers())
    assert marked.status_code == 200, marked.body
    assert marked.json_body["printed"] is True and marked.json_body["printedAt"]
    again = client.http.post(f"/v1/print-queue/{item['itemId']}/printed", headers=headers())
    assert again.status_code == 409
    assert again.json_body["errors"][0]["code"] == "already_printed"
    assert print_queue(client, "?printed=false") == []
    assert [i["printed"] for i in print_queue(client, "?printed=true")] == [True]

    # The queue is the tenant's own.
    assert print_queue(client, key=TENANT_B_KEY) == []
    other = client.http.get(f"/v1/print-queue/{item['itemId']}", headers=headers(TENANT_B_KEY))
    assert other.status_code == 404
    refused = client.http.post(
        f"/v1/print-queue/{item['itemId']}/printed", headers=headers(TENANT_B_KEY)
    )
    assert refused.status_code in (403, 404)
    assert client.http.get("/v1/print-queue?printed=maybe", headers=headers()).status_code == 422


def test_a_run_that_died_after_queueing_the_form_is_finished_once(client: Client) -> None:
    """The form is in the queue but the claim was not moved (the run died in between): the
    next run, once the lease is over, finds the item and only moves the claim."""
    from dataclasses import replace

    from chalicelib.clock import utcnow
    from chalicelib.schedules.runs import Run
    from chalicelib.services import print_queue as service
    from chalicelib.store import print_queue as store
    from chalicelib.wiring import claim_repository

    paper_only(client)
    claim_id = post_claim(client, contract("claim-basic.json"))
    record = claim_repository().load_claim("tenant-a", claim_id)
    assert record is not None
    job = store.PrintJob(
        tenant_id="tenant-a",
        item_id=service.item_id_of(record),
        claim_id=claim_id,
        payer_id="SBX01",
        pages=1,
        document_key=store.document_key("tenant-a", service.item_id_of(record)),
        created_at=utcnow(),
    )
    store.save_document(job.document_key, b"%PDF-1.4 as the dead run left it")
    store.save_job(job)
    run = Run(
        run_id="run_test", schedule="clearinghouse-poll", trigger="manual", started_at=utcnow()
    )
    service.print_queued_claims(run, [replace(record)], now=utcnow())
    assert run.failed == 0 and run.acted == 1
    assert [i["itemId"] for i in print_queue(client)] == [job.item_id]
    assert claim_of(client, claim_id)["status"] == "submitted"


def eob(claim_id: str, **changes: Any) -> dict[str, Any]:
    """The paper EOB for claim-basic.json: 99214 (185.00) allowed 160.00, paid 140.00 with
    20.00 coinsurance; 83036 (60.00) allowed and paid 50.00."""
    body: dict[str, Any] = {
        "claimId": claim_id,
        "payerClaimControlNumber": "PAPER-7731",
        "paymentDate": "2026-12-04",
        "checkNumber": "100482",
        "status": "paid",
        "paid": "190.00",
        "patientResponsibility": "20.00",
        "lines": [
            {
                "lineNumber": 1,
                "paid": "140.00",
                "allowed": "160.00",
                "adjustments": [
                    {"groupCode": "CO", "reasonCode": "45", "amount": "25.00"},
                    {"groupCode": "PR", "reasonCode": "2", "amount": "20.00"},
                ],
                "remarkCodes": ["N130"],
            },
            {
                "providerControlNumber": "MSFP-0001-2",
                "paid": "50.00",
                "allowed": "50.00",
                "adjustments": [{"groupCode": "CO", "reasonCode": "45", "amount": "10.00"}],
            },
        ],
    }
    return {**body, **changes}


def post_eob(client: Client, body: dict[str, Any], **extra: str) -> Any:
    return client.http.post(
        "/v1/remittances/manual", headers=headers(**extra), body=json.dumps(body)
    )


def test_paper_claim_is_paid_by_a_manual_remittance_once(
    client: Client, recording: RecordingGateway
) -> None:
    paper_only(client)
    claim_id = post_claim(client, contract("claim-basic.json"))
    run_schedule(client, "clearinghouse-poll")
    [item] = print_queue(client)
    client.http.post(f"/v1/print-queue/{item['itemId']}/printed", headers=headers())
    assert claim_of(client, claim_id)["status"] == "submitted"

    posted = post_eob(client, eob(claim_id), **{"Idempotency-Key": "eob-100482"})
    assert posted.status_code == 201, posted.body
    assert posted.json_body["status"] == "paid"
    payment = posted.json_body["payment"]
    assert (payment["traceNumber"], payment["paid"], payment["patientResponsibility"]) == (
        "100482",
        "190.00",
        "20.00",
    )
    assert [line["paid"] for line in payment["lines"]] == ["140.00", "50.00"]

    paid = claim_of(client, claim_id)
    assert paid["status"] == "paid"
    [shown] = paid["payments"]
    assert shown["payerClaimControlNumber"] == "PAPER-7731"
    assert shown["paymentDate"] == "2026-12-04"
    assert [(a["group"], a["reason"]) for a in shown["lines"][0]["adjustments"]] == [
        ("CO", "45"),
        ("PR", "2"),
    ]
    assert paid["history"][-1]["event"] == "remit_paid"
    assert paid["history"][-1]["source"] == "manual-eob"
    # The payment is checked against the contract as an 835's is: 99214 allowed under it.
    assert "underpaid" in {flag["kind"] for flag in paid["flags"]}

    # The same EOB again: with its key, the first answer; without, refused; counted once.
    replay = post_eob(client, eob(claim_id), **{"Idempotency-Key": "eob-100482"})
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    by_number = eob("", patientControlNumber="MSFP-2026-0001", payerId="SBX01")
    del by_number["claimId"]  # the claim found by its patient control number and payer
    again = post_eob(client, by_number)
    assert again.status_code == 409
    assert again.json_body["errors"][0]["code"] == "already_posted"
    assert len(claim_of(client, claim_id)["payments"]) == 1
    # The check is a deposit in the cash report, counted once.
    cash = client.http.get(
        "/v1/reports/cash?from=2026-12-01&to=2026-12-31", headers=headers()
    ).json_body
    [check] = [d for d in cash["deposits"] if d["traceNumber"] == "100482"]
    assert (check["method"], check["amount"], check["reconciled"]) == ("CHK", "190.00", True)
    # Nothing came from the clearinghouse for it, and no status check went out.
    assert claim_of(client, claim_id)["nextAction"] is None


def test_a_manual_remittance_that_does_not_balance_is_refused_field_by_field(
    client: Client,
) -> None:
    paper_only(client)
    claim_id = post_claim(client, contract("claim-basic.json"))
    run_schedule(client, "clearinghouse-poll")
    body = eob(claim_id)
    body["lines"][0]["paid"] = "145.00"  # 185.00 - 45.00 is 140.00
    refused = post_eob(client, body)
    assert refused.status_code == 422, refused.body
    errors = {e["field"]: e for e in refused.json_body["errors"]}
    assert errors["lines[0]"]["code"] == "line_out_of_balance"
    assert "difference -5.00" in errors["lines[0]"]["message"]
    assert set(errors) == {"lines[0]"}  # the claim's own total still balances
    total = post_eob(client, eob(claim_id, paid="200.00")).json_body["errors"]
    assert [(e["field"], e["code"]) for e in total] == [("paid", "claim_out_of_balance")]
    assert "difference -10.00" in total[0]["message"]

    unknown = post_eob(client, eob("clm_nobody"))
    assert unknown.status_code == 422
    assert unknown.json_body["errors"] == [
        {
            "field": "claimId",
            "code": "unknown_claim",
            "message": "no such claim",
            "severity": "error",
        }
    ]
    by_number = eob("", patientControlNumber="NOPE-1", payerId="SBX01")
    del by_number["claimId"]
    assert post_eob(client, by_number).json_body["errors"][0]["code"] == "unknown_claim"

    bad_line = eob(claim_id)
    bad_line["lines"][1] = {**bad_line["lines"][1], "providerControlNumber": "NOT-A-LINE"}
    bad_line["lines"][0] = {**bad_line["lines"][0], "lineNumber": 9}
    found = {e["field"]: e["code"] for e in post_eob(client, bad_line).json_body["errors"]}
    assert found["lines[0].lineNumber"] == "unknown_line"
    assert found["lines[1].providerControlNumber"] == "unknown_line"

    shape = post_eob(
        client, {"claimId": claim_id, "status": "maybe", "paid": "-1", "checkNumber": ""}
    )
    assert shape.status_code == 422
    fields = {e["field"] for e in shape.json_body["errors"]}
    assert {"status", "paid", "checkNumber", "paymentDate", "payerClaimControlNumber"} <= fields
    assert claim_of(client, claim_id)["payments"] == []
    assert claim_of(client, claim_id)["status"] == "submitted"


def test_an_offboarded_practice_takes_its_printed_forms_with_it(client: Client) -> None:
    import boto3

    from chalicelib.config import settings
    from tests.functional.test_admin import admin, issue, new_practice, submit

    new_practice(client)
    key = issue(client, ["submitter", "biller"])["apiKey"]
    policy = client.http.get("/v1/payers/SBX01", headers=headers(key)).json_body["policy"]
    client.http.put(
        "/v1/payers/SBX01",
        headers=headers(key),
        body=json.dumps({"policy": {**policy, "paperOnly": True}}),
    )
    assert submit(client, key, "OFF-P1").status_code == 201
    run_schedule(client, "clearinghouse-poll")
    [item] = print_queue(client, key=key)
    assert admin(client, "POST", "/v1/admin/tenants/acme/suspend").status_code == 200
    answer = admin(client, "POST", "/v1/admin/tenants/acme/offboarding")
    while answer.status_code == 202:
        answer = admin(client, "POST", "/v1/admin/tenants/acme/offboarding")
    assert answer.status_code == 200, answer.body
    prefix = answer.json_body["exportPrefix"]
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(
        Bucket=settings().archive_bucket, Prefix=prefix
    )["Contents"]
    assert f"{prefix}print-queue/acme/{item['itemId']}.pdf" in {o["Key"] for o in listed}
