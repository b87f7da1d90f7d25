"""What every reader returns, and how it becomes a document's text: blocks
(paragraphs, headings, table rows) in reading order, each line of the text one
block, normalised; heading and page positions in code points of that text."""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from typing import NamedTuple, Optional

from ... import _outline

#: Block.level of a paragraph or table row; headings are 1 (outermost) to 6.
TEXT = 0
#: Block.level of a document's title (DOCX's Title style, Markdown's lone #): not an item, no outline level.
TITLE = -1

# Characters XML 1.0 cannot hold (C0 controls but tab and newline, non-characters,
# lone surrogates), removed so that every text can be exported to REFI-QDA; and
# the noncharacters U+FDD0-FDEF, which carry no text and serve KEEP below.
NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff\ufdd0-\ufdef]")
#: White space stripped from the ends of a line: all but the tab, which parts
#: table cells ("\t2020\t2035" is a row whose first cell is empty).
LINE_SPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace() and char != "\t")
_NEWLINES = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


class DocumentError(Exception):
    """A file that cannot be read as a document; the message says why and what to do."""


class Block(NamedTuple):
    text: str
    level: int = TEXT
    page: int = 0
    #: (offset in ``text``, page) where a block flows onto a later page
    page_breaks: tuple = ()


class Read(NamedTuple):
    """A reader's result: the blocks, or the whole text of a plain file."""
    blocks: list
    title: object = None
    pages: Optional[int] = None
    encoding: object = None
    notes: tuple = ()


#: What NFKC would change but Chinese text keeps: its sentence punctuation
#: (，：；！？（）, the ellipsis …) and circled list numbers ①-⑳. They travel
#: through NFKC as noncharacters, which it leaves alone.
KEEP = "，：；！？（）…" + "".join(map(chr, range(0x2460, 0x2474)))
_HIDDEN = [(char, chr(0xFDD0 + k)) for k, char in enumerate(KEEP)]


def clean(text: str, nfkc: bool) -> str:
    text = NOT_XML.sub("", _NEWLINES.sub("\n", text))
    if not nfkc:
        return text
    # str.replace of the few characters present is faster than str.translate,
    # which looks every character up in a dict
    for char, hidden in _HIDDEN:
        if char in text:
            text = text.replace(char, hidden)
    mapped, table = _compatibility_map()
    text = unicodedata.normalize("NFKC", mapped.sub(lambda run: run.group().translate(table), text))
    for char, hidden in _HIDDEN:
        if hidden in text:
            text = text.replace(hidden, char)
    return text


@functools.cache
def _compatibility_map() -> tuple[re.Pattern, dict[int, str]]:
    """Each character of the Basic Multilingual Plane that NFKC changes, and
    what it becomes on its own (ＧＤＰ２０３５ to GDP2035), with a pattern
    that finds runs of them.

    Chinese plans are full of such characters (full-width digits, letters and
    signs), and unicodedata.normalize, once a text fails its quick check,
    decomposes and recomposes every character of it. Replacing each such
    character by its own NFKC first leaves the text's NFKC unchanged: NFKD
    of a character's NFKC is the NFKD of the character; a text's NFKD is its
    characters' decompositions put in canonical order, a stable sort by
    combining class, so decompositions already in that order sort the same;
    and NFKC is the composition of NFKD. normalize then mostly passes the
    whole text on its quick check; what the map cannot settle (combining
    marks next to their base) it still normalises, and so decides the
    result."""
    table = {}
    for code in range(0x10000):
        char = chr(code)
        if unicodedata.decomposition(char):
            normal = unicodedata.normalize("NFKC", char)
            if normal != char:
                table[code] = normal
    ranges: list[list[int]] = []
    for code in sorted(table):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(re.escape(chr(first)) + ("" if last == first else "-" + re.escape(chr(last)))
                      for first, last in ranges)
    return re.compile(f"[{members}]+"), table


def lone_top_heading_as_title(blocks: list) -> Optional[str]:
    """The text of a first block that is the file's only level-1 heading,
    which then becomes the TITLE block (a page's ``<h1>``, Markdown's ``#``);
    None where there is no such block."""
    if not blocks or blocks[0].level != 1 or any(b.level == 1 for b in blocks[1:]):
        return None
    blocks[0] = blocks[0]._replace(level=TITLE)
    return blocks[0].text


def assemble(read: Read, nfkc: bool) -> tuple[str, tuple, tuple]:
    """The text (blocks joined by line breaks), its headings as (start, end,
    level) and, for paged formats, the offset where each page's text begins."""
    if read.pages is None:
        return _assemble_unpaged(read.blocks, nfkc)
    pieces = [_pieces(block) for block in read.blocks]
    cleaned = _clean_all([text for block in pieces for text, _ in block], nfkc)
    parts: list[str] = []
    headings = []
    page_starts: list[int] = []
    pos = at = 0
    for block, block_pieces in zip(read.blocks, pieces):
        texts = cleaned[at:at + len(block_pieces)]
        at += len(block_pieces)
        texts[0] = texts[0].lstrip(LINE_SPACE)
        texts[-1] = texts[-1].rstrip(LINE_SPACE)
        if not "".join(texts).strip():
            continue
        if parts:
            parts.append("\n")
            pos += 1
        start = pos
        for text, (_, page) in zip(texts, block_pieces):
            if read.pages is not None:
                page_starts.extend([pos] * (page - len(page_starts)))
            parts.append(text)
            pos += len(text)
        if block.level != TEXT:
            headings.append((start, pos, block.level))
    if read.pages is not None:
        page_starts.extend([pos] * (int(read.pages) - len(page_starts)))
    return "".join(parts), tuple(headings), tuple(page_starts)


def _assemble_unpaged(blocks: list, nfkc: bool) -> tuple[str, tuple, tuple]:
    """assemble() of blocks without pages, a block a line: the same result
    without a Python step per line beyond stripping it."""
    lines = [text.strip(LINE_SPACE) for text in _clean_all([block.text for block in blocks], nfkc)]
    kept = [k for k, line in enumerate(lines) if line and not line.isspace()]
    starts = itertools.accumulate((len(lines[k]) + 1 for k in kept[:-1]), initial=0)
    headings = tuple((start, start + len(lines[k]), blocks[k].level)
                     for k, start in zip(kept, starts) if blocks[k].level != TEXT)
    return "\n".join(lines[k] for k in kept), headings, ()


def _clean_all(texts: list[str], nfkc: bool) -> list[str]:
    """clean() of each text, each on one line. One call on the texts joined by
    line breaks gives the same when no text holds a line break of its own
    (NFKC composes nothing across a line feed), and saves a call per line of
    a long document. A break inside a paragraph (a DOCX line separator
    U+2028, a <br> in a heading) is layout: its lines are joined."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1 and not _NEWLINES.search(joined):
        out = clean(joined, nfkc).split("\n")
        if len(out) == len(texts):
            return out
    return [_one_line(clean(text, nfkc)) for text in texts]


def _one_line(text: str) -> str:
    if "\n" not in text:
        return text
    lines = [line.strip() for line in text.split("\n")]
    return join_lines([line for line in lines if line] or [""])


def _pieces(block: Block) -> list[tuple[str, int]]:
    if not block.page_breaks:
        return [(block.text, block.page)]
    cuts = [(0, block.page), *block.page_breaks]
    ends = [c for c, _ in cuts[1:]] + [len(block.text)]
    return [(block.text[a:b], page) for (a, page), b in zip(cuts, ends)]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def join_lines(lines: list[str]) -> str:
    """Visual lines of one paragraph as one line: no space where either side
    is CJK, a hyphen at a line end dropped before a lower-case letter
    (``develop-`` + ``ment``), one space otherwise."""
    out = lines[0]
    for line in lines[1:]:
        if not out or not line:
            out += line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].islower():
            out = out[:-1] + line
        elif _wide(out[-1]) or _wide(line[0]):
            out += line
        else:
            out += " " + line
    return out


def display_width(text: str) -> int:
    """Width in columns: two for East Asian wide characters, one for others."""
    return len(text) + sum(1 for c in text if _wide(c))


def first_token(line: str) -> str:
    if line and _wide(line[0]):
        return line[0]
    return line.split(" ", 1)[0]


def starts_block(line: str) -> bool:
    return bool(_outline.STARTS_BLOCK.match(line))
