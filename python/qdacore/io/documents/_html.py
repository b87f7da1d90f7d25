"""Web pages (``.html``) to blocks: the main text, without navigation.

Government pages wrap a plan in menus, breadcrumbs, sidebars of links, tool
bars and footers. The page is parsed with lxml; scripts, forms and elements
whose tag or class names them as page furniture (``nav``, ``footer``,
``breadcrumb``, ``share`` ...) are dropped; then the element that directly
holds the most text outside links (paragraphs, headings, list items and
table rows credit their container, half of it to the one above) is taken as
the article. ``h1``-``h6`` become headings of that level, table rows their
cells joined by tabs, ``<br>`` a line break."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Optional

from ._blocks import NOT_XML, Block, DocumentError, Read, lone_top_heading_as_title
from ._decode import decode

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "nav", "footer", "aside",
              "button", "select", "svg", "object", "embed", "head")
_FURNITURE = {"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
              "position", "location", "footer", "foot", "sidebar", "side", "share", "print", "toolbar",
              "tool", "tools", "copyright", "banner", "related", "links", "friendlink", "login",
              "search", "ads", "advert", "qrcode", "fontsize"}
#: Furniture only as a whole class name ("position" for 当前位置), not inside
#: a compound such as a CSS framework's "position-relative".
_WHOLE_NAME_ONLY = {"position", "location", "side", "tool", "print", "links", "search"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "main", "body",
               "blockquote", "pre", "center", "td", "th", "tr", "tbody", "thead", "tfoot", "caption",
               "figure", "figcaption", "address", "hr", "header"}
_LOOSE_TEXT_HOLDERS = ("div", "td", "section", "article", "main", "center", "body", "blockquote")
_CONTENT = {"p", "li", "tr", "dd", "dt", "pre", "blockquote", *_HEADINGS}
_SKIP_UP = {"table", "tbody", "thead", "tfoot", "ul", "ol", "dl", "tr", "font", "span", "strong", "b"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
#: Less main text than this (in characters outside links) means the page has no article.
MIN_MAIN_TEXT = 20


def read_html(data: bytes, encoding: Optional[str]) -> Read:
    import lxml.etree
    import lxml.html

    text, used = _decode_html(data, encoding)
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses a decoded str that declares an encoding
    text = NOT_XML.sub("", text)  # lxml refuses them in the tail text that _remove moves
    if not text.strip():
        raise DocumentError("an empty page")
    # huge_tree: pages of sloppy editors nest <font> deeper than libxml2's usual 256 levels, and
    # libxml2 drops what lies deeper without an error; its HTML parser expands no entities
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise DocumentError(f"not a readable HTML page ({err})") from None
    if any("Excessive depth" in str(entry.message) for entry in parser.error_log):
        raise DocumentError("elements nested more than 2,048 deep, which the HTML parser cuts off; "
                            "save the page's text as a .txt file")
    page_title = root.findtext(".//title")
    for el in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _remove(el)
    for el in [e for e in root.iter() if isinstance(e.tag, str) and _is_furniture(e)]:
        _remove(el)
    main = _main_element(root)
    if main is None:
        raise DocumentError("no main text, only navigation and links; save the page that holds the "
                            "document itself, or its text as a .txt file")
    blocks: list[Block] = []
    buffer: list[str] = []
    try:
        _walk(main, blocks, buffer)
    except RecursionError:
        raise DocumentError("elements nested too deep to walk (about 1,000 levels); save the page's "
                            "text as a .txt file") from None
    _flush(buffer, blocks)  # the text after the last block of an inline main element
    title = lone_top_heading_as_title(blocks) or (blocks[0].text if blocks and blocks[0].level == 1 else None)
    if title is None and page_title:
        title = " ".join(page_title.split()) or None
    return Read(blocks, title=title, encoding=used)


def _decode_html(data: bytes, encoding: Optional[str]) -> tuple[str, str]:
    if encoding is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii").lower()
            name = _SUPERSETS.get(name, name)
            try:
                return data.decode(name), name
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common: detect instead
    return decode(data, encoding)


def _remove(el) -> None:
    """Drop an element but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _is_furniture(el) -> bool:
    if el.tag in _DROP_TAGS:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}".lower().split()
    return any(name in _FURNITURE or any(token in _FURNITURE and token not in _WHOLE_NAME_ONLY
                                         for token in re.split(r"[_\-]+", name)) for name in names)


def _main_element(root):
    score: defaultdict = defaultdict(float)
    for el in root.iter(*_CONTENT):
        if el.tag == "tr" and _is_layout_row(el):
            continue
        text = _collapse(el.text_content())
        links = sum(len(_collapse(a.text_content())) for a in el.iter("a"))
        own = len(text) - links
        if own <= 0 or links > own:
            continue
        container = el.getparent()
        while container is not None and container.tag in _SKIP_UP:
            container = container.getparent()
        if container is None:
            continue
        score[container] += own
        above = container.getparent()
        if above is not None:
            score[above] += own / 2
    # text set straight in a container, lines parted by <br> rather than paragraphs
    for el in root.iter(*_LOOSE_TEXT_HOLDERS):
        if el.find("br") is None:
            continue
        loose = len(_collapse((el.text or "") + " ".join(child.tail or "" for child in el)))
        if loose:
            score[el] += loose
    if not score:
        return None
    best = max(score, key=score.__getitem__)
    return best if score[best] >= MIN_MAIN_TEXT else None


def _is_layout_row(tr) -> bool:
    """A row whose cells hold paragraphs or headings lays out a page; it is not data."""
    return any(child.tag in ("p", "div", "table", *_HEADINGS) for cell in tr for child in cell.iter()
               if child is not cell)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _flush(buffer: list, blocks: list) -> None:
    for line in "".join(buffer).split("\n"):
        line = _collapse(line)
        if line:
            blocks.append(Block(line))
    buffer.clear()


def _walk(el, blocks: list, buffer: list) -> None:
    """Blocks of ``el`` in document order; inline text gathers in ``buffer``
    until a block boundary."""
    if el.text:
        buffer.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _HEADINGS:
            _flush(buffer, blocks)
            text = _collapse(child.text_content())
            if text:
                blocks.append(Block(text, _HEADINGS[tag]))
        elif tag == "table" and not any(_is_layout_row(tr) for tr in _rows(child)):
            _flush(buffer, blocks)
            for tr in _rows(child):
                cells = [_collapse(c.text_content()) for c in tr if c.tag in ("td", "th")]
                if any(cells):
                    blocks.append(Block("\t".join(cells)))
        elif tag == "br":
            buffer.append("\n")
        elif tag in _BLOCK_TAGS or tag == "table":
            _flush(buffer, blocks)
            _walk(child, blocks, buffer)
            _flush(buffer, blocks)
        else:
            _walk(child, blocks, buffer)
        if child.tail:
            buffer.append(child.tail)
    if el.getparent() is None or el.tag in _BLOCK_TAGS:
        _flush(buffer, blocks)


def _rows(table) -> list:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
