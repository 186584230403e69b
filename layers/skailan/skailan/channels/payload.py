"""Reading untrusted provider payloads.

Parsers walk payloads through `Node`, whose typed reads either return a value or raise one
`PayloadError` naming the JSON path. That keeps the parsers short and guarantees the
webhook sees only events or a `PayloadError`, never a `KeyError` or `TypeError`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from skailan.channels.errors import PayloadError

# Unix times past this are nonsense in a webhook (year 2286): refuse rather than overflow.
_MAX_UNIX_SECONDS = 10_000_000_000


def load_json(payload: bytes | str | Mapping[str, Any] | list[Any]) -> Any:
    """Decode a raw body (already-decoded objects pass through), with text made serialisable."""
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise PayloadError(f"body is not valid JSON ({type(err).__name__})") from err
    elif not isinstance(payload, Mapping | list):
        raise PayloadError(f"expected JSON bytes or text, got {type(payload).__name__}")
    try:
        return _scrub(payload)
    except RecursionError as err:
        raise PayloadError("body is nested too deeply") from err


def clean_text(text: str) -> str:
    """Replace lone surrogates (legal in JSON "\\ud800" escapes, fatal when re-encoding the
    event for the queue) with U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_text(str(key)): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


class Node:
    """A position in an untrusted JSON document."""

    __slots__ = ("path", "value")

    def __init__(self, value: Any, path: str = "$") -> None:
        self.value = value
        self.path = path

    def fail(self, reason: str, key: str | None = None) -> PayloadError:
        return PayloadError(reason, path=self._at(key))

    def _at(self, key: str | None) -> str:
        return f"{self.path}.{key}" if key is not None else self.path

    # ---- structure

    @property
    def present(self) -> bool:
        return self.value is not None

    def obj(self) -> dict[str, Any]:
        """This node as an object; a missing node reads as an empty one."""
        if self.value is None:
            return {}
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, got {type(self.value).__name__}")
        return self.value

    def child(self, key: str) -> Node:
        return Node(self.obj().get(key), self._at(key))

    def has(self, key: str) -> bool:
        return self.obj().get(key) is not None

    def items(self, key: str) -> list[Node]:
        """The elements of a list field; a missing list reads as empty."""
        value = self.obj().get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"expected a list, got {type(value).__name__}", key)
        return [Node(item, f"{self._at(key)}[{index}]") for index, item in enumerate(value)]

    def require_items(self, key: str) -> list[Node]:
        if not self.has(key):
            raise self.fail("missing", key)
        return self.items(key)

    # ---- scalars

    def string(self, key: str, *, required: bool = False) -> str | None:
        """A string field. Numbers are accepted as their decimal text: Meta mixes the two for ids."""
        value = self.obj().get(key)
        if value is None:
            if required:
                raise self.fail("missing", key)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"expected a string, got {type(value).__name__}", key)
        text = value if isinstance(value, str) else _number_text(value)
        if required and not text:
            raise self.fail("empty", key)
        return text

    def req_string(self, key: str) -> str:
        text = self.string(key, required=True)
        assert text is not None  # required=True never returns None
        return text

    def integer(self, key: str) -> int | None:
        value = self.obj().get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 30:
            return int(value)
        raise self.fail(f"expected an integer, got {value!r:.40}", key)

    def number(self, key: str) -> float | None:
        value = self.obj().get(key)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise TypeError
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(f"expected a number, got {value!r:.40}", key) from None
        if not math.isfinite(number):
            raise self.fail("expected a finite number", key)
        return number

    def flag(self, key: str) -> bool:
        value = self.obj().get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(f"expected a boolean, got {type(value).__name__}", key)
        return value

    # ---- times

    def time(self, key: str, *, unit: Literal["s", "ms", "auto"] = "s") -> datetime:
        """A required unix time (seconds or milliseconds) as an aware UTC datetime."""
        moment = self.opt_time(key, unit=unit)
        if moment is None:
            raise self.fail("missing", key)
        return moment

    def opt_time(self, key: str, *, unit: Literal["s", "ms", "auto"] = "s") -> datetime | None:
        """`auto` reads values past 10^11 as milliseconds: Meta's entry.time is in milliseconds
        for messaging and in seconds for some change notifications."""
        number = self.number(key)
        if number is None:
            return None
        in_millis = unit == "ms" or (unit == "auto" and abs(number) >= 100_000_000_000)
        seconds = number / 1000 if in_millis else number
        if not 0 <= seconds < _MAX_UNIX_SECONDS:
            raise self.fail(f"timestamp out of range: {number!r}", key)
        return datetime.fromtimestamp(seconds, UTC)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def synthetic_id(prefix: str, raw: Any) -> str:
    """A stable id for a payload part that has none, so a redelivery deduplicates."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=True)
    return f"{prefix}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def build[T](path: str, factory: Callable[..., T], **fields: Any) -> T:
    """Construct a model from payload values; a validation failure is the payload's fault."""
    try:
        return factory(**fields)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise PayloadError(f"{where or 'value'}: {first.get('msg', 'invalid')}", path=path) from err


def raw_dict(node: Node) -> dict[str, Any]:
    """The node's value as a dict for `raw` fields (non-objects are wrapped, not lost)."""
    return node.value if isinstance(node.value, dict) else {"value": node.value}
