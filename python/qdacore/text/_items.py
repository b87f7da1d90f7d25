"""Planning documents into items: :func:`split_items` (by line, by clause or
by a regular expression, with the outline over each item: part, chapter,
section, sub-heading) and :func:`sentence_spans`, the sentence around a span."""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from typing import Optional, Union

import numpy as np
import pandas as pd

from .. import _core, _outline

_TERMINATORS = _outline.TERMINATORS
#: Outline columns of every split, outermost first (``heading`` is the innermost open sub-heading).
OUTLINE = ("part", "chapter", "section", "heading", "outline")
#: Sub-heading ranks: Chinese 一、 （一） 1. （1） (0-3), then deeper numbered or structural headings.
_RANKS = 8
_TITLE = -1
_OUTER = (_outline.PART, _outline.CHAPTER, _outline.SECTION)
_SPACES = " \t\r\f\v\u3000\xa0"


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _strip(cps: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spans without leading and trailing white space (empty spans collapse to
    start == end)."""
    n = len(cps)
    if n == 0:  # the empty text: every span is empty
        return np.zeros(len(start), np.int64), np.zeros(len(start), np.int64)
    solid = ~np.isin(cps, _code_points(_SPACES + "\n"))
    idx = np.arange(n)
    next_solid = np.minimum.accumulate(np.where(solid, idx, n)[::-1])[::-1]
    prev_solid = np.maximum.accumulate(np.where(solid, idx, -1))
    next_solid = np.append(next_solid, n)
    a = next_solid[np.minimum(start, n)]
    b = np.where(end > 0, prev_solid[np.maximum(end - 1, 0)] + 1, 0)
    empty = a >= end
    return np.where(empty, start, a), np.where(empty, start, np.maximum(b, a))


def sentence_spans(text: str, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each span [start, end) of ``text``, the sentence around it: from after
    the previous sentence end (。！？；!?; or a line break) to the next one,
    inclusive.

    Examples
    --------
    >>> from qdacore.text import sentence_spans
    >>> text = "建设都市圈。培育副中心；完善网络。"
    >>> start, end = sentence_spans(text, [8], [11])
    >>> text[start[0]:end[0]]
    '培育副中心；'
    """
    cps = _code_points(text)
    stops = np.flatnonzero(np.isin(cps, _code_points(_TERMINATORS + "\n")))
    # a sentence begins after the previous stop (or at 0) and ends after the next one (or at the end)
    begins, ends = np.r_[0, stops + 1], np.r_[stops + 1, len(cps)]
    left = begins[np.searchsorted(stops, np.asarray(start), side="left")]
    right = ends[np.searchsorted(stops, np.maximum(np.asarray(end) - 1, np.asarray(start)), side="left")]
    return _strip(cps, left, right)


def split_items(
    text: str,
    doc: str,
    *,
    rule: Union[str, re.Pattern[str]] = "paragraph",
    headings: Optional[Sequence[tuple[int, int, int]]] = None,
    page_starts: Optional[Sequence[int]] = None,
    keep_headings: bool = False,
) -> pd.DataFrame:
    r"""Split a planning document into items ``DOC:1``, ``DOC:2``, ... with
    their offsets and the outline over each.

    The outline of Chinese plans is read from the lines: ``第X篇``/``第X部分``
    (part), ``第X章`` (chapter), ``第X节`` (section), and the numbered
    sub-headings ``一、``, ``（一）``, ``1.``, ``（1）`` (Chinese or Arabic
    numerals, full or half width) where such a line is short (at most 40
    characters) and has no sentence end (。！？；!?;); a numbered line with one
    is an item. English plans give ``Part``/``Chapter``/``Section`` lines and
    numbered headings (``2 Spatial Structure``, ``1. Introduction``, ``2.1
    Centres``: chapter, section, then sub-headings), all short and without a
    sentence end. The structure of the file (DOCX heading styles, HTML
    ``h1``-``h6``, Markdown ``#``), passed as ``headings`` by
    :func:`qdacore.io.read_documents`, names the other headings: level 1 a
    chapter, 2 a section, deeper ones sub-headings. A first line that is short
    and has no sentence end, and is no heading, list line or table row, is the
    document's title, unless it is the only line. Headings and the title are
    not items unless ``keep_headings``.

    Parameters
    ----------
    text : str
        The document.
    doc : str
        The document id, the prefix of the item ids.
    rule : "paragraph", "clause" or a regular expression
        ``"paragraph"``: each non-heading line is an item. ``"clause"``: each
        sentence or clause of those lines, ended by 。！？； (kept with it). A
        regular expression (str or compiled) splits the text where it matches
        (the separators are left out); headings are not looked for then.
    headings : sequence of (start, end, level), optional
        Heading lines known from the file's structure, in code points of
        ``text``; level 1 is the outermost, -1 marks the title.
    page_starts : sequence of int, optional
        Where each page's text begins (page 1 first); adds a ``page`` column,
        the page on which each item starts.
    keep_headings : bool
        Make heading lines items too, with a ``kind`` column (``"title"``,
        ``"part"``, ``"chapter"``, ``"section"``, ``"heading"``, ``"text"``).

    Returns
    -------
    DataFrame
        ``item``, ``doc``, ``number`` (from 1), ``start``, ``end`` (code points:
        ``text[start:end]`` is the item, stripped of white space), ``text``,
        ``part``, ``chapter``, ``section``, ``heading`` (the heading lines over
        the item, NaN where there is none) and ``outline`` (all of them, outermost
        first, joined by ``" > "``); ``page`` with ``page_starts``.

    Examples
    --------
    >>> from qdacore.text import split_items
    >>> plan = "第三章 空间布局\n第一节 优化格局\n（一）构建都市圈\n1. 培育副中心。\n2. 建设发展轴；完善网络。\n"
    >>> items = split_items(plan, "YN")
    >>> items[["item", "start", "end", "text"]]
       item  start  end            text
    0  YN:1     27   36       1. 培育副中心。
    1  YN:2     37   51  2. 建设发展轴；完善网络。
    >>> items.loc[0, ["chapter", "section", "heading"]].tolist()
    ['第三章 空间布局', '第一节 优化格局', '（一）构建都市圈']
    >>> items.loc[0, "outline"]
    '第三章 空间布局 > 第一节 优化格局 > （一）构建都市圈'
    >>> split_items(plan, "YN", rule="clause")["text"].tolist()
    ['1. 培育副中心。', '2. 建设发展轴；', '完善网络。']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(doc, str) or not doc:
        raise ValueError(f"doc must be a non-empty str (the document id), got {doc!r}")
    if not isinstance(keep_headings, (bool, np.bool_)):
        raise TypeError(f"keep_headings must be True or False, got {keep_headings!r}")
    cps = _code_points(text)
    n = len(cps)
    kind = None
    if isinstance(rule, str) and rule in ("paragraph", "clause"):
        start, end = _lines(cps)
        lines = _Lines(_core.slices(text, np.zeros(len(start), np.int64), start, end), end - start)
        kind, rank = _line_kinds(lines, start, _heading_levels(headings, start))
        ctx = _outline_columns(lines, kind, rank)
        is_item = (kind == "text") | keep_headings
        start, end, kind = start[is_item], end[is_item], kind[is_item]
        ctx = {k: v[is_item] for k, v in ctx.items()}
        if rule == "clause" and len(start):
            start, end, line = _clauses(cps, start, end)
            ctx = {k: v[line] for k, v in ctx.items()}
            kind = kind[line]
    else:
        pattern = re.compile(rule) if isinstance(rule, str) else rule
        if not isinstance(pattern, re.Pattern):
            raise ValueError("rule must be 'paragraph', 'clause' or a regular expression, "
                             f"got {rule!r}")
        spans = np.fromiter(itertools.chain.from_iterable(map(re.Match.span, pattern.finditer(text))),
                            dtype=np.int64).reshape(-1, 2)
        start, end = _strip(cps, np.r_[0, spans[:, 1]], np.r_[spans[:, 0], n])
        keep = end > start
        start, end = start[keep], end[keep]
        ctx = {k: np.full(len(start), np.nan, dtype=object) for k in OUTLINE}
    number = np.arange(1, len(start) + 1, dtype=np.int64)
    items = pd.DataFrame({
        "item": pd.Series(number).astype(str).radd(f"{doc}:").to_numpy(object),
        "doc": np.full(len(start), doc, dtype=object),
        "number": number, "start": start.astype(np.int64), "end": end.astype(np.int64),
        "text": np.asarray(_core.slices(text, np.zeros(len(start), np.int64), start, end), dtype=object),
        **ctx,
    })
    if page_starts is not None:
        starts = np.asarray(page_starts, dtype=np.int64)
        items["page"] = pd.array(np.searchsorted(starts, items["start"].to_numpy(), side="right"),
                                 dtype="Int64")
    if keep_headings and kind is not None:
        items["kind"] = kind
    return items


def _lines(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty lines, stripped."""
    breaks = np.flatnonzero(cps == 10)
    start, end = _strip(cps, np.r_[0, breaks + 1], np.r_[breaks, len(cps)])
    keep = end > start
    return start[keep], end[keep]


def _heading_levels(headings: Optional[Sequence[tuple[int, int, int]]], start: np.ndarray) -> np.ndarray:
    """Each line's level from the file's structure (0 for a line that is no heading there)."""
    levels = np.zeros(len(start), dtype=np.int64)
    if headings is None or (isinstance(headings, float) and np.isnan(headings)) or not len(headings):
        return levels
    table = np.asarray(headings, dtype=np.int64).reshape(-1, 3)
    at = np.searchsorted(start, table[:, 0])
    hit = (at < len(start)) & (start[np.minimum(at, len(start) - 1)] == table[:, 0])
    levels[at[hit]] = table[hit, 2]
    return levels


class _Lines:
    """A document's stripped lines, joined by line feeds so that a pattern
    scans all of them in one call instead of one call a line."""

    def __init__(self, lines: list, lengths: np.ndarray) -> None:
        """``lines`` and their lengths in code points (their spans' widths)."""
        self.values = np.asarray(lines, dtype=object).reshape(-1)
        self.lengths = lengths = np.asarray(lengths, dtype=np.int64)
        self.offsets = np.r_[0, np.cumsum(lengths + 1)[:-1]] if len(lines) else lengths
        self.joined = "\n".join(lines)
        self.cps = _code_points(self.joined)

    def __len__(self) -> int:
        return len(self.values)

    def matches(self, pattern: re.Pattern) -> tuple[np.ndarray, list]:
        """The lines an anchored pattern matches at their start, and the matches."""
        found = list(_multiline(pattern).finditer(self.joined))
        at = np.fromiter((m.start() for m in found), dtype=np.int64, count=len(found))
        return np.searchsorted(self.offsets, at), found

    def flags(self, pattern: re.Pattern) -> np.ndarray:
        hit = np.zeros(len(self), dtype=bool)
        hit[self.matches(pattern)[0]] = True
        return hit

    def holding_cjk(self) -> np.ndarray:
        """The lines that hold a CJK character or a full-width form."""
        cps = self.cps
        where = np.flatnonzero(((cps >= 0x2E80) & (cps <= 0x9FFF)) | ((cps >= 0xF900) & (cps <= 0xFAFF))
                               | ((cps >= 0xFF00) & (cps <= 0xFFEF)))
        return self._lines_of(where)

    def _lines_of(self, where: np.ndarray) -> np.ndarray:
        hit = np.zeros(len(self), dtype=bool)
        hit[np.searchsorted(self.offsets, where, side="right") - 1] = True
        return hit

    def holding_any(self, chars: str) -> np.ndarray:
        """The lines that hold one of ``chars``."""
        return self._lines_of(np.flatnonzero(np.isin(self.cps, _code_points(chars))))

    def ending_with(self, char: str) -> np.ndarray:
        return self.cps[self.offsets + self.lengths - 1] == ord(char) if len(self) else np.zeros(0, bool)


@functools.cache
def _multiline(pattern: re.Pattern) -> re.Pattern:
    # every outline pattern is anchored with ^ and never crosses a line feed,
    # so with MULTILINE it finds exactly the lines it matches on its own
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE)


def _line_kinds(lines: _Lines, start: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each line's kind (title, part, chapter, section, heading, text) and, for
    sub-headings, their rank."""
    kind = np.full(len(lines), "text", dtype=object)
    rank = np.full(len(lines), -1, dtype=np.int64)
    if not len(lines):
        return kind, rank
    short = ~lines.holding_any(_TERMINATORS) & (lines.lengths <= _outline.MAX_SUBHEADING)
    depth = np.full(len(lines), np.nan)
    at, found = lines.matches(_outline.NUMBERED_EN)
    depth[at] = [m.group(1).count(".") + 1 for m in found]
    # "1. Introduction" opens an English chapter; "1. 培育副中心" is a Chinese sub-heading
    sentence = lines.ending_with(".")
    english = ~np.isnan(depth) & short & ~sentence & ~lines.holding_cjk()
    for r, pattern in enumerate(_outline.SUBHEADINGS):
        hit = lines.flags(pattern) & short & (rank < 0) & ~english
        rank[hit] = r
    outer = {}
    for name, pattern in zip(("part", "chapter", "section"), _OUTER):
        at, found = lines.matches(pattern)
        # "Section 2 of the Act requires a plan." is a sentence: English forms must look like headings
        latin = np.fromiter((m.group(1)[0].isascii() for m in found), dtype=bool, count=len(found))
        outer[name] = np.zeros(len(lines), dtype=bool)
        outer[name][at[~latin | (short & ~sentence)[at]]] = True
    rank[english & (depth >= 3)] = 4
    structural = (levels > 0) & (rank < 0) & ~english
    rank[structural & (levels >= 3)] = np.minimum(levels[structural & (levels >= 3)] + 1, _RANKS - 1)
    kind[rank >= 0] = "heading"
    kind[(english & (depth == 2)) | (structural & (levels == 2))] = "section"
    kind[(english & (depth == 1)) | (structural & (levels == 1))] = "chapter"
    for name in ("section", "chapter", "part"):
        kind[outer[name]] = name
    rank[kind != "heading"] = -1
    if _outline.first_line_is_title(lines.values[0], int(levels[0]), len(lines)):
        kind[0] = "title"
        rank[0] = -1
    kind[levels == _TITLE] = "title"
    return kind, rank


def _outline_columns(lines: _Lines, kind: np.ndarray, rank: np.ndarray) -> dict[str, np.ndarray]:
    """part, chapter, section, heading (innermost open sub-heading) and the
    outline path over each line: each level's title carried forward from the
    line that opens it until a line that closes it."""
    position = np.arange(len(kind))

    def open_titles(opens: np.ndarray, closes: np.ndarray) -> np.ndarray:
        last_open = np.maximum.accumulate(np.where(opens, position, -1))
        last_close = np.maximum.accumulate(np.where(closes & ~opens, position, -1))
        titles = np.full(len(kind), np.nan, dtype=object)
        is_open = last_open > last_close
        titles[is_open] = lines.values[last_open[is_open]]
        return titles

    part_at = kind == "part"
    chapter_at = kind == "chapter"
    section_at = kind == "section"
    columns = {"part": open_titles(part_at, np.zeros(len(kind), bool)),
               "chapter": open_titles(chapter_at, part_at),
               "section": open_titles(section_at, part_at | chapter_at)}
    outer = part_at | chapter_at | section_at
    heading = np.full(len(kind), np.nan, dtype=object)
    path = _joined(_joined(columns["part"], columns["chapter"]), columns["section"])
    for r in range(_RANKS):
        at = rank == r
        if not at.any():
            continue
        opened = open_titles(at, outer | ((rank >= 0) & (rank < r)))
        heading = np.where(pd.notna(opened), opened, heading)
        path = _joined(path, opened)
    columns["heading"] = heading
    columns["outline"] = path
    return columns


def _joined(path: np.ndarray, titles: np.ndarray) -> np.ndarray:
    """``path > title`` where both are present, whichever is where only one is."""
    has_t = pd.notna(titles)
    has_p = pd.notna(path)
    out = np.where(has_p, path, titles).astype(object)
    both = has_t & has_p
    out[both] = path[both] + " > " + titles[both]
    return out


def _clauses(cps: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines cut after each clause end inside them: the clauses and the line of each."""
    stops = np.flatnonzero(np.isin(cps, _code_points(_TERMINATORS))) + 1
    line_of = np.searchsorted(start, stops, side="right") - 1
    inside = (line_of >= 0) & (stops < end[np.maximum(line_of, 0)])
    cut_at, cut_line = stops[inside], line_of[inside]
    lines_idx = np.arange(len(start))
    cuts = pd.DataFrame({"line": np.r_[lines_idx, cut_line], "at": np.r_[start, cut_at]})
    cuts = cuts.sort_values(["line", "at"], kind="stable")
    line = cuts["line"].to_numpy()
    a = cuts["at"].to_numpy()
    nxt = np.r_[a[1:], 0]
    last = np.r_[line[1:] != line[:-1], True]
    b = np.where(last, end[line], nxt)
    a, b = _strip(cps, a, b)
    keep = b > a
    return a[keep], b[keep], line[keep]
