"""List and segment memberships: the facet item in the person's partition and its list's or
segment's count, changed together (people, lists, segments and merges drop them)."""

from __future__ import annotations

from skailan.crm.store.items import LIST, SEG, FacetItem, ListItem, SegmentItem, lists_pk, segments_pk
from skailan.crm.store.transact import TransactionFailed
from skailan.platform.storage import transaction


def remove_membership(tenant_id: str, facet: FacetItem) -> None:
    """Drop one membership (list or segment) and decrement its count; just drop other facets."""
    counter: ListItem | SegmentItem | None = None
    if facet.facet == "list":
        counter = ListItem(lists_pk(tenant_id), LIST + facet.value)
    elif facet.facet == "segment":
        counter = SegmentItem(segments_pk(tenant_id), SEG + facet.value)
    key = FacetItem(facet.pk, facet.sk)
    if counter is not None:
        try:
            with transaction() as tx:
                tx.delete(key, condition=FacetItem.pk.exists())
                tx.update(counter, actions=[type(counter).count.add(-1)], condition=type(counter).pk.exists())
            return
        except TransactionFailed:
            pass  # the list or segment is gone (or the membership already was): drop the item alone
    key.delete()
