"""Conversations: every channel's messages and what agents do with them, one context.

Layers, each importing only those above it in this list (docs/architecture/conversations.md):
- `domain/`  pure decisions, no I/O: the reply window (`policy.py`), business hours, templating, tags,
             the list's filters as plain values (`filters.py`);
- `store/`   the only table code (the only pynamodb calls): items and key strings (`items.py`,
             `inbox_items.py`, `mail_items.py`), messages, the inbox's view attributes, conditions and
             view reads (`state.py`), the list's Queries (`listing.py`), history, timers, the
             conditional-write helper (`mutate.py`), the search index; one module per thing the inbox keeps (`agents`, `teams`, `templates`,
             `quick_replies`, `notifications`, `notes`, `mail`, `config`, `uploads`), on `ops.py`'s
             get / insert / save / delete. Services call these functions by what they do and get
             items back; a refused condition is `platform.storage.ConditionFailed`;
- top level: event catalogues and builders (`catalogue.py` → `skailan.conversations`,
             `inbox_catalogue.py` → `skailan.inbox`), API models, the channel accounts cache,
             e-mail signatures, uploads;
- `ingest/`  webhook routing (`webhooks.py`), the inbound queue contract, media, profile names and
             the ingest worker;
- sending, web chat, views, then `outbound.py` (the send service);
- `inbox/`   the inbox's behaviours: actions, agents, teams, assignment, bots, CSAT, e-mail,
             notifications, quick replies, WhatsApp templates, the inbox workers;
- `query/`   reads: the list's planner (`listing.py`) and in-memory filters, search, tab counts, the read facade; `start.py`;
- `api/`     the HTTP routes (conversations, inbox, e-mail, web chat).
"""
