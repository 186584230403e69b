"""The inbox: agents and teams, conversation actions, filters and search, quick replies, the
WhatsApp window and templates, auto-assignment, bots, notifications and metrics (docs/inbox.md)."""
