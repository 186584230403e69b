"""Partial updates of settings documents: deep merge, explicit nulls refused, and a lenient
reader that never lets one bad stored value break whoever reads the settings.

A settings PATCH is merged into what is stored (objects key by key, lists and scalars replaced
whole), the merged document is validated as a whole, and only then written. A reader validates
what is stored; a value that no longer validates (written by an old bug, by hand, by a former
schema) is dropped — its default applies — and logged, instead of failing the caller.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator

from skailan.platform.models import RequestModel
from skailan.platform.observability import logger

MAX_REPAIRS = 8


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: objects merged key by key (recursively), anything else replaced."""
    out = dict(base)
    for key, value in patch.items():
        current = out.get(key)
        out[key] = deep_merge(current, value) if isinstance(value, dict) and isinstance(current, dict) else value
    return out


class NoNulls(RequestModel):
    """A PATCH body where `null` is not a value: a field is either sent with a value or left out.

    Fields listed in `nullable_fields` may be sent as null to clear them (optional texts such as a
    brand's website). Any other top-level null is a 422 naming the field, before anything is read
    or written; nested sections refuse null through their own (non-optional) types.
    """

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("null no es un valor: omite el campo para conservarlo / "
                             "null is not a value: leave the field out to keep it")
        return value


def _drop(document: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at `loc` (the innermost existing container entry); True if removed."""
    parent = document
    for part in loc[:-1]:
        found = (isinstance(parent, dict) and part in parent) or (
            isinstance(parent, list) and isinstance(part, int) and 0 <= part < len(parent))
        if not found:
            return False
        parent = parent[part]
    last = loc[-1] if loc else None
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]
        return True
    return False


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _order(loc: tuple[int | str, ...]) -> list[tuple[int, str]]:
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in loc]


def sanitize(model: type[BaseModel], document: Any, *, what: str, **log: Any) -> dict[str, Any]:
    """A copy of a stored `document` without the values that do not validate as `model` (each
    logged), so defaults apply to them. Never raises for bad stored data."""
    if not isinstance(document, dict):
        if document is not None:
            logger.warning("stored settings are not an object; defaults apply", what=what, **log)
        return {}
    data: dict[str, Any] = _copy(document)
    for _ in range(MAX_REPAIRS):
        try:
            model.model_validate(data)
            return data
        except ValidationError as err:
            errors = err.errors()
            logger.warning("stored settings hold invalid values; defaults apply", what=what,
                           fields=[".".join(str(p) for p in e["loc"]) for e in errors][:20], **log)
            # Deepest and last list items first, so earlier indexes stay valid.
            locs = sorted({tuple(e["loc"]) for e in errors}, key=_order, reverse=True)
            removed = False
            for loc in locs:
                # An item of a list fails as a whole: drop that item, not just one of its fields.
                cut = next((loc[: i + 1] for i, p in enumerate(loc) if isinstance(p, int)), loc)
                # A bad dict key (`[key]`) or a missing field: drop the nearest thing that exists.
                while cut and not _drop(data, cut):
                    cut = cut[:-1]
                removed = removed or bool(cut)
            if not removed:
                break
    return {}


def lenient_validate[M: BaseModel](model: type[M], document: Any, *, what: str, **log: Any) -> M:
    """`model` from a stored `document`, every invalid value replaced by its default (logged)."""
    return model.model_validate(sanitize(model, document, what=what, **log))
