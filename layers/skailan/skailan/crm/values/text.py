"""Accent- and case-insensitive text, and the keys that make people findable by name.

Name search design — one DynamoDB Query with `begins_with` on a sort key:
a person "María José Pérez" is indexed under one key per word, each key being the folded
name *from that word to the end*:

    "maria jose perez", "jose perez", "perez"

so any prefix of the full name ("maria j") or of any word onward ("jos", "perez",
"jose p") is a prefix of one key. The lead stores e.g. `SK = NAME#<key>#<person_id>`
(keys never contain `#`: tokens are letters and digits only) and queries
`begins_with(SK, "NAME#" + search_prefix(q))`.

Trade-off: one index item per word (capped at `MAX_NAME_KEYS`, 6) instead of one per
person — writes and storage grow with the words in a name, and a renamed person must have
the old keys deleted. In exchange a lookup is a single Query, no Scan and no client-side
filtering. Words out of order ("perez maria") are not found; a person found through two
of their keys can appear twice in a page, so readers de-duplicate by person id.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

MAX_NAME_KEYS = 6
MAX_KEY_LENGTH = 100  # characters; keeps sort keys small, longer tails add nothing to search

_SPACES = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['’`´ʼ]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Accent- and case-insensitive normal form: NFKD, no combining marks, casefold, one space.

    Idempotent: `fold(fold(x)) == fold(x)`. Cached: segment evaluation folds the same few
    values (tags, states, names) for every person of a brand.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # casefold can produce new decomposable characters (e.g. "İ"), so normalise once more.
    folded = unicodedata.normalize("NFKD", stripped.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACES.sub(" ", folded).strip()


def name_tokens(text: str) -> list[str]:
    """The searchable words of `text`: folded, apostrophes joined ("O'Brien" → "obrien"),
    every other non-alphanumeric character a separator ("Pérez-Gómez" → "perez", "gomez")."""
    return [tok for tok in _NOT_WORD.split(_APOSTROPHES.sub("", fold(text))) if tok]


def name_search_keys(name: str) -> list[str]:
    """The keys to index a person's name under (see module doc); empty for a blank name."""
    tokens = name_tokens(name)
    keys: list[str] = []
    for start in range(min(len(tokens), MAX_NAME_KEYS)):
        key = " ".join(tokens[start:])[:MAX_KEY_LENGTH].rstrip()
        if key not in keys:
            keys.append(key)
    return keys


def search_prefix(query: str) -> str:
    """The `begins_with` value for a name query typed by a user; "" means nothing to search."""
    return " ".join(name_tokens(query))[:MAX_KEY_LENGTH].rstrip()


def tag_key(name: str) -> str:
    """What makes two spellings of a tag the same tag ("Clientes VIP" = "clientes vip")."""
    return fold(name)


class TagRespelling:
    """A renamed tag's values respelled: `respell(value)` turns a tag name (or a list of them) that
    is the old tag into the new name, a list keeping each tag once; `changed` says whether any was.
    Segments, automations and their rule trees each walk their own shape and call it on tag values."""

    def __init__(self, old_name: str, new_name: str) -> None:
        self.old_key, self.new_name, self.changed = tag_key(old_name), new_name, False

    def _one(self, value: Any) -> Any:
        if isinstance(value, str) and value != self.new_name and tag_key(value) == self.old_key:
            self.changed = True
            return self.new_name
        return value

    def respell(self, value: Any) -> Any:
        return list(dict.fromkeys(self._one(v) for v in value)) if isinstance(value, list) else self._one(value)
