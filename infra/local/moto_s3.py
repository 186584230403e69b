"""S3 over moto's server stores a PUT body as bytes, whatever Content-Type the client sends.

Real S3 keeps the body of `PUT /<bucket>/<key>` as the object, byte for byte, and stores the
request's Content-Type as the object's metadata. moto's server is a werkzeug app: for a body
sent as `application/x-www-form-urlencoded` (what `curl --data-binary` sends by default) or
`multipart/form-data`, werkzeug parses it as a form and consumes the stream, so moto stored an
empty object — a CSV uploaded to an import's presigned URL then failed "the file is empty".
No AWS API PUTs form data, so a PUT's body is never parsed as a form here: the stream stays
whole for moto to read, and the client's Content-Type is still stored as sent.
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
    _installed = True
