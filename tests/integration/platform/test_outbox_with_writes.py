"""`outbox.put_with / update_with / delete_with`: one item's write and its events are one
transaction — both stand, or (a refused condition) neither does."""

from __future__ import annotations

from typing import Any

import pytest

from skailan.platform import outbox
from skailan.platform.events import build_event
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, conditional


def _state(aws: dict[str, str]) -> Any:
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute

    from skailan.platform.storage import KeyedItem

    class State(KeyedItem):
        class Meta:
            table_name = get_settings().contacts_table

        status = UnicodeAttribute(null=True)
        count = NumberAttribute(null=True)

    return State


def _event(type_: str) -> Any:
    return build_event("skailan.crm", "acme", type_, entity_type="tag", entity_id="t1", data={})


def _outbox(event: Any) -> Any:
    model = outbox.model_for(get_settings().contacts_table)
    try:
        return model.get(outbox.outbox_pk(event.tenant_id, event.id), event.id, consistent_read=True)
    except model.DoesNotExist:
        return None


def test_a_put_and_its_events_are_written_together(aws):
    State = _state(aws)
    event = _event("tag.created")
    item = State("T#acme#TEST", "S#put", status="new")
    outbox.put_with(item, [event], get_settings().contacts_table, condition=State.pk.does_not_exist())
    assert State.get("T#acme#TEST", "S#put", consistent_read=True).status == "new"
    assert _outbox(event).type == "tag.created"

    again = _event("tag.created")
    with pytest.raises(ConditionFailed), conditional():
        outbox.put_with(State("T#acme#TEST", "S#put", status="other"), [again], get_settings().contacts_table,
                        condition=State.pk.does_not_exist())
    assert State.get("T#acme#TEST", "S#put", consistent_read=True).status == "new"
    assert _outbox(again) is None  # the refused write took its event with it


def test_an_update_and_a_delete_take_their_events_or_nothing(aws):
    State = _state(aws)
    table = get_settings().contacts_table
    State("T#acme#TEST", "S#upd", status="a", count=1).save()
    item = State("T#acme#TEST", "S#upd")
    updated = _event("tag.updated")
    outbox.update_with(item, [State.status.set("b")], [updated], table, condition=State.status == "a")
    assert State.get("T#acme#TEST", "S#upd", consistent_read=True).status == "b"
    assert _outbox(updated) is not None

    stale = _event("tag.updated")
    with pytest.raises(ConditionFailed), conditional():
        outbox.update_with(item, [State.status.set("c")], [stale], table, condition=State.status == "a")
    assert _outbox(stale) is None

    deleted = _event("tag.deleted")
    outbox.delete_with(item, [deleted], table, condition=State.status == "b")
    with pytest.raises(State.DoesNotExist):
        State.get("T#acme#TEST", "S#upd", consistent_read=True)
    assert _outbox(deleted).type == "tag.deleted"


def test_without_events_they_are_the_plain_single_write(aws):
    State = _state(aws)
    item = State("T#acme#TEST", "S#plain", status="x", count=1)
    outbox.put_with(item, [], get_settings().contacts_table)
    outbox.update_with(item, [State.count.add(2)], [], get_settings().contacts_table)
    assert item.count == 3  # refreshed from UpdateItem's response, as Model.update does
    outbox.delete_with(item, [], get_settings().contacts_table)
    with pytest.raises(State.DoesNotExist):
        State.get("T#acme#TEST", "S#plain", consistent_read=True)


def test_a_write_with_events_is_one_request(aws):
    from tests.support import dynamodb_requests

    State = _state(aws)
    with dynamodb_requests() as sent:
        outbox.put_with(State("T#acme#TEST", "S#one", status="x"), [_event("tag.created"), _event("tag.updated")],
                        get_settings().contacts_table)
    assert sent == ["TransactWriteItems"]
