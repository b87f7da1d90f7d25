"""term_matrix, similarity and cooccurrence against peers run here on the same
input: scikit-learn (CountVectorizer, TfidfVectorizer, cosine_similarity),
scipy (Jaccard distance) and nltk (BigramCollocationFinder windows). Texts are
seeded synthetic data (tests/textcorpus.py)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

jieba = pytest.importorskip("jieba")
sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
nltk_collocations = pytest.importorskip("nltk.collocations")
from scipy.spatial.distance import cdist  # noqa: E402
from sklearn.metrics.pairwise import cosine_similarity  # noqa: E402

from qdacore import _core  # noqa: E402
from qdacore.text import Segmenter, cooccurrence, similarity, term_matrix  # noqa: E402

from textcorpus import jieba_corpus  # noqa: E402

jieba.setLogLevel(60)


@pytest.fixture(scope="module")
def texts():
    text = jieba_corpus(seed=99, n_bytes=300_000).replace("\ud800", "")
    return text.split("\n")


@pytest.fixture(scope="module")
def seg():
    return Segmenter.from_jieba()


@pytest.fixture(scope="module")
def tokenizer():
    t = jieba.Tokenizer()
    t.initialize()
    return t


def same_matrix(ours, vectorizer, matrix):
    assert ours.terms.tolist() == vectorizer.get_feature_names_out().tolist()
    assert ours.matrix.shape == matrix.shape
    assert abs(ours.matrix - matrix).max() < 1e-12 if ours.matrix.dtype.kind == "f" \
        else (ours.matrix != matrix).nnz == 0


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
def test_char_ngrams_equal_countvectorizer(texts, ngram_range):
    cv = sklearn_text.CountVectorizer(analyzer="char", ngram_range=ngram_range, lowercase=False)
    theirs = cv.fit_transform(texts)
    # the texts' 120,000-odd characters make up to three parts of 65,536
    # n-grams: one thread, and as many parts as fit
    assert sum(map(len, texts)) * (ngram_range[1] - ngram_range[0] + 1) > 2 * 65_536
    for threads in (1, 4):
        ours = term_matrix(texts, analyzer="char", ngram_range=ngram_range, threads=threads)
        same_matrix(ours, cv, theirs)


def test_char_ngrams_too_long_to_pack_fall_back_to_hashing(texts):
    # thousands of distinct characters take 13 bits each: five of them and a
    # text number do not fit in 64 bits, so the hashed route counts them
    some = texts[:300]
    assert _core.count_char_ngrams(some, None, 4, 5) is None
    cv = sklearn_text.CountVectorizer(analyzer="char", ngram_range=(4, 5), lowercase=False)
    theirs = cv.fit_transform(some)
    same_matrix(term_matrix(some, analyzer="char", ngram_range=(4, 5)), cv, theirs)


def test_word_ngrams_with_pruning_and_stop_words_equal_countvectorizer(texts, seg, tokenizer):
    stop = ["的", "，", "。", " ", "了"]
    cv = sklearn_text.CountVectorizer(tokenizer=lambda s: tokenizer.lcut(s), token_pattern=None,
                                      lowercase=False, ngram_range=(1, 2), stop_words=stop,
                                      min_df=2, max_df=0.8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn on stop words vs tokenizer
        theirs = cv.fit_transform(texts)
    ours = term_matrix(texts, analyzer=seg, ngram_range=(1, 2), stop_words=stop, min_df=2,
                       max_df=0.8)
    same_matrix(ours, cv, theirs)
    from_table = term_matrix(seg.tokenize(texts), ngram_range=(1, 2), stop_words=stop,
                             min_df=2, max_df=0.8)
    assert from_table.terms.equals(ours.terms)
    assert (from_table.matrix != ours.matrix).nnz == 0


def test_tfidf_equals_tfidfvectorizer(texts):
    tv = sklearn_text.TfidfVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, min_df=3)
    theirs = tv.fit_transform(texts)
    ours = term_matrix(texts, analyzer="char", ngram_range=(1, 2), min_df=3, tfidf=True)
    same_matrix(ours, tv, theirs)


def test_similarity_equals_sklearn_and_scipy(texts):
    tm = term_matrix(texts[:60] + [""], analyzer="char")
    cos = similarity(tm)
    assert np.allclose(cos.to_numpy(), cosine_similarity(tm.matrix), atol=1e-12)
    assert cos.index.equals(tm.index) and cos.columns.equals(tm.index)
    dense = tm.matrix.toarray() > 0
    jac = similarity(tm, measure="jaccard").to_numpy()
    expected = 1.0 - cdist(dense[:-1], dense[:-1], metric="jaccard")
    assert np.allclose(jac[:-1, :-1], expected, atol=1e-12)
    assert jac[-1, -1] == 1.0 and (jac[-1, :-1] == 0).all()


def nltk_window_counts(token_lists, window_size):
    """Unordered pair counts from nltk's windowed bigram finder, per text.
    nltk's window_size counts the token itself: tokens at most w apart are
    nltk's window_size=w + 1."""
    counts = {}
    for tokens in token_lists:
        finder = nltk_collocations.BigramCollocationFinder.from_words(tokens,
                                                                      window_size=window_size)
        for (a, b), n in finder.ngram_fd.items():
            if a != b:
                key = (min(a, b), max(a, b))
                counts[key] = counts.get(key, 0) + n
    return counts


@pytest.mark.parametrize("window", [1, 4])  # nltk's window_size 2 and 5
def test_window_cooccurrence_equals_nltk(texts, seg, tokenizer, window):
    sample = texts[:300]
    stop = {"，", "。", " "}
    ours = cooccurrence(sample, window=window, analyzer=seg, stop_words=stop)
    lists = [[w for w in tokenizer.lcut(t) if w not in stop] for t in sample]
    theirs = nltk_window_counts(lists, window + 1)
    assert dict(zip(zip(ours["source"], ours["target"]), ours["count"])) == theirs
    assert (ours["source"] < ours["target"]).all()
    assert ours["count"].is_monotonic_decreasing
    assert ours["count"].dtype == np.int32  # the C core's counts, not copied wider


def test_window_cooccurrence_on_threads_equals_nltk(seg, tokenizer):
    # over 4 x 65,536 kept tokens: the C core lays out and walks them in up
    # to four ranges on as many threads; every split gives nltk's counts
    big = jieba_corpus(seed=5, n_bytes=1_200_000).replace("\ud800", "").split("\n")
    stop = {"，", "。", " "}
    lists = [[w for w in tokenizer.lcut(t) if w not in stop] for t in big]
    assert sum(map(len, lists)) > 4 * 65_536
    window = 3  # nltk's window_size 4
    theirs = nltk_window_counts(lists, window + 1)
    for threads in (1, 2, 4):
        ours = cooccurrence(big, window=window, analyzer=seg, stop_words=stop, threads=threads)
        assert dict(zip(zip(ours["source"], ours["target"]), ours["count"])) == theirs


def test_a_window_past_the_longest_text_costs_what_the_text_does(texts, monkeypatch):
    """window=10**9 on short texts gives nltk's counts with a window the length
    of the longest text, and the core is asked for no wider window than that
    (its time follows the window it is given)."""
    sample = ["".join(c for c in t if "\u4e00" <= c <= "\u9fff") for t in texts[:40]]  # one token a character
    longest = max(map(len, sample))
    theirs = nltk_window_counts([list(t) for t in sample], longest)
    widths = []
    count_pairs = _core.count_pairs
    monkeypatch.setattr(_core, "count_pairs", lambda *a: widths.append(a[4]) or count_pairs(*a))
    ours = cooccurrence(sample, window=10**9)
    assert dict(zip(zip(ours["source"], ours["target"]), ours["count"])) == theirs
    assert widths == [longest]


def test_per_text_cooccurrence_counts_texts_sharing_both_terms(texts):
    sample = texts[:60]
    cv = sklearn_text.CountVectorizer(analyzer="char", lowercase=False, binary=True)
    x = cv.fit_transform(sample)
    both = (x.T @ x).tocoo()
    names = cv.get_feature_names_out()
    expected = {(names[i], names[j]): v for i, j, v in zip(both.row, both.col, both.data) if i < j}
    ours = cooccurrence(sample, window=None)
    assert dict(zip(zip(ours["source"], ours["target"]), ours["count"])) == expected
    assert ours["count"].dtype == np.int32


@pytest.mark.skipif(not _core.ALLOC_TESTING, reason="needs a build with QDACORE_ALLOC_TESTING=1 (make asan)")
def test_a_count_past_its_limit_is_an_overflow_error_naming_the_window():
    # a count past 2**31 - 1 takes billions of pair occurrences, so a test
    # build lowers the limit to 2**3 - 1: 甲乙 x 5 pairs the two 9 times at
    # window 1 (nltk's window_size 2), 8 texts of 甲乙 8 times per text
    text = "甲乙" * 5
    assert nltk_window_counts([list(text)], 2) == {("乙", "甲"): 9}
    _core._limit_pair_counts(3)
    try:
        with pytest.raises(OverflowError, match=r"window.*int32"):
            cooccurrence([text], window=1, threads=1)
        with pytest.raises(OverflowError, match=r"window.*int32"):
            cooccurrence(["甲乙"] * 8, window=None, threads=1)
        short = "甲乙" * 3  # 5 times: within the limit
        assert cooccurrence([short], window=1, threads=1)["count"].tolist() == [5]
    finally:
        _core._limit_pair_counts(0)
    assert cooccurrence([text], window=1)["count"].tolist() == [9]


def test_min_count_and_char_stop_words():
    edges = cooccurrence(["甲乙甲乙丙", "甲乙"], window=1, stop_words=["丙"], min_count=2)
    assert edges.to_dict("list") == {"source": ["乙"], "target": ["甲"], "count": [4]}


BAD = [
    ("ngram zero", lambda: term_matrix(["a"], ngram_range=(0, 1)), ValueError, ["ngram_range"]),
    ("ngram reversed", lambda: term_matrix(["a"], ngram_range=(2, 1)), ValueError, ["ngram_range"]),
    ("ngram floats", lambda: term_matrix(["a"], ngram_range=(1.0, 2)), TypeError, ["ngram_range"]),
    ("max_df share", lambda: term_matrix(["a"], max_df=1.5), ValueError, ["max_df"]),
    ("df order", lambda: term_matrix(["a", "b"], min_df=2, max_df=1), ValueError, ["max_df"]),
    ("nothing left", lambda: term_matrix(["a", "b"], min_df=2), ValueError, ["no terms"]),
    ("empty texts", lambda: term_matrix(["", ""]), ValueError, ["no terms"]),
    ("no texts", lambda: term_matrix([]), ValueError, ["texts", "empty"]),
    ("only stop chars", lambda: term_matrix(["aa", "a"], stop_words=["a"]), ValueError, ["no terms"]),
    ("stop words str", lambda: term_matrix(["a"], stop_words="ab"), TypeError, ["stop_words"]),
    ("char stop words", lambda: term_matrix(["a"], stop_words=["ab"]), ValueError, ["stop_words"]),
    ("analyzer name", lambda: term_matrix(["a"], analyzer="words"), ValueError, ["analyzer"]),
    ("tokens table", lambda: term_matrix(pd.DataFrame({"x": [1]})), ValueError, ["text", "token"]),
    ("window zero", lambda: cooccurrence(["ab"], window=0), ValueError, ["window"]),
    ("min_count zero", lambda: cooccurrence(["ab"], min_count=0), ValueError, ["min_count"]),
    ("threads zero", lambda: cooccurrence(["ab"], threads=0), ValueError, ["threads"]),
    ("matrix threads", lambda: term_matrix(["ab"], threads=-1), ValueError, ["threads"]),
    ("threads float", lambda: cooccurrence(["ab"], threads=2.0), TypeError, ["threads"]),
    ("measure", lambda: similarity(term_matrix(["a"]), measure="euclid"), ValueError, ["measure"]),
    ("bad utf-8", lambda: term_matrix([b"\xff"]), UnicodeDecodeError, []),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_a_named_exception(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_string_order_equals_numpy_stable_argsort(texts):
    # the C sort the co-word table ranks tokens with, against numpy's
    # stable argsort of the same str objects (ties, prefixes, NUL, astral)
    from qdacore import _core

    words = [w for t in texts[:200] for w in t.split("，")] + ["", "a", "a\0", "a", "😀", "\U0010ffff"]
    expected = np.argsort(np.asarray(words, dtype=object), kind="stable")
    assert _core.string_order(words).tolist() == expected.tolist()


def numpy_pairs_by_count(row_start, b, count, min_count):
    """The peer: rows spelled out with np.repeat, filtered, then numpy's
    stable argsort on the negated counts (int64: no overflow at -2**31)."""
    a = np.repeat(np.arange(len(row_start) - 1, dtype=np.int32), np.diff(row_start))
    kept = count >= min_count
    a, b, count = a[kept], b[kept], count[kept]
    order = np.argsort(-count.astype(np.int64), kind="stable")
    return a[order], b[order], count[order]


@pytest.mark.parametrize("counts", ["word counts", "wide", "extremes"])
def test_pairs_by_count_equals_numpy_stable_argsort(counts):
    # the order cooccurrence() returns, against numpy on the same rows:
    # counts spanning less than 2**16 (one radix pass), more (two passes),
    # and int32's extremes; min_count within and past the counts
    rng = np.random.default_rng(len(counts))
    for _ in range(40):
        n_rows, n = int(rng.integers(1, 60)), int(rng.integers(0, 3000))
        row_start = np.r_[0, np.sort(rng.integers(0, n + 1, n_rows - 1)), n].astype(np.int64)
        b = rng.integers(0, 2**31 - 1, n).astype(np.int32)
        if counts == "word counts":
            count = rng.geometric(0.3, n)
        elif counts == "wide":
            count = rng.integers(-2**31, 2**31, n, dtype=np.int64)
        else:
            count = rng.choice([-2**31, -1, 0, 1, 2, 65_536, 2**31 - 1], n)
        count = count.astype(np.int32)
        for min_count in (-2**40, 1, 3, 2**31 - 1, 2**40):
            ours = _core.pairs_by_count(row_start, b, count, min_count)
            theirs = numpy_pairs_by_count(row_start, b, count, min_count)
            for got, want in zip(ours, theirs):
                assert got.dtype == np.int32
                np.testing.assert_array_equal(got, want)


PAIRS_BAD = [
    ("row_start from 1", ([1, 1], [5], [1]), ValueError, ["row_start[0]", "first offset must be 0"]),
    ("row_start falls", ([0, 2, 1], [5], [1]), ValueError, ["row_start[2]", "decrease"]),
    ("row_start short", ([0, 0], [5], [1]), ValueError, ["row_start[1]", "number of entries"]),
    ("row_start empty", ([], [], []), ValueError, ["row_start"]),
    ("lengths differ", ([0, 1], [5], [1, 2]), ValueError, ["count", "length"]),
    ("float list", ([0, 1], [0.5], [1]), TypeError, ["b", "integer"]),
    ("bool list", ([0, 1], [5], [True]), TypeError, ["count", "integer"]),
    ("int64 counts", ([0, 1], [5], np.array([1], np.int64)), TypeError, ["count"]),
    ("two-d", ([[0, 1]], [5], [1]), ValueError, ["row_start", "1-dimensional"]),
]


@pytest.mark.parametrize("case", PAIRS_BAD, ids=[c[0] for c in PAIRS_BAD])
def test_pairs_by_count_bad_input_names_the_argument(case):
    _, args, exc, words = case
    with pytest.raises(exc) as info:
        _core.pairs_by_count(*args, 1)
    for word in words:
        assert word in str(info.value)


@pytest.mark.skipif(not _core.ALLOC_TESTING, reason="needs a build with QDACORE_ALLOC_TESTING=1 (make asan)")
def test_pairs_by_count_out_of_memory_is_a_memory_error():
    args = ([0, 2, 3], [5, 7, 3], [70_000, 1, 70_000], 1)  # two passes: 4 allocations
    for k in range(4):
        _core._fail_allocation_after(k)
        try:
            with pytest.raises(MemoryError):
                _core.pairs_by_count(*args)
        finally:
            _core._fail_allocation_after(-1)
    assert [x.tolist() for x in _core.pairs_by_count(*args)] == [[0, 1, 0], [5, 3, 7],
                                                                 [70_000, 70_000, 1]]


def test_cooccurrence_of_empty_texts_is_an_empty_table():
    for texts in ([], ["", ""]):
        edges = cooccurrence(texts, window=3)
        assert edges.columns.tolist() == ["source", "target", "count"]
        assert len(edges) == 0
