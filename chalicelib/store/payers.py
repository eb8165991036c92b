"""Payer directory entries in the table (global, not per tenant: a payer id is the same for
every practice; contracts and fee schedules are per tenant)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from chalicelib.payers.directory import Payer

from .models import PayerItem

PAYER_SK = "#PAYER"


def _item(payer: Payer) -> PayerItem:
    return PayerItem(
        pk=f"PAYER#{payer.payer_id}",
        sk=PAYER_SK,
        payer_id=payer.payer_id,
        name=payer.name,
        plan_type=payer.plan_type,
        gateway=payer.gateway,
        gateway_payer_id=payer.gateway_payer_id,
    )


def save_payer(payer: Payer) -> None:
    _item(payer).save()


def load_payer(payer_id: str) -> Payer | None:
    try:
        item = PayerItem.get(f"PAYER#{payer_id}", PAYER_SK)
    except DoesNotExist:
        return None
    return Payer(
        payer_id=item.payer_id,
        name=item.name,
        plan_type=item.plan_type,
        gateway=item.gateway,
        gateway_payer_id=item.gateway_payer_id,
    )
