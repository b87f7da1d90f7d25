"""Text offsets between the counting conventions QDA packages use (numpy, vectorised).

A *convention* says how a package counts a position in a plain text:

``codepoints``
    Unicode code points, as the REFI-QDA standard says (and Python's ``str``).
``utf16``
    UTF-16 code units: a character outside the Basic Multilingual Plane
    (emoji, rare CJK ideographs) counts 2. NVivo does this.
``codepoints-crlf1`` / ``utf16-crlf1``
    as above, but a CRLF line break counts 1. ATLAS.ti does this.

Every function works on the text's code points as a numpy array, so a
conversion costs a few passes over the text plus a binary search per position,
however many selections there are.
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["CONVENTIONS", "codepoints", "offset_table", "to_codepoints", "word_mask", "inside_word"]

CONVENTIONS = ("codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1")
_CR, _LF = 13, 10
_NONWORD = re.compile(r"\W")


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint32 (one C-level encode, no Python loop)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def offset_table(cp: np.ndarray, convention: str) -> np.ndarray:
    """``table[i]`` = position, in ``convention``, of the boundary before code point ``i``.

    Length ``len(cp) + 1``, non-decreasing. Under a ``crlf1`` convention the CR
    of a CRLF has width 0, so the boundaries before and after that CR share a
    value.
    """
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


def word_mask(text: str) -> np.ndarray:
    """True for code points that are word characters (``\\w``), from one regex pass."""
    return codepoints(_NONWORD.sub("\0", text)) != 0


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
