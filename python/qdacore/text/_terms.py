"""Counts over tokens: document-term matrices (:func:`term_matrix`,
:class:`TermMatrix`), document similarity (:func:`similarity`) and co-word
counts (:func:`cooccurrence`), of characters or of a :class:`Segmenter`'s
words, counted in C."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Union

import numpy as np
import pandas as pd

from .. import _core
from .. import _validate as check
from .._partial import Partial, TextBatches, check_whole_texts, fold_stream, merge_counts, union_vocabulary
from ._input import distinct_categorical, texts_and_labels
from ._segment import Segmenter, token_ids

_N_CODE_POINTS = 0x110000
Analyzer = Union[str, Segmenter]


class _Stream(NamedTuple):
    """Documents as token ids in CSR form, and how to spell the ids."""

    indptr: np.ndarray
    tokens: np.ndarray
    n_vocab: int
    strings: Optional[list]  # token strings by id; None: ids are code points
    labels: pd.Index
    joiner: int  # code point between tokens of an n-gram, -1 for none


def _stream(texts: Any, analyzer: Analyzer, hmm: bool) -> _Stream:
    """Token ids of texts: characters, a Segmenter's words, or a tokens table
    from :meth:`Segmenter.tokenize` (columns ``text`` and ``token``)."""
    if isinstance(texts, pd.DataFrame):
        if not {"text", "token"} <= set(texts.columns):
            raise ValueError("a tokens table needs the columns 'text' and 'token' "
                             "(as Segmenter.tokenize returns)")
        token = texts["token"]
        if not isinstance(token.dtype, pd.CategoricalDtype):
            token = token.astype("category")
        codes, labels = pd.factorize(texts["text"])
        if len(codes) > 1 and (np.diff(codes) < 0).any():
            raise ValueError("the tokens table must keep each text's rows together, in order")
        indptr = np.zeros(len(labels) + 1, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=len(labels)), out=indptr[1:])
        categories = token.cat.categories.astype(str).tolist()
        return _Stream(indptr, token.cat.codes.to_numpy(np.int64), len(categories), categories,
                       pd.Index(labels, name="text"), ord(" "))
    values, labels = texts_and_labels(texts)
    if isinstance(analyzer, Segmenter):
        indptr, ids, vocab = token_ids(analyzer, values, hmm)
        return _Stream(indptr, ids, len(vocab), vocab, labels, ord(" "))
    if isinstance(analyzer, str) and analyzer == "char":
        indptr, cps = _core.char_tokens(values)
        return _Stream(indptr, cps, _N_CODE_POINTS, None, labels, -1)
    raise ValueError(f"analyzer must be 'char' or a Segmenter, got {analyzer!r}")


def _keep(strings: Optional[list], stop_words: Optional[Iterable[str]]) -> Optional[np.ndarray]:
    """A keep mask over token ids (code points when strings is None) without
    the stop words, or None."""
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        raise TypeError("stop_words must be a collection of str, not one str")
    stop = pd.Index(list(stop_words), dtype=object)
    if strings is not None:
        return ~pd.Index(strings, dtype=object).isin(stop)
    lengths = stop.str.len()
    if len(stop) and (lengths != 1).any():
        raise ValueError("with analyzer='char', stop_words must be single characters")
    keep = np.ones(_N_CODE_POINTS, dtype=bool)
    joined = "".join(stop.tolist()).encode("utf-32-le", "surrogatepass")
    keep[np.frombuffer(joined, dtype="<u4")] = False
    return keep


@dataclass(frozen=True)
class TermMatrix:
    """A document-term matrix: ``matrix`` (scipy.sparse CSR, texts x terms),
    ``terms`` (Index named ``term``, sorted as scikit-learn sorts its
    vocabulary) and ``index`` (the texts' labels, an Index named ``text``).

    Examples
    --------
    >>> from qdacore.text import term_matrix
    >>> tm = term_matrix(["城市群", "城市"])
    >>> tm.matrix.shape, tm.terms.tolist(), tm.index.tolist()
    ((2, 3), ['城', '市', '群'], [0, 1])
    """

    matrix: Any
    terms: pd.Index
    index: pd.Index

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense DataFrame (texts x terms); for small corpora.

        Examples
        --------
        >>> from qdacore.text import term_matrix
        >>> term_matrix(["城市群", "城市"]).to_frame()
        term  城  市  群
        text
        0     1  1  1
        1     1  1  0
        """
        return pd.DataFrame(self.matrix.toarray(), index=self.index, columns=self.terms)


def _doc_count(value: Any, name: str, n_docs: int) -> float:
    """scikit-learn's reading of min_df/max_df: an int is a number of
    documents, a float in [0, 1] a share of them."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int or a float in [0, 1], got a bool")
    if isinstance(value, (int, np.integer)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
        return float(value)
    if isinstance(value, (float, np.floating)) and 0.0 <= value <= 1.0:
        return float(value) * n_docs
    raise ValueError(f"{name} must be an int >= 0 or a float in [0, 1], got {value!r}")


def term_matrix(texts: Any, *, analyzer: Analyzer = "char", ngram_range: tuple[int, int] = (1, 1),
                min_df: Union[int, float] = 1, max_df: Union[int, float] = 1.0,
                stop_words: Optional[Iterable[str]] = None, tfidf: bool = False,
                hmm: bool = True, threads: Optional[int] = None) -> TermMatrix:
    """Document-term counts of characters or words and their n-grams, in C.

    Equal to scikit-learn's ``CountVectorizer`` (``lowercase=False``) with
    ``analyzer="char"`` for ``analyzer="char"``, and with the Segmenter's
    tokens as ``analyzer`` (a callable analyzer there) otherwise: the same vocabulary in the same order
    and the same counts.

    Parameters
    ----------
    texts : str, bytes, sequence of them, Series, or tokens table
        A tokens table is the DataFrame of :meth:`Segmenter.tokenize`.
    analyzer : "char" or Segmenter
        Characters (runs of two or more white-space characters count as one
        space, as in scikit-learn), or the words of a :class:`Segmenter`.
    ngram_range : (min_n, max_n)
        n-grams of min_n to max_n consecutive tokens; word n-grams are spelled
        with spaces between the words, as scikit-learn spells them.
    min_df, max_df : int or float
        Keep terms found in at least ``min_df`` and at most ``max_df`` texts
        (an int counts texts, a float in [0, 1] is a share of them).
    stop_words : collection of str, optional
        Tokens removed before n-grams are formed (so n-grams close over them).
    tfidf : bool
        Weight by TF-IDF as scikit-learn's ``TfidfTransformer`` does by default
        (smooth idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit length).
    hmm : bool
        Passed to the Segmenter.
    threads : int, optional
        Character n-grams are counted on up to this many threads (parts of
        at least 65,536 n-grams); None uses every CPU the process may run on.
        The matrix is the same for any value; pass 1 when the caller runs
        its own threads or processes.

    Returns
    -------
    TermMatrix

    Examples
    --------
    >>> from qdacore.text import term_matrix
    >>> tm = term_matrix(["城市群城市", "城市"], ngram_range=(1, 2))
    >>> tm.terms.tolist()
    ['城', '城市', '市', '市群', '群', '群城']
    >>> tm.matrix.toarray()
    array([[2, 2, 2, 1, 1, 1],
           [1, 1, 1, 0, 0, 0]])
    """
    def count(piece: Any) -> TermCounts:
        return TermCounts.of(piece, analyzer=analyzer, ngram_range=ngram_range,
                             stop_words=stop_words, hmm=hmm, threads=threads)

    counts = (fold_stream(count(batch) for batch in texts) if isinstance(texts, TextBatches)
              else count(texts))
    return counts.result(min_df=min_df, max_df=max_df, tfidf=tfidf)


class TermCounts(Partial):
    """Document-term counts of some texts, to be added to those of other
    texts (``a + b``: the rows of ``b`` under those of ``a``, the
    vocabularies joined and the document frequencies summed) and finished
    once with :meth:`result`: the partial result behind :func:`term_matrix`.

    ``min_df``, ``max_df`` and TF-IDF apply in :meth:`result`, to the
    document frequencies of the whole corpus: the vocabulary is the one
    scikit-learn's ``CountVectorizer`` keeps for all the texts at once, not
    the union of what each piece would keep (the trap of filtering per
    partition). The pieces' rows stay in the order they were added.

    Examples
    --------
    >>> from qdacore.text import TermCounts, term_matrix
    >>> parts = [TermCounts.of(["aa bb", "aa cc"]), TermCounts.of(["bb dd", "cc dd"])]
    >>> sum(parts).result(min_df=2).terms.tolist()
    [' ', 'a', 'b', 'c', 'd']
    """

    _setting_names = ("analyzer", "ngram_range", "stop_words", "hmm")
    _matrix: Any  # CSR, texts x terms, unfiltered
    _terms: np.ndarray  # sorted, distinct (object array)
    _df: np.ndarray  # int64 documents per term
    index: pd.Index  # the texts' labels, as TermMatrix.index
    _numbered: bool  # texts given without labels: numbered on across pieces

    @classmethod
    def _make(cls, settings: tuple, matrix: Any, terms: np.ndarray, df: np.ndarray,
              labels: pd.Index) -> TermCounts:
        self = cls.__new__(cls)
        self._settings = settings
        self._matrix = matrix
        self._terms = terms
        self._df = df
        self.index = labels
        self._numbered = isinstance(labels, pd.RangeIndex) and labels.start == 0
        return self

    @classmethod
    def of(cls, texts: Any, *, analyzer: Analyzer = "char", ngram_range: tuple[int, int] = (1, 1),
           stop_words: Optional[Iterable[str]] = None, hmm: bool = True,
           threads: Optional[int] = None) -> TermCounts:
        """The document-term counts of ``texts``; the arguments are those of
        :func:`term_matrix`."""
        import scipy.sparse as sp

        try:
            min_n, max_n = (check.whole(v, "ngram_range", 1) for v in ngram_range)
        except TypeError:
            raise TypeError(f"ngram_range must be a pair of ints, got {ngram_range!r}") from None
        if max_n < min_n:
            raise ValueError(f"ngram_range=({min_n}, {max_n}): min_n must not exceed max_n")
        n_threads = check.threads(threads)
        stop_key = None if stop_words is None else tuple(sorted(set(stop_words)))
        settings = (_analyzer_key(analyzer, texts), (min_n, max_n), stop_key, bool(hmm))
        chars = (isinstance(analyzer, str) and analyzer == "char"
                 and not isinstance(texts, pd.DataFrame))
        if chars:
            values, labels = texts_and_labels(texts)
        else:
            stream = _stream(texts, analyzer, hmm)
            labels = stream.labels
        n_docs = len(labels)
        packed = None
        terms: Any  # the n-grams' strings, from either counting route
        if chars:  # straight from the texts, counted by sorting, columns in order
            packed = _core.count_char_ngrams(values, _keep(None, stop_words), min_n, max_n,
                                             n_threads)
            if packed is None:  # n-grams too long to pack: the hashed route
                stream = _stream(texts, analyzer, hmm)
        if packed is not None:
            indptr, columns, data, terms, df = packed
            matrix = sp.csr_matrix((data, columns, indptr), shape=(n_docs, len(terms)))
        else:
            kept_tokens = _keep(stream.strings, stop_words)
            indptr, grams, data, terms, rank = _core.count_ngrams(
                stream.indptr, stream.tokens, stream.n_vocab, kept_tokens, min_n, max_n,
                stream.strings, stream.joiner)
            matrix = sp.csr_matrix((data, rank[grams], indptr), shape=(n_docs, len(terms)))
            if len(terms) < len(rank):
                matrix.sum_duplicates()  # n-grams whose strings coincide share a column
            df = np.bincount(matrix.indices, minlength=len(terms))
        return cls._make(settings, matrix, np.asarray(terms, dtype=object), df.astype(np.int64),
                         labels)

    def _add(self, other: TermCounts) -> TermCounts:
        import scipy.sparse as sp

        if self._settings[0] == "tokens table":
            check_whole_texts(self.index, other.index, "TermCounts")
        terms, map_a, map_b = union_vocabulary(self._terms, other._terms)
        df = np.zeros(len(terms), dtype=np.int64)
        df[map_a] += self._df
        df[map_b] += other._df
        rows = []
        for part, new_column in ((self._matrix, map_a), (other._matrix, map_b)):
            # the maps increase, so each row's columns stay sorted
            rows.append(sp.csr_matrix((part.data, new_column[part.indices], part.indptr),
                                      shape=(part.shape[0], len(terms))))
        labels: pd.Index
        if self._numbered and other._numbered:
            labels = pd.RangeIndex(len(self.index) + len(other.index), name=self.index.name)
        else:
            labels = self.index.append(other.index)
        return TermCounts._make(self._settings, sp.vstack(rows, format="csr"), terms, df, labels)

    def __repr__(self) -> str:
        return (f"<TermCounts of {len(self.index):,} texts: {len(self._terms):,} terms "
                f"{self._describe(self._settings)}>")

    def result(self, *, min_df: Union[int, float] = 1, max_df: Union[int, float] = 1.0,
               tfidf: bool = False) -> TermMatrix:
        """The :class:`TermMatrix` :func:`term_matrix` returns for all the
        texts added; the arguments are those of :func:`term_matrix`."""
        import scipy.sparse as sp

        n_docs = len(self.index)
        if n_docs == 0:
            raise ValueError("texts is empty: a term matrix needs at least one text")
        low, high = _doc_count(min_df, "min_df", n_docs), _doc_count(max_df, "max_df", n_docs)
        if high < low:
            raise ValueError("max_df corresponds to fewer documents than min_df")
        df, matrix = self._df, self._matrix
        keep = (df >= low) & (df <= high)
        if not keep.any():
            raise ValueError("no terms remain: the texts are empty, only stop words, or "
                             "min_df/max_df leave nothing; lower min_df or raise max_df")
        terms_index = pd.Index(self._terms, dtype=object, name="term", copy=False)
        if not keep.all():
            matrix = matrix[:, np.flatnonzero(keep)]
            terms_index = terms_index[keep]
        if tfidf:
            df_kept = df[keep]
            idf = np.log((1.0 + n_docs) / (1.0 + df_kept)) + 1.0
            matrix = matrix.astype(np.float64) @ sp.diags(idf)
            norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
        return TermMatrix(sp.csr_matrix(matrix), terms_index, self.index)


def similarity(matrix: Union[TermMatrix, Any], *, measure: str = "cosine",
               index: Optional[Sequence[Any]] = None) -> pd.DataFrame:
    """Document-by-document similarity of a term matrix.

    Parameters
    ----------
    matrix : TermMatrix or scipy.sparse matrix
    measure : {"cosine", "jaccard"}
        ``"cosine"``: cosine of the term vectors (0 for an empty document), as
        scikit-learn's ``cosine_similarity``. ``"jaccard"``: shared terms over
        terms of either document (term presence only).
    index : sequence, optional
        Labels of the rows of a bare sparse matrix.

    Returns
    -------
    DataFrame
        Square, both axes the texts.

    Examples
    --------
    >>> from qdacore.text import similarity, term_matrix
    >>> similarity(term_matrix(["城市群", "城市", "乡村"]), measure="jaccard").round(3)
    text      0      1    2
    text
    0     1.000  0.667  0.0
    1     0.667  1.000  0.0
    2     0.000  0.000  1.0
    """
    import scipy.sparse as sp

    check.choice(measure, "measure", ("cosine", "jaccard"))
    if isinstance(matrix, TermMatrix):
        labels = matrix.index
        x = sp.csr_matrix(matrix.matrix, dtype=np.float64)
    else:
        x = sp.csr_matrix(matrix, dtype=np.float64)
        labels = pd.RangeIndex(x.shape[0], name="text") if index is None else pd.Index(index)
    if len(labels) != x.shape[0]:
        raise ValueError(f"index has {len(labels)} labels for {x.shape[0]} rows")
    if measure == "cosine":
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        y = sp.diags(scale) @ x
        values = (y @ y.T).toarray()
    else:
        b = (x != 0).astype(np.float64)
        inter = (b @ b.T).toarray()
        sizes = np.asarray(b.sum(axis=1)).ravel()
        union = sizes[:, None] + sizes[None, :] - inter
        values = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        np.fill_diagonal(values, 1.0)
    return pd.DataFrame(values, index=labels, columns=labels)


def cooccurrence(texts: Any, *, window: Optional[int] = 4, analyzer: Analyzer = "char",
                 stop_words: Optional[Iterable[str]] = None, min_count: int = 1,
                 hmm: bool = True, threads: Optional[int] = None) -> pd.DataFrame:
    """Co-word counts, as the edges of a co-word network.

    Parameters
    ----------
    texts : str, bytes, sequence of them, Series, or tokens table
        As in :func:`term_matrix`.
    window : int or None
        ``window=w`` counts two tokens as co-occurring when they are at most
        ``w`` positions apart in a text (each token pairs with the next ``w``,
        as quanteda's ``fcm(window=w)``; nltk's ``window_size`` is ``w + 1``);
        every such pair of positions counts; the default, 4, pairs each token
        with the next four. None counts each text once for every two distinct
        tokens in it.
    analyzer : "char" or Segmenter
        Characters, or the words of a :class:`Segmenter`.
    stop_words : collection of str, optional
        Tokens removed first (the window closes over them).
    min_count : int
        Leave out pairs counted fewer times.
    threads : int, optional
        Windows are counted on up to this many threads (ranges of tokens of
        at least 65,536 positions each); None uses every CPU the process may
        run on. The counts are the same for any value; pass 1 when the
        caller runs its own threads or processes.

    Returns
    -------
    DataFrame
        ``source``, ``target`` (source < target; ordered categorical columns
        whose categories are the tokens, sorted), ``count`` (int32); the
        highest counts first, then by source and target. Pairs of a token
        with itself are not counted. Memory is proportional to the number of
        distinct pairs.

    Raises
    ------
    OverflowError
        When a pair would count more than 2,147,483,647 times (it takes a
        window of thousands over a token of a million places).

    Examples
    --------
    >>> import pandas as pd
    >>> from qdacore.text import Segmenter, cooccurrence
    >>> seg = Segmenter(pd.DataFrame({"word": ["城市", "乡村", "融合", "发展"],
    ...                               "freq": [9, 9, 9, 9]}))
    >>> cooccurrence(["城市乡村融合发展"], window=1, analyzer=seg, hmm=False)
      source target  count
    0     乡村     城市      1
    1     乡村     融合      1
    2     发展     融合      1
    """
    check.whole(min_count, "min_count", 1)

    def count(piece: Any) -> CowordCounts:
        return CowordCounts.of(piece, window=window, analyzer=analyzer, stop_words=stop_words,
                               hmm=hmm, threads=threads)

    counts = (fold_stream(count(batch) for batch in texts) if isinstance(texts, TextBatches)
              else count(texts))
    return counts.result(min_count=min_count)


def _analyzer_key(analyzer: Analyzer, texts: Any) -> Any:
    """What identifies an analyzer between processes: "char", a tokens
    table, or a digest of what built a Segmenter (its object is rebuilt on
    each worker, so identity cannot tell)."""
    if isinstance(texts, pd.DataFrame):
        return "tokens table"
    if isinstance(analyzer, Segmenter):
        return f"Segmenter {analyzer._fingerprint()[:12]}"
    return analyzer


class CowordCounts(Partial):
    """Co-word counts of some texts, to be added to the counts of other texts
    (``a + b``, exact, in C) and finished once with :meth:`result`: the
    partial result behind :func:`cooccurrence`, for corpora counted in pieces
    (:class:`~qdacore.io.TextBatches`, :mod:`qdacore.dask`).

    Pieces must hold whole texts (a window never reaches across texts); they
    may be added in any order. Counts are int64 while pieces are added;
    :meth:`result` gives the int32 counts :func:`cooccurrence` gives.

    Examples
    --------
    >>> from qdacore.text import CowordCounts, cooccurrence
    >>> a = CowordCounts.of(["城市群", "城市"], window=1)
    >>> b = CowordCounts.of(["城乡"], window=1)
    >>> (a + b).result()
      source target  count
    0      城      市      2
    1      乡      城      1
    2      市      群      1
    >>> (a + b).result().equals(cooccurrence(["城市群", "城市", "城乡"], window=1))
    True
    """

    _setting_names = ("window", "analyzer", "stop_words", "hmm")
    _vocabulary: Optional[np.ndarray]  # sorted token strings; None: code points
    _key: np.ndarray  # source << 32 | target, increasing, source < target
    _count: np.ndarray  # int64
    n_texts: int
    _tokens_of: Optional[pd.Index]  # a tokens table's texts: pieces must not share one

    @classmethod
    def _make(cls, settings: tuple, vocabulary: Optional[np.ndarray], key: np.ndarray,
              count: np.ndarray, n_texts: int, tokens_of: Optional[pd.Index]) -> CowordCounts:
        self = cls.__new__(cls)
        self._settings = settings
        self._vocabulary = vocabulary
        self._key = key
        self._count = count
        self.n_texts = n_texts
        self._tokens_of = tokens_of
        return self

    @classmethod
    def of(cls, texts: Any, *, window: Optional[int] = 4, analyzer: Analyzer = "char",
           stop_words: Optional[Iterable[str]] = None, hmm: bool = True,
           threads: Optional[int] = None) -> CowordCounts:
        """The co-word counts of ``texts``; the arguments are those of
        :func:`cooccurrence`."""
        # The core pairs positions fewer than w apart (w = 0: whole texts). No
        # text is 2^62 tokens long, so a larger window pairs the same positions and
        # is cut there, below the core's int64 limit.
        w = 0 if window is None else min(check.whole(window, "window", 1), 2**62) + 1
        n_threads = check.threads(threads)
        stream = _stream(texts, analyzer, hmm)
        keep = _keep(stream.strings, stop_words)
        stop_key = None if stop_words is None else tuple(sorted(set(stop_words)))
        settings = (window, _analyzer_key(analyzer, texts), stop_key, bool(hmm))
        if w > 0 and len(stream.indptr) > 1:
            # a window past the longest text pairs what that text's length does, and
            # the core's time follows the window: cut it there
            w = min(w, max(int(np.max(np.diff(stream.indptr))), 2))  # the core's least window is 2
        # Tokens renumbered by the code point order of their strings (as str
        # comparison orders them): the C core then returns the pairs with
        # source < target, sorted by (source, target), and adding two pieces'
        # counts is one merge of sorted keys.
        if stream.strings is None:  # code points: their value is their rank
            ranked, names = stream.tokens, None
        else:
            by_name = _core.string_order(stream.strings)
            rank = np.empty(len(by_name), dtype=np.int64)
            rank[by_name] = np.arange(len(by_name))
            ranked = rank[stream.tokens]
            keep = None if keep is None else keep[by_name]
            names = np.asarray(stream.strings, dtype=object)[by_name]
        row_start, target, count = _core.count_pairs(stream.indptr, ranked, stream.n_vocab, keep,
                                                     w, n_threads)
        source = np.repeat(np.arange(len(row_start) - 1, dtype=np.int64), np.diff(row_start))
        key = (source << 32) | target.astype(np.int64)
        tokens_of = stream.labels if isinstance(texts, pd.DataFrame) else None
        return cls._make(settings, names, key, count.astype(np.int64), len(stream.labels),
                         tokens_of)

    def _add(self, other: CowordCounts) -> CowordCounts:
        tokens_of = None
        if self._tokens_of is not None and other._tokens_of is not None:
            check_whole_texts(self._tokens_of, other._tokens_of, "CowordCounts")
            tokens_of = self._tokens_of.append(other._tokens_of)
        key_a, key_b = self._key, other._key
        vocabulary = self._vocabulary
        if vocabulary is not None and other._vocabulary is not None:
            vocabulary, map_a, map_b = union_vocabulary(vocabulary, other._vocabulary)
            key_a, key_b = _renumber(key_a, map_a), _renumber(key_b, map_b)
        key, count = merge_counts(key_a, self._count, key_b, other._count)
        return CowordCounts._make(self._settings, vocabulary, key, count,
                                  self.n_texts + other.n_texts, tokens_of)

    def __repr__(self) -> str:
        return (f"<CowordCounts of {self.n_texts:,} texts: {len(self._key):,} pairs "
                f"{self._describe(self._settings)}>")

    def result(self, *, min_count: int = 1) -> pd.DataFrame:
        """The table :func:`cooccurrence` returns for all the texts added.

        Parameters
        ----------
        min_count : int
            Leave out pairs counted fewer times.

        Raises
        ------
        OverflowError
            When a pair counts more than 2,147,483,647 times (the table's
            counts are int32).
        """
        min_count = check.whole(min_count, "min_count", 1)
        count = self._count
        if len(count) and int(count.max()) > np.iinfo(np.int32).max:
            at = int(np.argmax(count))
            raise OverflowError(f"a pair counts {int(count[at]):,} times, past the int32 counts "
                                "of cooccurrence's table")
        n_vocab = _N_CODE_POINTS if self._vocabulary is None else len(self._vocabulary)
        source = self._key >> 32
        row_start = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(np.bincount(source, minlength=n_vocab), out=row_start[1:])
        target = (self._key & 0xFFFFFFFF).astype(np.int32)
        # highest counts first, (source, target) order within a count (counts
        # are int32: a min_count past them keeps nothing, as 2^31 does)
        source, target, count = _core.pairs_by_count(row_start, target, count.astype(np.int32),
                                                     min(min_count, 2**31))
        names = self._vocabulary
        if names is None:  # the code points in use, as the categories
            used = np.zeros(_N_CODE_POINTS, dtype=bool)
            used[source] = used[target] = True
            cps = np.flatnonzero(used)
            lookup = np.zeros(_N_CODE_POINTS, dtype=np.int32)
            lookup[cps] = np.arange(len(cps))
            source, target = lookup[source], lookup[target]
            names = np.frombuffer(cps.astype("<u4").tobytes(), dtype="<U1").tolist()
        # categorical columns, one str per distinct token rather than per row,
        # ordered as the strings are (so source < target compares as str)
        edges = pd.DataFrame({"source": distinct_categorical(source, names, ordered=True),
                              "target": distinct_categorical(target, names, ordered=True),
                              "count": count}, copy=False)
        return edges.reset_index(drop=True)


def _renumber(key: np.ndarray, new_id: np.ndarray) -> np.ndarray:
    """Pair keys with both ids mapped through new_id (increasing: the keys
    stay sorted)."""
    return (new_id[key >> 32] << 32) | new_id[key & 0xFFFFFFFF]
