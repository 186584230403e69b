"""The two errors the channel layer raises besides the platform's Unauthorized/Forbidden."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skailan.platform.errors import BadRequest

if TYPE_CHECKING:
    from skailan.channels.reasons import Reason


class PayloadError(BadRequest):
    """A provider payload that cannot be read: the webhook answers 400 and stores nothing."""

    code = "invalid_payload"

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        message = f"{path}: {reason}" if path else reason
        super().__init__(message, details={"path": path, "reason": reason})
        self.reason = reason
        self.path = path


class SendFailure(Exception):
    """A send the provider refused or that could not reach it, classified for the worker.

    `permanent` failures must not be retried (the message is marked failed and the agent sees
    `reason_es`/`reason_en`); the others should be retried after `retry_after` seconds when
    the provider said so, or with the worker's own backoff.
    """

    def __init__(
        self,
        *,
        permanent: bool,
        code: str,
        title: str,
        reason_es: str,
        reason_en: str,
        retry_after: float | None = None,
        http_status: int | None = None,
        provider_message: str | None = None,
        sent_provider_message_ids: list[str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {title}" + (f" ({provider_message})" if provider_message else ""))
        self.permanent = permanent
        self.code = code
        self.title = title
        self.reason_es = reason_es
        self.reason_en = reason_en
        self.retry_after = retry_after
        self.http_status = http_status
        self.provider_message = provider_message
        # Parts already delivered before this one failed (multi-attachment sends): the worker
        # records them so a retry does not send them twice.
        self.sent_provider_message_ids = sent_provider_message_ids or []

    @classmethod
    def of(cls, reason: Reason, code: str, **extra: Any) -> SendFailure:
        """The failure a catalogued reason describes (title, Spanish and English text, permanence)."""
        return cls(permanent=reason.permanent, code=code, title=reason.title, reason_es=reason.es,
                   reason_en=reason.en, **extra)

    @property
    def retryable(self) -> bool:
        return not self.permanent

    def to_dict(self) -> dict[str, Any]:
        return {
            "permanent": self.permanent,
            "code": self.code,
            "title": self.title,
            "reason_es": self.reason_es,
            "reason_en": self.reason_en,
            "retry_after": self.retry_after,
            "http_status": self.http_status,
            "provider_message": self.provider_message,
            "sent_provider_message_ids": self.sent_provider_message_ids,
        }
