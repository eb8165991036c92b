"""The collection agency's view of the tenant: every account sent to collections, with the
payments recorded since placement (chalicelib.patients.collections builds the rows)."""

from __future__ import annotations

from chalicelib.patients.collections import CollectionRow, collection_row
from chalicelib.store import patients as store


def collection_rows(tenant_id: str) -> list[CollectionRow]:
    rows = []
    for account in store.accounts_in_collections(tenant_id):
        if account.collection_placed_on is None or account.collection_placed_amount is None:
            continue
        _, entries = store.load_patient(tenant_id, account.patient_id)
        rows.append(
            collection_row(
                patient_id=account.patient_id,
                identity=account.identity,
                placed_on=account.collection_placed_on,
                placed_amount=account.collection_placed_amount,
                entries=entries,
                last_statement_on=account.last_statement_on,
            )
        )
    return rows
