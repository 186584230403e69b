"""Attachments of e-mail campaigns: uploaded to S3 by presigned PUT, then named in the content.

1. `POST /v1/campaigns/attachments {filename, content_type, size}` → 201 `{id, upload_url, method:
   PUT, expires_in, max_bytes}`: the type must be one e-mail accepts (the conversations' e-mail
   allow-list: passive formats only) and the size under 5 MB.
2. Campaign content `{"attachments": [{"upload_id"}]}`: each upload must be the brand's (its item
   key starts with the tenant: another brand's id is not found), be stored, under 5 MB, start with
   the bytes of its declared type (magic numbers), and all together stay under 24 MB. The content
   then keeps `{upload_id, key, filename, content_type, size}` — never a key the client names.
3. The send worker reads the bytes from S3 (cached per container) into each message.
"""

from __future__ import annotations

import re
from typing import Any

from skailan.campaigns import store
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.settings import get_settings

MB = 1024 * 1024
MAX_EACH = 5 * MB  # each < 5 MB
MAX_TOTAL = 24 * MB  # together < 24 MB (base64 ≈ 32 MB, under SES v2's 40 MB per message)
MAX_FILES = 10
UPLOAD_EXPIRES = 900
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_cache: dict[str, bytes] = {}
_CACHE_BYTES = 48 * MB


def allowed_types() -> frozenset[str]:
    from skailan.conversations.uploads import limits_for

    return frozenset(limits_for("email"))


def _refuse(field: str, code: str, es: str, en: str, **extra: Any) -> Unprocessable:
    return Unprocessable(both(es, en), code=code, details=[{"field": field, "error": code, **extra}])


def _s3() -> Any:
    from skailan.platform.aws import client

    return client("s3")


def _presigner() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


def create(tenant_id: str, *, filename: str, content_type: str, size: int, created_by: str) -> dict[str, Any]:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in allowed_types():
        raise _refuse("content_type", "attachment_type_not_allowed", f"Los correos no aceptan archivos {mime}",
                      f"E-mails do not accept {mime} files", allowed=sorted(allowed_types()))
    if size >= MAX_EACH:
        raise _refuse("size", "attachment_too_large", "Cada adjunto debe pesar menos de 5 MB",
                      "Each attachment must be under 5 MB", max_bytes=MAX_EACH - 1)
    upload_id = new_id()
    name = _SAFE_NAME.sub("_", filename).strip("._")[:120] or "file"
    key = f"{tenant_id}/campaigns/attachments/{upload_id}/{name}"
    store.put_attachment(tenant_id, upload_id, key=key, filename=filename, content_type=mime, size=size,
                         created_by=created_by)
    url = _presigner().generate_presigned_url("put_object", Params={"Bucket": get_settings().media_bucket, "Key": key},
                                              ExpiresIn=UPLOAD_EXPIRES)
    return {"id": upload_id, "filename": filename, "content_type": mime, "max_bytes": MAX_EACH - 1,
            "upload_url": str(url), "method": "PUT", "expires_in": UPLOAD_EXPIRES}


def resolve(tenant_id: str, refs: list[dict[str, Any]], errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The content's attachments as stored, each checked (errors appended, in the refusal's shape)."""
    from botocore.exceptions import ClientError

    from skailan.conversations.uploads import content_matches

    def invalid(i: int, code: str, es: str, en: str) -> None:
        errors.append({"field": f"content.attachments.{i}", "error": code, "message": both(es, en)})

    out: list[dict[str, Any]] = []
    total = 0
    bucket = get_settings().media_bucket
    for i, ref in enumerate(refs):
        upload_id = str(ref.get("upload_id") or "")
        item = store.get_attachment(tenant_id, upload_id) if is_valid_id(upload_id) else None
        if item is None:
            invalid(i, "not_found", "Adjunto no encontrado", "Attachment not found")
            continue
        try:
            head = _s3().head_object(Bucket=bucket, Key=item.key)
        except ClientError:
            invalid(i, "upload_missing", "El adjunto aún no se ha subido (haz el PUT a upload_url)",
                    "The attachment has not been uploaded yet (PUT it to upload_url)")
            continue
        size = int(head.get("ContentLength") or 0)
        if size == 0 or size >= MAX_EACH:
            invalid(i, "attachment_too_large" if size else "upload_empty",
                    "Cada adjunto debe pesar menos de 5 MB (y no estar vacío)",
                    "Each attachment must be under 5 MB (and not empty)")
            continue
        first = _s3().get_object(Bucket=bucket, Key=item.key, Range="bytes=0-4095")["Body"].read()
        if not content_matches(item.content_type, first):
            invalid(i, "upload_content_mismatch", f"El contenido del adjunto no es {item.content_type}",
                    f"The attachment's content is not {item.content_type}")
            continue
        total += size
        out.append({"upload_id": upload_id, "key": item.key, "filename": item.filename,
                    "content_type": item.content_type, "size": size})
    if total >= MAX_TOTAL:
        errors.append({"field": "content.attachments", "error": "attachments_too_large",
                       "message": both("Los adjuntos juntos deben pesar menos de 24 MB",
                                       "The attachments together must be under 24 MB")})
    return out


def read(key: str) -> bytes:
    """An attachment's bytes (a campaign sends the same files to every recipient: cached)."""
    if key not in _cache:
        if sum(len(v) for v in _cache.values()) > _CACHE_BYTES:
            _cache.clear()
        _cache[key] = bytes(_s3().get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read())
    return _cache[key]
