"""Word documents (``.docx``) to blocks: paragraphs and tables in reading
order, heading styles as outline levels, read from the package's XML parts
with lxml (python-docx builds a Python object per paragraph, run and style
lookup, which took most of a long document's time)."""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Optional

from lxml import etree

from ._blocks import TEXT, TITLE, Block, DocumentError, Read

#: Largest total a DOCX may expand to (a zip bomb is refused before anything is inflated).
MAX_EXPANDED_BYTES = 1 << 30
#: Largest text part (word/document.xml) read: some 50 million characters, far beyond any plan.
MAX_BODY_BYTES = 256 << 20
#: Most XML elements in the text part (a 1,000-page plan has about a million; tens of
#: millions of empty paragraphs or runs in a small file are an attack).
MAX_ELEMENTS = 3_000_000
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
#: A cell's paragraph breaks and tabs: a row is one line, its cells parted by tabs.
_CELL_BREAK = re.compile(r"\s*[\n\t]\s*")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"


def read_docx(data: bytes, encoding: Optional[str]) -> Read:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DocumentError("not a valid DOCX (a corrupt or truncated zip); open it in Word or "
                            "LibreOffice and save it again") from None
    if expanded > MAX_EXPANDED_BYTES:
        raise DocumentError(f"expands to {expanded:,} bytes, more than the {MAX_EXPANDED_BYTES:,} "
                            "accepted (a zip bomb?)")
    # the parts as the package's relationships name them, else where Word puts them
    package = _targets(archive, names, "_rels/.rels", "")
    main = package.get("officeDocument", "word/document.xml")
    if main not in names:
        raise DocumentError(f"a zip archive without {main}, not a DOCX")
    folder, file_name = posixpath.split(main)
    styles_path = _targets(archive, names, posixpath.join(folder, "_rels", file_name + ".rels"),
                           folder).get("styles", posixpath.join(folder, "styles.xml"))
    core_path = package.get("core-properties", "docProps/core.xml")
    body_size = archive.getinfo(main).file_size
    if body_size > MAX_BODY_BYTES:
        raise DocumentError(f"its text part ({main}) is {body_size:,} bytes, more than the "
                            f"{MAX_BODY_BYTES:,} accepted; split the document")
    try:
        body = archive.read(main)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise DocumentError(f"not a readable DOCX ({type(err).__name__}: {err}); open it in Word or "
                            "LibreOffice and save it again") from None
    elements = body.count(b"<") - body.count(b"</")  # <a>...</a> has two, <a/> one
    if elements > MAX_ELEMENTS:  # a tree of them would take gigabytes: refuse before parsing
        raise DocumentError(f"about {elements:,} XML elements, more than the {MAX_ELEMENTS:,} accepted "
                            "(a long plan has some hundred thousand); split the document")
    parser = xml_parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.LxmlError as err:
        raise DocumentError(f"not a readable DOCX (its text part: {err}); open it in Word or LibreOffice and "
                            "save it again") from None
    if root.getroottree().docinfo.doctype:
        raise DocumentError("its text part declares a DOCTYPE, which Word never writes (its entities could "
                            "expand or reach files); refused")
    w = _namespace(root)
    body_element = root.find(w + "body")
    paragraph_text = _ParagraphText(root, w, **_layout(body))
    levels = _StyleLevels(_part(archive, names, styles_path, parser), w)
    blocks: list[Block] = []
    for child in _children(body_element, w, "p", "tbl") if body_element is not None else ():
        if child.tag == w + "p":  # a <w:br/> in its text is joined as all blocks' are
            blocks.append(Block(paragraph_text(child), levels.of(child)))
        else:
            blocks.extend(Block(row) for row in _rows(child, w, paragraph_text))
    title = _core_title(_part(archive, names, core_path, parser))
    if title is None:
        title = next((b.text.strip() for b in blocks if b.level == TITLE and b.text.strip()), None)
    return Read(blocks, title=title)


def xml_parser() -> etree.XMLParser:
    """No DTD loaded, no entity expanded, no network, libxml2's size limits;
    white space between elements dropped, as python-docx's parser drops it
    (a ``w:t`` of spaces keeps them)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


def _targets(archive, names: set, rels_path: str, base: str) -> dict[str, str]:
    """The parts a relationships part points to, by the last word of the
    relationship's type (``officeDocument``, ``styles``, ``core-properties``);
    an absent or broken relationships part points nowhere."""
    if rels_path not in names:
        return {}
    try:
        rels = etree.fromstring(archive.read(rels_path), etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.LxmlError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return {}
    found: dict[str, str] = {}
    for rel in rels.iter("{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"):
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if target and rel.get("TargetMode") != "External":
            found.setdefault(kind.rsplit("/", 1)[-1], posixpath.normpath(posixpath.join(base, target)).lstrip("/"))
    return found


def _part(archive, names: set, path: Optional[str], parser):
    """A small XML part (styles, core properties) as a tree, or None where it
    is absent or unreadable: the text is read without it."""
    if path is None or path not in names or archive.getinfo(path).file_size > MAX_BODY_BYTES:
        return None
    try:
        part = etree.fromstring(archive.read(path), parser)
    except (etree.LxmlError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    return None if part.getroottree().docinfo.doctype else part


def _namespace(root) -> str:
    """``{...}``, WordprocessingML's namespace as the text part uses it: the
    transitional one Word writes, or ISO 29500 Strict's."""
    namespace = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if namespace not in (_W, _W_STRICT) or root.tag != namespace + "document":
        raise DocumentError(f"its text part is not a WordprocessingML document (root element {root.tag!r})")
    return namespace


class _ParagraphText:
    """A paragraph's text as Word shows it: the text (``w:t``), tabs, line
    breaks and non-breaking hyphens of its runs, also of runs inside
    hyperlinks, tracked insertions, moves to, smart tags, simple fields,
    custom XML and inline content controls (nested up to three deep), and
    the base text of phonetic guides (ruby); not deleted or moved-away text,
    field codes, the guides' own text, nor the text of text boxes anchored in
    it (paragraphs of their own, further down its runs). python-docx's
    ``paragraph.text`` reads runs and hyperlinks only, and so misses the text
    of tracked insertions and simple fields.

    Where the text part is ``plain`` (:func:`_layout`), every text in it
    belongs to the paragraph it follows: one walk over the part's paragraphs
    and texts finds every paragraph's text. Otherwise one XPath a paragraph
    picks the runs that are its own."""

    def __init__(self, root, w: str, *, plain: bool, run_tabs: bool):
        self.w = w
        wrapper = ("*[self::w:hyperlink or self::w:ins or self::w:moveTo or self::w:smartTag or "
                   "self::w:fldSimple or self::w:customXml or self::w:sdt or self::w:sdtContent]/")
        runs = ("w:r/", "w:r/w:ruby/w:rubyBase/w:r/")
        self.select = etree.XPath(" | ".join(wrapper * depth + run + part for depth in range(4) for run in runs
                                             for part in ("w:t/text()", _SIGNS)),
                                  namespaces={"w": w[1:-1]}, smart_strings=False)
        self.fixed = {w + "tab": "\t", w + "ptab": "\t", w + "cr": "\n", w + "noBreakHyphen": "-"}
        self.known = self._all(root, run_tabs) if plain else None

    def __call__(self, paragraph) -> str:
        if self.known is not None:
            return self.known.get(paragraph, "")
        return "".join(part if isinstance(part, str) else self._sign(part) for part in self.select(paragraph))

    def _all(self, root, run_tabs: bool) -> dict:
        w = self.w
        # a tab in a run is <w:tab/>; tab stops, many in every paragraph's
        # properties of some files, are walked only where runs have tabs too
        tags = [w + "p", w + "t", w + "ptab", w + "br", w + "cr", w + "noBreakHyphen"] + [w + "tab"] * run_tabs
        texts: dict = {}
        current = None
        parts: list[str] = []
        for element in root.iter(*tags):
            tag = element.tag
            if tag == w + "p":
                if current is not None:
                    texts[current] = "".join(parts)
                current, parts = element, []
            elif tag == w + "t":
                if element.text:
                    parts.append(element.text)
            elif tag != w + "tab" or element.getparent().tag == w + "r":
                parts.append(self._sign(element))
        if current is not None:
            texts[current] = "".join(parts)
        return texts

    def _sign(self, element) -> str:
        if element.tag == self.w + "br":  # page and column breaks are layout, no text
            return "\n" if element.get(self.w + "type", "textWrapping") == "textWrapping" else ""
        return self.fixed[element.tag]


def _layout(body: bytes) -> dict[str, bool]:
    """What the text part's bytes show: whether every run's text belongs to
    the paragraph holding it (``plain``: no text boxes, moves, phonetic
    guides or deleted runs), and whether runs hold tabs (``<w:tab/>``; a tab
    stop has attributes)."""
    plain = not any(marker in body for marker in _NOT_PLAIN) and (
        b"del" not in body or _DELETED.search(body) is None)
    return {"plain": plain, "run_tabs": b"tab" in body and _RUN_TAB.search(body) is not None}


#: The marks in a run that stand for text: tabs, line breaks, non-breaking hyphens.
_SIGNS = "*[self::w:tab or self::w:ptab or self::w:br or self::w:cr or self::w:noBreakHyphen]"
_NOT_PLAIN = (b"txbxContent", b"moveFrom", b"ruby")
_DELETED = re.compile(rb"del(?<=<del|:del)[\s>/]")
_RUN_TAB = re.compile(rb"tab(?<=<tab|:tab)\s*/>")


class _StyleLevels:
    """Paragraphs' outline levels: TITLE for the Title style, 1-9 for
    headings (by style name, else the outline level the paragraph sets, else
    the one its style sets), else TEXT. A paragraph without a style, or with
    one the styles part lacks, has the default paragraph style (ECMA-376
    Part 1, 17.7.4.17: the last paragraph style marked default)."""

    def __init__(self, styles, w: str):
        self.w = w
        self.by_id: dict[Optional[str], tuple[int, int]] = {}
        default = (TEXT, TEXT)
        for style in styles.iterfind(w + "style") if styles is not None else ():
            if style.get(w + "type") != "paragraph":
                continue
            name = style.find(w + "name")
            levels = _levels_of_style(name.get(w + "val", "") if name is not None else "", style, w)
            self.by_id.setdefault(style.get(w + "styleId"), levels)
            if style.get(w + "default") in ("1", "true", "on"):
                default = levels
        self.default = default

    def of(self, paragraph) -> int:
        w = self.w
        properties = paragraph.find(w + "pPr")
        style = properties.find(w + "pStyle") if properties is not None else None
        by_name, by_outline = self.by_id.get(style.get(w + "val") if style is not None else None, self.default)
        if by_name != TEXT:
            return by_name
        own = properties.find(w + "outlineLvl") if properties is not None else None
        return by_outline if own is None else _outline_level(own, w)


def _levels_of_style(name: str, style, w: str) -> tuple[int, int]:
    """(level by the style's name, outline level the style sets)."""
    match = _HEADING_STYLE.match(name)
    by_name = TITLE if name.lower() == "title" else int(match.group(1)) if match else TEXT
    found = style.find(f"{w}pPr/{w}outlineLvl")
    return by_name, TEXT if found is None else _outline_level(found, w)


def _outline_level(element, w: str) -> int:
    """w:outlineLvl counts from 0; 9 means body text."""
    value = element.get(w + "val", "")
    return int(value) + 1 if value.isascii() and value.isdigit() and int(value) < 9 else TEXT


def _core_title(core) -> Optional[str]:
    """The title in the document's core properties (``dc:title``), if any."""
    found = core.find("{http://purl.org/dc/elements/1.1/}title") if core is not None else None
    title = (found.text or "").strip() if found is not None else ""
    return title or None


def _rows(table, w: str, paragraph_text: _ParagraphText) -> list[str]:
    """Each row as its cells' texts joined by tabs, a cell's paragraphs joined
    by spaces (those of a nested table too). A cell spanning columns is one
    cell; one that continues a vertical merge is empty (its text stands in
    the first row of the merge)."""
    rows = []
    for tr in _children(table, w, "tr"):
        cells = []
        for tc in _children(tr, w, "tc"):
            merge = tc.find(f"{w}tcPr/{w}vMerge")
            if merge is not None and merge.get(w + "val", "continue") != "restart":
                cells.append("")
                continue
            text = " ".join(paragraph_text(p) for p in tc.iter(w + "p"))
            cells.append(_CELL_BREAK.sub(" ", text).strip())
        rows.append("\t".join(cells))
    return rows


def _children(parent, w: str, *tags: str):
    """The children of ``parent`` with one of the ``w:`` ``tags``, in reading
    order, also those inside content controls (``w:sdt``), which Word uses for
    tables of contents and forms."""
    wanted = {w + tag for tag in tags}
    for child in parent.iterchildren():
        if child.tag in wanted:
            yield child
        elif child.tag == w + "sdt":
            content = child.find(w + "sdtContent")
            if content is not None:
                yield from _children(content, w, *tags)
