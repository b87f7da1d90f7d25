"""Dictionary matching: :class:`Matcher` (every occurrence of many patterns,
by an Aho-Corasick automaton in C) and :func:`kwic`, each match with the
text around it."""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from ._input import Texts, read_chunks, stream_frames, texts_and_labels

#: Matches one call returns at most unless told otherwise: 10 million rows are
#: 320 MB of int64 columns. Overlapping patterns over a run of one character
#: ("a", "aa", "aaa", ... in "aaaa...") match length x patterns times.
MAX_MATCHES = 10_000_000


class Matcher:
    """Dictionary matching: every occurrence of many patterns in many texts, by
    an Aho-Corasick automaton over code points in C.

    A Matcher never changes once built: any number of threads may match with
    one at once (its calls release the GIL). For other patterns, build another.

    Parameters
    ----------
    patterns : sequence of str
        The patterns (keywords). Any character may appear, NUL included; a
        pattern must not be empty. A pattern listed twice reports its first
        position.
    fold_case : bool
        Compare Latin letters case-insensitively (ASCII, Latin-1, Latin
        Extended-A and fullwidth letters; offsets are unchanged).

    Notes
    -----
    Where few patterns occur (dictionary coding: many keywords, few hits), a
    prefilter skips the text where no pattern's first two characters (or a
    one-character pattern) occur, eight positions at a time with AVX2 where
    the CPU has it, and runs the automaton only from the rest. It is built
    unless the patterns' first pairs are too many for its table (about
    140,000 distinct pairs); the matches are the same either way.

    Examples
    --------
    >>> from qdacore.text import Matcher
    >>> m = Matcher(["都市圈", "都市", "副中心", "GDP"], fold_case=True)
    >>> m.find(["建设都市圈副中心", "gdp 增长"])
       text  start  end pattern
    0     0      2    4      都市
    1     0      2    5     都市圈
    2     0      5    8     副中心
    3     1      0    3     GDP
    >>> m.find("建设都市圈", overlapping=False)
       text  start  end pattern
    0     0      2    5     都市圈
    """

    def __init__(self, patterns: Sequence[str], *, fold_case: bool = False) -> None:
        if isinstance(patterns, (str, bytes)):
            raise TypeError("patterns must be a sequence of str, not one string; wrap it in a list")
        if isinstance(patterns, pd.Series):
            patterns = patterns.tolist()
        self._patterns = list(patterns)
        self._fold = bool(fold_case)
        self._m = _core.matcher_new(self._patterns, self._fold)
        codes, self._categories = pd.factorize(pd.Index(self._patterns, dtype=object))
        self._code = codes.astype(np.int64)

    @property
    def patterns(self) -> list[str]:
        """The patterns as given."""
        return list(self._patterns)

    @property
    def nbytes(self) -> int:
        """Memory held by the automaton (every array it owns), in bytes."""
        return _core.matcher_info(self._m)[0]

    def __len__(self) -> int:
        return len(self._patterns)

    def __reduce__(self) -> tuple:
        # rebuilt from its patterns where it is unpickled (a Dask worker)
        return (_matcher, (self._patterns, self._fold))

    def __repr__(self) -> str:
        size, nodes, _ = _core.matcher_info(self._m)
        return (f"<Matcher: {len(self._patterns):,} patterns, {nodes:,} states, "
                f"{size / 2**20:.1f} MiB{', case-folded' if self._fold else ''}>")

    def find_stream(self, source: Union[str, os.PathLike, Any], *, overlapping: bool = True,
                    chunk_size: int = 1 << 22,
                    max_matches: Optional[int] = MAX_MATCHES) -> Iterable[pd.DataFrame]:
        r"""The matches in a UTF-8 file read piece by piece (see
        :func:`read_chunks`), in bounded memory: DataFrames with ``start``, ``end``
        (code points in the whole file) and ``pattern``. Patterns must not
        contain a line break (pieces end after one). ``max_matches`` bounds the
        matches of each piece (see :meth:`find`).

        Examples
        --------
        >>> import io, pandas as pd
        >>> from qdacore.text import Matcher
        >>> source = io.BytesIO("建设都市圈\n培育副中心\n".encode())
        >>> found = pd.concat(Matcher(["都市圈", "副中心"]).find_stream(source, chunk_size=8))
        >>> found[["start", "end"]].to_numpy().tolist()
        [[2, 5], [8, 11]]
        """
        if any("\n" in p for p in self._patterns):
            raise ValueError("patterns contain a line break; find_stream cuts the file after "
                             "line breaks, so read the file whole and use find()")
        max_matches = _bound(max_matches)
        return stream_frames((offset, self.find(text, overlapping=overlapping,
                                                max_matches=max_matches))
                              for offset, text in read_chunks(source, chunk_size=chunk_size))

    def find_arrays(self, texts: Texts, *, overlapping: bool = True,
                    max_matches: Optional[int] = MAX_MATCHES) -> dict[str, np.ndarray]:
        """The matches as int64 arrays ``text`` (position of the text), ``start``,
        ``end`` and ``pattern`` (position in :attr:`patterns`); ``overlapping``
        and ``max_matches`` as in :meth:`find`.

        Examples
        --------
        >>> from qdacore.text import Matcher
        >>> found = Matcher(["都市圈", "副中心"]).find_arrays(["培育副中心", "都市圈"])
        >>> {k: v.tolist() for k, v in found.items()}
        {'text': [0, 1], 'start': [2, 0], 'end': [5, 3], 'pattern': [1, 0]}
        """
        values, _ = texts_and_labels(texts)
        text, start, end, pattern = self._find(values, overlapping, max_matches)
        return {"text": text, "start": start, "end": end, "pattern": pattern}

    def find(self, texts: Texts, *, overlapping: bool = True,
             max_matches: Optional[int] = MAX_MATCHES) -> pd.DataFrame:
        """The matches in texts as a DataFrame, with no Python object per match.

        Parameters
        ----------
        texts : str, bytes, sequence of them, or Series
            A Series lends its index to the ``text`` column.
        overlapping : bool
            True: every occurrence of every pattern (ordered by end, then start).
            False: leftmost-longest without overlaps (from the left, the longest
            pattern at the first position where one starts, then on after it).
        max_matches : int or None
            Most matches returned (default :data:`MAX_MATCHES`, 10 million):
            more raise ValueError, found while matching, before memory runs
            out. None takes every match (32 bytes each) on the caller's
            responsibility.

        Returns
        -------
        DataFrame
            ``text`` (label), ``start``, ``end`` (code points) and ``pattern``
            (categorical of the patterns).

        Examples
        --------
        See the class example.
        """
        values, labels = texts_and_labels(texts)
        return self._table(labels, *self._find(values, overlapping, max_matches))

    def _find(self, values: Any, overlapping: bool,
              max_matches: Optional[int]) -> tuple[np.ndarray, ...]:
        """The C matcher on texts as :func:`texts_and_labels` gives them:
        text positions, starts, ends and pattern positions."""
        return _core.find(self._m, values, bool(overlapping), _bound(max_matches))

    def _table(self, labels: pd.Index, text: np.ndarray, start: np.ndarray, end: np.ndarray,
               pattern: np.ndarray) -> pd.DataFrame:
        """The matches as :meth:`find` returns them."""
        return pd.DataFrame({
            "text": labels.take(text), "start": start, "end": end,
            "pattern": pd.Categorical.from_codes(self._code[pattern], categories=self._categories),
        })


def _bound(max_matches: Optional[int]) -> Optional[int]:
    return None if max_matches is None else check.whole(max_matches, "max_matches")


def kwic(texts: Texts, patterns: Union[Sequence[str], Matcher], *, width: int = 10,
         overlapping: bool = False, fold_case: bool = False,
         max_matches: Optional[int] = MAX_MATCHES) -> pd.DataFrame:
    """Keyword in context: each match with the text on either side.

    Parameters
    ----------
    texts : str, bytes, sequence of them, or Series
    patterns : sequence of str or Matcher
    width : int
        Characters of context on each side (fewer at the ends of a text).
    overlapping, fold_case, max_matches
        As in :class:`Matcher` (leftmost-longest matches by default).

    Returns
    -------
    DataFrame
        ``text``, ``start``, ``end``, ``pattern``, then ``left``, ``keyword``
        (the text as it appears) and ``right``.

    Examples
    --------
    >>> from qdacore.text import kwic
    >>> kwic(["推进成渝地区双城经济圈建设，打造带动全国高质量发展的重要增长极"],
    ...      ["双城经济圈", "增长极"], width=4)[["left", "keyword", "right"]]
       left keyword right
    0  成渝地区   双城经济圈  建设，打
    1  展的重要     增长极
    """
    width = check.whole(width, "width")
    matcher = patterns if isinstance(patterns, Matcher) else Matcher(patterns, fold_case=fold_case)
    values, labels = texts_and_labels(texts)
    text, start, end, pattern = matcher._find(values, overlapping, max_matches)
    out = matcher._table(labels, text, start, end, pattern)
    out["left"] = _core.slices(values, text, start - width, start)
    out["keyword"] = _core.slices(values, text, start, end)
    out["right"] = _core.slices(values, text, end, end + width)
    return out


def _matcher(patterns: list[str], fold_case: bool) -> Matcher:
    """A Matcher from its pickle."""
    return Matcher(patterns, fold_case=fold_case)
