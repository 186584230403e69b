"""An allow-list HTML sanitiser for e-mail templates, signatures and agents' HTML replies.

Only listed tags and attributes survive; everything else is dropped — never "cleaned up":
- scripts, styles sheets, frames, objects, forms, SVG/MathML and `<head>` go with their content;
  unknown tags go, their text stays;
- no event handlers (`on*`), no `id`/`name` (no DOM clobbering), no `srcset`/`background`;
- links: `http`, `https`, `mailto`, `tel` only (so no `javascript:`/`data:`/`vbscript:`);
  images: `https`, `cid:` (inline parts) and raster `data:image/*;base64` only;
- inline `style` is kept (e-mail layouts need it) but a declaration that can fetch or run
  anything (`url(`, `@import`, `expression(`, `behavior`, `-moz-binding`, `\\` escapes,
  `javascript:`) is removed, and `position` is dropped (no overlays over the mail client);
- comments (conditional comments included), doctype, `<base>`, `<meta>`, `<link>` go.
Text and attribute values are re-escaped, so what comes out is well-formed for a mail client.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup", "dd", "del", "div", "dl",
    "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q",
    "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
})
VOID_TAGS = frozenset({"br", "col", "hr", "img"})
# Dropped together with everything inside them.
DROP_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed",
    "template", "svg", "math", "head", "title", "textarea", "select", "button", "form", "xml", "video", "audio",
    "canvas", "link", "meta", "base",
})
GLOBAL_ATTRIBUTES = frozenset({"style", "class", "title", "dir", "lang", "align", "valign", "width", "height",
                               "bgcolor", "color"})
TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "target"}),
    "img": frozenset({"src", "alt", "border"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "role"}),
    "td": frozenset({"colspan", "rowspan", "nowrap"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "font": frozenset({"face", "size"}),
    "ol": frozenset({"start", "type"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=\s]+$", re.IGNORECASE)
_BAD_STYLE = re.compile(r"url\s*\(|@import|expression\s*\(|behavior|-moz-binding|javascript:|\\|<|>",
                        re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _clean_url(value: str, *, image: bool) -> str | None:
    compact = _CONTROL.sub("", value).lower()  # "java\tscript:" is still javascript:
    if compact.startswith(("https://",)) or (not image and compact.startswith(LINK_SCHEMES)):
        return value.strip()
    if image and (compact.startswith("cid:") or _DATA_IMAGE.match(value.strip())):
        return value.strip()
    return None


def _clean_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, _, rest = declaration.partition(":")
        name = name.strip().lower()
        if not name or not rest.strip() or _BAD_STYLE.search(declaration) or name in ("position", "content"):
            continue
        if not re.fullmatch(r"-?[a-z][a-z-]*", name):
            continue
        kept.append(f"{name}: {rest.strip()}")
    return "; ".join(kept) or None


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping: list[str] = []  # the stack of dropped-with-content tags we are inside
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if self.dropping:
            if tag in DROP_WITH_CONTENT and tag not in VOID_TAGS and tag not in ("link", "meta", "base"):
                self.dropping.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            if tag not in ("link", "meta", "base"):  # void elements: nothing inside to drop
                self.dropping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset())
        parts = [tag]
        for name, value in attrs:
            name = name.lower()
            if name not in allowed or value is None:
                continue
            if name == "href":
                value = _clean_url(value, image=False)
            elif name == "src":
                value = _clean_url(value, image=True)
            elif name == "style":
                value = _clean_style(value)
            elif name == "target":
                value = "_blank" if value.strip().lower() == "_blank" else None
            if value is None:
                continue
            parts.append(f'{name}="{escape(value, quote=True)}"')
        if tag == "a" and any(p.startswith("target=") for p in parts):
            parts.append('rel="noopener noreferrer"')
        if tag == "img" and not any(p.startswith("src=") for p in parts):
            return  # an image with nowhere safe to load from is nothing
        self.out.append("<" + " ".join(parts) + ">")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID_TAGS and self.open and self.open[-1] == tag.lower():
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in self.open:
            while self.open:  # close what the author left open inside it
                top = self.open.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def sanitize_html(html: str) -> str:
    """The allow-listed version of `html` (see the module docstring)."""
    parser = _Sanitiser()
    parser.feed(html)
    return parser.result()
