"""HTTP routers of the CRM people API: people, identities, notes and timeline, custom fields,
tags, customer roles, journeys, lists, segments, businesses and exports.

Permissions: `contacts:view` reads, `contacts:edit` writes people, lists and segments,
`contacts:manage` defines the vocabulary (fields, tags, roles, journeys), merges and deletes.
Routes under /v1/contacts also answer API keys at /ext/v1/contacts (see template.yaml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.crm.people import service as people
from skailan.crm.people.models import (
    DuplicatePairOut,
    IdentityIn,
    IdentityOut,
    MergeIn,
    NoteIn,
    PeopleCountOut,
    PersonIn,
    PersonOut,
    PersonPatchIn,
    TimelineEntryOut,
)
from skailan.crm.store import person_reads
from skailan.crm.values.types import Page
from skailan.platform.api import Cursor, Limit
from skailan.platform.auth import current_caller
from skailan.platform.lazy import lazy_module
from skailan.tenancy.access import requires

if TYPE_CHECKING:  # the type checker reads the modules; at run time they load on first use
    from skailan.crm.audiences import export, lists
    from skailan.crm.audiences import models as audiences
    from skailan.crm.audiences import segments as segment_store
    from skailan.crm.businesses import models as business_models
    from skailan.crm.businesses import service as businesses
    from skailan.crm.people import identities, merge, timeline
    from skailan.crm.vocabulary import definitions
    from skailan.crm.vocabulary import models as vocabulary
else:
    identities = lazy_module("skailan.crm.people.identities")
    timeline = lazy_module("skailan.crm.people.timeline")
    merge = lazy_module("skailan.crm.people.merge")
    definitions = lazy_module("skailan.crm.vocabulary.definitions")
    lists = lazy_module("skailan.crm.audiences.lists")
    segment_store = lazy_module("skailan.crm.audiences.segments")
    businesses = lazy_module("skailan.crm.businesses.service")
    export = lazy_module("skailan.crm.audiences.export")
    vocabulary = lazy_module("skailan.crm.vocabulary.models")
    audiences = lazy_module("skailan.crm.audiences.models")
    business_models = lazy_module("skailan.crm.businesses.models")

Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}", description="YYYY-MM-DD or an ISO-8601 instant")]
Ref = Annotated[str | None, Query(max_length=64)]

VIEW, EDIT, MANAGE = "contacts:view", "contacts:edit", "contacts:manage"
TAGS = ["contacts"]
SETTINGS = ["crm"]

# ---------------------------------------------------------------- people
people_router = Router()


@people_router.get("/v1/contacts", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def list_contacts(
    q: Annotated[str | None, Query(max_length=200, description="Name prefix, phone or e-mail")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    journey_state: Ref = None,
    owner_id: Annotated[str | None, Query(max_length=64, description="The people's owner: a user id, or `me`")] = None,
    customer_role: Ref = None,
    list_id: Ref = None,
    segment_id: Ref = None,
    created_from: Day = None,
    created_to: Day = None,
    updated_from: Day = None,
    updated_to: Day = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[PersonOut]:
    if owner_id == "me":
        owner_id = current_caller().principal_id
    filters = people.PeopleFilter(q=q, tag=tag, journey_state=journey_state, owner_id=owner_id,
                                  customer_role=customer_role, list_id=list_id, segment_id=segment_id,
                                  created_from=created_from, created_to=created_to, updated_from=updated_from,
                                  updated_to=updated_to)
    return people.list_people(current_caller().tenant_id, filters, cursor=cursor, limit=limit)


@people_router.post("/v1/contacts", middlewares=[requires(EDIT, api_key=True)], status_code=201, tags=TAGS)
def create_contact(body: PersonIn) -> PersonOut:
    caller = current_caller()
    return people.create_person(caller, caller.tenant_id, body)


@people_router.get("/v1/contacts/count", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def count_contacts() -> PeopleCountOut:
    """How many people the brand has: one Query on a counter, however large the brand."""
    return PeopleCountOut(people_total=person_reads.people_total(current_caller().tenant_id))


@people_router.get("/v1/contacts/duplicates", middlewares=[requires(VIEW)], tags=TAGS)
def list_duplicate_contacts(cursor: Cursor = None, limit: Limit = None) -> Page[DuplicatePairOut]:
    return merge.list_duplicates(current_caller().tenant_id, cursor=cursor, limit=limit)


@people_router.post("/v1/contacts/exports", middlewares=[requires(EDIT)], status_code=202, tags=TAGS)
def request_contacts_export(body: audiences.ExportIn) -> audiences.ExportCreatedOut:
    return export.request_export(current_caller(), body)


@people_router.get("/v1/contacts/exports/<export_id>", middlewares=[requires(EDIT)], tags=TAGS)
def get_contacts_export(export_id: str) -> audiences.ExportOut:
    return export.get_export(current_caller().tenant_id, export_id)


@people_router.get("/v1/contacts/<person_id>", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def get_contact(person_id: str) -> PersonOut:
    return people.get_person(current_caller().tenant_id, person_id)


@people_router.patch("/v1/contacts/<person_id>", middlewares=[requires(EDIT, api_key=True)], tags=TAGS)
def update_contact(person_id: str, body: PersonPatchIn) -> PersonOut:
    return people.update_person(current_caller(), person_id, body)


@people_router.delete("/v1/contacts/<person_id>", middlewares=[requires(MANAGE)], status_code=204, tags=TAGS)
def delete_contact(person_id: str) -> None:
    people.delete_person(current_caller(), person_id)


@people_router.get("/v1/contacts/<person_id>/identities", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def list_contact_identities(person_id: str) -> Page[IdentityOut]:
    return Page[IdentityOut](items=identities.list_identities(current_caller().tenant_id, person_id))


@people_router.post("/v1/contacts/<person_id>/identities", middlewares=[requires(EDIT, api_key=True)],
                    status_code=201, tags=TAGS)
def add_contact_identity(person_id: str, body: IdentityIn) -> Page[IdentityOut]:
    return Page[IdentityOut](items=identities.add_identity(current_caller(), person_id, body))


@people_router.delete("/v1/contacts/<person_id>/identities/<kind>/<value>", middlewares=[requires(EDIT, api_key=True)],
                      tags=TAGS)
def remove_contact_identity(person_id: str, kind: str, value: str) -> Page[IdentityOut]:
    """Release one identity (URL-encode the value: `+57…` → `%2B57…`); answers the ones left."""
    from urllib.parse import unquote

    return Page[IdentityOut](items=identities.remove_identity(current_caller(), person_id, kind, unquote(value)))


@people_router.post("/v1/contacts/<person_id>/notes", middlewares=[requires(EDIT, api_key=True)], status_code=201,
                    tags=TAGS)
def add_contact_note(person_id: str, body: NoteIn) -> TimelineEntryOut:
    return timeline.add_note(current_caller(), person_id, body.body)


@people_router.get("/v1/contacts/<person_id>/timeline", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def get_contact_timeline(person_id: str, kind: Annotated[str | None, Query(max_length=40)] = None,
                         cursor: Cursor = None, limit: Limit = None) -> Page[TimelineEntryOut]:
    return timeline.list_timeline(current_caller().tenant_id, person_id, cursor=cursor, limit=limit, kind=kind)


@people_router.post("/v1/contacts/<person_id>/merge", middlewares=[requires(MANAGE)], tags=TAGS)
def merge_contacts(person_id: str, body: MergeIn) -> PersonOut:
    return merge.merge_people(current_caller(), person_id, body.other_id)


@people_router.get("/v1/contacts/<person_id>/businesses", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def list_contact_businesses(person_id: str) -> Page[business_models.BusinessPersonOut]:
    return Page[business_models.BusinessPersonOut](items=businesses.list_person_businesses(current_caller().tenant_id, person_id))


@people_router.get("/v1/contacts/<person_id>/lists", middlewares=[requires(VIEW, api_key=True)], tags=TAGS)
def list_contact_lists(person_id: str) -> Page[audiences.ListOut]:
    return Page[audiences.ListOut](items=lists.person_lists(current_caller().tenant_id, person_id))


# ---------------------------------------------------------------- custom fields
fields_router = Router()


@fields_router.get("/v1/crm/fields", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_fields() -> Page[vocabulary.FieldOut]:
    return Page[vocabulary.FieldOut](items=definitions.list_fields(current_caller().tenant_id))


@fields_router.post("/v1/crm/fields", middlewares=[requires(MANAGE)], status_code=201, tags=SETTINGS)
def create_field(body: vocabulary.FieldDefinitionBody) -> vocabulary.FieldOut:
    return definitions.create_field(current_caller(), body)


@fields_router.put("/v1/crm/fields/<key>", middlewares=[requires(MANAGE)], tags=SETTINGS)
def replace_field(key: str, body: vocabulary.FieldDefinitionBody) -> vocabulary.FieldOut:
    return definitions.replace_field(current_caller(), key, body)


@fields_router.delete("/v1/crm/fields/<key>", middlewares=[requires(MANAGE)], status_code=204, tags=SETTINGS)
def delete_field(key: str) -> None:
    definitions.delete_field(current_caller(), key)


# ---------------------------------------------------------------- tags
tags_router = Router()


@tags_router.get("/v1/crm/tags", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_tags(counts: Annotated[bool, Query(description="Include how many people have each tag")] = False,
              cursor: Cursor = None, limit: Limit = None) -> Page[vocabulary.TagOut]:
    return definitions.list_tags(current_caller().tenant_id, counts=counts, cursor=cursor, limit=limit)


@tags_router.post("/v1/crm/tags", middlewares=[requires(MANAGE)], status_code=201, tags=SETTINGS)
def create_tag(body: vocabulary.TagIn) -> vocabulary.TagOut:
    return definitions.create_tag(current_caller(), body)


@tags_router.patch("/v1/crm/tags/<name>", middlewares=[requires(MANAGE)], tags=SETTINGS)
def update_tag(name: str, body: vocabulary.TagUpdateIn) -> vocabulary.TagOut:
    return definitions.update_tag(current_caller(), unquote(name), body)


@tags_router.delete("/v1/crm/tags/<name>", middlewares=[requires(MANAGE)], status_code=204, tags=SETTINGS)
def delete_tag(name: str) -> None:
    definitions.delete_tag(current_caller(), unquote(name))


# ---------------------------------------------------------------- customer roles
roles_router = Router()


@roles_router.get("/v1/crm/customer-roles", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_customer_roles() -> Page[vocabulary.CustomerRoleOut]:
    return Page[vocabulary.CustomerRoleOut](items=definitions.list_customer_roles(current_caller().tenant_id))


@roles_router.post("/v1/crm/customer-roles", middlewares=[requires(MANAGE)], status_code=201, tags=SETTINGS)
def create_customer_role(body: vocabulary.CustomerRoleIn) -> vocabulary.CustomerRoleOut:
    return definitions.create_customer_role(current_caller(), body)


@roles_router.patch("/v1/crm/customer-roles/<role_id>", middlewares=[requires(MANAGE)], tags=SETTINGS)
def update_customer_role(role_id: str, body: vocabulary.CustomerRoleUpdateIn) -> vocabulary.CustomerRoleOut:
    return definitions.update_customer_role(current_caller(), role_id, body)


@roles_router.delete("/v1/crm/customer-roles/<role_id>", middlewares=[requires(MANAGE)], status_code=204,
                     tags=SETTINGS)
def delete_customer_role(role_id: str) -> None:
    definitions.delete_customer_role(current_caller(), role_id)


# ---------------------------------------------------------------- journeys
journeys_router = Router()


@journeys_router.get("/v1/crm/journeys", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_journeys() -> Page[vocabulary.JourneyOut]:
    return Page[vocabulary.JourneyOut](items=definitions.list_journeys(current_caller().tenant_id))


@journeys_router.post("/v1/crm/journeys", middlewares=[requires(MANAGE)], status_code=201, tags=SETTINGS)
def create_journey(body: vocabulary.JourneyIn) -> vocabulary.JourneyOut:
    return definitions.create_journey(current_caller(), body)


@journeys_router.get("/v1/crm/journeys/<journey_id>", middlewares=[requires(VIEW)], tags=SETTINGS)
def get_journey(journey_id: str) -> vocabulary.JourneyOut:
    return definitions.get_journey(current_caller().tenant_id, journey_id)


@journeys_router.patch("/v1/crm/journeys/<journey_id>", middlewares=[requires(MANAGE)], tags=SETTINGS)
def update_journey(journey_id: str, body: vocabulary.JourneyUpdateIn) -> vocabulary.JourneyOut:
    return definitions.update_journey(current_caller(), journey_id, body)


@journeys_router.delete("/v1/crm/journeys/<journey_id>", middlewares=[requires(MANAGE)], status_code=204,
                        tags=SETTINGS)
def delete_journey(journey_id: str) -> None:
    definitions.delete_journey(current_caller(), journey_id)


# ---------------------------------------------------------------- static lists
lists_router = Router()


@lists_router.get("/v1/crm/lists", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_lists(cursor: Cursor = None, limit: Limit = None) -> Page[audiences.ListOut]:
    return lists.list_lists(current_caller().tenant_id, cursor=cursor, limit=limit)


@lists_router.post("/v1/crm/lists", middlewares=[requires(EDIT)], status_code=201, tags=SETTINGS)
def create_list(body: audiences.ListIn) -> audiences.ListOut:
    caller = current_caller()
    return lists.create_list(caller, caller.tenant_id, body)


@lists_router.get("/v1/crm/lists/<list_id>", middlewares=[requires(VIEW)], tags=SETTINGS)
def get_list(list_id: str) -> audiences.ListOut:
    return lists.get_list(current_caller().tenant_id, list_id)


@lists_router.patch("/v1/crm/lists/<list_id>", middlewares=[requires(EDIT)], tags=SETTINGS)
def update_list(list_id: str, body: audiences.ListUpdateIn) -> audiences.ListOut:
    return lists.update_list(current_caller(), list_id, body)


@lists_router.delete("/v1/crm/lists/<list_id>", middlewares=[requires(MANAGE)], status_code=204, tags=SETTINGS)
def delete_list(list_id: str) -> None:
    lists.delete_list(current_caller(), list_id)


@lists_router.get("/v1/crm/lists/<list_id>/members", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_list_members(list_id: str, cursor: Cursor = None, limit: Limit = None) -> Page[PersonOut]:
    tenant_id = current_caller().tenant_id
    lists.load_list(tenant_id, list_id)
    return people.list_people(tenant_id, people.PeopleFilter(list_id=list_id), cursor=cursor, limit=limit)


@lists_router.post("/v1/crm/lists/<list_id>/members", middlewares=[requires(EDIT)], tags=SETTINGS)
def add_list_members(list_id: str, body: audiences.MembersIn) -> audiences.MembersResultOut:
    caller = current_caller()
    return lists.add_members(caller, caller.tenant_id, list_id, body.person_ids)


@lists_router.post("/v1/crm/lists/<list_id>/members/remove", middlewares=[requires(EDIT)], tags=SETTINGS)
def remove_list_members(list_id: str, body: audiences.MembersIn) -> audiences.MembersResultOut:
    return lists.remove_members(current_caller(), list_id, body.person_ids)


# ---------------------------------------------------------------- dynamic segments
segments_router = Router()


@segments_router.get("/v1/crm/segments", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_segments(cursor: Cursor = None, limit: Limit = None) -> Page[audiences.SegmentOut]:
    return segment_store.list_segments(current_caller().tenant_id, cursor=cursor, limit=limit)


@segments_router.post("/v1/crm/segments", middlewares=[requires(EDIT)], status_code=201, tags=SETTINGS)
def create_segment(body: audiences.SegmentIn) -> audiences.SegmentOut:
    return segment_store.create_segment(current_caller(), body)


@segments_router.get("/v1/crm/segments/<segment_id>", middlewares=[requires(VIEW)], tags=SETTINGS)
def get_segment(segment_id: str) -> audiences.SegmentOut:
    return segment_store.get_segment(current_caller().tenant_id, segment_id)


@segments_router.patch("/v1/crm/segments/<segment_id>", middlewares=[requires(EDIT)], tags=SETTINGS)
def update_segment(segment_id: str, body: audiences.SegmentUpdateIn) -> audiences.SegmentOut:
    return segment_store.update_segment(current_caller(), segment_id, body)


@segments_router.delete("/v1/crm/segments/<segment_id>", middlewares=[requires(MANAGE)], status_code=204,
                        tags=SETTINGS)
def delete_segment(segment_id: str) -> None:
    segment_store.delete_segment(current_caller(), segment_id)


@segments_router.get("/v1/crm/segments/<segment_id>/members", middlewares=[requires(VIEW)], tags=SETTINGS)
def list_segment_members(segment_id: str, cursor: Cursor = None, limit: Limit = None) -> Page[PersonOut]:
    tenant_id = current_caller().tenant_id
    segment_store.load_segment(tenant_id, segment_id)
    return people.list_people(tenant_id, people.PeopleFilter(segment_id=segment_id), cursor=cursor, limit=limit)


# ---------------------------------------------------------------- businesses
businesses_router = Router()
BIZ = ["businesses"]


@businesses_router.get("/v1/businesses", middlewares=[requires(VIEW)], tags=BIZ)
def list_businesses(q: Annotated[str | None, Query(max_length=200, description="Name prefix")] = None,
                    cursor: Cursor = None, limit: Limit = None) -> Page[business_models.BusinessOut]:
    return businesses.list_businesses(current_caller().tenant_id, q=q, cursor=cursor, limit=limit)


@businesses_router.post("/v1/businesses", middlewares=[requires(EDIT)], status_code=201, tags=BIZ)
def create_business(body: business_models.BusinessIn) -> business_models.BusinessOut:
    return businesses.create_business(current_caller(), body)


@businesses_router.get("/v1/businesses/<business_id>", middlewares=[requires(VIEW)], tags=BIZ)
def get_business(business_id: str) -> business_models.BusinessOut:
    return businesses.get_business(current_caller().tenant_id, business_id)


@businesses_router.patch("/v1/businesses/<business_id>", middlewares=[requires(EDIT)], tags=BIZ)
def update_business(business_id: str, body: business_models.BusinessUpdateIn) -> business_models.BusinessOut:
    return businesses.update_business(current_caller(), business_id, body)


@businesses_router.delete("/v1/businesses/<business_id>", middlewares=[requires(MANAGE)], status_code=204, tags=BIZ)
def delete_business(business_id: str) -> None:
    businesses.delete_business(current_caller(), business_id)


@businesses_router.get("/v1/businesses/<business_id>/people", middlewares=[requires(VIEW)], tags=BIZ)
def list_business_people(business_id: str, cursor: Cursor = None, limit: Limit = None) -> Page[business_models.BusinessPersonOut]:
    return businesses.list_business_people(current_caller().tenant_id, business_id, cursor=cursor, limit=limit)


@businesses_router.post("/v1/businesses/<business_id>/people", middlewares=[requires(EDIT)], status_code=201,
                        tags=BIZ)
def link_business_person(business_id: str, body: business_models.BusinessPersonIn) -> business_models.BusinessPersonOut:
    return businesses.link_person(current_caller(), business_id, body)


@businesses_router.delete("/v1/businesses/<business_id>/people/<person_id>", middlewares=[requires(EDIT)],
                          status_code=204, tags=BIZ)
def unlink_business_person(business_id: str, person_id: str) -> None:
    businesses.unlink_person(current_caller(), business_id, person_id)


ROUTERS = (people_router, fields_router, tags_router, roles_router, journeys_router, lists_router, segments_router,
           businesses_router)
