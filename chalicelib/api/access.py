"""Who may call which route: one table of route x role, checked by the middleware for every
request before the view runs. A route that is not in the table is refused to everyone (a test
holds the table and the app's routes equal, and tries every route with every role).

The roles and what each is for: chalicelib.roles. Clearinghouse accounts (credentials) are
set up by operators, as before the roles.
"""

from __future__ import annotations

from chalicelib.roles import ADMIN, BILLER, OPERATOR, READ_ONLY, SUBMITTER

_READ = frozenset({SUBMITTER, BILLER, OPERATOR, READ_ONLY})
_SUBMIT = frozenset({SUBMITTER, BILLER})
_BILL = frozenset({BILLER})
_OPERATE = frozenset({OPERATOR})
_ADMIN = frozenset({ADMIN})

# (method, route) -> the roles that may call it.
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/claims"): _SUBMIT,
    ("GET", "/v1/claims"): _READ,
    ("POST", "/v1/claims/validate"): _SUBMIT,
    ("GET", "/v1/claims/{claim_id}"): _READ,
    ("PUT", "/v1/claims/{claim_id}"): _BILL,
    ("GET", "/v1/claims/{claim_id}/x12"): _READ,
    ("POST", "/v1/claims/{claim_id}/replacement"): _BILL,
    ("POST", "/v1/claims/{claim_id}/void"): _BILL,
    ("POST", "/v1/claims/{claim_id}/close"): _BILL,
    ("GET", "/v1/claims/{claim_id}/appeals"): _READ,
    ("POST", "/v1/claims/{claim_id}/appeals"): _BILL,
    ("GET", "/v1/claims/{claim_id}/appeals/{appeal_id}/letter"): _READ,
    ("POST", "/v1/claims/{claim_id}/appeals/{appeal_id}/send"): _BILL,
    ("POST", "/v1/claims/{claim_id}/appeals/{appeal_id}/outcome"): _BILL,
    ("GET", "/v1/claims/{claim_id}/cms1500.pdf"): _READ,
    ("POST", "/v1/claim-files"): _SUBMIT,
    ("POST", "/v1/remittances"): _BILL,
    ("POST", "/v1/remittances/manual"): _BILL,
    ("POST", "/v1/acknowledgments"): _BILL,
    ("POST", "/v1/uploads"): _SUBMIT,
    ("GET", "/v1/uploads/{upload_id}"): _READ,
    ("POST", "/v1/eligibility"): _SUBMIT,
    ("GET", "/v1/eligibility/{eligibility_id}"): _READ,
    ("POST", "/v1/eligibility/batches"): _SUBMIT,
    ("GET", "/v1/eligibility/batches/{batch_id}"): _READ,
    ("POST", "/v1/authorizations"): _SUBMIT,
    ("GET", "/v1/authorizations"): _READ,
    ("GET", "/v1/authorizations/{authorization_id}"): _READ,
    ("GET", "/v1/reports/{name}"): _READ,
    ("GET", "/v1/print-queue"): _READ,
    ("GET", "/v1/print-queue/{item_id}"): _READ,
    ("POST", "/v1/print-queue/{item_id}/printed"): _BILL,
    ("GET", "/v1/patients/{patient_id}"): _READ,
    ("GET", "/v1/patients/{patient_id}/ledger"): _READ,
    ("PUT", "/v1/patients/{patient_id}"): _BILL,
    ("POST", "/v1/patients/{patient_id}/payments"): _BILL,
    ("GET", "/v1/patients/{patient_id}/statements"): _READ,
    ("POST", "/v1/patients/{patient_id}/payment-plans"): _BILL,
    ("GET", "/v1/patients/{patient_id}/payment-plans"): _READ,
    ("GET", "/v1/patients/{patient_id}/statements/{cycle}"): _READ,
    ("GET", "/v1/patient-billing/policy"): _READ,
    ("GET", "/v1/collections/export"): _BILL,
    ("PUT", "/v1/patient-billing/policy"): _BILL,
    ("GET", "/v1/worklist"): _READ,
    ("POST", "/v1/worklist/{item_id}/actions"): _BILL,
    ("GET", "/v1/payers/{payer_id}"): _READ,
    ("PUT", "/v1/payers/{payer_id}"): _BILL,
    ("PUT", "/v1/payers/{payer_id}/fee-schedules"): _BILL,
    ("GET", "/v1/payers/{payer_id}/authorization-rules"): _READ,
    ("PUT", "/v1/payers/{payer_id}/authorization-rules"): _BILL,
    ("GET", "/v1/payers/{payer_id}/route"): _READ,
    ("PUT", "/v1/payers/{payer_id}/route"): _BILL,
    ("DELETE", "/v1/payers/{payer_id}/route"): _BILL,
    ("GET", "/v1/clearinghouses"): _READ,
    ("GET", "/v1/clearinghouses/{account_id}"): _READ,
    ("PUT", "/v1/clearinghouses/{account_id}"): _OPERATE,
    ("DELETE", "/v1/clearinghouses/{account_id}"): _OPERATE,
    ("GET", "/v1/webhooks"): _READ,
    ("POST", "/v1/webhooks"): _BILL,
    ("DELETE", "/v1/webhooks/{webhook_id}"): _BILL,
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): _READ,
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"): _BILL,
    ("GET", "/v1/schedules"): _OPERATE,
    ("POST", "/v1/schedules/{name}/runs"): _OPERATE,
    ("GET", "/v1/runs"): _OPERATE,
    ("GET", "/v1/runs/{run_id}"): _OPERATE,
    ("POST", "/v1/admin/tenants"): _ADMIN,
    ("GET", "/v1/admin/tenants/{tenant_id}"): _ADMIN,
    ("POST", "/v1/admin/tenants/{tenant_id}/suspend"): _ADMIN,
    ("POST", "/v1/admin/tenants/{tenant_id}/resume"): _ADMIN,
    ("GET", "/v1/admin/tenants/{tenant_id}/keys"): _ADMIN,
    ("POST", "/v1/admin/tenants/{tenant_id}/keys"): _ADMIN,
    ("POST", "/v1/admin/tenants/{tenant_id}/keys/{key_id}/rotate"): _ADMIN,
    ("DELETE", "/v1/admin/tenants/{tenant_id}/keys/{key_id}"): _ADMIN,
    ("POST", "/v1/admin/tenants/{tenant_id}/offboarding"): _ADMIN,
    ("GET", "/v1/admin/tenants/{tenant_id}/offboarding"): _ADMIN,
    ("GET", "/v1/audit"): _ADMIN,
}

# The routes whose answer holds patient data: each answer that leaves is recorded first
# (chalicelib.services.audit), or does not leave.
PHI_READS = frozenset(
    {
        ("GET", "/v1/claims"),
        ("GET", "/v1/claims/{claim_id}"),
        ("GET", "/v1/claims/{claim_id}/x12"),
        ("GET", "/v1/claims/{claim_id}/appeals"),
        ("GET", "/v1/claims/{claim_id}/appeals/{appeal_id}/letter"),
        ("GET", "/v1/claims/{claim_id}/cms1500.pdf"),
        ("GET", "/v1/print-queue/{item_id}"),
        ("POST", "/v1/eligibility"),
        ("GET", "/v1/eligibility/{eligibility_id}"),
        ("GET", "/v1/eligibility/batches/{batch_id}"),
        ("POST", "/v1/authorizations"),
        ("GET", "/v1/authorizations"),
        ("GET", "/v1/authorizations/{authorization_id}"),
        ("GET", "/v1/reports/{name}"),  # by patient: the practice's account numbers
        ("GET", "/v1/patients/{patient_id}"),
        ("GET", "/v1/patients/{patient_id}/ledger"),
        ("PUT", "/v1/patients/{patient_id}"),
        ("POST", "/v1/patients/{patient_id}/payments"),
        ("GET", "/v1/patients/{patient_id}/statements/{cycle}"),
        ("GET", "/v1/collections/export"),
        ("GET", "/v1/worklist"),
        ("GET", "/v1/webhooks/{webhook_id}/deliveries"),
    }
)


_ROUTES = frozenset(route for _method, route in ACCESS)


def allowed(method: str, route: str) -> frozenset[str] | None:
    """The roles that may call the route (none: not in the table, refused); None for a
    method the route does not have (the router answers 405)."""
    found = ACCESS.get((method.upper(), route))
    if found is None and route in _ROUTES:
        return None
    return found or frozenset()
