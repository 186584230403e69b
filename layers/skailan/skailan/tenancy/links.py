"""Links into the web app, for the e-mails tenancy sends (invitations, password resets)."""

from __future__ import annotations

from skailan.platform.settings import get_settings


def app_link(path: str, **query: str) -> str:
    """A link into the web app (`APP_URL`), with its query string."""
    from urllib.parse import urlencode

    return f"{get_settings().app_url.rstrip('/')}{path}?{urlencode(query)}"
