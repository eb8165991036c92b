"""PynamoDB models: one table, one item type per class (PynamoDB discriminator), keys that
start with the tenant so one tenant's items never share a partition with another's.

Key layout of the main table (pk, sk):
  T#<tenant>#CLAIM#<claim id>, #CLAIM          the claim (versioned)
  T#<tenant>#CLAIM#<claim id>, EV#<seq>        its append-only events (audit trail = history)
  T#<tenant>#PCN#<payer>#<pcn>, #GUARD         one original claim per patient control number
  KEY#<sha256 of api key>, #KEY                api key -> tenant (keys are stored only hashed)
  T#<tenant>, #TENANT                          the tenant
  PAYER#<payer id>, #PAYER                     payer directory entry
  T#<tenant>#CLEARINGHOUSES, A#<account id>    a clearinghouse account (no secret in it)
  T#<tenant>#ROUTES, P#<payer id>              which account carries a payer
  INBOUND#<inbound id>, #INBOUND               a JSON clearinghouse account's webhook address
  T#<tenant>#WEBHOOKS, W#<webhook id>          a webhook endpoint (its secret elsewhere)
  T#<tenant>#WEBHOOK#<id>, D#<delivery id>     one delivery to it (due index while pending)
  T#<tenant>#ELIGIBILITY, E#<check id>         an eligibility check and its answer
  T#<tenant>#UPLOADS, U#<upload id>            a file announced for upload through S3
  T#<tenant>#AUTH, A#<authorization id>        a prior authorization or referral (versioned)
  T#<tenant>#AUTHRULES#<payer>, V#<version>    one upload of a payer's authorization rules

A claim's report facts sit in the sparse `by-facts` index (INCLUDE projection: the facts
only), under `T#<tenant>#FACTS#OPEN` or `#SETTLED` by its date of service.
  T#<tenant>#PATIENT#<account>, #ACCOUNT       a patient account (versioned; derived balance)
  T#<tenant>#PATIENT#<account>, E#<entry id>   its ledger entries, each written once
  T#<tenant>#PATIENT#<account>, S#<cycle>      a statement of one cycle, written once
  T#<tenant>#PATIENT#<account>, L#<plan id>    a payment plan (versioned; due index while active)
  T#<tenant>#PATIENTPOLICY, #POLICY            the tenant's patient billing policy

Money is a string attribute holding a Decimal; never NumberAttribute (a float).
Table names come from config when the classes are defined; production tables are in infra/.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.config import settings

# The claim list indexes: each keyed by a tenant-scoped partition and sorted by
# `<updated_at>#<claim id>`, so pages come oldest first and `updatedSince` is a key condition.


class ByStatus(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi_sk = UnicodeAttribute(range_key=True)


class ByPayer(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by-payer"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi_sk = UnicodeAttribute(range_key=True)


class ByTenant(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by-tenant"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi_sk = UnicodeAttribute(range_key=True)


class ByPayerStatus(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "by-payer-status"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi_sk = UnicodeAttribute(range_key=True)


class ByPatientControlNumber(GlobalSecondaryIndex["Item"]):
    """Inbound 999/277CA/835 name claims by CLM01, the practice's patient control number."""

    class Meta:
        index_name = "by-pcn"
        projection = AllProjection()

    gsi5pk = UnicodeAttribute(hash_key=True)
    gsi_sk = UnicodeAttribute(range_key=True)


# The due index scope of what waits to be announced to webhooks (store/webhooks.py).
NOTIFY = "DUE#notify"


class ByDue(GlobalSecondaryIndex["Item"]):
    """Sparse: only items with a next action carry `due_pk` (`DUE#<action>`), sorted by due
    time, so schedules read what is due and nothing else, whatever the size of the table."""

    class Meta:
        index_name = "by-due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class ByWork(GlobalSecondaryIndex["Item"]):
    """Sparse: only claims with open worklist items carry `work_pk`; sorted by how long the
    oldest item has waited, so `olderThan` is a key condition."""

    class Meta:
        index_name = "by-work"
        projection = AllProjection()

    work_pk = UnicodeAttribute(hash_key=True)
    work_sk = UnicodeAttribute(range_key=True)


class ByFacts(GlobalSecondaryIndex["Item"]):
    """Each claim's report facts, the claims with an open balance apart from the settled
    ones (`T#<tenant>#FACTS#OPEN` / `#SETTLED`), by date of service: a report reads one small
    projected item a claim it covers, never the table."""

    class Meta:
        index_name = "by-facts"
        projection = IncludeProjection(["kind", "facts"])

    facts_pk = UnicodeAttribute(hash_key=True)
    facts_sk = UnicodeAttribute(range_key=True)


class Item(Model):
    class Meta:
        table_name = settings().table_name
        region = settings().region
        host = settings().aws_endpoint
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi_sk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
    work_pk = UnicodeAttribute(null=True)
    work_sk = UnicodeAttribute(null=True)
    facts_pk = UnicodeAttribute(null=True)
    facts_sk = UnicodeAttribute(null=True)

    by_status = ByStatus()
    by_payer = ByPayer()
    by_tenant = ByTenant()
    by_payer_status = ByPayerStatus()
    by_pcn = ByPatientControlNumber()
    by_due = ByDue()
    by_work = ByWork()
    by_facts = ByFacts()


class ClaimItem(Item, discriminator="claim"):
    tenant_id = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    status = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    patient_control_number = UnicodeAttribute()
    frequency_code = UnicodeAttribute()
    charge_amount = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    event_count = NumberAttribute(default=0)
    # The item schema: 2 keeps the typed claim (`claim`, by chalicelib.store.codec); items
    # without it are schema 1, which kept the API request (`body`) and are read by claim_v1.
    schema = NumberAttribute(null=True)
    claim = JSONAttribute(null=True)
    body = JSONAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    x12_key = UnicodeAttribute(null=True)
    send_attempts = NumberAttribute(default=0)
    remittances = JSONAttribute(default=list)
    parent_claim_id = UnicodeAttribute(null=True)
    status_checks = NumberAttribute(default=0)
    submitted_at = UTCDateTimeAttribute(null=True)
    payer_claim_control_number = UnicodeAttribute(null=True)
    flags = JSONAttribute(default=list)
    worklist = JSONAttribute(default=list)
    work_kinds = JSONAttribute(default=list)
    # Keys of the inbound transactions already applied to this claim (999, 277CA, 277), so a
    # second delivery of the same acknowledgment, even re-encoded, changes nothing.
    applied = JSONAttribute(default=list)
    status_since = UTCDateTimeAttribute(null=True)  # when it entered its status
    status_codes = JSONAttribute(default=list)  # the codes of the event that moved it there
    previous_claims = JSONAttribute(null=True)  # schema 2: versions a resubmission replaced
    replaces_claim_id = UnicodeAttribute(null=True)
    replaced_by = JSONAttribute(null=True)
    close_reason = UnicodeAttribute(null=True)
    written_off = UnicodeAttribute(null=True)
    work_states = JSONAttribute(null=True)
    appeals = JSONAttribute(null=True)
    facts = JSONAttribute(null=True)  # chalicelib.claims.reports.ClaimFacts, for the reports
    version = VersionAttribute()


class ClaimEventItem(Item, discriminator="claim_event"):
    tenant_id = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    seq = NumberAttribute()
    at = UTCDateTimeAttribute()
    source = UnicodeAttribute()
    event = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    codes = JSONAttribute(default=list)
    detail = JSONAttribute(default=dict)
    actor = UnicodeAttribute(null=True)
    actor_name = UnicodeAttribute(null=True)


class PatientControlGuardItem(Item, discriminator="pcn_guard"):
    claim_id = UnicodeAttribute()


class ApiKeyItem(Item, discriminator="api_key"):
    """An API key, keyed by its SHA-256 (the key itself is shown once, never stored); listed
    per tenant on the by-tenant index (`T#<tenant>#KEYS`, by key id)."""

    tenant_id = UnicodeAttribute()
    label = UnicodeAttribute(null=True)  # the person or system the key belongs to
    roles = JSONAttribute(default=list)
    created_at = UTCDateTimeAttribute()
    key_id = UnicodeAttribute(null=True)  # the key's public prefix (none: a seeded key)
    expires_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)  # to the minute a container saw it
    rotated_to = UnicodeAttribute(null=True)
    requests_per_minute = NumberAttribute(null=True)  # none: the stage's default


class TenantItem(Item, discriminator="tenant"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    suspended_at = UTCDateTimeAttribute(null=True)


class PayerItem(Item, discriminator="payer"):
    payer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    plan_type = UnicodeAttribute()
    gateway = UnicodeAttribute()
    gateway_payer_id = UnicodeAttribute()
    settings = JSONAttribute(default=dict)


class PayerPolicyItem(Item, discriminator="payer_policy"):
    """A tenant's own follow-up policy for a payer (overrides the default by filing code)."""

    tenant_id = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    policy = JSONAttribute(default=dict)
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class FeeScheduleItem(Item, discriminator="fee_schedule"):
    """One uploaded version of a tenant's contracted rates with a payer; never overwritten."""

    tenant_id = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    version = NumberAttribute()
    uploaded_at = UTCDateTimeAttribute()
    source = UnicodeAttribute()
    rows = JSONAttribute(default=list)


class CounterItem(Item, discriminator="counter"):
    """Monotonic counters (interchange control numbers per tenant): atomic ADD, never reused."""

    value = NumberAttribute(default=0)


class BatchItem(Item, discriminator="batch"):
    """One outbound interchange: the exact bytes are archived before the first send and the
    same bytes (same ISA13) are resent on every retry, so a claim is never in two interchanges."""

    tenant_id = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    gateway = UnicodeAttribute()
    account = UnicodeAttribute()
    control_number = UnicodeAttribute()
    archive_key = UnicodeAttribute()
    claim_ids = JSONAttribute(default=list)
    status = UnicodeAttribute()  # pending | sent
    attempts = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    version = VersionAttribute()


class InboundFileItem(Item, discriminator="inbound_file"):
    """A received file, by sha256: the same bytes twice are applied once. A delivery takes the
    file with a conditional write (`applying`, with a lease) before it applies anything."""

    tenant_id = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    name = UnicodeAttribute()
    source = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    # applying | posting | applied | unreadable | refused | failed | deferred
    status = UnicodeAttribute()
    result = JSONAttribute(default=dict)
    lease_until = UnicodeAttribute(null=True)  # ISO instant: an `applying` delivery's lease
    # A file posted in parts (`posting`): how many, which are done ("<set>:<part>"), what
    # they posted, and the claim ids of a part that failed (until it succeeds).
    parts_total = NumberAttribute(null=True)
    parts_done = UnicodeSetAttribute(null=True)
    claims_posted = NumberAttribute(null=True)
    claims_unmatched = NumberAttribute(null=True)
    failed_parts = MapAttribute(null=True)  # type: ignore[var-annotated]


class GatewayCursorItem(Item, discriminator="gateway_cursor"):
    cursor = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()


class RemittanceItem(Item, discriminator="remittance"):
    """An 835 transaction posted, by payer and TRN02 trace number: posted once, answered with
    the same result when it comes again."""

    tenant_id = UnicodeAttribute()
    payer_key = UnicodeAttribute()
    trace_number = UnicodeAttribute()
    archive_key = UnicodeAttribute()
    posted_at = UTCDateTimeAttribute()
    result = JSONAttribute(default=dict)
    lease_until = UnicodeAttribute(null=True)  # ISO instant: a `posting` delivery's lease


class UnmatchedItem(Item, discriminator="unmatched"):
    """A remittance claim (or line) that matched no claim: kept for a person, never dropped,
    and listed on the worklist (the same sparse index as claims' items)."""

    tenant_id = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    reason = UnicodeAttribute()
    detail = JSONAttribute(default=dict)
    payer_id = UnicodeAttribute(null=True)
    worklist = JSONAttribute(default=list)
    work_kinds = JSONAttribute(default=list)


class LeaseItem(Item, discriminator="lease"):
    """Who holds a named lease (one schedule's run for one tenant) and until when: taken and
    released with conditional writes; an expired lease is taken over, so a run that crashed
    does not hold it forever."""

    holder = UnicodeAttribute()
    expires_at = UnicodeAttribute()  # ISO instant, compared as a string


class RunItem(Item, discriminator="run"):
    run_id = UnicodeAttribute()
    schedule = UnicodeAttribute()
    trigger = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute(null=True)
    examined = NumberAttribute(default=0)
    acted = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    errors = JSONAttribute(default=list)
    detail = JSONAttribute(default=dict)


def table_definition() -> dict[str, Any]:
    """Key schema and indexes as CloudFormation-style data, for infra/ and the local launcher."""
    gsi_names = {
        "by-status": ("gsi1pk", "gsi_sk"),
        "by-payer": ("gsi2pk", "gsi_sk"),
        "by-tenant": ("gsi3pk", "gsi_sk"),
        "by-payer-status": ("gsi4pk", "gsi_sk"),
        "by-pcn": ("gsi5pk", "gsi_sk"),
        "by-due": ("due_pk", "due_sk"),
        "by-work": ("work_pk", "work_sk"),
        "by-facts": ("facts_pk", "facts_sk"),
    }
    projections: dict[str, dict[str, Any]] = {
        "by-facts": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["kind", "facts"]}
    }
    attrs = [
        "pk",
        "sk",
        "gsi_sk",
        "due_sk",
        "work_sk",
        "facts_sk",
        *(h for h, _ in gsi_names.values()),
    ]
    return {
        "TableName": Item.Meta.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attrs],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": hash_key, "KeyType": "HASH"},
                    {"AttributeName": range_key, "KeyType": "RANGE"},
                ],
                "Projection": projections.get(name, {"ProjectionType": "ALL"}),
            }
            for name, (hash_key, range_key) in gsi_names.items()
        ],
    }


class ClearinghouseAccountItem(Item, discriminator="clearinghouse_account"):
    """A tenant's clearinghouse account (chalicelib.payers.accounts), as the codec writes
    it; never a secret, only the secret's name."""

    tenant_id = UnicodeAttribute()
    account = JSONAttribute(default=dict)
    version = VersionAttribute()


class InboundAddressItem(Item, discriminator="inbound_address"):
    """INBOUND#<inbound id>, #INBOUND: a JSON clearinghouse account's webhook address."""

    tenant_id = UnicodeAttribute()
    account_id = UnicodeAttribute()


class PayerRouteItem(Item, discriminator="payer_route"):
    """Which of the tenant's accounts carries a payer, under which payer id there."""

    tenant_id = UnicodeAttribute()
    route = JSONAttribute(default=dict)
    version = VersionAttribute()


class WebhookEndpointItem(Item, discriminator="webhook_endpoint"):
    """A tenant's webhook endpoint (chalicelib.payers.gateways.webhooks); its signing secret
    is in the secret store, only its name here."""

    tenant_id = UnicodeAttribute()
    endpoint = JSONAttribute(default=dict)


class WebhookDeliveryItem(Item, discriminator="webhook_delivery"):
    """One event for one endpoint; while pending it is on the due index (`DUE#webhook`) at
    its next try."""

    tenant_id = UnicodeAttribute()
    delivery = JSONAttribute(default=dict)
    version = VersionAttribute()


class UploadItem(Item, discriminator="upload"):
    """A file announced for upload through S3 (store/uploads.py); on the due index
    (`DUE#upload`) while it waits for its file or is being applied."""

    tenant_id = UnicodeAttribute()
    upload = JSONAttribute(default=dict)
    version = VersionAttribute()


class EligibilityItem(Item, discriminator="eligibility"):
    """One eligibility check's answer (the coverage snapshot), under the tenant; the 270 and
    271 bytes are in the archive, named here."""

    tenant_id = UnicodeAttribute()
    check = JSONAttribute(default=dict)


class OffboardingItem(Item, discriminator="offboarding"):
    """A tenant taken off the stage (store/offboarding.py): kept after its data is gone."""

    offboarding = JSONAttribute(default=dict)
    version = VersionAttribute()


class EligibilityBatchItem(Item, discriminator="eligibility_batch"):
    """A batch of eligibility inquiries (store/eligibility_batches.py)."""

    tenant_id = UnicodeAttribute()
    batch_id = UnicodeAttribute()
    total = NumberAttribute()
    created_at = UTCDateTimeAttribute()


class EligibilityResultItem(Item, discriminator="eligibility_result"):
    """One inquiry's outcome in a batch: written once; no member data."""

    tenant_id = UnicodeAttribute()
    index = NumberAttribute()
    status = UnicodeAttribute()
    check_id = UnicodeAttribute(null=True)
    coverage = UnicodeAttribute(null=True)
    code = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)


class AuthorizationItem(Item, discriminator="authorization"):
    """A prior authorization or referral (store/authorizations.py), with its worklist entries
    in the sparse work index like a claim's."""

    tenant_id = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    authorization = JSONAttribute(default=dict)
    worklist = JSONAttribute(default=list)
    work_kinds = JSONAttribute(default=list)
    version = VersionAttribute()


class AuthorizationRulesItem(Item, discriminator="authorization_rules"):
    """One uploaded version of a payer's authorization rules; never overwritten."""

    tenant_id = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    rules = JSONAttribute(default=dict)


class PrintItem(Item, discriminator="print_item"):
    """A paper claim waiting in the tenant's print queue (store/print_queue.py); its PDF is in
    the archive bucket under `print-queue/<tenant>/`."""

    tenant_id = UnicodeAttribute()
    item = JSONAttribute(default=dict)
    version = VersionAttribute()


class PaperPaymentItem(Item, discriminator="paper_payment"):
    """One claim's payment on a paper check (a manual EOB), once per payer, check and claim:
    listed with the 835 deposits by payment date for the cash report."""

    tenant_id = UnicodeAttribute()
    payer_id = UnicodeAttribute()
    check_number = UnicodeAttribute()
    payment_date = UnicodeAttribute()
    claim_id = UnicodeAttribute()
    amount = UnicodeAttribute()


class PatientAccountItem(Item, discriminator="patient_account"):
    """A patient's account (store/patients.py): identity as billed, derived balance, flags."""

    tenant_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    identity = JSONAttribute(default=dict)
    balance = UnicodeAttribute(default="0.00")
    owed_since = UnicodeAttribute(null=True)
    do_not_send = BooleanAttribute(default=False)
    statement_due = UTCDateTimeAttribute(null=True)  # on the due index while it is set
    last_statement_on = UnicodeAttribute(null=True)
    last_notice = UnicodeAttribute(null=True)  # the last statement's kind (dunning)
    # Sent to the collection agency: when and how much (by-tenant index under COLLECTIONS).
    collection_placed_on = UnicodeAttribute(null=True)
    collection_placed_amount = UnicodeAttribute(null=True)
    # What is owed and since when, by open debit (FIFO): the patient side of the AR aging,
    # in the by-facts index (`T#<tenant>#FACTS#PATIENT`) while the balance is not zero.
    facts = JSONAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class PatientEntryItem(Item, discriminator="patient_entry"):
    """One ledger entry of a patient's account, written once (no update, no delete)."""

    tenant_id = UnicodeAttribute()
    entry = JSONAttribute(default=dict)


class PatientStatementItem(Item, discriminator="patient_statement"):
    """One statement of a patient for one cycle, written once; the PDF and JSON are in the
    archive bucket under the keys it holds."""

    tenant_id = UnicodeAttribute()
    statement = JSONAttribute(default=dict)  # store.patients.StatementRecord, by chalicelib.codec


class PatientPolicyItem(Item, discriminator="patient_policy"):
    """A tenant's patient billing policy (chalicelib.patients.policy), versioned."""

    tenant_id = UnicodeAttribute()
    policy = JSONAttribute(default=dict)
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class PatientPlanItem(Item, discriminator="patient_plan"):
    """A payment plan (chalicelib.patients.plans.PaymentPlan, by chalicelib.codec); on the
    due index while active, at the day its status may change."""

    tenant_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    plan = JSONAttribute(default=dict)
    version = VersionAttribute()
