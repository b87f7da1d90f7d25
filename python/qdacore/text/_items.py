"""Planning documents into items: :func:`split_items` (by line, by clause or
by a regular expression, with the chapter, section and heading over each
item) and :func:`sentence_spans`, the sentence around a span."""
from __future__ import annotations

import itertools
import re
from typing import Union

import numpy as np
import pandas as pd

from .. import _core

_NUM = "一二三四五六七八九十百零〇两0-9０-９"
_CHAPTER = rf"^第[{_NUM}]+[章篇部]"
_SECTION = rf"^第[{_NUM}]+节"
_SUBHEAD = rf"^[（(][{_NUM}]+[）)]"
_TERMINATORS = "。！？；!?;"
_SPACES = " \t\r\f\v\u3000\xa0"


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _strip(cps: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spans without leading and trailing white space (empty spans collapse to
    start == end)."""
    n = len(cps)
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
    i = np.searchsorted(stops, np.asarray(start), side="left")
    left = np.where(i > 0, stops[np.maximum(i - 1, 0)] + 1, 0)
    j = np.searchsorted(stops, np.maximum(np.asarray(end) - 1, np.asarray(start)), side="left")
    right = np.where(j < len(stops), stops[np.minimum(j, len(stops) - 1)] + 1, len(cps))
    return _strip(cps, left, right)


def split_items(text: str, doc: str, *, rule: Union[str, re.Pattern[str]] = "paragraph") -> pd.DataFrame:
    r"""Split a Chinese planning document into items ``DOC:1``, ``DOC:2``, ...
    with their offsets.

    The usual structure is recognised: chapter headings (``第三章 ...``, also
    ``第X篇``/``第X部分``), section headings (``第二节 ...``) and short
    sub-headings without a full stop (``（一）优化空间格局``) are not items but
    name the items under them (columns ``chapter``, ``section``, ``heading``);
    numbered (``1.``, ``一、``, ``（二）...。``) and bulleted lines are items.

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

    Returns
    -------
    DataFrame
        ``item``, ``doc``, ``number`` (from 1), ``start``, ``end`` (code points:
        ``text[start:end]`` is the item, stripped of white space), ``text``,
        ``chapter``, ``section``, ``heading``.

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
    >>> split_items(plan, "YN", rule="clause")["text"].tolist()
    ['1. 培育副中心。', '2. 建设发展轴；', '完善网络。']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(doc, str) or not doc:
        raise ValueError(f"doc must be a non-empty str (the document id), got {doc!r}")
    cps = _code_points(text)
    n = len(cps)
    if isinstance(rule, str) and rule in ("paragraph", "clause"):
        breaks = np.flatnonzero(cps == 10)
        start, end = _strip(cps, np.r_[0, breaks + 1], np.r_[breaks, n])
        keep = end > start
        start, end = start[keep], end[keep]
        lines = pd.Series(_core.slices(text, np.zeros(len(start), np.int64), start, end), dtype=object)
        chapter = lines.str.match(_CHAPTER)
        section = lines.str.match(_SECTION) & ~chapter
        short = ~lines.str.contains(f"[{_TERMINATORS}]") & (lines.str.len() <= 40)
        heading = lines.str.match(_SUBHEAD) & short & ~chapter & ~section
        context = {}
        for name, flag, resets in (("chapter", chapter, []), ("section", section, [chapter]),
                                   ("heading", heading, [chapter, section])):
            col = lines.where(flag)
            for reset in resets:
                col = col.mask(reset, "")
            filled = col.ffill()
            context[name] = filled.where(filled != "")
        is_item = ~(chapter | section | heading)
        start, end = start[is_item.to_numpy()], end[is_item.to_numpy()]
        ctx = {k: v[is_item].to_numpy(object) for k, v in context.items()}
        if rule == "clause" and len(start):
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
            start, end = a[keep], b[keep]
            ctx = {k: v[line[keep]] for k, v in ctx.items()}
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
        ctx = {k: np.full(len(start), np.nan, dtype=object) for k in ("chapter", "section", "heading")}
    number = np.arange(1, len(start) + 1, dtype=np.int64)
    return pd.DataFrame({
        "item": pd.Series(number).astype(str).radd(f"{doc}:").to_numpy(object),
        "doc": np.full(len(start), doc, dtype=object),
        "number": number, "start": start.astype(np.int64), "end": end.astype(np.int64),
        "text": np.asarray(_core.slices(text, np.zeros(len(start), np.int64), start, end), dtype=object),
        **ctx,
    })
