"""The checked-in CloudFormation template is what infra/template.py builds from the models."""

from __future__ import annotations

import json
from pathlib import Path

from infra.template import build_template

CHECKED_IN = Path(__file__).resolve().parents[2] / "infra" / "claimgate-resources.json"


def test_infra_template_is_up_to_date_with_the_models() -> None:
    assert json.loads(CHECKED_IN.read_text()) == build_template(), (
        "run: python -m infra.template > infra/claimgate-resources.json"
    )


def test_infra_table_has_every_index_the_code_queries() -> None:
    from chalicelib.store.models import Item

    table = build_template()["Resources"]["ClaimsTable"]["Properties"]
    names = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    queried = {
        index.Meta.index_name
        for index in (
            Item.by_status,
            Item.by_payer,
            Item.by_tenant,
            Item.by_payer_status,
            Item.by_pcn,
            Item.by_due,
            Item.by_work,
        )
    }
    assert names == queried
