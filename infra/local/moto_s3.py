"""S3 over moto's server stores a PUT body as bytes, whatever Content-Type the client sends.

Real S3 keeps the body of `PUT /<bucket>/<key>` as the object, byte for byte, and stores the
request's Content-Type as the object's metadata. moto's server is a werkzeug app: for a body
sent as `application/x-www-form-urlencoded` (what `curl --data-binary` sends by default) or
`multipart/form-data`, werkzeug parses it as a form and consumes the stream, so moto stored an
empty object — a CSV uploaded to an import's presigned URL then failed "the file is empty".
No AWS API PUTs form data, so a PUT's body is never parsed as a form here: the stream stays
whole for moto to read, and the client's Content-Type is still stored as sent. moto's
dispatcher also peeks at form-typed bodies; a binary one (an image) is now put back whole.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.core.request import Request
    from werkzeug.wrappers.request import Request as WerkzeugRequest

    parsed = WerkzeugRequest.want_form_data_parsed

    def want_form_data_parsed(self: Any) -> bool:
        return self.method != "PUT" and bool(parsed.fget(self))  # type: ignore[attr-defined]

    Request.want_form_data_parsed = property(want_form_data_parsed)  # type: ignore[assignment,method-assign]
    _keep_binary_form_bodies()
    _installed = True


def _keep_binary_form_bodies() -> None:
    """moto's dispatcher reads a form-typed body to look for `Action=`; a binary body (an image
    sent by `curl --data-binary`) fails to decode as UTF-8 and was then lost — consumed and not
    put back — so the PUT hung and failed. Read it as bytes and always put it back."""
    import io

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    def _get_body(self: Any, environ: dict[str, Any]) -> str | None:
        try:
            simple_form = environ["CONTENT_TYPE"].startswith("application/x-www-form-urlencoded")
            size = int(environ["CONTENT_LENGTH"])
        except (KeyError, ValueError):
            return None
        if not simple_form or not size:
            return None
        raw = environ["wsgi.input"].read(size)
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            return str(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return None  # not an AWS query body: nothing to learn the service from

    DomainDispatcherApplication._get_body = _get_body  # type: ignore[method-assign]
