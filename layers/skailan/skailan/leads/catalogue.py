"""Every event the lead flow publishes (source `skailan.leads`) and its payload."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, Payload, entity_types

SOURCE = "skailan.leads"

LEAD_NOTE_ADDED = "lead.note_added"
LEAD_STATUS_CHANGED = "lead.status_changed"
LEAD_RESERVED = "lead.reserved"
LEAD_RELEASED = "lead.released"
LEAD_REASSIGNED = "lead.reassigned"
LEAD_OUTCOME_CLASSIFIED = "lead.outcome_classified"
LEAD_SETTINGS_UPDATED = "lead_settings.updated"


class NoteAdded(Payload):
    person_id: str
    note_id: str
    text: str
    template_id: str | None = None
    author_id: str
    author_name: str | None = None
    created_at: str
    outcome: str | None = None
    outcome_source: str | None = None
    closed: bool = False
    first_note: bool = False  # the lead's first note ever


class StatusChanged(Payload):
    person_id: str
    from_status: str
    to_status: str


class Reservation(Payload):
    person_id: str
    holder_id: str | None = None
    holder_name: str | None = None
    previous_holder_id: str | None = None


class OutcomeClassified(Payload):
    person_id: str
    note_id: str
    outcome: str
    source: str
    model: str | None = None
    note_created_at: str
    author_id: str | None = None
    author_name: str | None = None


class SettingsUpdated(Payload):
    flow_changed: bool = False


CATALOGUE = Catalogue(SOURCE, {
    LEAD_NOTE_ADDED: NoteAdded,
    LEAD_STATUS_CHANGED: StatusChanged,
    LEAD_RESERVED: Reservation,
    LEAD_RELEASED: Reservation,
    LEAD_REASSIGNED: Reservation,
    LEAD_OUTCOME_CLASSIFIED: OutcomeClassified,
    LEAD_SETTINGS_UPDATED: SettingsUpdated,
    **entity_types("note_template"),
})
