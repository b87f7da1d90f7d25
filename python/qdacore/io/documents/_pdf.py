"""PDF files with a text layer to blocks, with pypdf.

A PDF holds lines placed on pages, not paragraphs. The lines of every page
are extracted; running headers and footers are removed (the first and last
two lines of a page that repeat on at least half of the pages once their
digits are masked, so ``- 3 -`` and ``第3页`` match, and bare page numbers);
then lines are joined into paragraphs. A line ends its paragraph when the
next line starts a heading or a numbered or bulleted line, when it is itself
a heading (第X章 ...), or when the first word of the next line would have fit
on it (widths in columns, two for a CJK character, against the widest lines
of the document): a layout engine only breaks a line that is full. Lines of a
paragraph are joined without a space where either side is CJK, with a hyphen
at a line end dropped (``develop-`` / ``ment``), else with one space. Pages
are kept: each block knows the page it starts on and where it crosses onto
the next. A table row reads as its cells separated by spaces (a PDF has no
cells)."""
from __future__ import annotations

import io
import logging
import re
from typing import Optional

import numpy as np

from ... import _outline
from ._blocks import Block, DocumentError, Read, display_width, first_token, join_lines, starts_block

#: Lines at the top and at the bottom of a page that may be a running header or footer.
_EDGE_LINES = 2
_DIGITS = re.compile(r"[0-9０-９一二三四五六七八九十〇零百]+")
_PAGE_NUMBER = re.compile(r"^(?:[-—–·\s]*\d+[-—–·\s]*|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?"
                          r"|(?:Page|page|PAGE)\s+\d+(?:\s+of\s+\d+)?|\d+\s*/\s*\d+)$")
_HEADINGS = (_outline.PART, _outline.CHAPTER, _outline.SECTION)


def read_pdf(data: bytes, encoding: Optional[str]) -> Read:
    import pypdf
    from pypdf.errors import DependencyError

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # its warnings on odd files would clutter a notebook; the row says what matters
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise DocumentError("encrypted with AES, which needs the cryptography package: "
                                    "pip install cryptography, or decrypt it first") from None
            if not opened:
                raise DocumentError("encrypted with a password: decrypt it first (e.g. qpdf "
                                    "--decrypt --password=PASSWORD in.pdf out.pdf)")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.get("/Title") if reader.metadata else None
    except DocumentError:
        raise
    except Exception as err:  # pypdf meets hostile files with many kinds (LimitReachedError, NotImplementedError ...)
        raise DocumentError(f"not a readable PDF ({type(err).__name__}: {err}); open it in a PDF "
                            "reader and save or print it to a new PDF") from None
    finally:
        pypdf_log.setLevel(level)
    if not any(text.strip() for text in pages):
        has_images = any(_has_images(page) for page in reader.pages)
        what = "no text layer (a scanned PDF?)" if has_images else "no text at all"
        raise DocumentError(f"{what}: make its text searchable first with OCR (e.g. ocrmypdf "
                            "--language chi_sim in.pdf out.pdf), then read the new file")
    lines = [[line.strip() for line in text.split("\n")] for text in pages]
    lines = [[line for line in page if line] for page in lines]
    body = _without_running_lines(lines)
    title = str(title).strip() if title else None
    return Read(_paragraphs(body), title=title or None, pages=len(pages))


def _has_images(page) -> bool:
    try:
        return bool(page.images)
    except Exception:  # an image pypdf cannot decode is still an image
        return True


def _running_key(line: str) -> str:
    """A line with its numbers masked ("第#页"), so that a running line matches
    on every page; but a heading ("Chapter 3", "第三章") keeps its number: the
    chapter lines that open pages are not one running header."""
    return line if any(p.match(line) for p in _HEADINGS) else _DIGITS.sub("#", line)


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Pages without their running headers, footers and page numbers."""
    n = len(pages)
    edges = []
    for page in pages:
        top = page[:_EDGE_LINES]
        bottom = page[max(len(top), len(page) - _EDGE_LINES):]
        edges.append((top, bottom))
    counts: dict = {}
    for top, bottom in edges:
        for key in {_running_key(line) for line in top + bottom}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, c in counts.items() if n >= 2 and c >= max(2, (n + 1) // 2)}
    out = []
    for page, (top, _) in zip(pages, edges):
        def running(line: str) -> bool:
            return _running_key(line) in repeated or bool(_PAGE_NUMBER.match(line))
        head = 0
        while head < len(top) and running(page[head]):
            head += 1
        tail = len(page)
        while tail > max(head, len(page) - _EDGE_LINES) and running(page[tail - 1]):
            tail -= 1
        out.append(page[head:tail])
    return out


def _paragraphs(pages: list[list[str]]) -> list[Block]:
    flat = [(line, number) for number, page in enumerate(pages, 1) for line in page]
    if not flat:
        return []
    widths = np.array([display_width(line) for line, _ in flat])
    limit = float(np.percentile(widths, 95)) if len(widths) >= 20 else float(widths.max())
    blocks: list[Block] = []
    current: list[str] = []
    first_page = 0
    breaks: list = []
    for i, (line, page) in enumerate(flat):
        if not current:
            first_page = page
            breaks = []
        elif page != flat[i - 1][1]:  # the new page's text starts where this line lands
            breaks.append((len(join_lines([*current, line])) - len(line), page))
        current.append(line)
        following = flat[i + 1][0] if i + 1 < len(flat) else None
        if following is None or _ends_paragraph(line, following, limit):
            text = join_lines(current)
            blocks.append(Block(text, page=first_page, page_breaks=tuple(breaks)))
            current = []
    return blocks


def _ends_paragraph(line: str, following: str, limit: float) -> bool:
    if starts_block(following) or any(p.match(line) for p in _HEADINGS):
        return True
    if line.endswith("-") and following[:1].islower():
        return False
    token = first_token(following)
    gap = 0 if display_width(line[-1:]) == 2 or display_width(token[:1]) == 2 else 1
    return display_width(line) + gap + display_width(token) <= limit
