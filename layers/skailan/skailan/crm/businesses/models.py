"""API models of businesses and their people."""

from typing import Annotated

from pydantic import Field

from skailan.crm.people.models import PersonOut
from skailan.crm.values.types import Name, RawEmail, RawPhone, RefId
from skailan.platform.models import RequestModel, ResponseModel

# ---------------------------------------------------------------- businesses


class BusinessUpdateIn(RequestModel):
    name: Name | None = None
    website: Annotated[str, Field(max_length=300)] | None = None
    phone: RawPhone | None = None
    email: RawEmail | None = None
    tax_id: Annotated[str, Field(max_length=40)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    notes: Annotated[str, Field(max_length=5000)] | None = None
    key_account: bool | None = None
    account_manager_id: RefId | None = None  # its key-account manager (a member of the brand)


class BusinessIn(BusinessUpdateIn):  # a new business: the same fields, the name required
    name: Name
    key_account: bool = False  # a key account: counted in the KAM report (/v1/reports/kam)


class BusinessOut(ResponseModel):
    id: str
    name: str
    website: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None
    address: str | None = None
    notes: str | None = None
    key_account: bool = False
    account_manager_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class BusinessPersonIn(RequestModel):
    person_id: RefId
    role: Annotated[str, Field(min_length=1, max_length=80)] | None = None


class BusinessPersonOut(ResponseModel):
    business_id: str
    person_id: str
    role: str | None = None
    person: PersonOut | None = None
    business: BusinessOut | None = None
