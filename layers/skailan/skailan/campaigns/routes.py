"""HTTP routes of the campaigns API (CampaignsApiFunction).

`campaigns:view` reads campaigns, previews, recipients and suppressions; `campaigns:edit` creates,
edits, sends, schedules, pauses, resumes, cancels, archives and duplicates; `campaigns:manage`
adds and removes suppressions.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from skailan.campaigns.models import (
    AttachmentIn,
    AttachmentOut,
    CampaignEmailTemplateOut,
    CampaignIn,
    CampaignOut,
    CampaignPatchIn,
    Page,
    PreviewOut,
    RecipientOut,
    ScheduleIn,
    SenderOut,
    SenderTemplateOut,
    Status,
    SuppressionIn,
    SuppressionOut,
)
from skailan.platform.api import CappedCursor as Cursor
from skailan.platform.api import Limit
from skailan.platform.auth import current_caller
from skailan.platform.lazy import lazy_module
from skailan.tenancy.access import public, requires

service = lazy_module("skailan.campaigns.service")
senders = lazy_module("skailan.campaigns.senders")

VIEW, EDIT, MANAGE = "campaigns:view", "campaigns:edit", "campaigns:manage"
TAGS = ["campaigns"]
Ref = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
RecipientStatus = Annotated[Literal["skipped", "queued", "sending", "sent", "delivered", "read", "failed"] | None,
                            Query()]
SearchQ = Annotated[str | None, Query(min_length=1, max_length=100, description="Name, e-mail or phone contains.")]
ChannelQ = Annotated[Literal["email", "sms", "whatsapp"] | None, Query()]
StatusesQ = Annotated[list[Status] | None, Query(max_length=7, description="One or more campaign statuses.")]

router = Router()


@router.get("/v1/campaigns", middlewares=[requires(VIEW)], tags=TAGS)
def list_campaigns(archived: Annotated[bool, Query()] = False, status: StatusesQ = None, channel: ChannelQ = None,
                   cursor: Cursor = None, limit: Limit = None) -> Page[CampaignOut]:
    """The brand's campaigns, newest first (`archived=true`: the archived ones), optionally of some
    statuses (`status=draft&status=scheduled` or `status=draft,scheduled`) and one channel. A
    filtered page may hold fewer than `limit` items, even none, with a `next_cursor`: keep paging
    until it is null."""
    return service.list_all(current_caller().tenant_id, archived=archived, cursor=cursor, limit=limit,
                            statuses=status or (), channel=channel)


@router.post("/v1/campaigns", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def create_campaign(body: CampaignIn) -> CampaignOut:
    """A draft campaign. Content: e-mail `{subject, html, from_name?, reply_to?}`, SMS `{text}`,
    WhatsApp `{template: {name, language, parameters}}`; merge fields `{{contact.first_name|amigo}}`,
    `{{contact.custom.<key>}}`, `{{brand.name}}`."""
    return service.create(current_caller(), body)


# Static paths: Powertools matches them before /v1/campaigns/<campaign_id> (ids are never words).
@router.get("/v1/campaigns/senders", middlewares=[requires(VIEW)], tags=TAGS)
def list_senders(channel: ChannelQ = None) -> Page[SenderOut]:
    """The brand's enabled SMS, WhatsApp and e-mail accounts, for the campaign editor: a marketer
    (campaigns without admin access) picks the sending account here."""
    return senders.senders(current_caller().tenant_id, channel)


@router.get("/v1/campaigns/senders/<account_id>/templates", middlewares=[requires(VIEW)], tags=TAGS)
def list_sender_templates(account_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
                          ) -> Page[SenderTemplateOut]:
    """The approved WhatsApp templates of one sending account (another brand's account: 404)."""
    return senders.sender_templates(current_caller().tenant_id, account_id)


@router.get("/v1/campaigns/email-templates", middlewares=[requires(VIEW)], tags=TAGS)
def list_email_templates(cursor: Cursor = None, limit: Limit = None) -> Page[CampaignEmailTemplateOut]:
    """The brand's reusable e-mail templates, read-only, for the campaign editor's picker (the
    e-mail module's own list needs `conversations:view`, which the marketing role lacks). A campaign
    uses one through `content.template_id`."""
    return senders.email_templates(current_caller().tenant_id, cursor=cursor, limit=limit)


@router.get("/v1/campaigns/<campaign_id>", middlewares=[requires(VIEW)], tags=TAGS)
def get_campaign(campaign_id: str) -> CampaignOut:
    return service.get(current_caller().tenant_id, campaign_id)


@router.patch("/v1/campaigns/<campaign_id>", middlewares=[requires(EDIT)], tags=TAGS)
def update_campaign(campaign_id: str, body: CampaignPatchIn) -> CampaignOut:
    """Only while draft or scheduled."""
    return service.update(current_caller(), campaign_id, body)


@router.delete("/v1/campaigns/<campaign_id>", middlewares=[requires(EDIT)], status_code=204, tags=TAGS)
def delete_campaign(campaign_id: str) -> None:
    """Only a campaign never sent; the others are archived."""
    service.delete(current_caller(), campaign_id)


@router.post("/v1/campaigns/<campaign_id>/duplicate", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def duplicate_campaign(campaign_id: str) -> CampaignOut:
    return service.duplicate(current_caller(), campaign_id)


@router.post("/v1/campaigns/<campaign_id>/archive", middlewares=[requires(EDIT)], tags=TAGS)
def archive_campaign(campaign_id: str) -> CampaignOut:
    return service.archive(current_caller(), campaign_id, archived=True)


@router.post("/v1/campaigns/<campaign_id>/unarchive", middlewares=[requires(EDIT)], tags=TAGS)
def unarchive_campaign(campaign_id: str) -> CampaignOut:
    return service.archive(current_caller(), campaign_id, archived=False)


@router.get("/v1/campaigns/<campaign_id>/preview", middlewares=[requires(VIEW)], tags=TAGS)
def preview_campaign(campaign_id: str, person_id: Ref = None) -> PreviewOut:
    """The audience after suppressions and missing identities (counts by reason), a rendered sample
    (for `person_id` if given), SMS encoding and segments, cost estimate, WhatsApp capacity plan."""
    return service.preview(current_caller().tenant_id, campaign_id, person_id)


@router.post("/v1/campaigns/<campaign_id>/send", middlewares=[requires(EDIT)], status_code=202, tags=TAGS)
def send_campaign(campaign_id: str) -> CampaignOut:
    """Start sending now; the fan-out runs in the background."""
    caller = current_caller()
    return service.send_now(caller, caller.tenant_id, campaign_id)


@router.post("/v1/campaigns/<campaign_id>/schedule", middlewares=[requires(EDIT)], tags=TAGS)
def schedule_campaign(campaign_id: str, body: ScheduleIn) -> CampaignOut:
    """`at`: local time in the brand's zone (2026-12-24T09:00) or ISO with offset; the past is refused."""
    return service.schedule(current_caller(), campaign_id, body.at)


@router.post("/v1/campaigns/<campaign_id>/pause", middlewares=[requires(EDIT)], tags=TAGS)
def pause_campaign(campaign_id: str) -> CampaignOut:
    return service.pause(current_caller(), campaign_id)


@router.post("/v1/campaigns/<campaign_id>/resume", middlewares=[requires(EDIT)], tags=TAGS)
def resume_campaign(campaign_id: str) -> CampaignOut:
    """Continues where it stopped: recipients already sent are never sent again."""
    return service.resume(current_caller(), campaign_id)


@router.post("/v1/campaigns/<campaign_id>/cancel", middlewares=[requires(EDIT)], tags=TAGS)
def cancel_campaign(campaign_id: str) -> CampaignOut:
    """Before or during sending; recipients not yet sent stay unsent."""
    return service.cancel(current_caller(), campaign_id)


@router.get("/v1/campaigns/<campaign_id>/recipients", middlewares=[requires(VIEW)], tags=TAGS)
def list_recipients(campaign_id: str, status: RecipientStatus = None, cursor: Cursor = None,
                    limit: Limit = None, q: SearchQ = None) -> Page[RecipientOut]:
    """Per-recipient statuses. `q` filters by name, e-mail or phone (accent- and case-insensitive):
    the campaign's recipient partition is read page by page (a Query, never a Scan), at most 1 000
    recipients per request, so a filtered page may hold fewer items than `limit`, or none, with a
    `next_cursor` to go on; no `next_cursor` means the end."""
    return service.recipients(current_caller().tenant_id, campaign_id, status=status, cursor=cursor, limit=limit,
                              q=q)


@router.get("/v1/campaigns/<campaign_id>/recipients.csv", middlewares=[requires(VIEW)], tags=TAGS)
def export_recipients(campaign_id: str) -> Response[str]:
    """Every recipient as CSV (UTF-8)."""
    body = service.recipients_csv(current_caller().tenant_id, campaign_id)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'})


@router.get("/v1/suppressions", middlewares=[requires(VIEW)], tags=TAGS)
def list_suppressions(channel: ChannelQ = None, cursor: Cursor = None, limit: Limit = None) -> Page[SuppressionOut]:
    """Opted-out, bounced and complained addresses: campaigns never send to them."""
    return service.list_suppressions(current_caller().tenant_id, channel=channel, cursor=cursor, limit=limit)


@router.post("/v1/suppressions", middlewares=[requires(MANAGE)], status_code=201, tags=TAGS)
def add_suppression(body: SuppressionIn) -> SuppressionOut:
    return service.add_suppression(current_caller(), body)


@router.delete("/v1/suppressions/<channel>/<address>", middlewares=[requires(MANAGE)], status_code=204, tags=TAGS)
def remove_suppression(channel: Literal["email", "sms", "whatsapp"], address: str) -> None:
    # The path arrives as sent (rawPath): a phone's "+" is "%2B" from any client that encodes it.
    service.remove_suppression(current_caller(), channel, unquote(address))


@router.post("/v1/campaigns/attachments", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def create_attachment(body: AttachmentIn) -> AttachmentOut:
    """An e-mail attachment: PUT the bytes to `upload_url`, then name it in a campaign's content
    `{"attachments": [{"upload_id"}]}` (each under 5 MB, together under 24 MB, passive types only)."""
    return service.create_attachment(current_caller(), body)


tracking_router = Router()


@tracking_router.get("/public/campaigns/c/<token>", middlewares=[public()], tags=TAGS)
def tracked_click(token: str) -> Response[str]:
    """A tracked link: counts the recipient's click once and answers 302 to the URL the campaign
    stored (no open redirect: an unknown token or link is a 404)."""
    target = service.click(token)
    return Response(status_code=302, body="", headers={"Location": target, "Cache-Control": "no-store"})


# A 1×1 transparent GIF.
PIXEL = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@tracking_router.get("/public/campaigns/o/<token>", middlewares=[public()], tags=TAGS)
def tracked_open(token: str) -> Response[str]:
    """The open pixel of an e-mail: counts `opened` once per recipient (a forged token is a 404)."""
    service.opened(token)
    reply = Response(status_code=200, content_type="image/gif", body=PIXEL, headers={"Cache-Control": "no-store"})
    reply.base64_encoded = True  # the body is the GIF's base64 (a str passes the response validation)
    return reply


@tracking_router.get("/public/campaigns/u/<token>", middlewares=[public()], tags=TAGS)
def unsubscribe_page(token: str) -> Response[str]:
    """The unsubscribe page (Spanish and English) with its confirmation button; GET never
    unsubscribes (mail scanners follow links)."""
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=service.unsubscribe_page(token),
                    headers={"Cache-Control": "no-store"})


@tracking_router.post("/public/campaigns/u/<token>", middlewares=[public()], tags=TAGS)
def unsubscribe(token: str) -> Response[str]:
    """One-click unsubscribe (RFC 8058 `List-Unsubscribe=One-Click`, and the page's button): the
    address is suppressed for e-mail and the consent change goes on the person's timeline."""
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=service.unsubscribe(token),
                    headers={"Cache-Control": "no-store"})


ROUTERS = (router, tracking_router)
