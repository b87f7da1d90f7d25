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
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
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
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors ... on broken parts
        raise DocumentError(f"not a readable DOCX ({type(err).__name__}: {err}); open it in Word or "
                            "LibreOffice and save it again") from None
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            paragraph = Paragraph(child, document)
            blocks.append(Block(paragraph.text, _level(paragraph)))
        elif child.tag == _W + "tbl":
            blocks.extend(Block(row) for row in _rows(Table(child, document)))
    title = (document.core_properties.title or "").strip() or None
    if title is None:
        title = next((b.text.strip() for b in blocks if b.level == TITLE and b.text.strip()), None)
    return Read(blocks, title=title)


def _level(paragraph) -> int:
    """TITLE for the Title style, 1-9 for headings (by style name, or the
    outline level a localised style sets), else TEXT."""
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    if name.lower() == "title":
        return TITLE
    match = _HEADING_STYLE.match(name)
    if match:
        return int(match.group(1))
    for element in (paragraph._p, style.element if style is not None else None):
        if element is None:
            continue
        found = element.find(f"{_W}pPr/{_W}outlineLvl")
        if found is not None:
            value = found.get(_W + "val", "")
            if value.isdigit() and int(value) < 9:
                return int(value) + 1
    return TEXT


def _rows(table) -> list[str]:
    """Each row as its cells' texts joined by tabs (a merged cell once); nested
    tables are read as their cell's text."""
    rows = []
    for row in table.rows:
        seen, cells = set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append("\t".join(cells))
    return rows
