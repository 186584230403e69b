"""Pipelines' stages, deal amounts and the conversion progression."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from skailan.crm.sales import deals
from skailan.crm.sales.models import DealIn, StageIn
from skailan.crm.store.sales_items import DealItem, PipelineItem
from skailan.platform.errors import Unprocessable


def test_stage_ids_default_to_slugs_and_must_be_unique():
    stages = deals._stages([StageIn(name="Negociación final", probability=70), StageIn(name="¡Ganado!", outcome="won")])
    assert [s["id"] for s in stages] == ["negociacion-final", "ganado"]
    with pytest.raises(Unprocessable) as err:
        deals._stages([StageIn(id="a", name="A"), StageIn(id="a", name="B")])
    assert err.value.details[0]["field"] == "stages[1].id"


def test_a_pipeline_needs_an_open_stage():
    with pytest.raises(Unprocessable) as err:
        deals._stages([StageIn(name="Ganado", outcome="won"), StageIn(name="Perdido", outcome="lost")])
    assert err.value.details[0]["field"] == "stages"


def test_the_progression_skips_lost_stages():
    pipeline = PipelineItem("pk", "sk", tenant_id="demo", pipeline_id="p", name="P", stages=[
        {"id": "a", "name": "A", "probability": 10, "outcome": "open"},
        {"id": "lost", "name": "L", "probability": 0, "outcome": "lost"},
        {"id": "b", "name": "B", "probability": 50, "outcome": "open"},
        {"id": "won", "name": "W", "probability": 100, "outcome": "won"}])
    assert deals._progression(pipeline) == ["a", "b", "won"]
    assert deals._stage(pipeline, None)["id"] == "a"
    assert deals._stage(pipeline, "nope") is None


def test_weighted_amount_is_exact():
    pipeline = PipelineItem("pk", "sk", tenant_id="demo", pipeline_id="p", name="P",
                            stages=[{"id": "a", "name": "A", "probability": 33, "outcome": "open"}])
    deal = DealItem("pk", "DEAL", tenant_id="demo", deal_id="d", title="t", amount=Decimal("0.10"), currency="USD",
                    pipeline_id="p", stage_id="a")
    out = deals._out(deal, pipeline)
    assert out.amount == Decimal("0.10") and out.weighted_amount == Decimal("0.03")
    assert out.model_dump(mode="json")["amount"] == "0.10"


@pytest.mark.parametrize("amount", [-1, "1e400", "NaN", "Infinity", "0.00001", "1" * 20])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(ValidationError) as err:
        DealIn(title="x", amount=amount)
    assert err.value.errors()[0]["loc"][0] == "amount"


def test_amounts_keep_their_decimals():
    assert DealIn(title="x", amount="1500000.50").amount == Decimal("1500000.50")
    assert DealIn(title="x", amount=0.1).amount == Decimal("0.1")
