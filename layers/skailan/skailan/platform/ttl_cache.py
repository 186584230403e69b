"""A per-container cache with a lifetime per entry, safe across the runtime's threads: what a warm
Lambda container may keep for a while (accounts, a sending campaign, a brand's name)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TtlCache:
    def __init__(self, *, missing_seconds: float = 30.0) -> None:
        self._values: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._missing_seconds = missing_seconds  # a falsy answer (unknown id) is asked again sooner

    def get(self, key: tuple[str, ...], load: Callable[[], T], *, ttl: float) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[no-any-return]
        value = load()
        lifetime = ttl if value else min(ttl, self._missing_seconds)
        with self._lock:
            self._values[key] = (now + lifetime, value)
        return value

    def forget(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
