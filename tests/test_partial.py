"""Partial results (issue: beyond one machine): text statistics computed in
pieces and added in C equal the statistic of the whole corpus, in any order
and any partitioning; streaming over Parquet batches and Dask give the
single call's tables.

References: the single-machine calls, whose values are checked against
scikit-learn and quanteda-style counting in test_text_terms.py; the min_df
case is scikit-learn's ``CountVectorizer`` itself (dask-ml's per-partition
filtering keeps 2 of its 4 terms, the trap this avoids).
"""
from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdacore import _core
from qdacore.text import CowordCounts, Matcher, Segmenter, TermCounts, cooccurrence, term_matrix

WORDS = pd.DataFrame({"word": ["城市", "城市群", "乡村", "融合", "发展", "双城", "经济圈", "建设"],
                      "freq": [50, 40, 30, 30, 60, 20, 20, 40]})


@pytest.fixture(scope="module")
def seg():
    return Segmenter(WORDS)


def _equal_matrices(a, b):
    assert a.terms.equals(b.terms)
    assert a.index.equals(b.index)
    assert a.matrix.dtype == b.matrix.dtype
    assert (a.matrix != b.matrix).nnz == 0


# -- the merge in C: pandas' groupby-sum of the two lists is the reference -----

@given(st.lists(st.tuples(st.integers(-2**40, 2**40), st.integers(-10**6, 10**6)), max_size=60),
       st.lists(st.tuples(st.integers(-2**40, 2**40), st.integers(-10**6, 10**6)), max_size=60))
@settings(max_examples=200, deadline=None)
def test_merge_counts_equals_pandas_groupby_sum(a, b):
    def sorted_unique(pairs):
        frame = pd.DataFrame(pairs, columns=["key", "count"], dtype=np.int64)
        frame = frame.drop_duplicates("key").sort_values("key")
        return frame["key"].to_numpy(np.int64), frame["count"].to_numpy(np.int64)

    (ka, ca), (kb, cb) = sorted_unique(a), sorted_unique(b)
    key, count = _core.merge_counts(ka, ca, kb, cb)
    both = pd.DataFrame({"key": np.r_[ka, kb], "count": np.r_[ca, cb]})
    want = both.groupby("key")["count"].sum()
    np.testing.assert_array_equal(key, want.index.to_numpy())
    np.testing.assert_array_equal(count, want.to_numpy())


def test_merge_counts_refuses_unsorted_keys_and_overflow():
    with pytest.raises(ValueError, match=r"key_a\[1\]"):
        _core.merge_counts([2, 1], [1, 1], [], [])
    with pytest.raises(OverflowError, match="count_a"):
        _core.merge_counts([1], [2**63 - 1], [1], [1])
    with pytest.raises(ValueError, match="count_b"):
        _core.merge_counts([1], [1], [1], [1, 2])


# -- state(A) + state(B) == state(A u B) ---------------------------------------

TEXTS = st.lists(st.one_of(st.none(), st.text(alphabet="城市群乡村融合发展双经济圈建设 ab",
                                                  max_size=12)), min_size=1, max_size=12)


@given(TEXTS, st.integers(0, 12), st.sampled_from([1, 3, None]))
@settings(max_examples=80, deadline=None)
def test_coword_counts_of_two_pieces_equal_those_of_the_whole(texts, cut, window):
    cut = min(cut, len(texts))
    whole = cooccurrence(texts, window=window)
    a = CowordCounts.of(texts[:cut], window=window)
    b = CowordCounts.of(texts[cut:], window=window)
    pd.testing.assert_frame_equal((a + b).result(), whole)
    pd.testing.assert_frame_equal((b + a).result(), whole)


@given(TEXTS, st.integers(0, 12), st.sampled_from([1, 2, None]))
@settings(max_examples=60, deadline=None)
def test_coword_counts_of_words_in_pieces_equal_the_whole(texts, cut, window):
    seg = Segmenter(WORDS)
    cut = min(cut, len(texts))
    whole = cooccurrence(texts, window=window, analyzer=seg, hmm=False, stop_words=[" "])
    parts = [CowordCounts.of(part, window=window, analyzer=seg, hmm=False, stop_words=[" "])
             for part in (texts[cut:], texts[:cut])]
    pd.testing.assert_frame_equal(sum(parts).result(), whole)


@given(TEXTS, st.integers(0, 12), st.integers(1, 2))
@settings(max_examples=60, deadline=None)
def test_term_counts_of_two_pieces_equal_those_of_the_whole(texts, cut, max_n):
    cut = min(cut, len(texts))
    settings_ = dict(ngram_range=(1, max_n))
    try:
        whole = term_matrix(texts, min_df=2, tfidf=True, **settings_)
    except ValueError as refused:  # the sum is refused alike
        with pytest.raises(ValueError, match=re.escape(str(refused))):
            (TermCounts.of(texts[:cut], **settings_)
             + TermCounts.of(texts[cut:], **settings_)).result(min_df=2, tfidf=True)
        return
    total = TermCounts.of(texts[:cut], **settings_) + TermCounts.of(texts[cut:], **settings_)
    got = total.result(min_df=2, tfidf=True)
    _equal_matrices(got, whole)


def test_min_df_applies_to_the_whole_corpus_as_in_scikit_learn(seg):
    """The dask-ml trap: min_df=2 on two partitions of these four texts
    keeps 2 terms per partition there; scikit-learn keeps 4."""
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    texts = ["aa bb", "aa cc", "bb dd", "cc dd"]
    words = Segmenter(pd.DataFrame({"word": ["aa", "bb", "cc", "dd"], "freq": [5] * 4}))
    total = (TermCounts.of(texts[:2], analyzer=words, hmm=False, stop_words=[" "])
             + TermCounts.of(texts[2:], analyzer=words, hmm=False, stop_words=[" "]))
    got = total.result(min_df=2)
    reference = sklearn_text.CountVectorizer(min_df=2).fit(texts)
    assert got.terms.tolist() == reference.get_feature_names_out().tolist()
    assert len(got.terms) == 4
    np.testing.assert_array_equal(got.matrix.toarray(), reference.transform(texts).toarray())


def test_pieces_of_different_settings_are_not_added(seg):
    with pytest.raises(ValueError, match="different settings.*window=1.*window=2"):
        CowordCounts.of(["城市"], window=1) + CowordCounts.of(["城市"], window=2)
    with pytest.raises(ValueError, match="different settings"):
        CowordCounts.of(["城市"]) + CowordCounts.of(["城市"], analyzer=seg, hmm=False)
    with pytest.raises(ValueError, match="different settings"):
        TermCounts.of(["城市"]) + TermCounts.of(["城市"], ngram_range=(1, 2))
    with pytest.raises(TypeError):
        CowordCounts.of(["城市"]) + TermCounts.of(["城市"])


def test_a_tokens_table_split_inside_a_text_is_refused(seg):
    tokens = seg.tokenize(["城市乡村融合", "乡村城市"], hmm=False)
    with pytest.raises(ValueError, match="text 0 is in both pieces"):
        CowordCounts.of(tokens.iloc[:2], window=2) + CowordCounts.of(tokens.iloc[2:], window=2)
    with pytest.raises(ValueError, match="text 0 is in both pieces"):
        TermCounts.of(tokens.iloc[:2]) + TermCounts.of(tokens.iloc[2:])
    # split between texts, it adds up to the whole
    whole = cooccurrence(tokens, window=2)
    by_text = CowordCounts.of(tokens.iloc[:3], window=2) + CowordCounts.of(tokens.iloc[3:],
                                                                           window=2)
    pd.testing.assert_frame_equal(by_text.result(), whole)


def test_sums_past_int32_are_refused_by_the_result_not_wrapped():
    big = CowordCounts.of(["ab"], window=1)
    big._count = np.array([2**31 - 1], dtype=np.int64)
    with pytest.raises(OverflowError, match="2,147,483,648 times"):
        (big + CowordCounts.of(["ab"], window=1)).result()


# -- pickling: workers rebuild Segmenters and Matchers --------------------------

def test_segmenter_and_matcher_pickle_by_their_dictionaries(seg):
    seg = Segmenter(WORDS)
    seg.add_word("城乡融合", 80)
    seg.del_word("双城")
    copy = pickle.loads(pickle.dumps(seg))
    text = "推动成渝地区双城经济圈建设城乡融合发展"
    assert copy.cut(text, hmm=False) == seg.cut(text, hmm=False)
    assert len(copy) == len(seg) and copy.total == seg.total
    assert pickle.loads(pickle.dumps(seg)) is copy  # rebuilt once per process
    matcher = Matcher(["城市", "Ab"], fold_case=True)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(matcher)).find(["城市ab"]),
                                  matcher.find(["城市ab"]))


# -- streaming over Parquet batches ------------------------------------------------

def test_parquet_batches_count_as_the_whole(tmp_path, seg):
    pytest.importorskip("pyarrow", reason="read_parquet_batches needs pyarrow (qdacore[dask])")
    from qdacore.io import read_parquet_batches

    rng = np.random.default_rng(3)
    alphabet = np.array(list("城市群乡村融合发展双经济圈建设"))
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 30))) for _ in range(200)]
    path = tmp_path / "corpus.parquet"
    pd.DataFrame({"id": [f"d{i}" for i in range(200)], "text": texts}).to_parquet(
        path, row_group_size=17)
    batches = read_parquet_batches(path, "text")
    assert batches.total == 12
    pd.testing.assert_frame_equal(cooccurrence(batches, window=3, analyzer=seg, hmm=False),
                                  cooccurrence(texts, window=3, analyzer=seg, hmm=False))
    _equal_matrices(term_matrix(read_parquet_batches([path, path], "text", batch_rows=50)),
                    term_matrix(texts + texts))
    labelled = term_matrix(read_parquet_batches(path, "text", index="id"), ngram_range=(1, 2))
    want = term_matrix(pd.Series(texts, index=pd.Index([f"d{i}" for i in range(200)],
                                                        name="id")), ngram_range=(1, 2))
    _equal_matrices(labelled, want)
    with pytest.raises(KeyError, match="column='body' is not a column"):
        read_parquet_batches(path, "body")
    with pytest.raises(ValueError, match="batch_rows"):
        read_parquet_batches(path, "text", batch_rows=0)


def test_text_batches_refuse_what_is_not_batches():
    from qdacore.io import TextBatches

    with pytest.raises(TypeError, match="not one str"):
        TextBatches("城市群")
    with pytest.raises(TypeError, match="each batch must be"):
        cooccurrence(TextBatches(["城市群", "城市"]))
    with pytest.raises(ValueError, match="no pieces to add"):
        cooccurrence(TextBatches([]))


# -- Dask: a 2-worker LocalCluster of processes (conftest's client) ------------------------


def test_dask_results_equal_the_single_call_on_any_partitioning(client, seg):
    import dask.dataframe as dd

    import qdacore.dask as qd

    rng = np.random.default_rng(11)
    alphabet = np.array(list("城市群乡村融合发展双经济圈建设 "))
    texts = pd.Series(["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(60)]
                      + [None], name="text")
    texts = texts.sample(frac=1.0, random_state=5)  # shuffled: labels out of order
    for n in (1, 2, 5, len(texts)):
        parts = dd.from_pandas(texts, npartitions=n, sort=False)
        assert parts.npartitions == n
        pd.testing.assert_frame_equal(
            qd.cooccurrence(parts, window=2, analyzer=seg, hmm=False, min_count=2),
            cooccurrence(texts, window=2, analyzer=seg, hmm=False, min_count=2))
        _equal_matrices(qd.term_matrix(parts, ngram_range=(1, 2), min_df=2, max_df=0.9,
                                       tfidf=True, split_every=2),
                        term_matrix(texts, ngram_range=(1, 2), min_df=2, max_df=0.9, tfidf=True))


def test_dask_lazy_values_share_one_graph_and_bags_number_on(client):
    import dask
    import dask.bag as db

    import qdacore.dask as qd

    texts = ["城市群", "城市", "城乡", "乡村振兴"]
    bag = db.from_sequence(texts, npartitions=3)
    coword, matrix = dask.compute(qd.cooccurrence(bag, window=1, compute=False),
                                  qd.term_matrix(bag, compute=False))
    pd.testing.assert_frame_equal(coword, cooccurrence(texts, window=1))
    _equal_matrices(matrix, term_matrix(texts))
    with pytest.raises(TypeError, match="dask Series"):
        qd.cooccurrence(texts)


def test_dask_dictionary_matches_equal_the_matcher_on_all_texts(client):
    import dask.bag as db
    import dask.dataframe as dd

    import qdacore.dask as qd

    rng = np.random.default_rng(17)
    alphabet = np.array(list("城市群乡村融合发展双经济圈建设"))
    texts = pd.Series(["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(40)],
                      index=pd.Index([f"plan-{i}" for i in rng.permutation(40)], name="doc"))
    matcher = Matcher(["城市", "城市群", "乡村", "融合发展", "经济圈", "群乡"])
    for n in (1, 2, 5, len(texts)):
        parts = dd.from_pandas(texts, npartitions=n, sort=False)
        for overlapping in (True, False):
            # the reference is the Matcher on the texts as Dask holds them (its
            # string dtype for labels)
            pd.testing.assert_frame_equal(qd.find(parts, matcher, overlapping=overlapping),
                                          matcher.find(parts.compute(), overlapping=overlapping))
    bag = db.from_sequence(texts.tolist(), npartitions=4)
    pd.testing.assert_frame_equal(qd.find(bag, matcher.patterns), matcher.find(texts.tolist()))
    with pytest.raises(ValueError, match="max_matches"):
        qd.find(bag, matcher, max_matches=3)
