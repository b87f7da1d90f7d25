"""Plain text and Markdown files to blocks."""
from __future__ import annotations

import re
from typing import Optional

from ._blocks import Block, Read, join_lines, lone_top_heading_as_title, starts_block
from ._decode import decode

#: An ATX heading; a closing run of # counts only after a space ("## Using C#" keeps its #).
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_FENCE = re.compile(r"^(```|~~~)")


def read_text(data: bytes, encoding: Optional[str]) -> Read:
    """Each line a block (lines stripped, empty ones dropped)."""
    text, used = decode(data, encoding)
    return Read([Block(line) for line in text.splitlines()], encoding=used)


def read_markdown(data: bytes, encoding: Optional[str]) -> Read:
    """ATX headings (``#`` to ``######``) as headings without their marks; a
    table row as its cells joined by tabs (the rule under the header row
    dropped); lines of one paragraph joined (Markdown's soft breaks); list
    items, block quotes and fenced code lines each a block as written."""
    text, used = decode(data, encoding)
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block(join_lines(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if _MD_FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        heading = None if in_fence else _MD_HEADING.match(line)
        if in_fence or not line:
            flush()
            if line:
                blocks.append(Block(line))
        elif heading:
            flush()
            blocks.append(Block(heading.group(2), len(heading.group(1))))
        elif line.startswith("|"):
            flush()
            if not _MD_TABLE_RULE.match(line):
                cells = [c.strip() for c in line.strip("|").split("|")]
                blocks.append(Block("\t".join(cells)))
        elif starts_block(line) or line.startswith(">"):
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush()
    return Read(blocks, title=lone_top_heading_as_title(blocks), encoding=used)
