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

from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

import pandas as pd

from ._model import By
from ._pieces import CodeCounts
from .agree import AgreementTallies
from .codebook import Codebook
from .cooc import CooccurrenceCounts
from .project import Project
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
                 hmm: bool = True, threads: Optional[int] = 1, split_every: int = 2,
                 compute: bool = True) -> Any:
    """:func:`qdacore.text.cooccurrence` of a dask Series or Bag of texts.

    The arguments are those of :func:`qdacore.text.cooccurrence`, and:

    Parameters
    ----------
    threads : int, optional
        Threads per task (default 1: Dask's workers are the parallelism).
    split_every : int
        How many partial results one task adds (default 2 here, 8 for the
        other statistics). A piece's co-word table soon holds most of the
        corpus' pairs, so a task adding eight would hold eight tables near
        the final one's size; adding two, it holds three (two in, one out).
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




# -- projects -------------------------------------------------------------------------

class ProjectFrames:
    """A project whose items and codings are dask DataFrames partitioned by
    document: the Project statistics counted partition by partition (each
    partition a small Project of the whole codebook, the documents table and
    its items and codings) and added in a tree, equal to the single call on
    the whole project.

    Parameters
    ----------
    codebook : Codebook or DataFrame
        The whole codebook (shipped once per graph).
    documents : DataFrame
        The whole documents table, pandas (or dask, computed once here).
    items, codings : dask DataFrame
        The items and codings, in the same number of partitions: partition
        ``i`` of ``codings`` holds the codings of the items of partition
        ``i`` of ``items``, and no document has items in two partitions
        (read one file per region or document with ``dd.from_map``, or
        ``set_index("doc")`` both tables after joining ``doc`` to the
        codings). Both are checked when the statistic runs: a coding of an
        item of another partition, or a document split between partitions,
        is a ValueError that says so. The whole project is the partitions
        end to end, in order, as ``items.compute()`` gives them (with Dask's
        dtypes: Dask may make string columns pyarrow strings): groups of
        ``by=`` come in that order.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> import qdacore as qc, qdacore.dask as qd
    >>> project = qc.datasets.megaregions()
    >>> items, codings = project.items, project.codings
    >>> parts = [items["doc"].isin(project.documents["doc"].iloc[:8]), None]
    >>> parts[1] = ~parts[0]
    >>> frames = qd.ProjectFrames(
    ...     project.codebook, project.documents,
    ...     dd.concat([dd.from_pandas(items[p], npartitions=1) for p in parts]),
    ...     dd.concat([dd.from_pandas(codings[codings["item"].isin(items["item"][p])],
    ...                               npartitions=1) for p in parts]))
    >>> frames.frequencies("theme", by="substitute")
    substitute  False  True
    theme
    COE           391    105
    CON           364    120
    COO           437    161
    """

    def __init__(self, codebook: Union[Codebook, pd.DataFrame], documents: Any, items: Any,
                 codings: Any) -> None:
        try:
            import dask  # noqa: F401
        except ImportError:
            raise ImportError("qdacore.dask needs Dask: pip install qdacore[dask]") from None
        self._codebook = codebook if isinstance(codebook, Codebook) else Codebook(codebook)
        if hasattr(documents, "compute") and not isinstance(documents, pd.DataFrame):
            documents = documents.compute()
        if not isinstance(documents, pd.DataFrame):
            raise TypeError(f"documents must be a DataFrame, got {type(documents).__name__}")
        self._documents = documents
        for name, frame in (("items", items), ("codings", codings)):
            if not hasattr(frame, "to_delayed") or getattr(frame, "ndim", 2) != 2:
                raise TypeError(f"{name} must be a dask DataFrame partitioned by document, got "
                                f"{type(frame).__name__}; for pandas tables use qdacore.Project")
        if items.npartitions != codings.npartitions:
            raise ValueError(f"items has {items.npartitions} partitions and codings "
                             f"{codings.npartitions}; partition i of codings must hold the codings "
                             "of the items of partition i")
        self._items, self._codings = items, codings

    def __repr__(self) -> str:
        return (f"<ProjectFrames: {len(self._documents)} documents, "
                f"{self._items.npartitions} partitions>")

    def _states(self, make: Any, *args: Any) -> list:
        """One Delayed partial result per partition."""
        from dask import delayed

        codebook = delayed(self._codebook, pure=True)
        documents = delayed(self._documents, pure=True)
        return [delayed(_piece_state, pure=True)(make, codebook, documents, items, codings, i, *args)
                for i, (items, codings) in enumerate(zip(_frame_parts(self._items),
                                                         _frame_parts(self._codings)))]

    def frequencies(self, level: Optional[str] = None, *, by: By = None, unit: str = "coding",
                    per_characters: Optional[int] = None, dropna: bool = True,
                    labels: Union[bool, str] = False, split_every: int = 8,
                    compute: bool = True) -> Any:
        """:meth:`qdacore.Project.frequencies` of the whole project.

        The arguments are those of :meth:`qdacore.Project.frequencies`, and
        ``split_every`` and ``compute`` as in :func:`cooccurrence`.

        Examples
        --------
        >>> import dask.dataframe as dd
        >>> import qdacore as qc, qdacore.dask as qd
        >>> project = qc.datasets.megaregions()
        >>> frames = qd.ProjectFrames(project.codebook, project.documents,
        ...                           dd.from_pandas(project.items, npartitions=1),
        ...                           dd.from_pandas(project.codings, npartitions=1))
        >>> frames.frequencies("vision", unit="document")
        vision
        V-MP    21
        V-FM    21
        V-FC    21
        Name: documents, dtype: int64
        """
        from dask import delayed

        states = self._states(_code_counts, level, by, unit, dropna)
        table = delayed(_frequencies_result, pure=True)(_tree(states, split_every), per_characters,
                                                        labels)
        return _finish(table, compute)

    def code_document_table(self, level: Optional[str] = None, *, by: By = "doc",
                            unit: str = "coding", normalize: Optional[str] = None,
                            margins: bool = False, percent: bool = False, dropna: bool = True,
                            labels: Union[bool, str] = False, split_every: int = 8,
                            compute: bool = True) -> Any:
        """:meth:`qdacore.Project.code_document_table` of the whole project.

        The arguments are those of
        :meth:`qdacore.Project.code_document_table`, and ``split_every`` and
        ``compute`` as in :func:`cooccurrence`.

        Examples
        --------
        >>> import dask.dataframe as dd
        >>> import qdacore as qc, qdacore.dask as qd
        >>> project = qc.datasets.megaregions()
        >>> frames = qd.ProjectFrames(project.codebook, project.documents,
        ...                           dd.from_pandas(project.items, npartitions=1),
        ...                           dd.from_pandas(project.codings, npartitions=1))
        >>> frames.code_document_table("theme", by="substitute", margins=True)
        substitute  False  True  Total
        theme
        COE           391   105    496
        CON           364   120    484
        COO           437   161    598
        Total        1192   386   1578
        """
        from dask import delayed

        if by is None:
            raise ValueError("by=None: a code-document table needs columns; pass by='doc' "
                             "or use frequencies() for overall counts")
        states = self._states(_code_counts, level, by, unit, dropna)
        table = delayed(_table_result, pure=True)(_tree(states, split_every), normalize, margins,
                                                  percent, labels)
        return _finish(table, compute)

    def cooccurrence(self, level: Optional[str] = None, *, context: Optional[str] = None,
                     measure: str = "count", window: Optional[int] = None, by: By = None,
                     dropna: bool = True, labels: Union[bool, str] = False, as_dict: bool = False,
                     split_every: int = 8, compute: bool = True) -> Any:
        """:meth:`qdacore.Project.cooccurrence` of the whole project.

        The arguments are those of :meth:`qdacore.Project.cooccurrence`, and
        ``split_every`` and ``compute`` as in :func:`cooccurrence`.
        ``context=None`` is chosen per partition
        (:func:`qdacore.cooc.default_context`); partitions that choose
        differently raise ValueError: pass the context.

        Examples
        --------
        >>> import dask.dataframe as dd
        >>> import qdacore as qc, qdacore.dask as qd
        >>> project = qc.datasets.megaregions()
        >>> frames = qd.ProjectFrames(project.codebook, project.documents,
        ...                           dd.from_pandas(project.items, npartitions=1),
        ...                           dd.from_pandas(project.codings, npartitions=1))
        >>> frames.cooccurrence("theme", context="document")
        theme  COE  CON  COO
        theme
        COE     21   21   21
        CON     21   21   21
        COO     21   21   21
        """
        from dask import delayed

        states = self._states(_cooc_counts, level, context, window, by, dropna)
        table = delayed(_cooc_result, pure=True)(_tree(states, split_every), measure, labels,
                                                 as_dict)
        return _finish(table, compute)

    def agreement(self, level: Optional[str] = None, *, coders: Optional[Sequence[Any]] = None,
                  method: str = "krippendorff", unit: str = "item", per_code: bool = True,
                  ci: Optional[float] = 0.95, n_boot: int = 1000, seed: int = 0,
                  labels: Union[bool, str] = False, progress: Optional[bool] = False,
                  split_every: int = 8, compute: bool = True) -> Any:
        """:meth:`qdacore.Project.agreement` of the whole project.

        The arguments are those of :meth:`qdacore.Project.agreement`, and
        ``split_every`` and ``compute`` as in :func:`cooccurrence`. Give
        ``coders`` when a partition may lack one of them (each partition
        otherwise takes its own coders). ``ci`` needs
        ``method="krippendorff"`` or None: the other coefficients' intervals
        resample units, which only the whole project holds
        (:class:`qdacore.agree.AgreementTallies`).

        Examples
        --------
        >>> import dask.dataframe as dd
        >>> import qdacore as qc, qdacore.dask as qd
        >>> project = qc.datasets.megaregions(n_coders=2)
        >>> frames = qd.ProjectFrames(project.codebook, project.documents,
        ...                           dd.from_pandas(project.items, npartitions=1),
        ...                           dd.from_pandas(project.codings, npartitions=1))
        >>> frames.agreement("theme", method="gwet", ci=None)["gwet"].round(3).tolist()
        [0.968, 0.956, 0.932, 0.952]
        """
        from dask import delayed

        states = self._states(_agreement_tallies, level, coders, unit)
        table = delayed(_agreement_result, pure=True)(_tree(states, split_every), method,
                                                      per_code, ci, n_boot, seed, labels, progress)
        return _finish(table, compute)


def _frame_parts(frame: Any) -> list:
    parts = frame.to_delayed()
    return list(parts.ravel()) if hasattr(parts, "ravel") else list(parts)


def _cooc_counts(project: Project, piece: int, level: Optional[str], context: Optional[str],
                 window: Optional[int], by: By, dropna: bool) -> CooccurrenceCounts:
    return CooccurrenceCounts.of(project, level, context=context, window=window, by=by,
                                 dropna=dropna, piece=piece)


def _cooc_result(counts: CooccurrenceCounts, measure: str, labels: Union[bool, str],
                 as_dict: bool) -> Any:
    return counts.result(measure=measure, labels=labels, as_dict=as_dict)


def _agreement_tallies(project: Project, piece: int, level: Optional[str],
                       coders: Optional[Sequence[Any]], unit: str) -> AgreementTallies:
    return AgreementTallies.of(project, level, coders=coders, unit=unit, piece=piece)


def _agreement_result(tallies: AgreementTallies, method: str, per_code: bool,
                      ci: Optional[float], n_boot: int, seed: int, labels: Union[bool, str],
                      progress: Optional[bool]) -> pd.DataFrame:
    return tallies.result(method=method, per_code=per_code, ci=ci, n_boot=n_boot, seed=seed,
                          labels=labels, progress=progress)


def _piece_state(make: Any, codebook: Codebook, documents: pd.DataFrame, items: pd.DataFrame,
                 codings: pd.DataFrame, piece: int, *args: Any) -> Any:
    """The partial result of one partition, as a Project of its own."""
    known = codings["item"].isin(items["item"]).to_numpy()
    if not known.all():
        stray = codings["item"].to_numpy()[~known][0]
        raise ValueError(f"partition {piece}: codings of item {stray!r}, which is not among that "
                         "partition's items; partition the items and the codings alike, by "
                         "document (partition i of codings holds the codings of the items of "
                         "partition i)")
    project = Project(codebook, documents, items.reset_index(drop=True),
                      codings.reset_index(drop=True), allow_empty=True)
    return make(project, piece, *args)


def _code_counts(project: Project, piece: int, level: Optional[str], by: By, unit: str,
                 dropna: bool) -> CodeCounts:
    return CodeCounts.of(project, level, by=by, unit=unit, dropna=dropna, piece=piece)


def _frequencies_result(counts: CodeCounts, per_characters: Optional[int],
                        labels: Union[bool, str]) -> Any:
    return counts.result(per_characters=per_characters, labels=labels)


def _table_result(counts: CodeCounts, normalize: Optional[str], margins: bool, percent: bool,
                  labels: Union[bool, str]) -> pd.DataFrame:
    return counts.table(normalize=normalize, margins=margins, percent=percent, labels=labels)


__all__ = ["ProjectFrames", "cooccurrence", "term_matrix", "find"]
