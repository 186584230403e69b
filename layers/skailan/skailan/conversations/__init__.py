"""Conversations: every channel's messages and what agents do with them, one context, one table.

- `store/`   the only pynamodb code of the context: items and key strings (`items.py`,
             `inbox_items.py`), messages, the inbox view attributes (`state.py`), history, timers
             and the conditional-write helper (`mutate.py`);
- `domain/`  pure decisions, no I/O: the reply window (`policy.py`), business hours, templating;
- `inbox/`   the inbox's behaviours: actions, agents, teams, assignment, bots, CSAT, e-mail,
             notifications, quick replies, WhatsApp templates and the inbox workers;
- `query/`   reads: conversation listing with filters, search, tab counts, the read facade;
- `api/`     the HTTP routes (conversations, inbox, e-mail, web chat);
- top level: the event catalogues (`catalogue.py` for `skailan.conversations`,
             `inbox_catalogue.py` for `skailan.inbox`) and their builders, ingest, outbound
             sending, web chat, uploads and the API models.

Layers, bottom up: store → domain → (top level) → inbox → query → api. See docs/channels.md and
docs/inbox.md.
"""
