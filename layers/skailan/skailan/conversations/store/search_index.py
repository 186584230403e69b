"""The search index's writes: one key item per conversation and key (`T#<t>#K#<prefix>`), the
contact's keys also by conversation (`gsi1`, `T#<t>#KC#<conversation>`) so a re-index removes stale
ones. Written by the inbox workers and the e-mail module; read by `query/search.py`."""

from __future__ import annotations

import re
from typing import Any

from skailan.conversations.store.inbox_items import SearchKeyItem
from skailan.crm.values.text import name_search_keys, name_tokens
from skailan.platform.clock import iso

MAX_TEXT_KEYS = 30
MAX_KEY = 80


def key_pk(tenant_id: str, key: str) -> str:
    """The partition of one search key (its first two characters spread the brand's keys)."""
    return f"T#{tenant_id}#K#{key[:2]}"


def phone_keys(phone: str | None) -> list[str]:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 5:
        return []
    return list(dict.fromkeys(k for k in (digits, digits[-10:], digits[-7:]) if len(k) >= 5))


def email_keys(email: str | None) -> list[str]:
    if not email or "@" not in email:
        return []
    address = email.strip().lower()
    return [address[:MAX_KEY], *name_search_keys(address.split("@", 1)[0])]


def text_keys(text: str | None) -> list[str]:
    tokens = [t for t in name_tokens(text or "") if len(t) >= 2]
    keys: list[str] = []
    for start in range(len(tokens)):
        key = " ".join(tokens[start:start + 3])[:MAX_KEY]
        if key not in keys:
            keys.append(key)
        if len(keys) >= MAX_TEXT_KEYS:
            break
    return keys


def contact_keys(contact: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "name": name_search_keys(contact.get("name") or contact.get("username") or "")[:6],
        "phone": phone_keys(contact.get("phone")),
        "email": email_keys(contact.get("email")),
    }


def _items(tenant_id: str, conversation_id: str, source: str, keys: list[str]) -> list[SearchKeyItem]:
    now = iso()
    return [
        SearchKeyItem(key_pk(tenant_id, key), f"{key}#{conversation_id}", tenant_id=tenant_id,
                      conversation_id=conversation_id, source=source, created_at=now,
                      gsi1pk=f"T#{tenant_id}#KC#{conversation_id}" if source != "text" else None,
                      gsi1sk=f"{source}#{key}" if source != "text" else None)
        for key in keys if len(key) >= 2 and "#" not in key
    ]


def index_contact(tenant_id: str, conversation_id: str, contact: dict[str, Any]) -> int:
    """(Re-)index who the customer is; keys no longer valid are removed. Returns keys written.

    A key is one item per conversation whatever produced it (a name word can also be an e-mail
    word): the first source wins, and a key stays as long as any source still produces it.
    """
    wanted: dict[str, str] = {}
    for source, keys in contact_keys(contact).items():
        for key in keys:
            wanted.setdefault(key, source)
    existing = {item.gsi1sk.partition("#")[2]: item
                for item in SearchKeyItem.gsi1.query(f"T#{tenant_id}#KC#{conversation_id}")}
    writes = [item for key, source in wanted.items() if key not in existing
              for item in _items(tenant_id, conversation_id, source, [key])]
    stale = [item for key, item in existing.items() if key not in wanted]
    with SearchKeyItem.batch_write() as batch:
        for item in writes:
            batch.save(item)
        for item in stale:  # type: ignore[assignment]
            batch.delete(SearchKeyItem(item.pk, item.sk))
    return len(writes)


def index_text(tenant_id: str, conversation_id: str, text: str | None) -> int:
    items = _items(tenant_id, conversation_id, "text", text_keys(text))
    with SearchKeyItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    return len(items)


def hits(tenant_id: str, key: str, *, limit: int,
         start: dict[str, Any] | None) -> tuple[list[str], dict[str, Any] | None, int]:
    """The conversations whose keys start with `key`, newest key first, one page: (conversation
    ids in hit order without repeats, the last evaluated key, the items read)."""
    results = SearchKeyItem.query(key_pk(tenant_id, key), SearchKeyItem.sk.startswith(key), limit=limit,
                                  page_size=limit, scan_index_forward=False, last_evaluated_key=start)
    ids = list(dict.fromkeys(hit.conversation_id for hit in results))
    return ids, results.last_evaluated_key, results.total_count
