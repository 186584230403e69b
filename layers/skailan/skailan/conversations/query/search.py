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
Keys are written by `store/search_index.py`, from the events worker (`conversation.created`, `message.received`), so search sees a
new message within a second or two. Name keys carry their source in gsi1
(`T#<t>#KC#<conversation>` / `name#<key>`) so a renamed contact's old keys are removed.
Results come in reverse key order (newest conversation first among equal keys), are checked
against the other filters and the caller's visibility, and de-duplicated within a page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from skailan.conversations.domain.filters import Filters
from skailan.conversations.query.filters import Result, matches
from skailan.conversations.store import search_index
from skailan.conversations.store.search_index import MAX_KEY, key_pk
from skailan.crm.values.text import fold, name_tokens
from skailan.platform.auth import Caller
from skailan.platform.errors import Unprocessable
from skailan.platform.pagination import decode_cursor, encode_cursor

if TYPE_CHECKING:
    pass

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def query_key(q: str) -> str:
    q = q.strip()
    if _EMAIL.match(q) or (q.count("@") == 1 and not q.startswith("@")):
        return q.lower()[:MAX_KEY]
    digits = re.sub(r"[\s()+.-]", "", q)
    if digits.isdigit():
        return digits[-10:] if len(digits) > 10 else digits
    return " ".join(name_tokens(fold(q)))[:MAX_KEY]


def search(caller: Caller, filters: Filters, *, cursor: str | None, limit: int) -> Result:
    from skailan.conversations.store import messages

    key = query_key(filters.q or "")
    if len(key) < 2:
        raise Unprocessable("Escribe al menos 2 caracteres para buscar. / Type at least 2 characters to search.",
                            code="validation_error", details=[{"field": "q", "error": "at least 2 characters"}])
    pk = key_pk(caller.tenant_id, key)
    start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
    if start is not None and (set(start) != {"pk", "sk"} or not isinstance(start["sk"], dict)
                              or not str(start["sk"].get("S", "")).startswith(key)):
        from skailan.platform.errors import BadRequest

        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor")
    ids, last_key, scanned = search_index.hits(caller.tenant_id, key, limit=limit, start=start)
    found = messages.conversations_by_id(caller.tenant_id, ids)
    items = [found[cid] for cid in ids if cid in found and matches(caller, found[cid], filters)]
    return Result(items=items, next_cursor=encode_cursor(last_key), reads=2, scanned=scanned)
