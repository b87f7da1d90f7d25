"""Word documents (``.docx``) to blocks: paragraphs and tables in reading
order, heading styles as outline levels, read from the package's XML parts
with lxml (python-docx builds a Python object per paragraph, run and style
lookup, which took most of a long document's time)."""
from __future__ import annotations

import codecs
import io
import posixpath
import re
import zipfile
import zlib
from typing import Optional
from urllib.parse import unquote

from lxml import etree

from ._blocks import TEXT, TITLE, Block, DocumentError, Read

#: Largest total a DOCX may expand to (a zip bomb is refused before anything is inflated).
MAX_EXPANDED_BYTES = 1 << 30
#: Largest text part (word/document.xml) read: some 50 million characters, far beyond any plan.
MAX_BODY_BYTES = 256 << 20
#: Most XML elements and attributes in the text part (a 1,000-page plan has about a million
#: elements and as many attributes; tens of millions of empty paragraphs, or of attributes, in
#: a small file are an attack).
MAX_ELEMENTS = 3_000_000
MAX_ATTRIBUTES = 6_000_000
#: Largest other part read (relationships, styles, core properties: some kilobytes in Word's files).
MAX_PART_BYTES = 4 << 20
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
#: A cell's paragraph breaks and tabs: a row is one line, its cells parted by tabs.
_CELL_BREAK = re.compile(r"\s*[\n\t]\s*")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
#: What reading a zip member raises on a broken or unusual archive: a bad CRC or
#: header, corrupt deflate data (zlib.error), an encrypted member (RuntimeError),
#: a compression method Python lacks (NotImplementedError).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, RuntimeError, NotImplementedError)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_docx(data: bytes, encoding: Optional[str]) -> Read:
    package = _Package(data)
    # the parts as the package's relationships name them, else where Word puts them
    parts = package.targets("_rels/.rels")
    main = parts.get("officeDocument", "word/document.xml")
    folder, file_name = posixpath.split(main)
    styles = package.targets(posixpath.join(folder, "_rels", file_name + ".rels"), folder).get(
        "styles", posixpath.join(folder, "styles.xml"))
    body = _as_utf8(package.read(main, MAX_BODY_BYTES, "its text part"))
    elements = body.count(b"<") - body.count(b"</")  # <a>...</a> has two, <a/> one
    if elements > MAX_ELEMENTS:  # a tree of them would take gigabytes: refuse before parsing
        raise DocumentError(f"about {elements:,} XML elements, more than the {MAX_ELEMENTS:,} accepted "
                            "(a long plan has some hundred thousand); split the document")
    attributes = body.count(b'="') + body.count(b"='")
    if attributes > MAX_ATTRIBUTES:
        raise DocumentError(f"about {attributes:,} XML attributes, more than the {MAX_ATTRIBUTES:,} accepted "
                            "(a long plan has about a million); split the document")
    try:
        root = etree.fromstring(body, xml_parser())
    except etree.LxmlError as err:
        raise DocumentError(f"not a readable DOCX (its text part: {err}); open it in Word or LibreOffice and "
                            "save it again") from None
    if root.getroottree().docinfo.doctype:
        raise DocumentError("its text part declares a DOCTYPE, which Word never writes (its entities could "
                            "expand or reach files); refused: open it in Word or LibreOffice and save it again")
    w = _namespace(root)
    body_element = root.find(w + "body")
    texts = _paragraph_texts(root, w)
    levels = _StyleLevels(package.xml(styles), w)
    blocks: list[Block] = []
    for child in _children(body_element, w, "p", "tbl") if body_element is not None else ():
        if child.tag == w + "p":  # a <w:br/> in its text is joined as all blocks' are
            blocks.append(Block(texts.get(child, ""), levels.of(child)))
        else:
            blocks.extend(Block(row) for row in _rows(child, w, texts))
    title = _core_title(package.xml(parts.get("core-properties", "docProps/core.xml")))
    if title is None:
        title = next((b.text.strip() for b in blocks if b.level == TITLE and b.text.strip()), None)
    return Read(blocks, title=title)


def xml_parser() -> etree.XMLParser:
    """No DTD loaded, no entity expanded, no network, libxml2's size limits;
    white space between elements dropped, as python-docx's parser drops it
    (a ``w:t`` of spaces keeps them)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


class _Package:
    """A DOCX's zip archive and its parts, read within limits. Part names
    are matched without regard to case, as the Open Packaging Conventions
    (ECMA-376 Part 2) compare them."""

    def __init__(self, data: bytes):
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            raise DocumentError("not a valid DOCX (a corrupt or truncated zip); open it in Word or "
                                "LibreOffice and save it again") from None
        expanded = sum(info.file_size for info in infos)
        if expanded > MAX_EXPANDED_BYTES:
            raise DocumentError(f"expands to {expanded:,} bytes, more than the {MAX_EXPANDED_BYTES:,} "
                                "accepted (a zip bomb?)")
        self.names = {info.filename.lower(): info.filename for info in infos}

    def read(self, name: str, limit: int, what: str) -> bytes:
        """The part ``name``; DocumentError where it is absent, larger than
        ``limit`` or unreadable."""
        member = self.names.get(name.lower())
        if member is None:
            raise DocumentError(f"a zip archive without {name}, not a DOCX")
        size = self.archive.getinfo(member).file_size
        if size > limit:
            raise DocumentError(f"{what} ({name}) is {size:,} bytes, more than the {limit:,} accepted; "
                                "split the document")
        try:
            return self.archive.read(member)
        except _ZIP_ERRORS as err:
            raise DocumentError(f"not a readable DOCX ({type(err).__name__}: {err}); open it in Word or "
                                "LibreOffice and save it again") from None

    def xml(self, name: str):
        """A small part (relationships, styles, core properties) as a tree,
        or None where it is absent, too large, unreadable or declares a
        DOCTYPE: the text is read without it."""
        try:
            part = etree.fromstring(_as_utf8(self.read(name, MAX_PART_BYTES, "a part")), xml_parser())
        except (DocumentError, etree.LxmlError):
            return None
        return None if part.getroottree().docinfo.doctype else part

    def targets(self, rels: str, base: str = "") -> dict[str, str]:
        """The parts the relationships part ``rels`` points to, by the last
        word of the relationship's type (``officeDocument``, ``styles``,
        ``core-properties``), targets taken relative to ``base``."""
        tree = self.xml(rels)
        found: dict[str, str] = {}
        for rel in tree.iter(_RELATIONSHIP) if tree is not None else ():
            kind, target = rel.get("Type", ""), unquote(rel.get("Target", ""))
            if target and rel.get("TargetMode") != "External":
                found.setdefault(kind.rsplit("/", 1)[-1], posixpath.normpath(posixpath.join(base, target)).lstrip("/"))
        return found


def _as_utf8(part: bytes) -> bytes:
    """An XML part in UTF-8, whatever encoding it came in (without its
    declaration then): Word writes UTF-8 or UTF-16, and in UTF-16, or UTF-7
    (which writes ``<`` as ``+ADw-``), counting bytes would not count the
    markup."""
    if part.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif part.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif part.startswith((b"<\x00\x00\x00", b"\x00\x00\x00<")):
        encoding = "utf-32-le" if part[0] else "utf-32-be"
    elif part.startswith((b"<\x00", b"\x00<")):
        encoding = "utf-16-le" if part[0] else "utf-16-be"
    else:
        declared = _ENCODING.match(part[:1024])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        if codecs.lookup(encoding).name == "utf-8":
            return part
        return _DECLARATION.sub("", part.decode(encoding).lstrip("\ufeff"), count=1).encode("utf-8")
    except (LookupError, UnicodeError) as err:  # UnicodeEncodeError: a lone surrogate decoded
        raise DocumentError(f"an XML part in an encoding that cannot be read ({encoding}: {err}); open it in "
                            "Word or LibreOffice and save it again") from None


def _namespace(root) -> str:
    """``{...}``, WordprocessingML's namespace as the text part uses it: the
    transitional one Word writes, or ISO 29500 Strict's."""
    namespace = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if namespace in (_W, _W_STRICT) and root.tag == namespace + "document":
        return namespace
    what = {"workbook": "a spreadsheet (an .xlsx named .docx?); save its text as .txt",
            "presentation": "a presentation (a .pptx named .docx?); save it as PDF"}.get(
        root.tag[len(namespace):], f"XML whose root element is {root.tag!r}; open it in Word and save it as .docx")
    raise DocumentError(f"not a Word document: it holds {what}")


def _paragraph_texts(root, w: str) -> dict:
    """Every paragraph's text as Word shows it, by paragraph element: the
    text (``w:t``), tabs, line breaks and non-breaking hyphens of its runs,
    at any depth of the hyperlinks, tracked insertions, moves to, smart tags,
    simple fields, content controls and custom XML that hold them, and of a
    phonetic guide (ruby) the base text. Not read: deleted and moved-away
    text, field codes, the guides' own text, markup-compatibility fallbacks
    (a second rendering of what the chosen branch holds), and properties
    (where tab stops are ``w:tab`` too). A text box's paragraphs are
    paragraphs of their own: a run's text belongs to the innermost paragraph
    open around it. python-docx's ``paragraph.text`` reads runs and
    hyperlinks only, and so misses the text of tracked insertions and simple
    fields.

    One walk over the part that stops only at these elements and steps over
    what holds no text."""
    paragraph, text = w + "p", w + "t"
    marks = {w + "tab": "\t", w + "ptab": "\t", w + "cr": "\n", w + "noBreakHyphen": "-", w + "br": "\n"}
    no_text = {w + "del", w + "moveFrom", w + "rt", w + "pPr", w + "rPr", _MC + "Fallback"}
    texts: dict = {}
    open_paragraphs: list[list[str]] = []
    walk = etree.iterwalk(root, events=("start", "end"), tag=[paragraph, text, *marks, *no_text])
    for event, element in walk:
        tag = element.tag
        if tag == paragraph:
            if event == "start":
                open_paragraphs.append([])
            else:
                texts[element] = "".join(open_paragraphs.pop())
        elif event == "end":
            continue
        elif tag in no_text:
            walk.skip_subtree()
        elif not open_paragraphs:  # text outside paragraphs is not WordprocessingML's
            continue
        elif tag == text:
            if len(element):  # a comment or processing instruction inside: its text nodes around it
                open_paragraphs[-1].extend(element.xpath("text()"))
            elif element.text:
                open_paragraphs[-1].append(element.text)
        elif tag != w + "br" or element.get(w + "type", "textWrapping") == "textWrapping":
            open_paragraphs[-1].append(marks[tag])  # page and column breaks are layout, no text
    return texts


class _StyleLevels:
    """Paragraphs' outline levels: TITLE for the Title style, 1-9 for
    headings (by style name, else the outline level the paragraph sets, else
    the one its style sets), else TEXT. A paragraph without a style, or with
    one the styles part lacks, has the default paragraph style (ECMA-376
    Part 1, w:style: the last paragraph style marked w:default; a style
    without w:type is a paragraph style)."""

    def __init__(self, styles, w: str):
        self.w = w
        self.by_id: dict[str, tuple[int, int]] = {}
        default = (TEXT, TEXT)
        for style in styles.iterfind(w + "style") if styles is not None else ():
            if style.get(w + "type", "paragraph") != "paragraph":
                continue
            name = style.find(w + "name")
            levels = _levels_of_style(name.get(w + "val", "") if name is not None else "", style, w)
            style_id = style.get(w + "styleId")
            if style_id is not None:
                self.by_id.setdefault(style_id, levels)
            if style.get(w + "default") in ("1", "true", "on"):
                default = levels
        self.default = default

    def of(self, paragraph) -> int:
        w = self.w
        properties = paragraph.find(w + "pPr")
        style = properties.find(w + "pStyle") if properties is not None else None
        by_name, by_outline = self.by_id.get(style.get(w + "val", "") if style is not None else "", self.default)
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


def _rows(table, w: str, texts: dict) -> list[str]:
    """Each row as its cells' texts joined by tabs, a cell's paragraphs joined
    by spaces (those of a nested table too, not those of a text box). A cell
    spanning columns is one cell; one that continues a vertical merge is
    empty (its text stands in the first row of the merge)."""
    rows = []
    for tr in _children(table, w, "tr"):
        cells = []
        for tc in _children(tr, w, "tc"):
            merge = tc.find(f"{w}tcPr/{w}vMerge")
            if merge is not None and merge.get(w + "val", "continue") != "restart":
                cells.append("")
                continue
            text = " ".join(texts.get(p, "") for p in _cell_paragraphs(tc, w))
            cells.append(_CELL_BREAK.sub(" ", text).strip())
        rows.append("\t".join(cells))
    return rows


def _cell_paragraphs(cell, w: str) -> list:
    """A table cell's paragraphs in reading order, those of tables nested in it too."""
    if cell.find(w + "tbl") is None and cell.find(w + "sdt") is None:
        return cell.findall(w + "p")  # most cells: no need to walk
    found = []
    for child in _children(cell, w, "p", "tbl"):
        if child.tag == w + "p":
            found.append(child)
        else:
            for row in _children(child, w, "tr"):
                for nested in _children(row, w, "tc"):
                    found.extend(_cell_paragraphs(nested, w))
    return found


def _children(parent, w: str, *tags: str):
    """The children of ``parent`` with one of the ``w:`` ``tags``, in reading
    order, also those inside content controls (``w:sdt``, which Word uses for
    tables of contents and forms), custom XML (``w:customXml``) and the
    chosen branch of alternative contents (``mc:AlternateContent``)."""
    wanted = {w + tag for tag in tags}
    for child in parent.iterchildren():
        if child.tag in wanted:
            yield child
        elif child.tag == w + "customXml":
            yield from _children(child, w, *tags)
        elif child.tag == w + "sdt":
            content = child.find(w + "sdtContent")
            if content is not None:
                yield from _children(content, w, *tags)
        elif child.tag == _MC + "AlternateContent":
            chosen = next(child.iterchildren(_MC + "Choice", _MC + "Fallback"), None)
            if chosen is not None:
                yield from _children(chosen, w, *tags)
