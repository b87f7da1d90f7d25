"""Text offsets between the counting conventions QDA packages use (numpy, vectorised).

A *convention* says how a package counts a position in a plain text:

``codepoints``
    Unicode code points, as the REFI-QDA standard says (and Python's ``str``).
``utf16``
    UTF-16 code units: a character outside the Basic Multilingual Plane
    (emoji, rare CJK ideographs) counts 2. NVivo does this.
``codepoints-crlf1`` / ``utf16-crlf1``
    as above, but a CRLF line break counts 1. ATLAS.ti does this.

The conversions work on the text's code points as a numpy array, so a
conversion costs a few passes over the text plus a binary search per position,
however many selections there are.

This module also holds how a file's convention is decided
(``positions="auto"``) and how its selections are turned into items with
code-point offsets (:func:`resolve`).
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from itertools import repeat
from operator import getitem
from typing import Optional

import numpy as np
import pandas as pd

from ._report import SHOWN, PositionsWarning, Report
from ._xml import AUDIT

CONVENTIONS = ("codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1")
#: Choices of ``positions=``: "auto" (decide from the file) or a convention.
POSITIONS = ("auto",) + CONVENTIONS
_CR, _LF = 13, 10
_NONWORD = re.compile(r"\W")
_EVIDENCE = 2000  # selections per text scored by positions="auto"
log = logging.getLogger(__package__)  # "qdacore.io.qdpx", as before the split


# -- counting conventions ---------------------------------------------------------------
def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (one C-level encode, no Python loop)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def offset_table(cp: np.ndarray, convention: str) -> np.ndarray:
    """``table[i]`` = position, in ``convention``, of the boundary before code point ``i``.

    Length ``len(cp) + 1``, non-decreasing. Under a ``crlf1`` convention the CR
    of a CRLF has width 0, so the boundaries before and after that CR share a
    value.
    """
    if convention == "codepoints":  # every width 1: the running sum is the index
        return np.arange(len(cp) + 1, dtype=np.int64)
    width = np.ones(len(cp), dtype=np.int64)
    if convention.startswith("utf16"):
        width += cp > 0xFFFF
    if convention.endswith("crlf1") and len(cp) > 1:
        width[:-1][(cp[:-1] == _CR) & (cp[1:] == _LF)] = 0
    table = np.zeros(len(cp) + 1, dtype=np.int64)
    np.cumsum(width, out=table[1:])
    return table


def to_codepoints(table: np.ndarray, pos: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert positions counted with ``table``'s convention to code points.

    Parameters
    ----------
    table : from :func:`offset_table`
    pos : float array, NaN for a position that could not be read
    side : ``"start"`` or ``"end"``; a position inside a character (between
        the two UTF-16 units of an emoji) moves down for a start and up for an
        end, so the selection keeps the whole character.

    Returns
    -------
    (codepoint positions, in range, exact): positions out of range get 0 and
    ``in range`` False; ``exact`` is False where a position fell inside a
    character.
    """
    n = len(table) - 1
    ok = ~np.isnan(pos)
    ok[ok] = (pos[ok] >= 0) & (pos[ok] <= table[-1])
    p = np.where(ok, pos, 0).astype(np.int64)
    # side="left": the first boundary at or after p, which under crlf1 is the
    # one before the CR, where a selection that stops at a line end stops.
    idx = np.searchsorted(table, p, side="left")
    exact = table[np.minimum(idx, n)] == p
    if side == "start":
        idx = np.where(exact, idx, idx - 1)
    idx = np.where(ok, idx, 0)
    return idx.astype(np.int64), ok, ok & exact


@functools.lru_cache(maxsize=1)
def _bmp_words() -> np.ndarray:
    """``\\w`` for each code point of the Basic Multilingual Plane: what
    ``re`` tests for a str pattern (``str.isalnum()`` or ``_``), computed once."""
    return codepoints(_NONWORD.sub("\0", "".join(map(chr, range(1, 0x10000))))) != 0


def word_mask(text: str) -> np.ndarray:
    """True for code points that are word characters (``\\w``): a table look-up,
    which is several times faster than a regex pass over a long text."""
    return _words(codepoints(text))


def _words(cp: np.ndarray) -> np.ndarray:
    """:func:`word_mask` of code points."""
    table = _bmp_words()
    word = np.zeros(len(cp), dtype=bool)
    bmp = (cp > 0) & (cp < 0x10000)
    word[bmp] = table[cp[bmp] - 1]
    astral = np.flatnonzero(cp >= 0x10000)
    if len(astral):  # emoji and rare ideographs: one regex test per distinct character
        distinct, where = np.unique(cp[astral], return_inverse=True)
        word[astral] = np.array([_NONWORD.match(chr(c)) is None for c in distinct.tolist()], dtype=bool)[where]
    return word


def inside_word(cp: np.ndarray, word: np.ndarray) -> np.ndarray:
    """For each boundary 0..n: True when it splits a word or a CRLF pair.

    A selection that starts or ends at such a boundary is misplaced (or drawn
    carelessly); counting how many do is how ``positions="auto"`` tells the
    conventions apart.
    """
    n = len(cp)
    bad = np.zeros(n + 1, dtype=bool)
    if n > 1:
        bad[1:-1] = (word[:-1] & word[1:]) | ((cp[:-1] == _CR) & (cp[1:] == _LF))
    return bad


# -- many texts at once -------------------------------------------------------------------
_GROUP_CODEPOINTS = 1 << 23  # code points per group of texts: arrays of a few tens of MB


class _Texts:
    """Several texts as one array of code points, so that deciding and
    converting positions is a few numpy calls for all of them, not a few per
    text, and costs the characters that make the conventions differ (astral
    characters, CRLFs), not the length of the texts.

    Under a convention, a text's :func:`offset_table` rises by one per code
    point, except at those characters (by 2 at an astral one under utf16, by
    0 at the CR of a CRLF under crlf1). So it is a run of *segments*, each
    starting after one such character, within which the table is the
    boundary plus the segment's shift; a position is converted by finding
    its segment.
    """

    def __init__(self, texts: list) -> None:
        self.texts = texts
        self.lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        self.starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(self.lens[:-1], out=self.starts[1:])
        self.joined = "".join(texts)
        self.cp = codepoints(self.joined)
        self.astral = np.flatnonzero(self.cp > 0xFFFF)
        crlf = np.flatnonzero((self.cp[:-1] == _CR) & (self.cp[1:] == _LF))
        # a CR that ends one text and an LF that starts the next are no pair
        self.crlf = crlf[crlf != (self.starts + self.lens - 1)[self.text_of(crlf)]]

    def text_of(self, j: np.ndarray) -> np.ndarray:
        """The text of each code point ``j`` (indices into the joined texts)."""
        return np.searchsorted(self.starts, j, side="right") - 1

    def telling(self) -> np.ndarray:
        """Per text: True when the conventions disagree on it (CRLF or astral characters)."""
        flagged = np.zeros(len(self.texts), dtype=bool)
        flagged[self.text_of(np.concatenate([self.astral, self.crlf]))] = True
        return flagged

    def bad(self, text: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Whether boundary ``k`` of ``text`` splits a word or a CRLF pair (:func:`inside_word`)."""
        inner = (k > 0) & (k < self.lens[text])
        at = (self.starts[text] + k)[inner]
        left, right = self.cp[at - 1], self.cp[at]
        word = _words(np.concatenate([left, right]))
        out = np.zeros(len(k), dtype=bool)
        out[inner] = (word[:len(at)] & word[len(at):]) | ((left == _CR) & (right == _LF))
        return out

    def table(self, convention: str) -> tuple:
        """The segments of every text's table under ``convention``, shifted per
        text so that their values rise across texts too."""
        events = [np.zeros(0, dtype=np.int64)]
        deltas = [np.zeros(0, dtype=np.int64)]
        if convention.startswith("utf16"):
            events.append(self.astral)
            deltas.append(np.ones(len(self.astral), dtype=np.int64))
        if convention.endswith("crlf1"):
            events.append(self.crlf)
            deltas.append(np.full(len(self.crlf), -1, dtype=np.int64))
        j = np.concatenate(events)
        order = np.argsort(j, kind="stable")
        j, delta = j[order], np.concatenate(deltas)[order]
        n_texts = len(self.texts)
        # a segment at the start of each text, and one after each event
        seg_text = np.concatenate([np.arange(n_texts), self.text_of(j)])
        seg_start = np.concatenate([np.zeros(n_texts, dtype=np.int64), j + 1 - self.starts[seg_text[n_texts:]]])
        seg_delta = np.concatenate([np.zeros(n_texts, dtype=np.int64), delta])
        order = np.lexsort((seg_start, seg_text))
        seg_text, seg_start, seg_delta = seg_text[order], seg_start[order], seg_delta[order]
        # the shift of a segment: the deltas of its text up to and with its event
        running = np.cumsum(seg_delta)
        first = np.searchsorted(seg_text, np.arange(n_texts), side="left")
        shift = running - (running[first] - seg_delta[first])[seg_text]
        last_of_text = np.r_[seg_text[1:] != seg_text[:-1], True]
        seg_end = np.where(last_of_text, self.lens[seg_text], np.r_[seg_start[1:], 0] - 1)
        last = np.zeros(n_texts, dtype=np.int64)
        last[seg_text[last_of_text]] = (seg_end + shift)[last_of_text]
        offset = np.zeros(n_texts, dtype=np.int64)
        np.cumsum(last[:-1] + 1, out=offset[1:])
        low = seg_start + shift + offset[seg_text]
        high = seg_end + shift + offset[seg_text]
        return low, high, seg_start, shift, offset, last

    def to_codepoints(self, table: tuple, text: np.ndarray, pos: np.ndarray,
                      side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`to_codepoints` of positions ``pos`` in texts ``text`` (numbers of texts)."""
        low, high, seg_start, shift, offset, last = table
        ok = ~np.isnan(pos)
        ok[ok] = (pos[ok] >= 0) & (pos[ok] <= last[text[ok]])
        p = np.where(ok, pos, 0).astype(np.int64)
        key = p + offset[text]
        seg = np.searchsorted(high, key, side="left")  # the first segment reaching the position
        seg = np.minimum(seg, len(high) - 1)
        exact = key >= low[seg]  # else it falls in the gap an astral character leaves
        idx = np.where(exact, p - shift[seg], seg_start[seg])
        if side == "start":
            idx = np.where(exact, idx, idx - 1)
        idx = np.where(ok, idx, 0)
        return idx.astype(np.int64), ok, ok & exact


def _groups(texts: list) -> list:
    """``texts`` cut into runs of at most about :data:`_GROUP_CODEPOINTS` code points: (first, stop)."""
    out, first, size = [], 0, 0
    for k, text in enumerate(texts):
        if size and size + len(text) > _GROUP_CODEPOINTS:
            out.append((first, k))
            first, size = k, 0
        size += len(text)
    if first < len(texts):
        out.append((first, len(texts)))
    return out


def _identity(pos: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`to_codepoints` under ``codepoints`` (whole-number positions), without a table."""
    ok = ~np.isnan(pos)
    ok[ok] = (pos[ok] >= 0) & (pos[ok] <= lens[ok])
    return np.where(ok, pos, 0).astype(np.int64), ok, ok.copy()


# -- deciding a file's convention -------------------------------------------------------
def _prior(origin: str) -> tuple[str, str]:
    o = origin.lower()
    if "nvivo" in o:
        return "utf16", f"origin {origin!r}: NVivo counts UTF-16 code units"
    if "atlas.ti" in o:
        return "codepoints-crlf1", f"origin {origin!r}: ATLAS.ti counts a CRLF line break as 1"
    return "codepoints", f"origin {origin!r}: the REFI-QDA standard counts code points"


_ELLIPSIS = re.compile(r"(…|\.\.\.)\s*$")


def _collapsed(text: str) -> str:
    """White-space runs made one space, ends stripped: ``re.sub(r"\\s+", " ", text).strip()``,
    as one C call (``str.split`` and ``\\s`` agree on what is white space)."""
    return " ".join(text.split())


def _excerpts(names: np.ndarray) -> tuple[list, np.ndarray]:
    """Selection names as excerpts to compare: trailing ellipsis dropped,
    whitespace runs made one space; and their lengths (0: no name)."""
    wanted = [_collapsed(_ELLIPSIS.sub("", name)) if name else "" for name in names.tolist()]
    return wanted, np.fromiter(map(len, wanted), dtype=np.int64, count=len(wanted))


def _group(texts: list, first: int, stop: int, cache: Optional[dict]) -> _Texts:
    """``_Texts(texts[first:stop])``, built once per ``cache`` (the decision and
    the conversion use the same groups)."""
    key = tuple(map(id, texts[first:stop]))
    if cache is None:
        return _Texts(texts[first:stop])
    if key not in cache:
        cache[key] = _Texts(texts[first:stop])
    return cache[key]


def _scores(entries: list, conventions: tuple, cache: Optional[dict] = None) -> dict:
    """{convention: (evidence, number of tests)} over ``entries`` (text, start,
    end, names: the texts' selections): selection ends between words, plus
    excerpt names that match the text they would select. Evenly spaced
    selections of each text (at most :data:`_EVIDENCE`) are scored, all texts
    of a group in one pass."""
    scores = {conv: [0, 0] for conv in conventions}
    distinct: dict[int, int] = {}  # one copy of a text however many entries share it
    texts: list = []
    for text, *_ in entries:
        if id(text) not in distinct:
            distinct[id(text)] = len(texts)
            texts.append(text)
    slot = [distinct[id(e[0])] for e in entries]
    for first, stop in _groups(texts):
        group = _group(texts, first, stop, cache)
        telling = group.telling()
        sample = []
        for entry, k in zip(entries, slot):
            if first <= k < stop and len(entry[1]) and telling[k - first]:
                start, end, names = entry[1], entry[2], entry[3]
                keep = np.unique(np.linspace(0, len(start) - 1, min(len(start), _EVIDENCE)).astype(np.int64))
                sample.append((k - first, start[keep], end[keep], names[keep]))
        if not sample:
            continue
        text = np.concatenate([np.full(len(s[1]), s[0], dtype=np.int64) for s in sample])
        start = np.concatenate([s[1] for s in sample])
        end = np.concatenate([s[2] for s in sample])
        wanted, lengths = _excerpts(np.concatenate([s[3] for s in sample]))
        for conv in conventions:
            table = group.table(conv)
            s, s_ok, s_exact = group.to_codepoints(table, text, start, "start")
            e, e_ok, e_exact = group.to_codepoints(table, text, end, "end")
            hits = int((s_exact & ~group.bad(text, s)).sum() + (e_exact & ~group.bad(text, e)).sum())
            tests = 2 * len(start)
            named = np.flatnonzero(s_ok & e_ok & (s <= e) & (lengths > 0))
            if len(named):
                # enough text for the excerpt even where whitespace runs will shrink
                a = s[named] + group.starts[text[named]]
                b = np.minimum(e[named], s[named] + 2 * lengths[named] + 16) + group.starts[text[named]]
                joined = group.joined
                hits += sum(_collapsed(joined[x:y])[:n] == wanted[k] for x, y, n, k in
                            zip(a.tolist(), b.tolist(), lengths[named].tolist(), named.tolist()))
                tests += len(named)
            scores[conv][0] += hits
            scores[conv][1] += tests
    return {conv: (h, n) for conv, (h, n) in scores.items()}


def _decide(positions: str, origin: str, texts: list, report: Report, cache: Optional[dict] = None) -> str:
    """The convention to read positions with (``texts``: (text, start, end, names);
    ``cache``: see :func:`_group`)."""
    if positions != "auto":
        return positions
    prior, why = _prior(origin)
    # only texts where the conventions disagree (CRLF or astral characters) say anything
    scores = _scores(texts, (prior,) + tuple(c for c in CONVENTIONS if c != prior), cache)
    if not any(n for _, n in scores.values()):
        if prior != "codepoints":
            log.info("positions: %s; no text tells the conventions apart", why)
        return prior
    best = max(scores, key=lambda c: scores[c][0])  # ties keep the prior (first)
    margin = scores[best][0] - scores[prior][0]
    chosen = best if margin >= max(2, 0.01 * scores[prior][1]) else prior
    evidence = "; ".join(f"{c}: {h:,} of {n:,}" for c, (h, n) in scores.items())
    message = (f"positions='auto' read the file's positions as {chosen} ({why}"
               f"{'' if chosen == prior else ', overruled by the texts'}); selection ends "
               f"between words and matching excerpt names under each convention: {evidence}. "
               "Offsets in the Project are code points.")
    if chosen != "codepoints" or chosen != prior:
        report.add(message, PositionsWarning)
    else:
        log.info("%s", message)
    return chosen


# -- selections to items ----------------------------------------------------------------
def frame(columns: dict, names: list) -> pd.DataFrame:
    """The table of ``columns`` (name: list), typed as rows of the same values
    would be: without rows, object columns (a dict of empty lists gives float64)."""
    if columns and len(next(iter(columns.values()))):
        return pd.DataFrame(columns, columns=names)
    return pd.DataFrame([], columns=names)


def resolve(docs: list, sels: dict, raw: Callable[[np.ndarray, str], list], positions: str, origin: str,
            report: Report) -> pd.DataFrame:
    """Items with code-point offsets and texts, from the raw selection rows.

    ``docs`` rows start (guid, name, kind, text); ``sels`` holds the columns
    ``_doc`` (document row), guid, name, description, note_refs, scope, then
    :data:`AUDIT`, and ``_start``, ``_end``: the positions the file wrote, as
    numbers (NaN where there are none). ``raw(rows, "start")`` gives the
    attributes of those rows as written (for messages). ``positions`` is the
    convention to read them with, or ``"auto"`` to decide it (the file's
    ``origin`` is the first guess).
    """
    # GUIDs and scopes stay object columns (as the items table has them), and dates
    # are parsed from object columns: no detour through pandas' str dtype
    sel = frame({c: pd.Series(v, dtype=object) if c in ("guid", "scope", "created", "modified") else v
                 for c, v in sels.items()},
                ["_doc", "guid", "name", "_start", "_end", "description", "note_refs", "scope"] + AUDIT)
    raw_start = sel["_start"].to_numpy(dtype=float)
    raw_end = sel["_end"].to_numpy(dtype=float)
    doc_of = sel["_doc"].to_numpy(dtype=np.int64)
    whole = (sel["scope"] == "source").to_numpy()
    names = sel["name"].fillna("").astype(str).to_numpy(dtype=object)
    order = np.argsort(doc_of, kind="stable")
    bounds = np.searchsorted(doc_of[order], np.arange(len(docs) + 1))
    texts: list[Optional[tuple]] = []
    for d, doc in enumerate(docs):
        rows = order[bounds[d]:bounds[d + 1]]
        rows = rows[~whole[rows]]
        if doc[3] is not None and len(rows):
            texts.append((doc[3], raw_start[rows], raw_end[rows], names[rows]))
        else:
            texts.append(None)
    groups: dict = {}
    convention = _decide(positions, origin, [t for t in texts if t is not None], report, groups)

    # every selection of a text converted at once (a group of texts at a time)
    s_all = np.zeros(len(sel), dtype=np.int64)
    e_all = np.zeros(len(sel), dtype=np.int64)
    ok_all = np.zeros(len(sel), dtype=bool)
    exact_all = np.zeros(len(sel), dtype=bool)
    distinct: dict[int, int] = {}  # one copy of a text however many sources share it
    converted: list = []
    slot_of: list = []
    for d, doc in enumerate(docs):
        if texts[d] is not None:
            if id(doc[3]) not in distinct:
                distinct[id(doc[3])] = len(converted)
                converted.append(doc[3])
            slot_of.append((d, distinct[id(doc[3])]))
    if slot_of:
        rows = np.concatenate([order[bounds[d]:bounds[d + 1]] for d, _ in slot_of])
        slot = np.repeat(np.array([k for _, k in slot_of], dtype=np.int64),
                         [bounds[d + 1] - bounds[d] for d, _ in slot_of])
        for first, stop in _groups(converted):
            mine = (slot >= first) & (slot < stop)
            r, k = rows[mine], slot[mine] - first
            if convention == "codepoints":  # the table is the identity
                lens = np.fromiter(map(len, converted[first:stop]), dtype=np.int64, count=stop - first)
                s, s_ok, s_exact = _identity(raw_start[r], lens[k])
                e, e_ok, e_exact = _identity(raw_end[r], lens[k])
            else:
                group = _group(converted, first, stop, groups)
                table = group.table(convention)
                s, s_ok, s_exact = group.to_codepoints(table, k, raw_start[r], "start")
                e, e_ok, e_exact = group.to_codepoints(table, k, raw_end[r], "end")
            s_all[r], e_all[r], ok_all[r] = s, e, s_ok & e_ok & (s <= e)
            exact_all[r] = s_exact & e_exact

    start = np.full(len(sel), np.nan)
    end = np.full(len(sel), np.nan)
    outside = np.zeros(len(sel), dtype=bool)
    split = 0
    text_out = np.full(len(sel), None, dtype=object)
    no_text_rows = []
    for d, doc in enumerate(docs):
        rows = order[bounds[d]:bounds[d + 1]]
        if not len(rows):
            continue
        text = doc[3]
        if text is None:  # nothing to convert against: keep the positions as written
            ok = ~np.isnan(raw_start[rows]) & ~np.isnan(raw_end[rows]) & (raw_start[rows] >= 0) \
                & (raw_start[rows] <= raw_end[rows])
            start[rows[ok]], end[rows[ok]] = raw_start[rows[ok]], raw_end[rows[ok]]
            outside[rows[~ok & ~whole[rows]]] = True
            no_text_rows.extend(rows.tolist())
            continue
        if texts[d] is None:  # only codings of the whole source
            w = whole[rows]
            start[rows[w]], end[rows[w]] = 0, len(text)
            text_out[rows[w]] = text
            continue
        w = whole[rows]
        s, e, ok = np.where(w, 0, s_all[rows]), np.where(w, len(text), e_all[rows]), ok_all[rows] | w
        split += int((ok & ~w & ~exact_all[rows]).sum())
        start[rows[ok]], end[rows[ok]] = s[ok], e[ok]
        outside[rows[~ok]] = True
        text_out[rows[ok]] = list(map(getitem, repeat(text), map(slice, s[ok].tolist(), e[ok].tolist())))

    items = sel.drop(columns=["_doc", "_start", "_end"])
    items.insert(0, "_doc", doc_of)
    items.insert(1, "start", pd.Series(start, index=items.index, dtype="Int64"))
    items.insert(2, "end", pd.Series(end, index=items.index, dtype="Int64"))
    items.insert(3, "text", pd.Series(text_out, dtype=object))
    items["outside"] = outside
    if outside.any():
        items["raw_start"] = pd.array(np.where(outside, raw_start, np.nan), dtype="Int64")
        items["raw_end"] = pd.array(np.where(outside, raw_end, np.nan), dtype="Int64")
        bad = np.flatnonzero(outside)
        lengths = [None if docs[doc_of[i]][3] is None else len(docs[doc_of[i]][3]) for i in bad]
        shown = [f"{sel['guid'].iat[i]} [{a}, {b}) in "
                 f"{docs[doc_of[i]][1]!r} of {n if n is not None else 'unknown'} characters"
                 for i, n, a, b in zip(bad[:SHOWN], lengths[:SHOWN], raw(bad[:SHOWN], "start"),
                                       raw(bad[:SHOWN], "end"))]
        report.add(f"{len(bad)} selection(s) fall outside their source text (read as {convention}) and "
                   f"are kept with outside=True, start/end missing and the file's positions in "
                   f"raw_start/raw_end: {'; '.join(shown)}" + (" ..." if len(bad) > SHOWN else ""))
    if split:
        report.add(f"{split} selection(s) start or end inside a character under {convention}; "
                   "they were widened to whole characters")
    if no_text_rows:
        docs_without = sorted({docs[doc_of[i]][1] or docs[doc_of[i]][0] for i in no_text_rows})
        log.info("selections of %s keep the positions as written (no text)", docs_without)
    return items


