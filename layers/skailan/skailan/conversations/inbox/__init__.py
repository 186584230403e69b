"""The inbox's behaviours on conversations: agents and teams, actions, assignment, bots, CSAT,
e-mail, notifications, quick replies, WhatsApp templates and the inbox workers (docs/inbox.md)."""
