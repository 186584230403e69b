"""Agent attachments: a file uploaded to S3 by presigned PUT, then sent by its upload id.

1. `POST /v1/conversations/{id}/uploads` `{filename, content_type, size}`: the type must be on
   the channel's allow-list and the size within the provider's limit (`LIMITS`, from each
   provider's documentation) → 201 `{id, upload_url, method: PUT, expires_in, max_bytes}`.
   The URL signs neither Content-Type nor length: any client (a browser, `curl
   --data-binary`) can PUT the bytes; what counts is checked on use.
2. `POST /v1/conversations/{id}/messages` `{"attachments": [{"upload_id", "caption"?}]}`: the
   upload must be the brand's (its key starts with the tenant: another brand's id is 404) and
   this conversation's; the stored object must exist, be within the limit, and its first bytes
   must be the declared type (magic numbers: an executable or HTML renamed `.pdf` is refused).
   The attachment is stored with the S3 key — never a key the client names.
3. The send worker gives the provider a short-lived presigned GET URL whose response carries
   the declared Content-Type and filename (WhatsApp/Meta/Telegram/Twilio fetch it); e-mail
   reads the object and attaches its bytes.

Virus-safe means an allow-list of passive formats: images, audio, video, PDF, plain text and
the macro-free Office Open XML documents — no executables, scripts, HTML/SVG, archives or
legacy Office formats (which carry macros).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.settings import get_settings

MB = 1024 * 1024
UPLOAD_EXPIRES = 900  # seconds the PUT URL is valid
SEND_URL_EXPIRES = 3600  # seconds the provider has to fetch the file
UPLOAD_TTL_DAYS = 30
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_OFFICE = (DOCX, XLSX, PPTX)


def _types(size_mb: float, *types: str) -> dict[str, int]:
    return dict.fromkeys(types, int(size_mb * MB))


# Per channel: allowed content type → max bytes. Sources: WhatsApp Cloud API "Supported media
# types" (image 5 MB; audio, video 16 MB; documents 100 MB); Messenger Send API (attachments up
# to 25 MB, images 8 MB from a URL); Instagram Messaging (image png/jpeg 8 MB; video, audio,
# PDF file 25 MB); Telegram Bot API, files by URL (photos 5 MB, other files 20 MB; a document by
# URL only as PDF/GIF/ZIP); Twilio MMS (5 MB per message; jpeg/gif/png fully supported);
# SES SendRawEmail (10 MB per message, base64 included → 7 MB of file).
LIMITS: dict[str, dict[str, int]] = {
    "whatsapp": {**_types(5, "image/jpeg", "image/png"),
                 **_types(16, "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg", "video/mp4",
                          "video/3gpp"),
                 **_types(100, "application/pdf", "text/plain", *_OFFICE)},
    "messenger": {**_types(8, "image/jpeg", "image/png", "image/gif"),
                  **_types(25, "video/mp4", "audio/mpeg", "audio/mp4", "audio/aac", "application/pdf", "text/plain",
                           *_OFFICE)},
    "instagram": {**_types(8, "image/jpeg", "image/png"),
                  **_types(25, "video/mp4", "video/quicktime", "video/webm", "audio/aac", "audio/mp4", "audio/wav",
                           "application/pdf")},
    "telegram": {**_types(5, "image/jpeg", "image/png"),
                 **_types(20, "image/gif", "video/mp4", "audio/mpeg", "audio/ogg", "audio/mp4", "application/pdf")},
    "sms": _types(5, "image/jpeg", "image/png", "image/gif"),
    "email": _types(7, "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain",
                    "text/csv", "audio/mpeg", "video/mp4", *_OFFICE),
    "webchat": _types(5, "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"),
}


def limits_for(channel: str) -> dict[str, int]:
    return LIMITS.get(channel, {})


# ---------------------------------------------------------------- content check (magic numbers)


def _mp4_family(head: bytes) -> bool:
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")


_SIGNATURES: dict[str, Any] = {
    "image/jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "image/png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "application/pdf": lambda h: h.startswith(b"%PDF-"),
    "audio/mpeg": lambda h: h.startswith(b"ID3") or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xE0 == 0xE0),
    "audio/aac": lambda h: h.startswith(b"ADIF") or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xF6 == 0xF0),
    "audio/amr": lambda h: h.startswith(b"#!AMR"),
    "audio/ogg": lambda h: h.startswith(b"OggS"),
    "audio/wav": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE",
    "audio/mp4": _mp4_family,
    "video/mp4": _mp4_family,
    "video/3gpp": _mp4_family,
    "video/quicktime": _mp4_family,
    "video/webm": lambda h: h.startswith(b"\x1a\x45\xdf\xa3"),
    **dict.fromkeys(_OFFICE, lambda h: h.startswith(b"PK\x03\x04")),
}
_TEXT_TYPES = ("text/plain", "text/csv")


def content_matches(content_type: str, head: bytes) -> bool:
    """Whether the file's first bytes are the declared type (text: no binary bytes at all)."""
    if content_type in _TEXT_TYPES:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(head) - 3:  # a multi-byte character cut at the end is fine
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError:
                    return False
        lowered = head.lstrip().lower()
        return not lowered.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"mz"))
    check = _SIGNATURES.get(content_type)
    return bool(check and check(head))


# ---------------------------------------------------------------- errors


def _refuse(es: str, en: str, code: str, field: str, **extra: Any) -> Unprocessable:
    return Unprocessable(f"{es} / {en}", code=code, details=[{"field": field, "error": code, **extra}])


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB".replace(".0 MB", " MB")


UPLOAD_NOT_FOUND = "Archivo no encontrado. / Upload not found."


# ---------------------------------------------------------------- storage


def object_key(tenant_id: str, upload_id: str, filename: str) -> str:
    name = _SAFE_NAME.sub("_", filename).strip("._")[:120] or "file"
    return f"{tenant_id}/uploads/{upload_id}/{name}"


def _s3() -> Any:
    from skailan.platform.aws import client

    return client("s3")


def _presigner() -> Any:
    """Signs with SigV4 (a default client may still choose SigV2 for presigned URLs)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


@dataclass(frozen=True, slots=True)
class Upload:
    upload_id: str
    conversation_id: str
    channel: str
    key: str
    filename: str
    content_type: str
    max_bytes: int


def check_declared(channel: str, content_type: str, size: int) -> int:
    """The limit for this type on this channel; 422 naming the allowed types or the limit."""
    allowed = limits_for(channel)
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime not in allowed:
        raise _refuse(f"Este canal no acepta archivos {mime or '(sin tipo)'}.",
                      f"This channel does not accept {mime or '(untyped)'} files.", "upload_type_not_allowed",
                      "content_type", allowed=sorted(allowed))
    limit = allowed[mime]
    if size > limit:
        raise _refuse(f"El archivo pesa {_mb(size)}; el máximo para {mime} en este canal es {_mb(limit)}.",
                      f"The file is {_mb(size)}; the limit for {mime} on this channel is {_mb(limit)}.",
                      "upload_too_large", "size", max_bytes=limit)
    return limit


def create_upload(tenant_id: str, conversation_id: str, channel: str, *, filename: str, content_type: str,
                  size: int, created_by: str) -> tuple[Upload, str]:
    """Record the upload and sign its PUT URL; returns (upload, url)."""
    from datetime import timedelta

    from skailan.conversations.store import uploads as store

    mime = content_type.split(";", 1)[0].strip().lower()
    limit = check_declared(channel, mime, size)
    upload_id = new_id()
    key = object_key(tenant_id, upload_id, filename)
    store.insert_upload(tenant_id, upload_id, conversation_id=conversation_id, channel=channel, key=key,
                        filename=filename, content_type=mime, declared_size=size, max_bytes=limit,
                        created_by=created_by, created_at=iso(), ttl=utcnow() + timedelta(days=UPLOAD_TTL_DAYS))
    url = _presigner().generate_presigned_url("put_object", Params={"Bucket": get_settings().media_bucket, "Key": key},
                                              ExpiresIn=UPLOAD_EXPIRES)
    return Upload(upload_id, conversation_id, channel, key, filename, mime, limit), str(url)


def load(tenant_id: str, upload_id: str) -> Upload:
    from skailan.conversations.store import uploads as store
    from skailan.platform.ids import is_valid_id

    item = store.find_upload(tenant_id, upload_id) if is_valid_id(upload_id) else None
    if item is None:
        raise NotFound(UPLOAD_NOT_FOUND, code="upload_not_found")
    return Upload(item.upload_id, item.conversation_id, item.channel, item.key, item.filename, item.content_type,
                  int(item.max_bytes))


def verify(upload: Upload, *, conversation_id: str, channel: str, field: str) -> int:
    """The stored file is there, within the limit and of the declared type; returns its size."""
    from botocore.exceptions import ClientError

    if upload.conversation_id != conversation_id:
        raise _refuse("Ese archivo se subió para otra conversación.", "That file was uploaded for another conversation.",
                      "upload_other_conversation", field)
    limit = check_declared(channel, upload.content_type, 0)
    bucket = get_settings().media_bucket
    try:
        head = _s3().head_object(Bucket=bucket, Key=upload.key)
    except ClientError as err:
        raise _refuse("El archivo aún no se ha subido (haz el PUT a upload_url primero).",
                      "The file has not been uploaded yet (PUT it to upload_url first).", "upload_missing",
                      field) from err
    size = int(head.get("ContentLength") or 0)
    if size == 0:
        raise _refuse("El archivo subido está vacío.", "The uploaded file is empty.", "upload_empty", field)
    if size > min(limit, upload.max_bytes):
        raise _refuse(f"El archivo pesa {_mb(size)}; el máximo es {_mb(limit)}.",
                      f"The file is {_mb(size)}; the limit is {_mb(limit)}.", "upload_too_large", field,
                      max_bytes=limit)
    first = _s3().get_object(Bucket=bucket, Key=upload.key, Range="bytes=0-4095")["Body"].read()
    if not content_matches(upload.content_type, first):
        raise _refuse(f"El contenido del archivo no es {upload.content_type}.",
                      f"The file's content is not {upload.content_type}.", "upload_content_mismatch", field)
    return size


def send_url(key: str, content_type: str | None, filename: str | None) -> str:
    """A short-lived GET URL for the provider, answering with the declared type and name."""
    params: dict[str, Any] = {"Bucket": get_settings().media_bucket, "Key": key}
    if content_type:
        params["ResponseContentType"] = content_type
    if filename:
        safe = _SAFE_NAME.sub("_", filename).strip("._")[:60] or "file"
        params["ResponseContentDisposition"] = f'inline; filename="{safe}"'
    return str(_presigner().generate_presigned_url("get_object", Params=params, ExpiresIn=SEND_URL_EXPIRES))


def read(key: str) -> bytes:
    return bytes(_s3().get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read())


def resolve_attachments(tenant_id: str, conversation_id: str, channel: str,
                        attachments: list[Any]) -> list[dict[str, Any]]:
    """The message's attachments as stored: URLs as given, uploads verified and by S3 key."""
    out: list[dict[str, Any]] = []
    for index, attachment in enumerate(attachments):
        if attachment.upload_id is None:
            out.append(attachment.model_dump(mode="json", exclude_none=True))
            continue
        upload = load(tenant_id, attachment.upload_id)
        size = verify(upload, conversation_id=conversation_id, channel=channel, field=f"attachments[{index}].upload_id")
        entry = {"upload_id": upload.upload_id, "key": upload.key, "mime_type": upload.content_type,
                 "filename": attachment.filename or upload.filename, "size": size, "caption": attachment.caption}
        out.append({k: v for k, v in entry.items() if v is not None})
    return out
