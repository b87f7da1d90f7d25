"""Word documents (``.docx``) to blocks, with python-docx: paragraphs and
tables in reading order, heading styles as outline levels."""
from __future__ import annotations

import io
import re
import zipfile
from typing import Optional

from ._blocks import TEXT, TITLE, Block, DocumentError, Read

#: Largest total a DOCX may expand to (a zip bomb is refused before python-docx inflates it).
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


def read_docx(data: bytes, encoding: Optional[str]) -> Read:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DocumentError("not a valid DOCX (a corrupt or truncated zip); open it in Word or "
                            "LibreOffice and save it again") from None
    if "word/document.xml" not in names:
        raise DocumentError("a zip archive without word/document.xml, not a DOCX")
    if expanded > MAX_EXPANDED_BYTES:
        raise DocumentError(f"expands to {expanded:,} bytes, more than the {MAX_EXPANDED_BYTES:,} "
                            "accepted (a zip bomb?)")
    body_size = archive.getinfo("word/document.xml").file_size
    if body_size > MAX_BODY_BYTES:
        raise DocumentError(f"its text part (word/document.xml) is {body_size:,} bytes, more than the "
                            f"{MAX_BODY_BYTES:,} accepted; split the document")
    try:
        body = archive.read("word/document.xml")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise DocumentError(f"not a readable DOCX ({type(err).__name__}: {err}); open it in Word or "
                            "LibreOffice and save it again") from None
    elements = body.count(b"<") - body.count(b"</")  # <a>...</a> has two, <a/> one
    if elements > MAX_ELEMENTS:  # python-docx would take minutes and gigabytes: refuse before parsing
        raise DocumentError(f"about {elements:,} XML elements, more than the {MAX_ELEMENTS:,} accepted "
                            "(a long plan has some hundred thousand); split the document")
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors ... on broken parts
        raise DocumentError(f"not a readable DOCX ({type(err).__name__}: {err}); open it in Word or "
                            "LibreOffice and save it again") from None
    blocks: list[Block] = []
    style_levels: dict[Optional[str], int] = {}
    for child in _children(document.element.body, "p", "tbl"):
        if child.tag == _W + "p":
            paragraph = Paragraph(child, document)  # a <w:br/> in its text is joined as all blocks' are
            blocks.append(Block(paragraph.text, _level(paragraph, style_levels)))
        else:
            blocks.extend(Block(row) for row in _rows(child, document))
    title = (document.core_properties.title or "").strip() or None
    if title is None:
        title = next((b.text.strip() for b in blocks if b.level == TITLE and b.text.strip()), None)
    return Read(blocks, title=title)


def _level(paragraph, style_levels: dict) -> int:
    """TITLE for the Title style, 1-9 for headings (by style name, else the
    outline level the paragraph sets, else the one its style sets), else TEXT.

    ``style_levels`` caches each style id's (level by name, outline level):
    python-docx finds a style by scanning every style, which made that lookup
    most of the time of reading a long document."""
    style_id = paragraph._p.style
    if style_id not in style_levels:
        style_levels[style_id] = _style_levels(paragraph.style)
    by_name, by_outline = style_levels[style_id]
    if by_name != TEXT:
        return by_name
    own = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    return by_outline if own is None else _outline_level(own)


def _style_levels(style) -> tuple[int, int]:
    if style is None:
        return TEXT, TEXT
    name = style.name or ""
    match = _HEADING_STYLE.match(name)
    by_name = TITLE if name.lower() == "title" else int(match.group(1)) if match else TEXT
    found = style.element.find(f"{_W}pPr/{_W}outlineLvl")
    return by_name, TEXT if found is None else _outline_level(found)


def _outline_level(element) -> int:
    """w:outlineLvl counts from 0; 9 means body text."""
    value = element.get(_W + "val", "")
    return int(value) + 1 if value.isascii() and value.isdigit() and int(value) < 9 else TEXT


def _rows(table, document) -> list[str]:
    """Each row as its cells' texts joined by tabs, a cell's paragraphs joined
    by spaces (those of a nested table too). A cell spanning columns is one
    cell; one that continues a vertical merge is empty (its text stands in
    the first row of the merge). Read from the XML: python-docx's grid of
    merged cells takes quadratic time and recursion on long merges."""
    from docx.text.paragraph import Paragraph

    rows = []
    for tr in _children(table, "tr"):
        cells = []
        for tc in _children(tr, "tc"):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val", "continue") != "restart":
                cells.append("")
                continue
            text = " ".join(Paragraph(p, document).text for p in tc.iter(_W + "p"))
            cells.append(_CELL_BREAK.sub(" ", text).strip())
        rows.append("\t".join(cells))
    return rows


def _children(parent, *tags: str):
    """The children of ``parent`` with one of the ``w:`` ``tags``, in reading
    order, also those inside content controls (``w:sdt``), which Word uses for
    tables of contents and forms."""
    wanted = {_W + tag for tag in tags}
    for child in parent.iterchildren():
        if child.tag in wanted:
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _children(content, *tags)
