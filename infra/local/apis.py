"""The template's HTTP APIs: `AWS::Serverless::HttpApi` resources (their authorizers and CORS)
and the `HttpApi` events of functions (their routes), as SAM would wire them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .authorizers import Authorizer, JwtAuthorizer, LambdaAuthorizer
from .functions import FunctionSpec
from .logs import get_logger
from .physical import PhysicalIds
from .routes import DEFAULT_ROUTE, Route, RouteTable
from .template import Template, UnresolvedReference

log = get_logger("gateway")

HTTP_API_TYPES = ("AWS::Serverless::HttpApi",)


@dataclass
class CorsConfig:
    allow_origins: list[str] = field(default_factory=list)
    allow_methods: list[str] = field(default_factory=list)
    allow_headers: list[str] = field(default_factory=list)
    expose_headers: list[str] = field(default_factory=list)
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_sam(cls, value: Any) -> CorsConfig | None:
        if value in (None, False):
            return None
        if value is True:
            return cls(["*"], ["*"], ["*"])
        if isinstance(value, str):
            return cls([value.strip("'")], ["*"], ["*"])
        return cls(
            allow_origins=list(value.get("AllowOrigins") or []),
            allow_methods=[method.upper() for method in value.get("AllowMethods") or []],
            allow_headers=[header.lower() for header in value.get("AllowHeaders") or []],
            expose_headers=list(value.get("ExposeHeaders") or []),
            max_age=int(value["MaxAge"]) if value.get("MaxAge") is not None else None,
            allow_credentials=bool(value.get("AllowCredentials", False)),
        )

    def allowed_origin(self, origin: str) -> str | None:
        """The Access-Control-Allow-Origin value for this origin, if it may call the API."""
        if "*" in self.allow_origins:
            return origin if self.allow_credentials else "*"
        if origin in self.allow_origins:
            return origin
        return None


@dataclass(frozen=True)
class Throttle:
    """A route's throttling (RouteSettings / DefaultRouteSettings): steady rate and burst."""

    rate: float
    burst: int

    @classmethod
    def from_sam(cls, value: Any) -> Throttle | None:
        if not isinstance(value, dict) or "ThrottlingRateLimit" not in value:
            return None
        rate = float(value["ThrottlingRateLimit"])
        return cls(rate, int(value.get("ThrottlingBurstLimit", max(1, int(rate)))))


@dataclass
class HttpApi:
    logical_id: str
    api_id: str
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    default_authorizer: str | None = None
    cors: CorsConfig | None = None
    default_throttle: Throttle | None = None
    route_throttles: dict[str, Throttle] = field(default_factory=dict)

    def throttle_for(self, route_key: str) -> Throttle | None:
        return self.route_throttles.get(route_key, self.default_throttle)


@dataclass
class RouteTarget:
    api: HttpApi
    function_logical_id: str
    authorizer: Authorizer | None
    scopes: list[str]


def load_http_apis(template: Template, ids: PhysicalIds) -> dict[str, HttpApi]:
    resolver = template.resolver(ids)
    apis = {}
    for logical_id in template.of_type(*HTTP_API_TYPES):
        properties = template.properties(logical_id)
        if properties.get("DefinitionBody") or properties.get("DefinitionUri"):
            log.warning(
                "%s: routes in DefinitionBody/DefinitionUri are not served locally; use HttpApi events",
                logical_id,
            )
        auth = _resolve_or_empty(resolver, properties.get("Auth"), f"{logical_id}.Auth")
        authorizers = {
            name: authorizer
            for name, config in (auth.get("Authorizers") or {}).items()
            if (authorizer := _authorizer(name, config, ids)) is not None
        }
        if auth.get("EnableIamAuthorizer"):
            log.warning("%s: AWS_IAM authorization is not enforced locally", logical_id)
        apis[logical_id] = HttpApi(
            logical_id=logical_id,
            api_id=str(ids.ref(logical_id)),
            authorizers=authorizers,
            default_authorizer=auth.get("DefaultAuthorizer"),
            cors=CorsConfig.from_sam(
                _resolve_or_empty(resolver, properties.get("CorsConfiguration"), "Cors") or None
            ),
            default_throttle=Throttle.from_sam(properties.get("DefaultRouteSettings")),
            route_throttles={
                str(key): throttle
                for key, value in (properties.get("RouteSettings") or {}).items()
                if (throttle := Throttle.from_sam(value)) is not None
            },
        )
    return apis


def _resolve_or_empty(resolver: Any, value: Any, what: str) -> Any:
    if value is None:
        return {}
    try:
        return resolver.resolve(value)
    except UnresolvedReference as error:
        log.warning("%s cannot be resolved locally: %s", what, error)
        return {}


def _authorizer(name: str, config: dict[str, Any], ids: PhysicalIds) -> Authorizer | None:
    if "JwtConfiguration" in config:
        jwt_config = config["JwtConfiguration"]
        audience = jwt_config.get("audience", jwt_config.get("Audience")) or []
        return JwtAuthorizer(
            name=name,
            issuer=str(jwt_config.get("issuer", jwt_config.get("Issuer"))),
            audience=[str(item) for item in (audience if isinstance(audience, list) else [audience])],
            identity_source=config.get("IdentitySource", "$request.header.Authorization"),
            scopes=list(config.get("AuthorizationScopes") or []),
        )
    if "FunctionArn" in config:
        function_id = ids.logical_id_for_arn(str(config["FunctionArn"]))
        if function_id is None:
            log.warning(
                "authorizer %s: %s is not a function of this template; routes using it answer 500",
                name,
                config["FunctionArn"],
            )
            function_id = str(config["FunctionArn"])
        identity = config.get("Identity") or {}
        sources = (
            [f"$request.header.{h}" for h in identity.get("Headers") or []]
            + [f"$request.querystring.{q}" for q in identity.get("QueryStrings") or []]
            + [f"$context.{c}" for c in identity.get("Context") or []]
            + [f"$stageVariables.{s}" for s in identity.get("StageVariables") or []]
        )
        version = str(config.get("AuthorizerPayloadFormatVersion", "2.0"))
        if version != "2.0":
            log.warning("authorizer %s: payload format %s is sent as 2.0 locally", name, version)
        return LambdaAuthorizer(
            name=name,
            function_logical_id=function_id,
            identity_sources=sources,
            simple_responses=bool(config.get("EnableSimpleResponses", False)),
            payload_version=version,
        )
    log.warning("authorizer %s: neither JwtConfiguration nor FunctionArn; ignored", name)
    return None


def build_route_table(
    template: Template, apis: dict[str, HttpApi], functions: dict[str, FunctionSpec]
) -> RouteTable:
    """Every HttpApi event of every function, with the authorizer that applies to it."""
    by_api_id = {api.api_id: api for api in apis.values()}
    table = RouteTable()
    for spec in functions.values():
        for event_name, event in spec.events.items():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            api = _api_of(properties.get("ApiId"), apis, by_api_id)
            if api is None:
                log.warning(
                    "%s.%s: ApiId %r is not an HttpApi of this template",
                    spec.logical_id,
                    event_name,
                    properties.get("ApiId"),
                )
                continue
            version = str(properties.get("PayloadFormatVersion", "2.0"))
            if version != "2.0":
                log.warning(
                    "%s.%s: payload format %s is sent as 2.0 locally", spec.logical_id, event_name, version
                )
            authorizer, scopes = _route_auth(
                api, properties.get("Auth") or {}, f"{spec.logical_id}.{event_name}"
            )
            path = properties.get("Path", DEFAULT_ROUTE)
            method = str(properties.get("Method", "ANY")).upper()
            if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                method = "ANY"
            table.add(Route(method, path, RouteTarget(api, spec.logical_id, authorizer, scopes)))
    return table


def _api_of(api_ref: Any, apis: dict[str, HttpApi], by_api_id: dict[str, HttpApi]) -> HttpApi | None:
    if api_ref is None:
        return apis.get("ServerlessHttpApi")
    return by_api_id.get(str(api_ref)) or apis.get(str(api_ref))


def _route_auth(api: HttpApi, auth: dict[str, Any], where: str) -> tuple[Authorizer | None, list[str]]:
    name = auth.get("Authorizer", api.default_authorizer)
    if name in (None, "NONE"):
        return None, []
    if name == "AWS_IAM":
        log.warning("%s: AWS_IAM authorization is not enforced locally", where)
        return None, []
    authorizer = api.authorizers.get(name)
    if authorizer is None:
        raise ValueError(f"{where}: authorizer {name!r} is not defined on {api.logical_id}")
    scopes = auth.get("AuthorizationScopes")
    if scopes is None and isinstance(authorizer, JwtAuthorizer):
        scopes = authorizer.scopes
    return authorizer, list(scopes or [])
