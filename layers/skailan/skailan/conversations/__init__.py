"""Conversations: one store for every channel's messages, the ingest and send services, and the
minimal conversations API (the inbox adds assignment, notes, filters…). See docs/channels.md."""
