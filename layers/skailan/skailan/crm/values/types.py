"""Value types every CRM request model shares (names, raw phones and e-mails, tags, ids, colours)
and the one page shape of every listing."""

from typing import Annotated, Literal

from pydantic import Field

from skailan.platform.ids import EntityId
from skailan.platform.models import ResponseModel

Name = Annotated[str, Field(min_length=1, max_length=200)]
RawPhone = Annotated[str, Field(max_length=64)]
RawEmail = Annotated[str, Field(max_length=254)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^#]+$")]
RefId = EntityId
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
MAX_TAGS = 20

IdentityKind = Literal["phone", "email", "whatsapp", "telegram", "messenger", "instagram", "webchat"]


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None
