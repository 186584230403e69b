"""Tenancy: brands, members and roles, API keys, channel accounts, close reasons, audit log."""
