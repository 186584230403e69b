"""Settings as one validated model, read once from the function's environment.

Domain code receives values from here; nothing else reads `os.environ`.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, field_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "local"
    tenancy_table: str = "skailan-local-tenancy"
    audit_table: str = "skailan-local-audit"
    contacts_table: str = "skailan-local-contacts"
    exports_bucket: str = "skailan-local-exports"
    inbox_table: str = "skailan-local-inbox"
    analytics_table: str = "skailan-local-analytics"
    analytics_lake_bucket: str = "skailan-local-analytics-lake"  # daily fact exports (docs/analytics.md)
    # Lead flow (docs/leads.md): queue, notes, templates, report counters.
    leads_table: str = "skailan-local-leads"
    # The classifier job's per-run cap (notes classified per run, all brands together).
    lead_classifier_max_notes: int = 500
    event_bus_name: str = "skailan-local-domain"
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    secrets_prefix: str = "skailan/local"
    invitation_ttl_hours: int = 72
    # Where people open the app; invitation and password links point here.
    app_url: str = "http://127.0.0.1:3000"
    mail_from: str = "Skailan <no-reply@skailan.local>"
    # Wrong-password throttle (Cognito does its own in AWS; ours is the same everywhere).
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    # Inbox: how many new conversations an agent holds at once unless the brand or the agent says
    # otherwise, and how long an agent may stay offline before their conversations are re-queued.
    inbox_default_capacity: int = 10
    inbox_offline_grace_seconds: int = 300
    # Notifications by e-mail (opt-in per kind): at most one e-mail per user per this many
    # seconds; what arrives meanwhile is listed in that one e-mail.
    notification_mail_window_seconds: int = 300
    # Channels and conversations (docs/channels.md).
    conversations_table: str = "skailan-local-conversations"
    inbound_queue_url: str = ""
    inbound_dead_letter_queue_url: str = ""
    outbound_queue_url: str = ""
    outbound_dead_letter_queue_url: str = ""
    media_bucket: str = "skailan-local-media"
    inbound_mail_bucket: str = "skailan-local-inbound-mail"
    inbound_mail_topic_arn: str = ""
    # SES event publishing for the e-mail we send: the configuration set SendRawEmail names, and
    # the SNS topic its event destination publishes to (subscribed to /webhooks/ses).
    ses_configuration_set: str = ""
    email_events_topic_arn: str = ""
    # Provider API base URLs; local mode points them at the fake provider (infra/local).
    graph_api_url: str = "https://graph.facebook.com/v21.0"
    telegram_api_url: str = "https://api.telegram.org"
    twilio_api_url: str = "https://api.twilio.com"
    # The API's public base URL (https://api.example.com) when a proxy or custom domain sits in
    # front; Twilio signatures and status callbacks use it. Empty: taken from the request.
    public_api_url: str = ""
    # The web-chat widget API's public base URL, written into the embed snippet. Empty:
    # public_api_url, else the API's own domain (request context), never the raw Host header.
    webchat_public_url: str = ""
    # Seconds a webhook container caches routes, accounts and secrets.
    channel_cache_seconds: int = 300
    # Local mode only (ignored in any other stage): hosts the media fetcher may reach over
    # http and on private addresses, and where the SNS signing certificate comes from.
    local_provider_hosts: str = ""
    local_sns_certificate_url: str = ""
    # CRM imports (docs/imports.md): uploads land in this bucket; the start route queues the job.
    imports_bucket: str = "skailan-local-imports"
    imports_queue_url: str = ""
    import_max_bytes: int = 50 * 1024 * 1024
    import_checkpoint_rows: int = 1000
    # Public lead-capture forms: submissions per IP and form within the window.
    form_rate_limit: int = 10
    form_rate_window_seconds: int = 600
    # Abuse limits (skailan.platform.limits): counters in this table.
    limits_table: str = "skailan-local-limits"
    # Sign-in failures per source address, sliding window (the per-account limit is
    # login_max_failures per login_lockout_seconds, counted only from unknown addresses).
    signin_ip_max_failures: int = 20
    signin_ip_window_seconds: int = 900
    # Public routes: "<max>/<seconds>" per subject (IP, session or brand+IP).
    limit_forgot_password_ip: str = "10/3600"
    limit_forgot_password_account: str = "3/3600"
    limit_confirm_password_ip: str = "20/900"
    limit_accept_invitation_ip: str = "20/900"
    limit_webchat_session_ip: str = "10/600"
    limit_webchat_message_session: str = "30/300"
    limit_webchat_message_ip: str = "120/300"
    limit_webchat_upload_session: str = "10/3600"
    # Bytes of uploads per web-chat session per day.
    limit_webchat_upload_bytes_session: str = "15728640/86400"
    limit_webchat_poll_session: str = "120/60"
    limit_form_ip: str = "30/600"

    # Live updates (docs/realtime.md): connections and the changes feed live in this table; the
    # push worker posts to the WebSocket API's management endpoint (https://<api>.execute-api.
    # <region>.amazonaws.com/<stage>; the local runtime points it at its own).
    realtime_table: str = "skailan-local-realtime"
    websocket_management_url: str = ""
    # Lead-note outcome classification (docs/leads-classification.md): the Bedrock model (a small,
    # cheap one; any Converse model that supports a forced tool call), the Bedrock endpoint (empty:
    # the SDK's; the local runtime points it at its fake), OpenAI's base URL and model, the notes
    # sent per model call, attempts per call (throttling/5xx/timeouts) and each call's timeout.
    leads_bedrock_model_id: str = "amazon.nova-micro-v1:0"
    bedrock_endpoint_url: str = ""
    openai_api_url: str = "https://api.openai.com/v1"
    leads_openai_model: str = "gpt-4o-mini"
    leads_classifier_batch_size: int = 20
    leads_classifier_max_attempts: int = 4
    leads_classifier_timeout_seconds: float = 20.0
    # The SDK's endpoint override; set only by the local runtime (moto), where the WebSocket
    # authorizer also reads the user pool's keys.
    aws_endpoint_url: str = ""

    # Automations (docs/automations.md): their table; loop and storm limits.
    automations_table: str = "skailan-local-automations"
    automation_max_depth: int = 5
    automation_person_runs_per_hour: int = 20  # per automation and person
    automation_brand_runs_per_minute: int = 600
    automation_strikes_to_pause: int = 5  # failed or capped runs in a row

    # Campaigns (docs/campaigns.md): their table; the price table of the preview's cost estimate
    # (per message; SMS per segment).
    campaigns_table: str = "skailan-local-campaigns"
    campaign_send_queue_url: str = ""
    campaign_price_currency: str = "USD"
    campaign_price_sms: float = 0.0079
    campaign_price_email: float = 0.0001
    campaign_price_whatsapp: float = 0.025
    # E-mail campaigns (docs/campaigns.md): the configuration set SES publishes their events with
    # (delivery, bounce, complaint, open, click → /webhooks/ses); the secret that signs tracked
    # links, open pixels and unsubscribe links; the public base URL of those links (empty: the
    # API's public URL wins when set); a sending-rate cap per second (0: the account's SES MaxSendRate).
    campaign_ses_configuration_set: str = ""
    campaign_link_secret_arn: str = ""
    campaign_links_url: str = ""
    campaign_email_max_rate: float = 0.0
    # Campaign schedules (docs/campaigns.md): one EventBridge Scheduler schedule per scheduled
    # campaign, in this group, invoking this target (the due job's function) through this role,
    # failed deliveries to this queue. Empty (unit tests): only the due-time index starts campaigns.
    campaign_schedule_group: str = ""
    campaign_schedule_target_arn: str = ""
    campaign_schedule_role_arn: str = ""
    campaign_schedule_dlq_arn: str = ""

    @field_validator("app_url")
    @classmethod
    def _app_url(cls, value: str) -> str:
        # The template's AppUrl parameter is empty unless configured.
        return value.strip().rstrip("/") or "http://127.0.0.1:3000"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @property
    def provider_local_hosts(self) -> frozenset[str]:
        """Fake-provider hosts the fetcher may reach; always empty outside stage=local."""
        if not self.is_local:
            return frozenset()
        return frozenset(h.strip().lower() for h in self.local_provider_hosts.split(",") if h.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = {key.lower(): value for key, value in os.environ.items()}
    return Settings.model_validate(env)
