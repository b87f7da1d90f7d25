"""The outline of a planning document, read from its lines: the heading
patterns of Chinese plans (第X篇 / 第X章 / 第X节 / 一、 / （一） / 1. / （1）, with
Chinese or Arabic numerals, full or half width) and of English ones (Part,
Chapter, Section). Shared by the document readers, which must not join a
heading to the line after it, and by :func:`qdacore.text.split_items`."""
from __future__ import annotations

import re

_HAN_NUM = "一二三四五六七八九十百千零〇两"
_ARABIC = "0-9０-９"
_NUM = _HAN_NUM + _ARABIC

#: Sentence and clause ends; a line with one is text, not a sub-heading.
TERMINATORS = "。！？；!?;"
#: A numbered line longer than this is text, not a sub-heading.
MAX_SUBHEADING = 40

# Spaces inside a heading are [^\S\n] (white space but a line feed): the same
# on one line, and a pattern matched over many lines at once cannot run on
# into the next line.
PART = re.compile(rf"^(第[{_NUM}]+(?:篇|部分)|(?:Part|PART)[^\S\n]+[IVXLC0-9]+\b)")
CHAPTER = re.compile(rf"^(第[{_NUM}]+章|(?:Chapter|CHAPTER)[^\S\n]+[IVXLC0-9]+\b)")
SECTION = re.compile(rf"^(第[{_NUM}]+节|(?:Section|SECTION)[^\S\n]+[0-9.]+\b)")
#: Numbered sub-headings, outermost first: 一、 （一） 1. （1）. A rank closes
#: every open sub-heading of the same or a deeper rank.
SUBHEADINGS = (
    re.compile(rf"^[{_HAN_NUM}]+[、．.]"),
    re.compile(rf"^[（(][{_HAN_NUM}]+[）)]"),
    re.compile(rf"^[{_ARABIC}]+[、．.](?![{_ARABIC}])"),
    re.compile(rf"^[（(][{_ARABIC}]+[）)]"),
)
#: English numbered headings (``2 Spatial Structure``, ``2.1 Centres``); group 1 is the number.
NUMBERED_EN = re.compile(r"^(\d+(?:\.\d+)*)\.?[^\S\n]+[A-Z]")
#: A line that starts a new paragraph wherever it stands: a heading, a numbered or bulleted line.
STARTS_BLOCK = re.compile("|".join(p.pattern for p in (PART, CHAPTER, SECTION, *SUBHEADINGS, NUMBERED_EN))
                          + r"|^[•·●▪◆■\-–*]\s")


def first_line_is_title(line: str, level: int, n_lines: int) -> bool:
    """Whether a document's first line is its title, not an item or a
    heading: the file marks it so (``level`` -1), or it is short, has no
    sentence end, is no table row, heading or list line by the patterns here
    nor a heading below level 1 in the file, and is not the only line."""
    if level == -1:
        return True
    return (n_lines > 1 and level in (0, 1) and 0 < len(line) <= MAX_SUBHEADING
            and not any(char in TERMINATORS + "\t" for char in line) and not STARTS_BLOCK.match(line))
