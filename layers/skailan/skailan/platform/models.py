"""Base models and shared field types for every context's API.

Schemas are built on first use (`defer_build`): a request touches one or two models, and
building all of a function's models at import would cost every cold start.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Practical address syntax (what mail systems accept), without DNS; RFC 5321 length limits.
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def normalize_email_address(value: str) -> str:
    value = value.strip()
    local, _, domain = value.rpartition("@")
    if (
        len(value) > 254
        or not local
        or len(local) > 64
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or not _EMAIL.match(value)
    ):
        raise ValueError("not a valid e-mail address")
    return f"{local}@{domain.lower()}".lower()


EmailAddress = Annotated[str, Field(max_length=254), AfterValidator(normalize_email_address)]


class RequestModel(BaseModel):
    """Writes refuse unknown fields: nobody sets a tenant, role or id through a body."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class PatchModel(RequestModel):
    """A partial update: fields left out stay as they are; an explicit null is refused (it would
    erase a value the item needs) unless the field is listed in `nullable` (null clears it)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None and k in cls.model_fields and k not in cls.nullable)
            if nulls:
                raise ValueError(f"null is not allowed for: {', '.join(nulls)}")
        return data


class ResponseModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
