"""claimgate: routes and schedules only. Blueprints live in chalicelib/api and
chalicelib/schedules; importing this module builds no client and touches no network."""

from __future__ import annotations

from chalicelib.api.admin import admin
from chalicelib.api.appeals import appeals
from chalicelib.api.application import ThreadSafeChalice
from chalicelib.api.audit import audit
from chalicelib.api.auth import authenticate
from chalicelib.api.authorizations import authorizations
from chalicelib.api.claims import claims
from chalicelib.api.clearinghouses import clearinghouses
from chalicelib.api.collections import collections
from chalicelib.api.console import console
from chalicelib.api.corrections import corrections
from chalicelib.api.eligibility import eligibility
from chalicelib.api.inbound import contract_problems, inbound
from chalicelib.api.manual_remittances import manual_remittances
from chalicelib.api.openapi import docs
from chalicelib.api.operations import operations
from chalicelib.api.paper import paper
from chalicelib.api.patients import patients
from chalicelib.api.payers import payers
from chalicelib.api.reports import reports
from chalicelib.api.uploads import uploads
from chalicelib.api.webhooks import webhooks
from chalicelib.api.worklist import worklist
from chalicelib.schedules.handlers import schedules
from chalicelib.wiring import use_contract_check

app = ThreadSafeChalice(app_name="claimgate")
app.register_middleware(authenticate, "http")
app.register_blueprint(claims)
app.register_blueprint(corrections)
app.register_blueprint(appeals)
app.register_blueprint(paper)
app.api.binary_types.append("application/pdf")  # appeal letters, paper claims
app.register_blueprint(inbound)
app.register_blueprint(manual_remittances)
app.register_blueprint(operations)
app.register_blueprint(payers)
app.register_blueprint(clearinghouses)
app.register_blueprint(worklist)
app.register_blueprint(webhooks)
app.register_blueprint(eligibility)
app.register_blueprint(authorizations)
app.register_blueprint(reports)
app.register_blueprint(console)
app.register_blueprint(patients)
app.register_blueprint(collections)
app.register_blueprint(uploads)
app.register_blueprint(admin)
app.register_blueprint(audit)
app.register_blueprint(docs)
app.register_blueprint(schedules)
use_contract_check(contract_problems)  # claim files applied by a schedule meet the API's rules
