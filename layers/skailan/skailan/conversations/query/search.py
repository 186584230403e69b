"""Conversation search by name, phone, e-mail and message text: a token index, Query only.

Each conversation is indexed under short *keys* (items `T#<t>#K#<first 2 chars>` /
`<key>#<conversation>`), so a search is one `begins_with` Query on one partition plus one
BatchGet of the conversations found — the same cost at 10 000 or 10 000 000 conversations:
- the customer's name: folded suffix keys like the CRM's ("maria jose perez", "jose perez",
  "perez"), so any prefix of the name or of a later word matches;
- phone: its digits, the last 10 and the last 7 (found with or without country code);
- e-mail: the address, and its local part's words as a name;
- message text: for each word, that word and the next two ("precio del envio",
  "del envio", "envio"), at most 30 keys per message, repeats within a conversation
  rewrite the same item. Phrases of up to three words match.
Keys come from the events worker (`conversation.created`, `message.received`), so search sees a
new message within a second or two. Name keys carry their source in gsi1
(`T#<t>#KC#<conversation>` / `name#<key>`) so a renamed contact's old keys are removed.
Results come in reverse key order (newest conversation first among equal keys), are checked
against the other filters and the caller's visibility, and de-duplicated within a page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from skailan.conversations.store.inbox_items import SearchKeyItem
from skailan.crm.text import fold, name_search_keys, name_tokens
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Unprocessable
from skailan.platform.pagination import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from skailan.conversations.query.listing import Filters, Result
    from skailan.conversations.store.items import ConversationItem

MAX_TEXT_KEYS = 30
MAX_KEY = 80
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _partition(tenant_id: str, key: str) -> str:
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
        SearchKeyItem(_partition(tenant_id, key), f"{key}#{conversation_id}", tenant_id=tenant_id,
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


def query_key(q: str) -> str:
    q = q.strip()
    if _EMAIL.match(q) or (q.count("@") == 1 and not q.startswith("@")):
        return q.lower()[:MAX_KEY]
    digits = re.sub(r"[\s()+.-]", "", q)
    if digits.isdigit():
        return digits[-10:] if len(digits) > 10 else digits
    return " ".join(name_tokens(fold(q)))[:MAX_KEY]


def search(caller: Caller, filters: Filters, *, cursor: str | None, limit: int) -> Result:
    from skailan.conversations.query.listing import Result, matches
    from skailan.conversations.store.items import CONVERSATION_SK, ConversationItem, conversation_pk

    key = query_key(filters.q or "")
    if len(key) < 2:
        raise Unprocessable("Escribe al menos 2 caracteres para buscar. / Type at least 2 characters to search.",
                            code="validation_error", details=[{"field": "q", "error": "at least 2 characters"}])
    pk = _partition(caller.tenant_id, key)
    start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
    if start is not None and (set(start) != {"pk", "sk"} or not isinstance(start["sk"], dict)
                              or not str(start["sk"].get("S", "")).startswith(key)):
        from skailan.platform.errors import BadRequest

        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor")
    results = SearchKeyItem.query(pk, SearchKeyItem.sk.startswith(key), limit=limit, page_size=limit,
                                  scan_index_forward=False, last_evaluated_key=start)
    ids: list[str] = []
    for hit in results:
        if hit.conversation_id not in ids:
            ids.append(hit.conversation_id)
    found: dict[str, ConversationItem] = {}
    keys = [(conversation_pk(caller.tenant_id, cid), CONVERSATION_SK) for cid in ids]
    for offset in range(0, len(keys), 100):
        for item in ConversationItem.batch_get(keys[offset:offset + 100]):
            found[item.conversation_id] = item
    items = [found[cid] for cid in ids if cid in found and matches(caller, found[cid], filters)]
    return Result(items=items, next_cursor=encode_cursor(results.last_evaluated_key), reads=2,
                  scanned=results.total_count)
