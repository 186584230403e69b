"""HTTP API route matching with API Gateway's priorities.

API Gateway picks the most specific route: a full match first, then a route with path variables,
then a greedy `{proxy+}` route; `ANY` only catches methods the path does not define itself, and
`$default` catches whatever is left. Between two routes of the same kind the one whose earlier
segments are literal wins (`/a/b/{x}` before `/a/{y}/c`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .logs import get_logger

log = get_logger("gateway")

DEFAULT_ROUTE = "$default"
_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Segment:
    kind: int
    value: str  # the literal text, or the variable name


def parse_path(path: str) -> tuple[Segment, ...]:
    parts = path.strip("/").split("/") if path.strip("/") else []
    segments = []
    for index, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            if index != len(parts) - 1:
                raise ValueError(f"greedy variable must be the last segment: {path}")
            segments.append(Segment(_GREEDY, part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            segments.append(Segment(_PARAM, part[1:-1]))
        else:
            segments.append(Segment(_LITERAL, part))
    return tuple(segments)


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    path: str  # "/items/{id}" or "$default"
    target: Any = field(default=None, compare=False, hash=False)

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE if self.path == DEFAULT_ROUTE else f"{self.method} {self.path}"

    @property
    def segments(self) -> tuple[Segment, ...]:
        return parse_path(self.path)

    def specificity(self) -> tuple[Any, ...]:
        """Sort key: smaller is more specific."""
        if self.path == DEFAULT_ROUTE:
            return (1,)
        kinds = tuple(segment.kind for segment in self.segments)
        return (0, kinds, self.method == "ANY")

    def match_path(self, path: str) -> dict[str, str] | None:
        if self.path == DEFAULT_ROUTE:
            return {}
        parts = path.strip("/").split("/") if path.strip("/") else []
        if path.endswith("/") and path != "/":
            parts.append("")  # API Gateway treats "/items/" and "/items" as different paths
        params: dict[str, str] = {}
        segments = self.segments
        for index, segment in enumerate(segments):
            if segment.kind == _GREEDY:
                rest = parts[index:]
                if not rest or not "/".join(rest):
                    return None
                params[segment.value] = unquote("/".join(rest))
                return params
            if index >= len(parts):
                return None
            part = parts[index]
            if segment.kind == _LITERAL:
                if unquote(part) != segment.value:
                    return None
            elif not part:
                return None
            else:
                params[segment.value] = unquote(part)
        return params if len(parts) == len(segments) else None


@dataclass
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


class RouteTable:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def __iter__(self):
        return iter(sorted(self._routes, key=lambda route: (route.path, route.method)))

    def __len__(self) -> int:
        return len(self._routes)

    def add(self, route: Route) -> bool:
        route = Route(route.method.upper(), route.path, route.target)
        if route.path != DEFAULT_ROUTE:
            parse_path(route.path)  # fail early on a malformed path
        for existing in self._routes:
            if existing.route_key == route.route_key:
                log.warning("route %s is defined twice; keeping the first", route.route_key)
                return False
        self._routes.append(route)
        return True

    def match(self, method: str, path: str) -> RouteMatch | None:
        method = method.upper()
        candidates = []
        for route in self._routes:
            if route.method not in (method, "ANY") and route.path != DEFAULT_ROUTE:
                continue
            params = route.match_path(path)
            if params is not None:
                candidates.append((route.specificity(), route, params))
        if not candidates:
            return None
        candidates.sort(key=lambda candidate: candidate[0])
        _, route, params = candidates[0]
        return RouteMatch(route, params)

    def paths_matching(self, path: str) -> list[Route]:
        """Routes of any method whose path matches (used to answer CORS preflights)."""
        return [
            route
            for route in self._routes
            if route.path != DEFAULT_ROUTE and route.match_path(path) is not None
        ]
