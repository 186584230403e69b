"""HTML → readable plain text, for e-mails that have no text/plain part and the text/plain part
of the HTML e-mails we send (campaigns spell their links out). Stdlib only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "hr",
}
_HIDDEN = {"script", "style", "head", "title", "template"}


class _TextCollector(HTMLParser):
    def __init__(self, *, spell_links: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden_depth = 0
        self.spell_links = spell_links
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden_depth += 1
        elif tag in _BLOCKS:
            self.chunks.append("\n")
        elif tag == "a" and self.spell_links:
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in _BLOCKS:
            self.chunks.append("\n")
        elif tag == "a" and self.href:
            self.chunks.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.chunks.append(data)


def html_to_text(html: str, *, spell_links: bool = False) -> str:
    """The text, one line per block, blank lines collapsed; with `spell_links` each link's
    address follows its text in brackets (a plain-text reader cannot click it)."""
    collector = _TextCollector(spell_links=spell_links)
    collector.feed(html)
    collector.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(collector.chunks).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
