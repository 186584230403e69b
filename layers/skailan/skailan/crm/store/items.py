"""Stored items of the contacts table (single-table design, pynamodb).

`ContactsItem` (pk/sk, the `kind` discriminator, three overloaded GSIs, `ttl`) is the base of
every CRM item; sales items (`sales_items.py`) subclass it too. Every pk and GSI pk starts with
`T#<tenant>`, so no key of one brand can reach another's.

Person partition — everything that belongs to one person lives under pk `T#<t>#P#<person>`,
so reading, merging and deleting a person are Queries on one partition:

  person         sk PERSON              gsi1 T#<t>#PEOPLE / <created_at>#<p>   (list, created range)
                                        gsi2 T#<t>#PEOPLE / <updated_at>#<p>   (updated range)
                                        (both removed when the person is deleted or merged: sparse)
  facet          sk F#<facet>#<value>   gsi1 T#<t>#F#<facet>#<value> / <created_at>#<p>
                 facet ∈ tag (folded tag), journey (state id), owner (user id), role (customer
                 role id), list (list id), segment (segment id). One Query on the facet's gsi1
                 partition lists the people with that tag / state / owner / role / list /
                 segment, newest first, and `between` on the sort key applies a created range.
  name key       sk N#<key>             gsi1 T#<t>#NAME / <key>#<p>
                 one per word-onward suffix of the folded name (`crm.text.name_search_keys`):
                 name search is one Query with begins_with.
  timeline       sk TL#<occurred_at>#<entry id>   notes, journey changes, merges, list changes,
                 and whatever other contexts append (`crm.timeline.append_timeline`).

Identity (unique per brand, claimed by conditional put in the same transaction as the person):

  identity       pk T#<t>#ID#<kind>#<key>   sk IDENTITY   → person_id
                 kind ∈ phone (key = `phone_match_key(e164)`), email (normalised), whatsapp
                 (wa_id), telegram, messenger (PSID), instagram, webchat. Finding a person by
                 phone or e-mail is one GetItem.

Brand-level partitions (small, read with one Query):

  definitions    pk T#<t>#DEF       sk FIELD#<key> | CROLE#<id> | JOURNEY#<id>
  tags           pk T#<t>#TAGS      sk TAG#<folded tag>           (name, colour, count by ADD;
                 renamed_to / renaming_from while a rename is in flight)
  lists          pk T#<t>#LISTS     sk LIST#<id>                  (name, count by ADD)
  segments       pk T#<t>#SEGMENTS  sk SEG#<id>                   (rule, count by ADD)
                 gsi2 SEGREFRESH#<shard> / <next refresh>#<t>#<id> only for rules with
                 relative dates (sparse): the hourly refresh job's Query, like TASKALARM#<shard>
  exports        pk T#<t>#EXPORTS   sk EXPORT#<id>                (status, S3 key, ttl)
  people count   pk T#<t>#STATS     sk PEOPLE#<shard 00–15>      (count by ADD; sum = live people)
  duplicates     pk T#<t>#DUPS      sk <folded full name>         person_ids set; gsi1
                 T#<t>#DUPGROUPS / <name> only while the set has two or more ids (sparse);
                 the person's side is pk T#<t>#P#<p> sk DUPKEY (the group it is counted in)

Businesses:

  business       pk T#<t>#B#<b>   sk BUSINESS    gsi1 T#<t>#BUSINESSES / <folded name>#<b>
  link           pk T#<t>#B#<b>   sk PERSON#<p>  gsi2 T#<t>#P#<p>#BIZ / <b>  (a person's businesses)

Every listing is a Query on one of these keys (never a Scan); filters beyond the driving key
are applied to the page read, so the requests per page stay constant.
"""

from __future__ import annotations

import zlib

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)

from skailan.crm.values.text import search_prefix
from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem


def person_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#P#{person_id}"


def people_index_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#PEOPLE"


def facet_index_pk(tenant_id: str, facet: str, value: str) -> str:
    return f"T#{tenant_id}#F#{facet}#{value}"


def name_index_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#NAME"


def identity_pk(tenant_id: str, kind: str, key: str) -> str:
    return f"T#{tenant_id}#ID#{kind}#{key}"


def definitions_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DEF"


def business_pk(tenant_id: str, business_id: str) -> str:
    return f"T#{tenant_id}#B#{business_id}"


def stats_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#STATS"


PERSON_SK = "PERSON"
PEOPLE_COUNT_SHARDS = 16  # a hot counter in every person transaction: spread it so they rarely conflict
IDENTITY_SK = "IDENTITY"
BUSINESS_SK = "BUSINESS"
BUSINESS_LINK = "PERSON#"  # sk prefix of a business's people (`PERSON#<person id>`)
FIELD = "FIELD#"
CROLE = "CROLE#"
JOURNEY = "JOURNEY#"
TAG = "TAG#"
LIST = "LIST#"
SEG = "SEG#"
SEGMENT_REFRESH_SHARDS = 4


EXPORT = "EXPORT#"
FACET = "F#"  # sk prefix of every facet (and list / segment membership) item in a person's partition


def facet_sk(facet: str, value: str) -> str:
    """The sk of a facet item (`facet_sk("list", "")` is the prefix of all the person's lists)."""
    return f"{FACET}{facet}#{value}"


def exports_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#EXPORTS"


def tags_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TAGS"


def lists_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#LISTS"


def segments_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SEGMENTS"


def segment_refresh_pk(tenant_id: str) -> str:
    """The refresh job's gsi2 partition of the brand's segments (global, sharded: see the doc above)."""
    return segment_refresh_shard_pk(zlib.crc32(tenant_id.encode()) % SEGMENT_REFRESH_SHARDS)


def segment_refresh_shard_pk(shard: int) -> str:
    return f"SEGREFRESH#{shard}"


def dups_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DUPS"


def businesses_index_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#BUSINESSES"


def person_businesses_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#P#{person_id}#BIZ"


# ---------------------------------------------------------------- sort keys (and their query bounds)


def facet_member_sk(created_at: str | None, person_id: str) -> str:
    """The gsi1sk of a facet / list / segment membership item: its people newest first."""
    return f"{created_at}#{person_id}"


def timed_sk_upto(end: str) -> str:
    """Inclusive upper bound of a `<time>#<id>` sort key (people, facet members) for times up to
    `end`: a bare date or instant must also take every id after it."""
    return end + "\uffff"


def segment_refresh_sk(due: str, tenant_id: str, segment_id: str) -> str:
    """The gsi2sk of a segment on the refresh index: when its next refresh is due."""
    return f"{due}#{tenant_id}#{segment_id}"


def segment_refresh_due(sk: str) -> str:
    """The due time a `segment_refresh_sk` holds."""
    return sk.split("#", 1)[0]


def segment_refreshes_due_by(stamp: str) -> str:
    """Upper bound (`<=`) of the refresh index for refreshes due at or before `stamp` ('~' sorts last)."""
    return f"{stamp}#~"


def business_search_prefix(text: str) -> str:
    """The gsi1sk prefix that finds businesses by name (empty: no filter)."""
    return search_prefix(text)


def business_search_sk(name: str, business_id: str) -> str:
    """The gsi1sk of a business: its folded name (`~` without one: sorts last), then its id."""
    return f"{business_search_prefix(name) or '~'}#{business_id}"


class ContactsItem(TableItem):
    """Base of every item in the contacts table; subclasses pass `discriminator=`."""

    class Meta:
        table_name = get_settings().contacts_table

    overloaded_indexes = 3


# ---------------------------------------------------------------- person partition


class PersonItem(ContactsItem, discriminator="person"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)  # canonical E.164
    email = UnicodeAttribute(null=True)
    custom = JSONAttribute(default=dict)
    tags = JSONAttribute(default=list)  # display spellings, in the order given
    owner_id = UnicodeAttribute(null=True)
    journey_state = UnicodeAttribute(null=True)
    customer_role = UnicodeAttribute(null=True)
    lead_status = UnicodeAttribute(null=True)
    last_interaction_at = UnicodeAttribute(null=True)
    # [{"kind", "value", "key"}]: every identity item this person holds (kept in the same transactions)
    identities = JSONAttribute(default=list)
    deleted_at = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    version = VersionAttribute()


class PeopleCountItem(ContactsItem, discriminator="people_count"):
    """One shard of the brand's live-people count (sk PEOPLE#<nn>); the sum is `people.people_total`."""

    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored "count" shadows Model.count(), unused on these items


class FacetItem(ContactsItem, discriminator="facet"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    facet = UnicodeAttribute()
    value = UnicodeAttribute()


class NameKeyItem(ContactsItem, discriminator="name_key"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()


class TimelineItem(ContactsItem, discriminator="timeline"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    entry_kind = UnicodeAttribute()  # note | journey_changed | merged | list_added | …
    summary = UnicodeAttribute()
    body = UnicodeAttribute(null=True)  # a note's text
    ref = JSONAttribute(default=dict)  # what the entry points to ({"type", "id"} …)
    occurred_at = UnicodeAttribute()
    author = JSONAttribute(null=True)


class IdentityItem(ContactsItem, discriminator="identity"):
    tenant_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    identity_kind = UnicodeAttribute()
    value = UnicodeAttribute()  # as shown (E.164 for phones); the key is in pk


# ---------------------------------------------------------------- definitions


class FieldDefinitionItem(ContactsItem, discriminator="field_definition"):
    tenant_id = UnicodeAttribute()
    key = UnicodeAttribute()
    definition = JSONAttribute()  # crm.fields.FieldDefinition as JSON


class CustomerRoleItem(ContactsItem, discriminator="customer_role"):
    tenant_id = UnicodeAttribute()
    role_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)


class JourneyItem(ContactsItem, discriminator="journey"):
    tenant_id = UnicodeAttribute()
    journey_id = UnicodeAttribute()
    name = UnicodeAttribute()
    states = JSONAttribute(default=list)  # [{"id", "name", "color"}] in order
    is_default = BooleanAttribute(default=False)
    show_in_menu = BooleanAttribute(default=True)
    position = NumberAttribute(default=0)


class TagItem(ContactsItem, discriminator="tag"):
    tenant_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    color = UnicodeAttribute(null=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored "count" shadows Model.count(), unused on these items
    # A rename in flight (the segments worker moves the people, then drops the old item):
    renamed_to = UnicodeAttribute(null=True)  # on the old item: the new folded key (hidden from reads)
    renaming_from = UnicodeAttribute(null=True)  # on the new item: the old folded key (its count still pending)


class ListItem(ContactsItem, discriminator="list"):
    tenant_id = UnicodeAttribute()
    list_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored "count" shadows Model.count(), unused on these items


class SegmentItem(ContactsItem, discriminator="segment"):
    tenant_id = UnicodeAttribute()
    segment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    rule = JSONAttribute()
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored "count" shadows Model.count(), unused on these items
    status = UnicodeAttribute(default="computing")  # computing | ready
    rule_version = NumberAttribute(default=1)  # bumped when the rule changes; the backfill checks it


class ExportItem(ContactsItem, discriminator="export"):
    tenant_id = UnicodeAttribute()
    export_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | running | completed | failed
    filters = JSONAttribute(default=dict)
    s3_key = UnicodeAttribute(null=True)
    rows = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute(null=True)


class DupKeyItem(ContactsItem, discriminator="dup_key"):
    """pk T#<t>#P#<p>, sk DUPKEY: which duplicate group the person is counted in (worker-kept)."""

    name = UnicodeAttribute()


class DuplicateGroupItem(ContactsItem, discriminator="duplicate_group"):
    tenant_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    person_ids = UnicodeSetAttribute(default=set)


# ---------------------------------------------------------------- businesses


class BusinessItem(ContactsItem, discriminator="business"):
    tenant_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    name = UnicodeAttribute()
    website = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    # Key-account management (analytics KAM KPIs): marked by hand, with its manager (a member).
    key_account = BooleanAttribute(null=True)
    account_manager_id = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


class BusinessLinkItem(ContactsItem, discriminator="business_link"):
    tenant_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    role = UnicodeAttribute(null=True)
