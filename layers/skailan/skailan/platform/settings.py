"""Settings as one validated model, read once from the function's environment.

Domain code receives values from here; nothing else reads `os.environ`.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "local"
    tenancy_table: str = "skailan-local-tenancy"
    audit_table: str = "skailan-local-audit"
    idempotency_table: str = "skailan-local-idempotency"
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

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = {key.lower(): value for key, value in os.environ.items()}
    return Settings.model_validate(env)
