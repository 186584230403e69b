"""Every event the CRM publishes (source `skailan.crm`) and its payload."""

from __future__ import annotations

from pydantic import Field

from skailan.platform.catalogue import Catalogue, EntityPayload, Payload, entity_types

SOURCE = "skailan.crm"

CONTACT_MERGED = "contact.merged"
CONTACT_IMPORTED = "contact.imported"  # one per batch of imported people
CONTACT_JOURNEY_CHANGED = "contact.journey_changed"
CONTACT_IDENTITY_ADDED = "contact.identity_added"
CONTACT_IDENTITY_REMOVED = "contact.identity_removed"
CONTACT_NOTE_ADDED = "contact.note_added"
CONTACT_EXPORT_REQUESTED = "contact_export.requested"
SEGMENT_REFRESH_REQUESTED = "segment.refresh_requested"
TAG_RENAMED = "tag.renamed"  # the segments worker moves the people from the old name to the new


class ContactMerged(Payload):
    kept_id: str
    merged_id: str


class TagRenamed(Payload):
    """The old and new display names (entity_id: the new folded key)."""

    from_: str = Field(alias="from")
    to: str


CATALOGUE = Catalogue(SOURCE, {
    **entity_types("contact", "field", "tag", "customer_role", "journey", "list", "segment", "business",
                   "task", "task_type", "pipeline", "deal", "form"),
    CONTACT_MERGED: ContactMerged,
    CONTACT_IMPORTED: EntityPayload,
    CONTACT_JOURNEY_CHANGED: EntityPayload,
    CONTACT_IDENTITY_ADDED: EntityPayload,
    CONTACT_IDENTITY_REMOVED: EntityPayload,
    CONTACT_NOTE_ADDED: EntityPayload,
    CONTACT_EXPORT_REQUESTED: EntityPayload,
    SEGMENT_REFRESH_REQUESTED: EntityPayload,
    TAG_RENAMED: TagRenamed,
    **entity_types("contact_import", verbs=("created", "started", "completed", "failed")),
    **entity_types("list", verbs=("members_added", "members_removed")),
    **entity_types("business", verbs=("person_linked", "person_unlinked")),
    **entity_types("task", verbs=("completed", "reopened", "reminder", "overdue")),
    **entity_types("deal", verbs=("stage_changed", "won", "lost")),
    **entity_types("form", verbs=("submitted",)),
})
