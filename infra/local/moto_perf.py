"""Patches that take moto's own overheads off the local runtime's hot path (measured: README).

Profiled on `python -m bench channels e2e` (py-spy, GIL samples), these were the biggest costs
that are not DynamoDB/SQS semantics but moto's bookkeeping, each removed here without changing
what moto answers:

- EventBridge input transformers: moto builds a new JSONPath parser (PLY yacc tables) for every
  path of every target of every event — 10 % of the process's CPU. Parsed paths are cached.
- SQS: every SendMessage (three times) and every received message looked at `Queue.attributes`,
  which counts visible, delayed and in-flight messages by walking the whole queue — O(backlog)
  per message. Inside SendMessage / SendMessageBatch the static attributes are all they read,
  so there the counts are left out; the retention check reads the retention period directly.
- SQS again: every receive walks the queue's messages asking each whether it is visible and not
  delayed, and each asks moto's clock, which builds two datetimes to subtract them — 16 % of the
  CPU with a backlog of a few hundred messages. The SQS module reads the clock through
  `time.time()` instead (the same instant; freezegun fakes both).
- SQS long polls on a FIFO queue spin: when every visible message belongs to a group with one in
  flight, `wait_for_messages` returns at once (there *are* visible messages), the receive finds
  nothing it may hand out and asks again — a busy loop for the whole WaitTimeSeconds, 19 % of the
  CPU under load. The wait now sleeps until a message is added (moto notifies) or 50 ms pass, so
  a group unlocked by a delete or a visibility timeout is still seen within 50 ms.
- Server dispatch: moto matches the Host header against hundreds of URL regexes per request
  under one global lock; the answer depends only on the host, so it is cached.
- Flask debug mode (moto turns it on) re-creates a class per form-encoded request (SQS, SNS):
  it only changes error pages, and is turned off.
- DynamoDB responses: moto 5.2 serializes every item through botocore's shapes, and each
  attribute value is a 10-member structure whose members are each looked up through six alias
  providers — ~20 % of the moto process's CPU under load. An `AttributeValue` made only of
  S / N / BOOL / NULL / SS / NS / M / L (checked recursively) is already in its wire form and is
  passed through as is; anything else (B, BS, an unexpected type) takes moto's own path. The
  same holds for requests: moto parses every attribute value of a request the same shape-walking
  way (~10 %), and a plain one parses to itself.
- moto lists a response class's methods with `inspect.getmembers` on every request (~4 %): kept
  per class (and recomputed if the class gains or loses an attribute, as moto_cognito's patch
  adds one). Update expressions are parsed twice per UpdateItem and per transaction Update
  (~5 %): the AST is kept per expression string — moto's validator works on a deep copy of it,
  never on the AST itself.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import Any

_installed = False
_static_attributes = threading.local()  # set while SendMessage* runs on this thread


def install() -> None:
    global _installed
    if _installed:
        return
    _cache_jsonpath()
    _cheap_queue_attributes()
    _fast_sqs_clock()
    _no_spinning_long_polls()
    _cache_backend_for_host()
    _no_flask_debug()
    _plain_attribute_values()
    _cache_method_names()
    _cache_update_expressions()
    _installed = True


def _cache_jsonpath() -> None:
    import jsonpath_ng.ext

    original = jsonpath_ng.ext.parse
    # moto imports `parse` from the module at call time, so the module attribute is the one to swap.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=4096)(original)


def _cheap_queue_attributes() -> None:
    from moto.core.utils import camelcase_to_underscores
    from moto.sqs.models import Queue, SQSBackend

    counted = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
               "ApproximateNumberOfMessagesNotVisible")
    full_attributes: Any = Queue.attributes

    def attributes(self: Any) -> dict[str, Any]:
        if not getattr(_static_attributes, "on", False):
            return full_attributes.fget(self)  # type: ignore[no-any-return]
        # moto's property without the three counts: a reader of a count here would get a KeyError,
        # never a wrong number (none does: SendMessage reads ContentBasedDeduplication and the like).
        result: dict[str, Any] = {}
        names = [name for name in Queue.BASE_ATTRIBUTES if name not in counted]
        if self.fifo_queue:
            names += Queue.FIFO_ATTRIBUTES
        if self.kms_master_key_id:
            names += Queue.KMS_ATTRIBUTES
        for name in names:
            result[name] = getattr(self, camelcase_to_underscores(name))
        if self.policy:
            result["Policy"] = self.policy
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy)
        return {key: str(value).lower() if isinstance(value, bool) else value for key, value in result.items()}

    def static_attributes_only(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            outer = getattr(_static_attributes, "on", False)
            _static_attributes.on = True
            try:
                return method(*args, **kwargs)
            finally:
                _static_attributes.on = outer

        return wrapper

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        queue = self.get_queue(queue_name)
        retain_until = int(queue.message_retention_period) + message.sent_timestamp / 1000
        from moto.core.utils import unix_time

        return bool(retain_until > unix_time())

    Queue.attributes = property(attributes)  # type: ignore[assignment,method-assign]
    SQSBackend.send_message = static_attributes_only(SQSBackend.send_message)  # type: ignore[method-assign]
    SQSBackend.send_message_batch = static_attributes_only(SQSBackend.send_message_batch)  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
        is_message_valid_based_on_retention_period
    )


def _fast_sqs_clock() -> None:
    import time

    from moto.sqs import models

    slow_time, slow_millis = models.unix_time, models.unix_time_millis

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else slow_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else slow_millis(dt)

    models.unix_time = unix_time  # type: ignore[assignment]
    models.unix_time_millis = unix_time_millis  # type: ignore[assignment]


def _no_spinning_long_polls() -> None:
    from moto.sqs.models import Queue

    def wait_for_messages(self: Any, timeout: int) -> None:
        # Called by ReceiveMessage only after a pass found nothing to hand out.
        with self._messages_lock:
            self._messages_lock.wait(timeout=min(float(timeout), 0.05))

    Queue.wait_for_messages = wait_for_messages  # type: ignore[method-assign]


def _cache_backend_for_host() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    cache: dict[str, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host is None:
            return None
        if host not in cache:
            cache[host] = original(self, host)
        return cache[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def _no_flask_debug() -> None:
    from moto.moto_server import threaded_moto_server

    create = threaded_moto_server.create_backend_app

    def create_backend_app(service: Any) -> Any:
        app = create(service)
        app.debug = False
        return app

    threaded_moto_server.create_backend_app = create_backend_app  # type: ignore[assignment]


_NOT_PLAIN = object()


def plain_attribute_value(value: Any) -> Any:
    """The wire form of a DynamoDB AttributeValue that needs no serialization, else _NOT_PLAIN."""
    if type(value) is not dict or len(value) != 1:  # exactly one type, as DynamoDB requires
        return _NOT_PLAIN
    out: dict[str, Any] = {}
    for kind, inner in value.items():
        if kind in ("S", "N"):
            if type(inner) is not str:
                return _NOT_PLAIN
            out[kind] = inner
        elif kind in ("BOOL", "NULL"):
            if type(inner) is not bool:
                return _NOT_PLAIN
            out[kind] = inner
        elif kind in ("SS", "NS"):
            if type(inner) is not list or any(type(member) is not str for member in inner):
                return _NOT_PLAIN
            out[kind] = list(inner)
        elif kind == "M":
            if type(inner) is not dict:
                return _NOT_PLAIN
            members = {}
            for name, member in inner.items():
                members[name] = plain_attribute_value(member)
                if members[name] is _NOT_PLAIN:
                    return _NOT_PLAIN
            out[kind] = members
        elif kind == "L":
            if type(inner) is not list:
                return _NOT_PLAIN
            elements = [plain_attribute_value(member) for member in inner]
            if any(element is _NOT_PLAIN for element in elements):
                return _NOT_PLAIN
            out[kind] = elements
        else:  # B, BS or anything moto may represent differently: its own serializer
            return _NOT_PLAIN
    return out


def _plain_attribute_values() -> None:
    from moto.core.serialize import JSONSerializer

    original = JSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and self.operation_model.service_model.service_name in (
            "dynamodb", "dynamodbstreams"):
            plain = plain_attribute_value(value)
            if plain is not _NOT_PLAIN:
                self._default_serialize(serialized, plain, shape, key)
                return
        original(self, serialized, value, shape, key)

    JSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]

    from moto.core.parse import JSONParser

    original_parse = JSONParser._parse_structure

    def parse_structure(self: Any, shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and self.MAP_TYPE is dict and (
                self.operation_model.service_model.service_name in ("dynamodb", "dynamodbstreams")):
            plain = plain_attribute_value(value)
            if plain is not _NOT_PLAIN:
                return plain
        return original_parse(self, shape, value)

    JSONParser._parse_structure = parse_structure  # type: ignore[method-assign]


def _cache_method_names() -> None:
    from moto.core import responses, utils

    original = utils.method_names_from_class
    cache: dict[tuple[Any, int], list[str]] = {}

    def method_names_from_class(clazz: Any) -> list[str]:
        # The count of attributes along the MRO: a method added by a patch changes it.
        key = (clazz, sum(len(vars(base)) for base in clazz.__mro__))
        names = cache.get(key)
        if names is None:
            names = cache[key] = original(clazz)
        return list(names)

    responses.method_names_from_class = method_names_from_class  # type: ignore[assignment]


def _cache_update_expressions() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    parse = UpdateExpressionParser.make.__func__  # type: ignore[attr-defined]

    @functools.lru_cache(maxsize=4096)
    def parsed(expression: str) -> Any:
        return parse(UpdateExpressionParser, expression)  # a parse error is raised, never cached

    def make(cls: Any, expression: str) -> Any:
        return parsed(expression) if cls is UpdateExpressionParser else parse(cls, expression)

    UpdateExpressionParser.make = classmethod(make)  # type: ignore[assignment,method-assign]
