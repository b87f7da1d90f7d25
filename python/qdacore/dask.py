"""qdacore's text statistics on Dask collections: a corpus on a cluster
(a university's SLURM cluster through dask-jobqueue, an existing scheduler)
or larger than one machine's memory.

Each partition is counted by the same C kernels as a single call, into a
partial result (:class:`qdacore.text.CowordCounts`,
:class:`qdacore.text.TermCounts`); the partial results are added in C in a
tree (``split_every`` at a time) and finished once, so the result equals the
single-machine call's exactly, whatever the partitioning. qdacore runs no
engine of its own: only ``to_delayed`` and ``delayed`` are used.

Needs ``pip install qdacore[dask]``. Kernels run on one thread per task
(``threads=1``): Dask's workers are the parallelism. A
:class:`~qdacore.text.Segmenter` or :class:`~qdacore.text.Matcher` is
shipped once per graph and rebuilt once per worker process. Dictionary
matches (:func:`find`) come back as the one table ``Matcher.find`` gives.

Examples
--------
>>> import dask.dataframe as dd, pandas as pd
>>> import qdacore.dask as qd
>>> texts = dd.from_pandas(pd.Series(["城市群", "城市", "城乡"]), npartitions=2)
>>> qd.cooccurrence(texts, window=1)
  source target  count
0      城      市      2
1      乡      城      1
2      市      群      1
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional, Union

from .text import MAX_MATCHES, CowordCounts, Matcher, Segmenter, TermCounts, TermMatrix

_Analyzer = Union[str, Segmenter]


def _delayed_parts(texts: Any) -> list:
    """The partitions of a dask Series, Bag or tokens table as Delayed
    values, in order."""
    try:
        import dask  # noqa: F401
    except ImportError:
        raise ImportError("qdacore.dask needs Dask: pip install qdacore[dask]") from None
    if not hasattr(texts, "to_delayed"):
        raise TypeError("texts must be a dask Series (one column of a dask DataFrame) or a "
                        f"dask Bag of texts, got {type(texts).__name__}; for pandas or lists "
                        "call qdacore.text directly")
    if getattr(texts, "ndim", 1) == 2 and not {"text", "token"} <= set(texts.columns):
        raise TypeError("texts must be one column (a dask Series) or a tokens table (columns "
                        "'text' and 'token', partitioned by text), not a dask DataFrame of "
                        f"columns {list(texts.columns)}; pass e.g. frame['text']")
    parts = texts.to_delayed()
    if hasattr(parts, "ravel"):  # an array of Delayed for some collections
        parts = list(parts.ravel())
    return list(parts)


def _as_series(part: Any) -> Any:
    """A Bag partition (a list) as texts; a Series or tokens table as it is."""
    import pandas as pd

    return part if isinstance(part, (pd.Series, pd.DataFrame)) else list(part)


def _added(parts: list) -> Any:
    return sum(parts[1:], parts[0])


def _tree(states: list, split_every: int) -> Any:
    """The states added as a tree of Delayed sums, split_every at a time."""
    from dask import delayed

    if not isinstance(split_every, int) or isinstance(split_every, bool) or split_every < 2:
        raise ValueError(f"split_every must be an int >= 2, got {split_every!r}")
    if not states:
        raise ValueError("texts has no partitions")
    level = states
    while len(level) > 1:
        level = [delayed(_added, pure=True)(level[i:i + split_every])
                 for i in range(0, len(level), split_every)]
    return level[0]


def _finish(value: Any, compute: bool) -> Any:
    return value.compute() if compute else value


def cooccurrence(texts: Any, *, window: Optional[int] = 4, analyzer: _Analyzer = "char",
                 stop_words: Optional[Iterable[str]] = None, min_count: int = 1,
                 hmm: bool = True, threads: Optional[int] = 1, split_every: int = 8,
                 compute: bool = True) -> Any:
    """:func:`qdacore.text.cooccurrence` of a dask Series or Bag of texts.

    The arguments are those of :func:`qdacore.text.cooccurrence`, and:

    Parameters
    ----------
    threads : int, optional
        Threads per task (default 1: Dask's workers are the parallelism).
    split_every : int
        How many partial results one task adds.
    compute : bool
        Compute now and return the table (default), or return a Delayed
        table, so that several statistics share one read of the data
        (``dask.compute(a, b)``).

    Returns
    -------
    DataFrame or Delayed
        Equal to the single-machine table, whatever the partitioning.

    Examples
    --------
    >>> import dask.bag as db
    >>> import qdacore.dask as qd
    >>> qd.cooccurrence(db.from_sequence(["城市群", "城市", "城乡"], npartitions=3), window=1)
      source target  count
    0      城      市      2
    1      乡      城      1
    2      市      群      1
    """
    from dask import delayed

    seg = delayed(analyzer, pure=True) if isinstance(analyzer, Segmenter) else analyzer
    states = [delayed(_coword_part, pure=True)(part, window, seg, stop_words, hmm, threads)
              for part in _delayed_parts(texts)]
    table = delayed(_coword_result, pure=True)(_tree(states, split_every), min_count)
    return _finish(table, compute)


def _coword_part(part: Any, window: Optional[int], analyzer: _Analyzer, stop_words: Any,
                 hmm: bool, threads: Optional[int]) -> CowordCounts:
    return CowordCounts.of(_as_series(part), window=window, analyzer=analyzer,
                           stop_words=stop_words, hmm=hmm, threads=threads)


def _coword_result(counts: CowordCounts, min_count: int) -> Any:
    return counts.result(min_count=min_count)


def term_matrix(texts: Any, *, analyzer: _Analyzer = "char", ngram_range: tuple[int, int] = (1, 1),
                min_df: Union[int, float] = 1, max_df: Union[int, float] = 1.0,
                stop_words: Optional[Iterable[str]] = None, tfidf: bool = False,
                hmm: bool = True, threads: Optional[int] = 1, split_every: int = 8,
                compute: bool = True) -> Any:
    """:func:`qdacore.text.term_matrix` of a dask Series or Bag of texts.

    ``min_df``, ``max_df`` and TF-IDF apply to the document frequencies of
    the whole corpus, summed over the partitions first (scikit-learn's
    vocabulary, not the union of per-partition filters). The arguments are
    those of :func:`qdacore.text.term_matrix` and of :func:`cooccurrence`.

    Returns
    -------
    TermMatrix or Delayed
        Rows in the order of the partitions, equal to the single-machine
        matrix of the same texts.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> import qdacore.dask as qd
    >>> texts = dd.from_pandas(pd.Series(["aa bb", "aa cc", "bb dd", "cc dd"]), npartitions=2)
    >>> qd.term_matrix(texts, min_df=2).terms.tolist()
    [' ', 'a', 'b', 'c', 'd']
    """
    from dask import delayed

    seg = delayed(analyzer, pure=True) if isinstance(analyzer, Segmenter) else analyzer
    states = [delayed(_terms_part, pure=True)(part, seg, ngram_range, stop_words, hmm, threads)
              for part in _delayed_parts(texts)]
    matrix = delayed(_terms_result, pure=True)(_tree(states, split_every), min_df, max_df, tfidf)
    return _finish(matrix, compute)


def _terms_part(part: Any, analyzer: _Analyzer, ngram_range: tuple[int, int], stop_words: Any,
                hmm: bool, threads: Optional[int]) -> TermCounts:
    return TermCounts.of(_as_series(part), analyzer=analyzer, ngram_range=ngram_range,
                         stop_words=stop_words, hmm=hmm, threads=threads)


def _terms_result(counts: TermCounts, min_df: Union[int, float], max_df: Union[int, float],
                  tfidf: bool) -> TermMatrix:
    return counts.result(min_df=min_df, max_df=max_df, tfidf=tfidf)


def find(texts: Any, patterns: Union[Matcher, list], *, overlapping: bool = True,
         max_matches: Optional[int] = MAX_MATCHES, compute: bool = True) -> Any:
    """:meth:`qdacore.text.Matcher.find` over a dask Series or Bag of texts:
    every match of many patterns (dictionary coding), one table.

    Parameters
    ----------
    texts : dask Series or Bag
        A Series lends its index to the ``text`` column; a Bag's texts are
        numbered across partitions, as one list of them would be.
    patterns : Matcher or list of str
        The patterns; a Matcher is shipped once and rebuilt once per worker.
    overlapping, max_matches
        As in :meth:`~qdacore.text.Matcher.find`; ``max_matches`` bounds the
        matches of the whole corpus.
    compute : bool
        Compute now (default), or return a Delayed table.

    Returns
    -------
    DataFrame or Delayed
        Equal to ``Matcher.find`` on all the texts, in partition order.

    Examples
    --------
    >>> import dask.bag as db
    >>> import qdacore.dask as qd
    >>> qd.find(db.from_sequence(["城市群", "乡村", "城乡融合"], npartitions=2), ["城市", "乡村", "融合"])
       text  start  end pattern
    0     0      0    2      城市
    1     1      0    2      乡村
    2     2      2    4      融合
    """
    from dask import delayed

    matcher = patterns if isinstance(patterns, Matcher) else Matcher(list(patterns))
    shipped = delayed(matcher, pure=True)
    tables = [delayed(_find_part, pure=True)(part, shipped, overlapping, max_matches)
              for part in _delayed_parts(texts)]
    table = delayed(_joined_matches, pure=True)(tables, max_matches)
    return _finish(table, compute)


def _find_part(part: Any, matcher: Matcher, overlapping: bool,
               max_matches: Optional[int]) -> tuple[Any, int, bool]:
    texts = _as_series(part)
    numbered = isinstance(texts, list)
    return matcher.find(texts, overlapping=overlapping, max_matches=max_matches), len(texts), numbered


def _joined_matches(tables: list, max_matches: Optional[int]) -> Any:
    import pandas as pd

    pieces, first = [], 0
    for table, n_texts, numbered in tables:
        if numbered:  # a Bag partition's texts, numbered on from those before
            table = table.assign(text=table["text"] + first)
        pieces.append(table)
        first += n_texts
    found = pd.concat(pieces, ignore_index=True)
    if max_matches is not None and len(found) > max_matches:
        raise ValueError(f"the texts hold {len(found):,} matches, more than "
                         f"max_matches={max_matches:,}; raise max_matches or pass None")
    return found


__all__ = ["cooccurrence", "term_matrix", "find"]
